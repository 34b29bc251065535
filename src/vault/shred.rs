//! Crypto-shredding that reaches the disk. Removing a wrapped data key from the key store is not
//! enough: sled appends, and the removed record stays byte for byte in the store's log segments
//! until sled reuses them — beside `master.key`, which unwraps it. So whenever key material is
//! destroyed (a user's data key, a retired generation key, the wraps under a replaced master
//! key), the key store is rewritten from its live records into a fresh store that is swapped in
//! ([`crate::store::Store::rebuild`], crash-safe at every step).
//!
//! - The destruction writes a [`ShredPending`] note in the same flush: a kill before the rewrite
//!   leaves it, and the next [`Vault::load`] rewrites the store before anything else. A key store
//!   never rewritten before (one from before rewrites existed, or a restored backup of one) is
//!   rewritten at load too, once.
//! - [`Vault::shred`] rewrites only if something was destroyed since the last rewrite, and every
//!   caller waiting meanwhile is served by one rewrite: a retention sweep or a burst of deletions
//!   costs one rewrite, not one each.
//! - During the rewrite (0.7 s for a key store of 100,000 users on a 2-core x86 VM; more on a Pi)
//!   writes to the key store and reads of keys not in memory wait; sealing and opening with
//!   cached keys go on.

use std::{
    sync::{PoisonError, atomic::Ordering},
    time::SystemTime,
};

use crate::store::{Rebuilt, Record};

use super::{
    Vault, VaultError,
    key_store::KeyTrees,
    records::{Rewritten, SHRED_STATE_KEY as KEY, ShredPending, mark_new},
};

impl Vault {
    /// Notes, in `keys`, that key material is being destroyed; the caller holds the key lock and
    /// flushes the note together with the destruction, then calls [`Vault::destroyed_durably`].
    pub(crate) fn destroying(keys: &KeyTrees, now_ms: u64) -> Result<(), VaultError> {
        let pending = keys.tree::<ShredPending>()?;
        if pending.get(KEY)?.is_none() {
            pending.insert(KEY, &ShredPending { since_ms: now_ms })?;
        }
        Ok(())
    }

    /// Counts a destruction that is durable: the next [`Vault::shred`] takes it off the disk.
    pub(crate) fn destroyed_durably(&self) {
        self.destroyed.fetch_add(1, Ordering::SeqCst);
    }

    /// Rewrites the key store if key material was destroyed since its last rewrite, so that no
    /// byte of it stays in the store's files; callers arriving while a rewrite runs share the
    /// next one. Blocking (seconds at most): call off the async runtime. Returns whether it
    /// rewrote. On an error nothing is lost: the note stays, and the next call (or start) retries.
    pub fn shred(&self) -> Result<bool, VaultError> {
        let wanted = self.destroyed.load(Ordering::SeqCst);
        let mut done = self.shredded.lock().unwrap_or_else(PoisonError::into_inner);
        if *done >= wanted {
            return Ok(false);
        }
        let _lock = self.key_lock.lock().unwrap_or_else(PoisonError::into_inner);
        // Every destruction counted by now is in the store and is copied away from.
        let covered = self.destroyed.load(Ordering::SeqCst);
        self.rewrite_locked()?;
        *done = covered;
        Ok(true)
    }

    /// At load: rewrites a key store whose last destruction was not rewritten away (a kill came
    /// between), or that was never rewritten. A failure is logged; the store opens as it is.
    pub(crate) fn shred_left_over(&self) -> Result<(), VaultError> {
        let keys = self.keys()?;
        let pending = keys.tree::<ShredPending>()?.get(KEY)?.is_some();
        let never = keys.tree::<Rewritten>()?.get(KEY)?.is_none();
        drop(keys);
        if !(pending || never) {
            return Ok(());
        }
        let _lock = self.key_lock.lock().unwrap_or_else(PoisonError::into_inner);
        match self.rewrite_locked() {
            Ok(()) => {
                tracing::info!(pending, "the key store was rewritten: destroyed key material is off the disk");
                Ok(())
            }
            Err(VaultError::KeyStoreClosed) => Err(VaultError::KeyStoreClosed),
            Err(e) => {
                tracing::error!(error = %e, "cannot rewrite the key store; retried at the next deletion or start");
                Ok(())
            }
        }
    }

    /// Rewrites the key store (the caller holds the key lock): without the pending note, with a
    /// fresh [`Rewritten`] stamp.
    fn rewrite_locked(&self) -> Result<(), VaultError> {
        self.keys.swap(|store| {
            Ok(match store.rebuild(&[ShredPending::TREE])? {
                Rebuilt::Done(store) => {
                    let stamped = mark_new(&store, crate::clock::unix_ms(SystemTime::now()))
                        .and_then(|()| store.flush_blocking());
                    (store, stamped.map_err(VaultError::from))
                }
                Rebuilt::Failed { error, store } => (store, Err(VaultError::from(error))),
            })
        })?
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::vault::{KekInput, Vault, testing::temp_vault};

    /// Every file under `dir`, read.
    fn bytes_under(dir: &std::path::Path) -> Vec<u8> {
        let mut all = Vec::new();
        for entry in std::fs::read_dir(dir).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                all.extend(bytes_under(&path));
            } else {
                all.extend(std::fs::read(&path).expect("read"));
            }
        }
        all
    }

    fn holds(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    /// The tail (tag and end of the ciphertext: random) of `subject`'s wrapped data key.
    fn wrapped_tail(vault: &Vault, subject: i64) -> Vec<u8> {
        let record = vault.keys().expect("keys").data_keys.get(&subject.to_be_bytes()).expect("get").expect("key");
        record.wrapped[record.wrapped.len() - 24..].to_vec()
    }

    #[test]
    fn a_destroyed_data_key_leaves_the_disk_and_the_others_stay() {
        let t = temp_vault();
        let keys_dir = t.tmp.path().join("keys");
        let sealed: Vec<Vec<u8>> = (1..=3).map(|s| t.vault.seal(s, "notes", b"k", b"secret").expect("seal")).collect();
        let (gone, kept) = (wrapped_tail(&t.vault, 2), wrapped_tail(&t.vault, 3));
        t.vault.flush_blocking().expect("flush");
        assert!(holds(&bytes_under(&keys_dir), &gone));

        // Two deletions, one rewrite.
        assert!(t.vault.forget_subject(1).expect("forget"));
        assert!(t.vault.forget_subject(2).expect("forget"));
        assert!(holds(&bytes_under(&keys_dir), &gone), "sled keeps the removed record until the rewrite");
        assert!(t.vault.shred().expect("shred"), "rewritten");
        assert!(!t.vault.shred().expect("shred"), "nothing new to rewrite");
        let on_disk = bytes_under(&keys_dir);
        assert!(!holds(&on_disk, &gone), "the deleted subject's wrapped key is off the disk");
        assert!(holds(&on_disk, &kept));
        assert_eq!(t.vault.open(3, "notes", b"k", &sealed[2]).expect("opens").as_slice(), b"secret");
        // The vault goes on writing to the rewritten store.
        t.vault.seal(4, "notes", b"k", b"new").expect("a new key");
        assert!(t.vault.has_subject(4).expect("has"));
    }

    #[test]
    fn a_kill_before_the_rewrite_leaves_it_to_the_next_load() {
        let t = temp_vault();
        t.vault.seal(5, "notes", b"k", b"secret").expect("seal");
        let gone = wrapped_tail(&t.vault, 5);
        assert!(t.vault.forget_subject(5).expect("forget"));
        // Killed before the rewrite: the note is durable, and the next load rewrites.
        let dir = crate::layout::DataDir::new(t.tmp.path());
        let keys_store = t.vault.keys().expect("keys").store.clone();
        let reopened = Vault::load(&t.data, keys_store, &t.kek_input(), 0);
        // This process still holds the first vault's handle: the rewrite waits for a restart.
        assert!(reopened.is_ok());
        drop(reopened);
        let TempParts { data, tmp } = into_parts(t);
        let keys = crate::store::Store::open_temporary(&dir.keys_path()).expect("keys");
        let input = KekInput::File(dir.read_master_key().expect("key"));
        let vault = Arc::new(Vault::load(&data, keys, &input, 0).expect("load"));
        assert!(!holds(&bytes_under(&tmp.path().join("keys")), &gone), "rewritten at load");
        assert!(!vault.has_subject(5).expect("has"));
    }

    struct TempParts {
        data: crate::store::Store,
        tmp: tempfile::TempDir,
    }

    /// The directory and data store of `t`, its vault closed.
    fn into_parts(t: crate::vault::testing::TempVault) -> TempParts {
        let crate::vault::testing::TempVault { tmp, data, vault } = t;
        drop(vault);
        TempParts { data, tmp }
    }
}
