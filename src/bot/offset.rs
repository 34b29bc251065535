//! Which updates are in flight, and the offset to ask Telegram for next.
//!
//! Telegram forgets an update once `getUpdates` is called with a higher offset. arcana asks with
//! the *lowest unfinished* update id, so an update that was fetched but not yet handled when the
//! process dies is delivered again; updates already dispatched in this process are skipped when
//! they come round again. The offset after the last finished update is persisted so that a
//! restarted bot does not answer an update twice.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::store::{Record, StoreError, TypedTree};

/// The persisted polling position.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct PollPosition {
    /// The next update id to ask for.
    pub next_offset: i64,
}

impl Record for PollPosition {
    const TREE: &'static str = "meta";
    const VERSION: u8 = 1;
}

const KEY: &[u8] = b"poll_position";

/// Reads the persisted offset (0 if none).
pub(crate) fn load(tree: &TypedTree<PollPosition>) -> Result<i64, StoreError> {
    Ok(tree.get(KEY)?.map_or(0, |p| p.next_offset))
}

/// Persists the offset (background durability; flushed on shutdown).
pub(crate) fn save(tree: &TypedTree<PollPosition>, next_offset: i64) -> Result<(), StoreError> {
    tree.insert(KEY, &PollPosition { next_offset })
}

/// Tracks dispatched and finished updates.
#[derive(Debug)]
pub(crate) struct Tracker {
    pending: BTreeSet<i64>,
    max_seen: Option<i64>,
    floor: i64,
}

impl Tracker {
    /// Starts at the persisted offset `floor`: ids below it were handled by an earlier run.
    pub(crate) fn new(floor: i64) -> Self {
        Tracker { pending: BTreeSet::new(), max_seen: None, floor }
    }

    /// The offset for the next `getUpdates`: the lowest unfinished id, or one past the highest
    /// dispatched.
    pub(crate) fn request_offset(&self) -> i64 {
        self.pending.first().copied().unwrap_or_else(|| self.max_seen.map_or(self.floor, |m| (m + 1).max(self.floor)))
    }

    /// Whether `id` is new (not handled earlier, not already dispatched); if so it becomes pending.
    pub(crate) fn admit(&mut self, id: i64) -> bool {
        let fresh = id >= self.floor && self.max_seen.is_none_or(|m| id > m);
        if fresh {
            self.pending.insert(id);
            self.max_seen = Some(id);
        }
        fresh
    }

    /// Marks `id` finished; returns the new persisted offset if it moved.
    pub(crate) fn finish(&mut self, id: i64) -> Option<i64> {
        let before = self.request_offset();
        self.pending.remove(&id);
        let after = self.request_offset();
        (after != before).then_some(after)
    }

    /// How many updates are dispatched but unfinished.
    pub(crate) fn in_flight(&self) -> usize {
        self.pending.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_follows_the_lowest_unfinished_update() {
        let mut t = Tracker::new(10);
        assert_eq!(t.request_offset(), 10);
        assert!(!t.admit(9), "handled by an earlier run");
        assert!(t.admit(10) && t.admit(11) && t.admit(12));
        assert!(!t.admit(11), "already dispatched");
        assert_eq!(t.request_offset(), 10);
        assert_eq!(t.finish(11), None, "10 still unfinished");
        assert_eq!(t.finish(10), Some(12));
        assert_eq!(t.finish(12), Some(13));
        assert_eq!(t.in_flight(), 0);
    }
}
