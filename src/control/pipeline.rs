//! Gauges of the running bot's update pipeline, kept by the bot and reported by `arcana status`.

use std::sync::atomic::{AtomicU64, Ordering};

/// Live gauges and counters of the update pipeline.
#[derive(Debug, Default)]
pub struct PipelineStats {
    /// Updates admitted to the inbox and not yet finished.
    pub inbox: AtomicU64,
    /// Updates finished (handled, abandoned or dropped) and removed from the inbox.
    pub finished: AtomicU64,
    /// Updates dropped because their chat's backlog was full.
    pub backlog_drops: AtomicU64,
    /// Bytes (of the updates' JSON) in the inbox.
    pub inbox_bytes: AtomicU64,
    /// Updates refused because the inbox was full and their chat held at least its share.
    pub inbox_full_drops: AtomicU64,
    /// Notices and query answers for denied updates not yet sent.
    pub notices: AtomicU64,
}

impl PipelineStats {
    /// Reads a gauge.
    #[must_use]
    pub fn get(gauge: &AtomicU64) -> u64 {
        gauge.load(Ordering::Relaxed)
    }

    /// Adds `n` to a gauge.
    pub fn add(gauge: &AtomicU64, n: u64) {
        gauge.fetch_add(n, Ordering::Relaxed);
    }

    /// Sets a gauge.
    pub fn set(gauge: &AtomicU64, n: u64) {
        gauge.store(n, Ordering::Relaxed);
    }

    /// Takes `n` from a gauge (never below zero).
    pub fn sub(gauge: &AtomicU64, n: u64) {
        let _ = gauge.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| Some(v.saturating_sub(n)));
    }
}

/// Scheduled backups so far, for `arcana status`.
#[derive(Debug, Default)]
pub struct BackupStats {
    /// Backups written.
    pub taken: AtomicU64,
    /// Backups that failed.
    pub failed: AtomicU64,
    /// When the last one was written (Unix ms; 0 if never).
    pub last_ms: AtomicU64,
}

impl BackupStats {
    /// Counts a backup written at `at_ms`.
    pub fn record_success(&self, at_ms: u64) {
        self.taken.fetch_add(1, Ordering::Relaxed);
        self.last_ms.store(at_ms, Ordering::Relaxed);
    }

    /// Counts a failed backup.
    pub fn record_failure(&self) {
        self.failed.fetch_add(1, Ordering::Relaxed);
    }
}
