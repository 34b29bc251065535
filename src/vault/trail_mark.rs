//! A fact the key store vouches for under the KEK: "an audit trail has existed here". The audit
//! trail keeps its chain state in the key store; if that record could simply be absent, deleting
//! it together with the trail would read as a fresh start and pass verification. A marker record
//! beside it could be deleted just as well, so the mark is sealed into the key store's root
//! secret instead: its envelope (opened with the KEK on every load) carries a flag byte after the
//! 32-byte secret. Nobody without the master key (or passphrase) can take the flag out; rolling
//! `keys/` back to a copy from before the first checkpoint is the one way, the same rollback the
//! audit trail's documented limits name.
//!
//! Builds from before the mark read only the first 32 bytes of the root envelope, so a marked
//! key store still opens with them.

use std::sync::{Arc, PoisonError, atomic::Ordering};

use zeroize::Zeroizing;

use super::{
    Vault, VaultError,
    envelope::{self, KeyKind, KeyRef},
    records::{META_KEY, ROOT_CONTEXT, TRAIL_STARTED},
};

impl Vault {
    /// Whether the key store vouches that an audit trail has existed (see the module docs).
    #[must_use]
    pub fn trail_started(&self) -> bool {
        self.trail_started.load(Ordering::SeqCst)
    }

    /// Marks, for good, that an audit trail exists: the root secret is sealed again with the flag,
    /// flushed. Skipped (it is retried at the next checkpoint) while a master key rotation is
    /// half done, whose new wraps of the root this KEK cannot make.
    pub fn mark_trail_started(&self) -> Result<(), VaultError> {
        if self.trail_started() {
            return Ok(());
        }
        let _lock = self.key_lock.lock().unwrap_or_else(PoisonError::into_inner);
        let keys = self.keys()?;
        let mut meta = keys.meta.get(META_KEY)?.ok_or(VaultError::Mismatch)?;
        if meta.next_root.is_some() {
            return Ok(());
        }
        let kek = Arc::clone(&self.kek.read().unwrap_or_else(PoisonError::into_inner));
        let opened = envelope::open(&kek, &meta.root, ROOT_CONTEXT, "key store")?;
        let mut plaintext = Zeroizing::new(opened.get(..32).ok_or(VaultError::Crypto("short root secret"))?.to_vec());
        plaintext.push(opened.get(32).copied().unwrap_or(0) | TRAIL_STARTED);
        meta.root = envelope::seal(
            &kek,
            KeyRef { kind: KeyKind::Kek, id: meta.kek_epoch },
            ROOT_CONTEXT,
            &plaintext,
            &self.nonces,
        )?;
        keys.meta.insert(META_KEY, &meta)?;
        keys.store.flush_blocking()?;
        self.trail_started.store(true, Ordering::SeqCst);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::vault::{Vault, testing::temp_vault};

    #[test]
    fn the_mark_survives_a_reload_and_a_master_key_rotation() {
        let t = temp_vault();
        assert!(!t.vault.trail_started());
        let subkey = t.vault.subkey("x");
        t.vault.mark_trail_started().expect("mark");
        assert!(t.vault.trail_started());
        let reopened = Vault::load(&t.data, t.keys_store(), &t.kek_input(), 0).expect("reload");
        assert!(reopened.trail_started(), "the mark is in the key store");
        assert_eq!(*reopened.subkey("x"), *subkey, "the root secret itself is unchanged");
        // A KEK rotation re-seals the whole root envelope, flag included.
        let new_kek = reopened.derive_new_kek(&t.kek_input()).expect("derive");
        reopened.prepare_rekey(&new_kek).expect("prepare");
        reopened.commit_rekey(new_kek).expect("commit");
        drop(reopened);
        let rotated = Vault::load(&t.data, t.keys_store(), &t.kek_input(), 0).expect("reload");
        assert!(rotated.trail_started());
    }
}
