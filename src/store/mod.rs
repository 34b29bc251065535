//! The embedded store: one sled database per process, typed trees of versioned msgpack records,
//! an expiry index (sled has no TTL), durability classes and a watchdog.
//!
//! Durability classes: security-critical writes (blocks, deletions, key state, revocations,
//! payment credits) call [`Store::flush`] before the action is acknowledged; everything else
//! relies on sled's background flush (`store.flush_every`). On shutdown the bot flushes once more.
//!
//! Write patterns stay simple on purpose: single-key inserts and removes, compare-and-swap only
//! for expiry sweeps, no multi-tree transactions (sled 0.34.7 can deadlock under such mixes; see
//! the design notes). The [`Watchdog`] aborts the process if an operation hangs anyway.
//!
//! Consistent copies: every mutation holds a shared write gate while it runs and
//! [`Store::snapshot`] holds it exclusively while it copies every tree into a [`Snapshot`], so
//! the copy is consistent across trees while the bot keeps writing;
//! [`Store::restore_snapshot`] builds a new store from one.
//!
//! Rewrites: [`Store::rebuild`] rewrites a store from its live records and swaps the rewrite in,
//! crash-safe, so bytes sled still holds of removed records leave the disk (the key store's
//! crypto-shredding).
//!
//! Upgrades: every store carries a [`format`](mod@format) version, checked on open: older stores are
//! migrated, newer ones refused.

mod db;
mod error;
mod expiry;
mod flushes;
pub mod format;
mod gate;
mod rebuild;
mod record;
mod snapshot;
mod swap;
mod tree;
mod watchdog;

pub use db::{Store, abort_marker};
pub use error::StoreError;
pub use rebuild::Rebuilt;
pub use record::Record;
pub use snapshot::Snapshot;
pub use tree::TypedTree;
pub use watchdog::{HangHandler, WatchGuard, Watchdog};

#[cfg(test)]
mod tests;
