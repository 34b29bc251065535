//! A hash map split into independently locked shards, so concurrent updates from different
//! users rarely contend.

use std::{
    collections::HashMap,
    hash::{BuildHasher, Hash, RandomState},
    sync::{Mutex, PoisonError},
};

const SHARDS: usize = 16;

/// A sharded map.
pub(crate) struct Sharded<K, V> {
    hasher: RandomState,
    shards: Vec<Mutex<HashMap<K, V>>>,
}

impl<K: Hash + Eq, V> Default for Sharded<K, V> {
    fn default() -> Self {
        Sharded { hasher: RandomState::new(), shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect() }
    }
}

impl<K: Hash + Eq, V> Sharded<K, V> {
    fn shard(&self, key: &K) -> &Mutex<HashMap<K, V>> {
        let index = usize::try_from(self.hasher.hash_one(key) % SHARDS as u64).unwrap_or(0);
        &self.shards[index]
    }

    /// Runs `f` on the entry for `key`, created with `V::default()` if missing.
    pub(crate) fn with<R>(&self, key: K, f: impl FnOnce(&mut V) -> R) -> R
    where
        V: Default,
    {
        let mut shard = self.shard(&key).lock().unwrap_or_else(PoisonError::into_inner);
        f(shard.entry(key).or_default())
    }

    /// Runs `f` on the entry for `key` if there is one.
    pub(crate) fn get_with<R>(&self, key: &K, f: impl FnOnce(&mut V) -> R) -> Option<R> {
        let mut shard = self.shard(key).lock().unwrap_or_else(PoisonError::into_inner);
        shard.get_mut(key).map(f)
    }

    /// Keeps only the entries for which `keep` returns true; returns how many were removed.
    pub(crate) fn retain(&self, mut keep: impl FnMut(&K, &mut V) -> bool) -> usize {
        let mut removed = 0;
        for shard in &self.shards {
            let mut shard = shard.lock().unwrap_or_else(PoisonError::into_inner);
            let before = shard.len();
            shard.retain(|k, v| keep(k, v));
            removed += before - shard.len();
        }
        removed
    }

    /// Number of entries.
    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().unwrap_or_else(PoisonError::into_inner).len()).sum()
    }
}
