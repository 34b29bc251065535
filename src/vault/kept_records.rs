//! Other modules' state kept in the key store, apart from `DIR/db/` (the audit chain's head):
//! read and written through the vault, which owns the key store and may swap it for a rewritten
//! one ([`Vault::shred`]). A file of its own so the key store's handles ([`super::key_store`])
//! need not know the [`Vault`].

use std::sync::PoisonError;

use crate::store::{Record, StoreError};

use super::{Vault, VaultError};

impl Vault {
    /// The record of type `R` at `key` in the key store: state of other modules that must live
    /// apart from `DIR/db/` (the audit chain's head).
    pub fn key_store_record<R: Record>(&self, key: &[u8]) -> Result<Option<R>, StoreError> {
        self.keys().map_err(closed)?.tree::<R>()?.get(key)
    }

    /// Writes `value` at `key` in the key store and flushes it (under the key lock, so a rewrite
    /// never misses it).
    pub fn put_key_store_record<R: Record>(&self, key: &[u8], value: &R) -> Result<(), StoreError> {
        let _lock = self.key_lock.lock().unwrap_or_else(PoisonError::into_inner);
        let keys = self.keys().map_err(closed)?;
        keys.tree::<R>()?.insert(key, value)?;
        keys.store.flush_blocking()
    }
}

fn closed(e: VaultError) -> StoreError {
    match e {
        VaultError::Store(e) => e,
        other => StoreError::Task(other.to_string()),
    }
}
