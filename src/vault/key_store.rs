//! The key store's handles, kept in one slot so that shredding can swap a rewritten store in
//! under a running vault ([`super::shred`]).
//!
//! Every operation takes the handles for as long as it runs and lets go of them (never two at
//! once on one thread); every write to the key store also holds the vault's key lock. A rewrite
//! holds the key lock (no write in flight), empties the slot (new operations wait for it), waits
//! for running operations to let go, and then owns the only handle on the store — which sled
//! must close before the directories can be swapped.

use std::{
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    time::{Duration, Instant},
};

use crate::store::{Record, Store, StoreError, TypedTree};

use super::{
    VaultError,
    records::{DataKeyRecord, ForgetRecord, GenerationRecord, KeystoreMeta},
};

/// How long a rewrite waits for running operations to let go of the key store.
const LET_GO_WITHIN: Duration = Duration::from_secs(10);
/// How often it looks.
const LET_GO_POLL: Duration = Duration::from_millis(2);

/// The key store and its trees.
pub(crate) struct KeyTrees {
    pub(crate) store: Store,
    pub(crate) meta: TypedTree<KeystoreMeta>,
    pub(crate) generation_records: TypedTree<GenerationRecord>,
    pub(crate) data_keys: TypedTree<DataKeyRecord>,
    pub(crate) forget_records: TypedTree<ForgetRecord>,
}

impl KeyTrees {
    pub(crate) fn open(store: Store) -> Result<KeyTrees, StoreError> {
        Ok(KeyTrees {
            meta: store.tree()?,
            generation_records: store.tree()?,
            data_keys: store.tree()?,
            forget_records: store.tree()?,
            store,
        })
    }

    /// The typed tree of `R` in the key store.
    pub(crate) fn tree<R: Record>(&self) -> Result<TypedTree<R>, StoreError> {
        self.store.tree()
    }

    /// The store, its trees dropped.
    fn into_store(self) -> Store {
        self.store
    }
}

/// Where the open key store is kept; empty only while a rewrite swaps it (or after one that
/// could open no store at all).
pub(crate) struct KeySlot(Mutex<Option<Arc<KeyTrees>>>);

impl KeySlot {
    pub(crate) fn new(keys: KeyTrees) -> KeySlot {
        KeySlot(Mutex::new(Some(Arc::new(keys))))
    }

    fn lock(&self) -> MutexGuard<'_, Option<Arc<KeyTrees>>> {
        // The slot is consistent between statements.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The handles, for one operation (waits while a rewrite swaps the store).
    pub(crate) fn get(&self) -> Result<Arc<KeyTrees>, VaultError> {
        self.lock().as_ref().map(Arc::clone).ok_or(VaultError::KeyStoreClosed)
    }

    /// Runs `rewrite` on the only handle on the key store and keeps the store it hands back. The
    /// caller holds the key lock. [`VaultError::KeyStoreBusy`] (nothing done) when running
    /// operations do not let go within [`LET_GO_WITHIN`]; when `rewrite` can open no store at
    /// all, the slot stays empty and every later operation fails until a restart.
    pub(crate) fn swap<T>(
        &self,
        rewrite: impl FnOnce(Store) -> Result<(Store, T), StoreError>,
    ) -> Result<T, VaultError> {
        let deadline = Instant::now() + LET_GO_WITHIN;
        let (mut slot, keys) = loop {
            let mut slot = self.lock();
            let Some(current) = slot.take() else { return Err(VaultError::KeyStoreClosed) };
            match Arc::try_unwrap(current) {
                // New operations wait on the lock held from here to the end.
                Ok(keys) => break (slot, keys),
                Err(shared) => {
                    *slot = Some(shared);
                    drop(slot);
                    if Instant::now() >= deadline {
                        return Err(VaultError::KeyStoreBusy);
                    }
                    // Operations hold the handles for one store call or a short scan.
                    std::thread::sleep(LET_GO_POLL);
                }
            }
        };
        let (store, outcome) = rewrite(keys.into_store())?;
        *slot = Some(Arc::new(KeyTrees::open(store)?));
        Ok(outcome)
    }
}
