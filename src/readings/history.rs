//! Reading history: every reading sealed under its user's data key, kept for the configured
//! retention and then removed by the store's expiry sweep (and never shown once past it, even
//! before the sweep runs). Keys are `user ‖ drawn-at ms ‖ 4 random bytes`, so one user's
//! readings are a contiguous, time-ordered range.

use std::{sync::Arc, time::Duration};

use ring::rand::{SecureRandom, SystemRandom};

use crate::{
    store::Store,
    tarot::StoredReading,
    vault::{Sealed, SealedTree, Vault, VaultError},
};

impl Sealed for StoredReading {
    const TREE: &'static str = "readings";
    const VERSION: u8 = 1;
}

/// Identifies one reading of a user: drawn-at ms and the random suffix (12 bytes).
pub type ReadingId = [u8; 12];

/// One page of a user's history, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The readings on this page with their ids, newest first.
    pub entries: Vec<(ReadingId, StoredReading)>,
    /// This page's index (0 is the newest).
    pub index: usize,
    /// How many pages there are (at least 1).
    pub pages: usize,
    /// Readings kept in all.
    pub total: usize,
}

/// The history of every user.
#[derive(Clone)]
pub struct History {
    tree: SealedTree<StoredReading>,
    retention: Duration,
    rng: SystemRandom,
}

impl std::fmt::Debug for History {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("History").field("retention", &self.retention).finish_non_exhaustive()
    }
}

fn key(user: i64, id: &ReadingId) -> [u8; 20] {
    let mut key = [0u8; 20];
    key[..8].copy_from_slice(&user.to_be_bytes());
    key[8..].copy_from_slice(id);
    key
}

fn id_of(key: &[u8]) -> Option<ReadingId> {
    key.get(8..20).and_then(|tail| ReadingId::try_from(tail).ok())
}

fn at(unix_ms: u64) -> std::time::SystemTime {
    std::time::UNIX_EPOCH + Duration::from_millis(unix_ms)
}

fn drawn_at(id: &ReadingId) -> u64 {
    let mut at = [0u8; 8];
    at.copy_from_slice(&id[..8]);
    u64::from_be_bytes(at)
}

impl History {
    /// The history tree in `store`, sealed with `vault`, keeping readings for `retention`.
    pub fn new(store: &Store, vault: Arc<Vault>, retention: Duration) -> Result<History, VaultError> {
        Ok(History { tree: SealedTree::new(store, vault)?, retention, rng: SystemRandom::new() })
    }

    fn retention_ms(&self) -> u64 {
        u64::try_from(self.retention.as_millis()).unwrap_or(u64::MAX)
    }

    /// Stores `reading` for `user`; it expires `retention` after it was drawn.
    pub fn append(&self, user: i64, reading: &StoredReading) -> Result<ReadingId, VaultError> {
        let mut id = [0u8; 12];
        id[..8].copy_from_slice(&reading.at_ms.to_be_bytes());
        self.rng.fill(&mut id[8..]).map_err(|_| VaultError::Crypto("the system random generator failed"))?;
        let expires =
            std::time::UNIX_EPOCH + Duration::from_millis(reading.at_ms.saturating_add(self.retention_ms()).max(1));
        self.tree.put_expiring(user, &key(user, &id), reading, expires)?;
        Ok(id)
    }

    /// The ids of `user`'s readings still within the retention at `now_ms`, newest first.
    /// How many readings of `user` are kept and shown at `now_ms` (none is opened).
    pub fn count(&self, user: i64, now_ms: u64) -> Result<usize, VaultError> {
        Ok(self.live_ids(user, now_ms)?.len())
    }

    fn live_ids(&self, user: i64, now_ms: u64) -> Result<Vec<ReadingId>, VaultError> {
        let now = at(now_ms);
        let oldest = now_ms.saturating_sub(self.retention_ms());
        let mut ids: Vec<ReadingId> = self
            .tree
            .keys_with_prefix(&user.to_be_bytes(), now)?
            .iter()
            .filter_map(|k| id_of(k))
            .filter(|id| drawn_at(id) > oldest)
            .collect();
        ids.reverse();
        Ok(ids)
    }

    /// Page `index` (0 = newest) of `user`'s history at `now_ms`, `size` readings a page. An
    /// index past the end gives the last page.
    pub fn page(&self, user: i64, index: usize, size: usize, now_ms: u64) -> Result<Page, VaultError> {
        let size = size.max(1);
        let ids = self.live_ids(user, now_ms)?;
        let pages = ids.len().div_ceil(size).max(1);
        let index = index.min(pages - 1);
        let mut entries = Vec::with_capacity(size);
        for id in ids.iter().skip(index * size).take(size) {
            if let Some(reading) = self.tree.get_at(user, &key(user, id), at(now_ms))? {
                entries.push((*id, reading));
            }
        }
        Ok(Page { entries, index, pages, total: ids.len() })
    }

    /// One reading of `user`, if it exists and is within the retention at `now_ms`.
    pub fn get(&self, user: i64, id: &ReadingId, now_ms: u64) -> Result<Option<StoredReading>, VaultError> {
        if drawn_at(id) <= now_ms.saturating_sub(self.retention_ms()) {
            return Ok(None);
        }
        self.tree.get_at(user, &key(user, id), at(now_ms))
    }

    /// All of `user`'s readings within the retention at `now_ms`, oldest first (for export).
    pub fn all(&self, user: i64, now_ms: u64) -> Result<Vec<StoredReading>, VaultError> {
        let mut ids = self.live_ids(user, now_ms)?;
        ids.reverse();
        let mut out = Vec::with_capacity(ids.len());
        for id in &ids {
            if let Some(reading) = self.tree.get_at(user, &key(user, id), at(now_ms))? {
                out.push(reading);
            }
        }
        Ok(out)
    }

    /// Opens every stored reading (after a restore): returns how many opened and how many were
    /// removed because their user's key is destroyed; any other failure (tampering) is an error.
    pub fn verify_all(&self) -> Result<(usize, usize), VaultError> {
        self.tree.verify_all(|k| k.get(..8).and_then(|b| <[u8; 8]>::try_from(b).ok()).map(i64::from_be_bytes))
    }

    /// Removes every reading of `user` (expired ones not yet swept included); returns how many.
    pub fn remove_all(&self, user: i64) -> Result<usize, VaultError> {
        let keys = self.tree.keys_with_prefix(&user.to_be_bytes(), std::time::UNIX_EPOCH)?;
        for k in &keys {
            self.tree.remove(k)?;
        }
        Ok(keys.len())
    }
}
