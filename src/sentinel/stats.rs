//! Counters of every decision, readable at any time (and reported by `arcana status`).

use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use super::Verdict;

/// Live counters.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    allowed: AtomicU64,
    debounced: AtomicU64,
    limited: AtomicU64,
    penalised: AtomicU64,
    blocked: AtomicU64,
    ignored: AtomicU64,
}

/// A snapshot of the counters.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Updates passed to handlers.
    pub allowed: u64,
    /// Duplicates dropped.
    pub debounced: u64,
    /// Denied by a rate limit.
    pub limited: u64,
    /// Denied while muted by a penalty.
    pub penalised: u64,
    /// Dropped because the sender is blocked.
    pub blocked: u64,
    /// Dropped as unattributable or sent by a bot.
    pub ignored: u64,
}

impl Counters {
    pub(crate) fn count(&self, verdict: Verdict) {
        let counter = match verdict {
            Verdict::Allow => &self.allowed,
            Verdict::Debounced => &self.debounced,
            Verdict::Limited { .. } => &self.limited,
            Verdict::Penalised { .. } => &self.penalised,
            Verdict::Blocked => &self.blocked,
            Verdict::Ignored => &self.ignored,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> Stats {
        Stats {
            allowed: self.allowed.load(Ordering::Relaxed),
            debounced: self.debounced.load(Ordering::Relaxed),
            limited: self.limited.load(Ordering::Relaxed),
            penalised: self.penalised.load(Ordering::Relaxed),
            blocked: self.blocked.load(Ordering::Relaxed),
            ignored: self.ignored.load(Ordering::Relaxed),
        }
    }
}
