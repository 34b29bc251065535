//! A typed view of one sled tree: values are [`Record`]s, expired records read as absent.

use std::{marker::PhantomData, time::SystemTime};

use crate::clock::unix_ms;

use super::{Record, StoreError, Watchdog, expiry, gate::Gate, record};

/// The records of type `R`, keyed by bytes.
pub struct TypedTree<R> {
    tree: sled::Tree,
    index: sled::Tree,
    watchdog: Watchdog,
    gate: Gate,
    /// Counts this tree as a handle on its store (see `Store::is_only_handle`).
    handle: std::sync::Arc<()>,
    _record: PhantomData<fn() -> R>,
}

impl<R> Clone for TypedTree<R> {
    fn clone(&self) -> Self {
        TypedTree {
            tree: self.tree.clone(),
            index: self.index.clone(),
            watchdog: self.watchdog.clone(),
            gate: self.gate.clone(),
            handle: std::sync::Arc::clone(&self.handle),
            _record: PhantomData,
        }
    }
}

impl<R: Record> TypedTree<R> {
    pub(super) fn new(
        tree: sled::Tree,
        index: sled::Tree,
        watchdog: Watchdog,
        gate: Gate,
        handle: std::sync::Arc<()>,
    ) -> Self {
        TypedTree { tree, index, watchdog, gate, handle, _record: PhantomData }
    }

    /// The record at `key`, if present and not expired now.
    pub fn get(&self, key: &[u8]) -> Result<Option<R>, StoreError> {
        self.get_at(key, SystemTime::now())
    }

    /// The record at `key`, if present and not expired at `now`.
    pub fn get_at(&self, key: &[u8], now: SystemTime) -> Result<Option<R>, StoreError> {
        let _watch = self.watchdog.guard("get");
        match self.tree.get(key)? {
            Some(bytes) if !record::is_expired(&bytes, unix_ms(now)) => record::decode(&bytes).map(Some),
            _ => Ok(None),
        }
    }

    /// Stores `value` at `key` without expiry.
    pub fn insert(&self, key: &[u8], value: &R) -> Result<(), StoreError> {
        let value = record::encode(value, 0)?;
        // The gate first: time spent waiting for a backup's copy is not a hang.
        let _gate = self.gate.mutation();
        let _watch = self.watchdog.guard("insert");
        self.tree.insert(key, value)?;
        Ok(())
    }

    /// Stores `value` at `key`, to be treated as absent from `expires_at` on.
    pub fn insert_expiring(&self, key: &[u8], value: &R, expires_at: SystemTime) -> Result<(), StoreError> {
        let at = unix_ms(expires_at).max(1);
        let value = record::encode(value, at)?;
        // One gate guard for both writes: a snapshot sees the record and its index entry, or
        // neither. The gate first: time spent waiting for a backup's copy is not a hang.
        let _gate = self.gate.mutation();
        let _watch = self.watchdog.guard("insert_expiring");
        self.index.insert(expiry::index_key(at, R::TREE, key), &[])?;
        self.tree.insert(key, value)?;
        Ok(())
    }

    /// Removes the record at `key`, and its expiry index entry if it had one (the entry holds
    /// the key: a deleted user's id must not stay behind in it); returns whether one was there.
    pub fn remove(&self, key: &[u8]) -> Result<bool, StoreError> {
        // The gate first: time spent waiting for a backup's copy is not a hang.
        let _gate = self.gate.mutation();
        let _watch = self.watchdog.guard("remove");
        let Some(old) = self.tree.remove(key)? else { return Ok(false) };
        if let Some(at) = record::expires_at_ms(&old).filter(|&at| at != 0) {
            self.index.remove(expiry::index_key(at, R::TREE, key))?;
        }
        Ok(true)
    }

    /// Inserts and removes several records (without expiry) as one atomic write: after a crash
    /// either all of them are there or none.
    pub fn apply(&self, inserts: &[(Vec<u8>, R)], removals: &[Vec<u8>]) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        for (key, value) in inserts {
            batch.insert(key.as_slice(), record::encode(value, 0)?);
        }
        for key in removals {
            batch.remove(key.as_slice());
        }
        // The gate first: time spent waiting for a backup's copy is not a hang.
        let _gate = self.gate.mutation();
        let _watch = self.watchdog.guard("apply_batch");
        self.tree.apply_batch(batch)?;
        Ok(())
    }

    /// All live records at `now`, in key order. Undecodable records are yielded as errors.
    pub fn iter_at(&self, now: SystemTime) -> impl Iterator<Item = Result<(Vec<u8>, R), StoreError>> + '_ {
        let now_ms = unix_ms(now);
        self.tree.iter().filter_map(move |entry| match entry {
            Err(e) => Some(Err(e.into())),
            Ok((_, bytes)) if record::is_expired(&bytes, now_ms) => None,
            Ok((key, bytes)) => Some(record::decode(&bytes).map(|r| (key.to_vec(), r))),
        })
    }

    /// Keys of the records live at `now` that start with `prefix`, in key order, without
    /// decoding the records.
    pub fn keys_with_prefix_at(&self, prefix: &[u8], now: SystemTime) -> Result<Vec<Vec<u8>>, StoreError> {
        let now_ms = unix_ms(now);
        let _watch = self.watchdog.guard("scan_prefix");
        let mut keys = Vec::new();
        for entry in self.tree.scan_prefix(prefix) {
            let (key, bytes) = entry?;
            if !record::is_expired(&bytes, now_ms) {
                keys.push(key.to_vec());
            }
        }
        Ok(keys)
    }

    /// The record with the greatest key (expired or not), if any.
    pub fn last(&self) -> Result<Option<(Vec<u8>, R)>, StoreError> {
        let _watch = self.watchdog.guard("last");
        match self.tree.last()? {
            Some((key, bytes)) => Ok(Some((key.to_vec(), record::decode(&bytes)?))),
            None => Ok(None),
        }
    }

    /// The greatest key, without decoding its record.
    pub fn last_key(&self) -> Result<Option<Vec<u8>>, StoreError> {
        let _watch = self.watchdog.guard("last_key");
        Ok(self.tree.last()?.map(|(key, _)| key.to_vec()))
    }

    /// Records from `start` on (expired or not), in key order; undecodable ones as errors.
    pub fn iter_from(&self, start: &[u8]) -> impl Iterator<Item = Result<(Vec<u8>, R), StoreError>> + '_ {
        self.tree.range(start.to_vec()..).map(|entry| match entry {
            Err(e) => Err(e.into()),
            Ok((key, bytes)) => record::decode(&bytes).map(|r| (key.to_vec(), r)),
        })
    }

    /// Number of stored entries, expired ones included until swept.
    #[must_use]
    pub fn raw_len(&self) -> usize {
        self.tree.len()
    }
}

#[cfg(test)]
mod tests {
    use crate::store::{Record, Store};
    use serde::{Deserialize, Serialize};
    use std::time::{Duration, SystemTime};

    #[derive(Debug, Serialize, Deserialize, PartialEq, Clone)]
    struct Note(String);
    impl Record for Note {
        const TREE: &'static str = "notes";
        const VERSION: u8 = 1;
    }

    fn store() -> (tempfile::TempDir, Store) {
        let tmp = crate::layout::private_tempdir();
        let store = Store::open_temporary(tmp.path()).expect("open");
        (tmp, store)
    }

    #[test]
    fn insert_get_remove() {
        let (_tmp, store) = store();
        let notes = store.tree::<Note>().expect("tree");
        notes.insert(b"a", &Note("one".into())).expect("insert");
        assert_eq!(notes.get(b"a").expect("get"), Some(Note("one".into())));
        assert!(notes.remove(b"a").expect("remove"));
        assert_eq!(notes.get(b"a").expect("get"), None);
    }

    #[test]
    fn expired_records_read_as_absent_and_are_swept() {
        let (_tmp, store) = store();
        let notes = store.tree::<Note>().expect("tree");
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        notes.insert_expiring(b"k", &Note("x".into()), t0 + Duration::from_secs(10)).expect("insert");
        notes.insert(b"forever", &Note("y".into())).expect("insert");
        assert!(notes.get_at(b"k", t0 + Duration::from_secs(9)).expect("get").is_some());
        assert!(notes.get_at(b"k", t0 + Duration::from_secs(10)).expect("get").is_none());
        assert_eq!(notes.iter_at(t0 + Duration::from_secs(11)).count(), 1);
        assert_eq!(store.sweep_expired(t0 + Duration::from_secs(5)).expect("sweep"), 0);
        assert_eq!(notes.raw_len(), 2);
        assert_eq!(store.sweep_expired(t0 + Duration::from_secs(11)).expect("sweep"), 1);
        assert_eq!(notes.raw_len(), 1);
    }

    #[test]
    fn a_rewritten_key_survives_the_sweep_of_its_old_expiry() {
        let (_tmp, store) = store();
        let notes = store.tree::<Note>().expect("tree");
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        notes.insert_expiring(b"k", &Note("old".into()), t0 + Duration::from_secs(1)).expect("insert");
        notes.insert_expiring(b"k", &Note("new".into()), t0 + Duration::from_secs(100)).expect("insert");
        assert_eq!(store.sweep_expired(t0 + Duration::from_secs(2)).expect("sweep"), 0);
        assert_eq!(notes.get_at(b"k", t0 + Duration::from_secs(2)).expect("get"), Some(Note("new".into())));
    }

    #[test]
    fn a_batch_inserts_and_removes_together() {
        let (_tmp, store) = store();
        let notes = store.tree::<Note>().expect("tree");
        notes.insert(b"old", &Note("gone".into())).expect("insert");
        notes
            .apply(&[(b"a".to_vec(), Note("1".into())), (b"b".to_vec(), Note("2".into()))], &[b"old".to_vec()])
            .expect("batch");
        let keys: Vec<Vec<u8>> = notes.iter_at(SystemTime::now()).map(|r| r.expect("decodes").0).collect();
        assert_eq!(keys, [b"a".to_vec(), b"b".to_vec()]);
    }

    #[test]
    fn records_survive_reopen_after_flush() {
        let tmp = crate::layout::private_tempdir();
        {
            let store = Store::open_temporary(tmp.path()).expect("open");
            store.tree::<Note>().expect("tree").insert(b"a", &Note("kept".into())).expect("insert");
            store.flush_blocking().expect("flush");
        }
        let store = Store::open_temporary(tmp.path()).expect("reopen");
        assert_eq!(store.tree::<Note>().expect("tree").get(b"a").expect("get"), Some(Note("kept".into())));
    }
}
