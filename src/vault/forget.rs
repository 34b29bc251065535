//! Deleting a subject (crypto-shredding) in two durable steps that an interrupted deletion can
//! resume: [`Vault::begin_forget`] records the deletion in the key store (from then on nothing
//! new is sealed for the subject, so no update in flight can bring them back), the caller
//! removes their records, and [`Vault::finish_forget`] destroys the data key and the record.
//! [`Vault::forgetting`] lists deletions a kill interrupted, to be finished on the next start.
//! The destroyed key's bytes leave the disk when the key store is next rewritten
//! ([`Vault::shred`], which the caller runs once for a batch of deletions).

use std::sync::PoisonError;

use super::{Vault, VaultError, records::ForgetRecord};

impl Vault {
    /// Starts deleting `subject`: recorded and flushed before it returns.
    pub fn begin_forget(&self, subject: i64, now_ms: u64) -> Result<(), VaultError> {
        let _lock = self.key_lock.lock().unwrap_or_else(PoisonError::into_inner);
        self.forgetting.lock().unwrap_or_else(PoisonError::into_inner).insert(subject);
        self.keys()?.forget_records.insert(&subject.to_be_bytes(), &ForgetRecord { since_ms: now_ms })?;
        self.keys()?.store.flush_blocking()?;
        Ok(())
    }

    /// Ends deleting `subject`: destroys their data key (every copy of what it sealed, in the
    /// store and in every backup taken from now on, becomes unreadable), then the deletion
    /// record; flushed before it returns, with the note that the key store holds destroyed key
    /// material until its next rewrite ([`Vault::shred`]). Afterwards the subject may come back
    /// as a new one. Returns whether there was a key.
    pub fn finish_forget(&self, subject: i64) -> Result<bool, VaultError> {
        let _lock = self.key_lock.lock().unwrap_or_else(PoisonError::into_inner);
        self.cache.lock().unwrap_or_else(PoisonError::into_inner).remove(&subject);
        let keys = self.keys()?;
        let id = subject.to_be_bytes();
        // The key first: a kill between the two leaves the record, and the deletion is resumed.
        let had_key = keys.data_keys.remove(&id)?;
        keys.forget_records.remove(&id)?;
        if had_key {
            Vault::destroying(&keys, crate::clock::unix_ms(std::time::SystemTime::now()))?;
        }
        keys.store.flush_blocking()?;
        if had_key {
            self.destroyed_durably();
        }
        self.forgetting.lock().unwrap_or_else(PoisonError::into_inner).remove(&subject);
        Ok(had_key)
    }

    /// Deletes `subject` in one step (tests: subjects with nothing stored outside the vault).
    #[cfg(test)]
    pub(crate) fn forget_subject(&self, subject: i64) -> Result<bool, VaultError> {
        self.begin_forget(subject, 0)?;
        self.finish_forget(subject)
    }

    /// Whether `subject` is being deleted.
    #[must_use]
    pub fn is_forgetting(&self, subject: i64) -> bool {
        self.forgetting.lock().unwrap_or_else(PoisonError::into_inner).contains(&subject)
    }

    /// Subjects whose deletion began and did not finish (a kill or a crash interrupted it).
    #[must_use]
    pub fn forgetting(&self) -> Vec<i64> {
        let mut list: Vec<i64> =
            self.forgetting.lock().unwrap_or_else(PoisonError::into_inner).iter().copied().collect();
        list.sort_unstable();
        list
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde::{Deserialize, Serialize};

    use crate::vault::{Sealed, SealedTree, VaultError, testing::temp_vault};

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Note(String);

    impl Sealed for Note {
        const TREE: &'static str = "forget_notes";
        const VERSION: u8 = 1;
    }

    #[test]
    fn nothing_is_sealed_for_a_subject_being_deleted_and_they_come_back_afresh() {
        let t = temp_vault();
        let notes = SealedTree::<Note>::new(&t.data, Arc::clone(&t.vault)).expect("tree");
        notes.put(7, b"a", &Note("before".into())).expect("put");
        // An update in flight sealed a record just before the deletion began.
        let late = t.vault.seal(7, "forget_notes", b"late", b"x").expect("sealed before");

        t.vault.begin_forget(7, 1).expect("begin");
        assert!(matches!(notes.put(7, b"b", &Note("during".into())), Err(VaultError::BeingDeleted)));
        assert_eq!(t.vault.forgetting(), [7]);
        notes.remove(b"a").expect("remove");
        assert!(t.vault.finish_forget(7).expect("finish"));
        assert!(t.vault.forgetting().is_empty());

        // Back as a new user: a new key with a new id; what the old key sealed stays unreadable.
        notes.put(7, b"c", &Note("after".into())).expect("put");
        assert_eq!(notes.get(7, b"c").expect("get"), Some(Note("after".into())));
        assert!(matches!(t.vault.open(7, "forget_notes", b"late", &late), Err(VaultError::Shredded)));
    }

    #[test]
    fn an_interrupted_deletion_is_listed_after_a_restart() {
        let t = temp_vault();
        t.vault.seal(9, "forget_notes", b"k", b"v").expect("seal");
        t.vault.begin_forget(9, 1).expect("begin");
        let reopened = crate::vault::Vault::load(&t.data, t.keys_store(), &t.kek_input(), 2).expect("reopen");
        assert_eq!(reopened.forgetting(), [9]);
        assert!(matches!(reopened.seal(9, "forget_notes", b"k", b"v"), Err(VaultError::BeingDeleted)));
        assert!(reopened.finish_forget(9).expect("finish"));
        assert!(!reopened.has_subject(9).expect("gone"));
    }
}
