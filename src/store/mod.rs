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

mod db;
mod error;
mod expiry;
mod record;
mod tree;
mod watchdog;

pub use db::Store;
pub use error::StoreError;
pub use record::Record;
pub use tree::TypedTree;
pub use watchdog::{HangHandler, WatchGuard, Watchdog};
