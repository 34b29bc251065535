//! The write gate: sled 0.34.7 has no snapshots, so every mutation through the store holds the
//! gate shared while it runs, and [`Store::snapshot`](super::Store::snapshot) holds it exclusively
//! while it copies the trees. A snapshot therefore never sees half of a write (an expiring insert
//! touches two trees) nor a state in which one tree is ahead of another.
//!
//! Guards are never nested: a thread holding a shared guard must not take another one, nor ask for
//! a snapshot (`std::sync::RwLock` may block new readers while a writer waits).

use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Shared by a [`Store`](super::Store) and every [`TypedTree`](super::TypedTree) it hands out.
#[derive(Clone, Default)]
pub(super) struct Gate(Arc<RwLock<()>>);

impl Gate {
    /// Held by one mutation while it runs; any number of mutations may hold it at once.
    pub(super) fn mutation(&self) -> RwLockReadGuard<'_, ()> {
        // The lock guards no data, so a panic while holding it leaves nothing inconsistent.
        self.0.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Held by a snapshot while it copies the trees: waits for running mutations to finish and
    /// holds back new ones.
    pub(super) fn freeze(&self) -> RwLockWriteGuard<'_, ()> {
        self.0.write().unwrap_or_else(PoisonError::into_inner)
    }
}
