//! Rotating the KEK: only the generation keys and the root secret are re-wrapped; data keys and
//! records are untouched.
//!
//! Crash-safe in steps: (1) the new wraps are written *beside* the old ones (`next_*` fields) and
//! flushed; (2) the caller switches the key (renames `master.key.new` over `master.key`) — the
//! commit point for a key file; (3) `rekey_committed` is set and flushed — the commit point for
//! a passphrase, which has no file to rename; (4) the new wraps replace the old, one record at a
//! time. On open, [`resume`](super::rekey_recovery::resume) discards a rotation that was not
//! committed when given the old KEK, and finishes it when given the new one; a committed rotation
//! only the new KEK finishes (the old one gets a message saying so), since step 4 may have
//! replaced some of the old wraps. At every point exactly one KEK is needed, never neither.

use std::sync::{Arc, PoisonError};

use ring::aead::LessSafeKey;

use super::{
    Vault, VaultError,
    envelope::{self, KeyKind, KeyRef},
    records::{KEK_CHECK_CONTEXT, META_KEY, ROOT_CONTEXT, generation_context},
    rekey_recovery::promote,
};

impl Vault {
    /// Step 1 of a KEK rotation: writes the wraps under `new_kek` beside the current ones.
    pub fn prepare_rekey(&self, new_kek: &LessSafeKey) -> Result<(), VaultError> {
        let _lock = self.key_lock.lock().unwrap_or_else(PoisonError::into_inner);
        let kek = Arc::clone(&self.kek.read().unwrap_or_else(PoisonError::into_inner));
        let mut meta = self.keys()?.meta.get(META_KEY)?.ok_or(VaultError::Mismatch)?;
        let next_ref = KeyRef { kind: KeyKind::Kek, id: meta.kek_epoch + 1 };
        for entry in self.keys()?.generation_records.iter_at(std::time::SystemTime::now()) {
            let (key, mut record) = entry?;
            if let Some(wrapped) = &record.wrapped {
                let context = generation_context(record.id);
                let raw = envelope::open(&kek, wrapped, &context, "generation key")?;
                record.next_wrapped = Some(envelope::seal(new_kek, next_ref, &context, &raw, &self.nonces)?);
                self.keys()?.generation_records.insert(&key, &record)?;
            }
        }
        let check = envelope::open(&kek, &meta.kek_check, KEK_CHECK_CONTEXT, "key store")?;
        let root = envelope::open(&kek, &meta.root, ROOT_CONTEXT, "key store")?;
        meta.next_kek_check = Some(envelope::seal(new_kek, next_ref, KEK_CHECK_CONTEXT, &check, &self.nonces)?);
        meta.next_root = Some(envelope::seal(new_kek, next_ref, ROOT_CONTEXT, &root, &self.nonces)?);
        self.keys()?.meta.insert(META_KEY, &meta)?;
        self.flush_blocking()
    }

    /// Steps 3 and 4 of a KEK rotation, after the caller switched keys: the rotation is marked
    /// committed (flushed), then the new wraps replace the old — and the key store is rewritten,
    /// so the old wraps (which the old master key opens) leave the disk too.
    pub fn commit_rekey(&self, new_kek: LessSafeKey) -> Result<(), VaultError> {
        {
            let _lock = self.key_lock.lock().unwrap_or_else(PoisonError::into_inner);
            let keys = self.keys()?;
            let mut meta = keys.meta.get(META_KEY)?.ok_or(VaultError::Mismatch)?;
            meta.rekey_committed = true;
            keys.meta.insert(META_KEY, &meta)?;
            keys.store.flush_blocking()?;
            promote(&keys.generation_records, &mut meta)?;
            keys.meta.insert(META_KEY, &meta)?;
            Vault::destroying(&keys, crate::clock::unix_ms(std::time::SystemTime::now()))?;
            keys.store.flush_blocking()?;
            self.destroyed_durably();
            *self.kek.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(new_kek);
        }
        if let Err(e) = self.shred() {
            tracing::error!(error = %e, "cannot rewrite the key store after a master key rotation; retried at the next start");
        }
        Ok(())
    }

    /// Derives a new KEK from `input` with this store's KDF parameters; the source kind (file or
    /// passphrase) cannot change.
    pub fn derive_new_kek(&self, input: &super::KekInput) -> Result<LessSafeKey, VaultError> {
        let meta = self.keys()?.meta.get(META_KEY)?.ok_or(VaultError::Mismatch)?;
        if meta.kek_source != input.source() {
            return Err(VaultError::KekSource(
                "the master key source (file or passphrase) cannot change in a rotation",
            ));
        }
        input.derive(&meta.kdf_salt, meta.kdf_iterations)
    }

    /// The KEK rotation count (the KEK's key id).
    pub fn kek_epoch(&self) -> Result<u32, VaultError> {
        Ok(self.keys()?.meta.get(META_KEY)?.map_or(0, |m| m.kek_epoch))
    }
}
