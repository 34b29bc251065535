//! Service sealing: the bot's own working state (the update inbox) sealed under a key derived
//! from the root secret for one purpose, not under a user's data key. A user's data key is
//! created when they first have data, so sealing every update a stranger or a flooder sends
//! under theirs would fill the key store with keys for people the bot never served.
//!
//! A service key is stable across KEK rotations (it comes from the root secret) and travels
//! with the key store, so a restored backup opens what it holds.

use std::sync::Arc;

use ring::aead::LessSafeKey;
use zeroize::Zeroizing;

use super::{
    Vault, VaultError,
    envelope::{self, KeyKind, KeyRef},
};

/// Seals and opens values for one purpose (e.g. `"inbox/v1"`).
pub struct ServiceSealer {
    vault: Arc<Vault>,
    key: LessSafeKey,
    purpose: &'static str,
}

impl std::fmt::Debug for ServiceSealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceSealer").field("purpose", &self.purpose).finish_non_exhaustive()
    }
}

/// The id written in a service envelope's header (there is one key per purpose).
const SERVICE_KEY_ID: u32 = 1;

impl ServiceSealer {
    /// A sealer for `purpose`, keyed from `vault`'s root secret.
    pub fn new(vault: Arc<Vault>, purpose: &'static str) -> Result<ServiceSealer, VaultError> {
        let raw: Zeroizing<[u8; 32]> = vault.subkey(&format!("service/{purpose}"));
        let key = envelope::aead_key(&raw)?;
        Ok(ServiceSealer { vault, key, purpose })
    }

    /// Seals `plaintext`, bound to `tree` and `key`.
    pub fn seal(&self, tree: &str, key: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, VaultError> {
        envelope::seal(
            &self.key,
            KeyRef { kind: KeyKind::Service, id: SERVICE_KEY_ID },
            &envelope::record_context(tree, key),
            plaintext,
            &self.vault.nonces,
        )
    }

    /// Opens a value sealed by [`ServiceSealer::seal`] at `tree`/`key`.
    pub fn open(&self, tree: &str, key: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, VaultError> {
        match envelope::key_ref(sealed) {
            Some(KeyRef { kind: KeyKind::Service, id: SERVICE_KEY_ID }) => {}
            _ => return Err(VaultError::Open { tree: tree.to_owned(), reason: "unknown key" }),
        }
        envelope::open(&self.key, sealed, &envelope::record_context(tree, key), tree)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::testing::temp_vault;

    #[test]
    fn sealed_values_open_only_in_their_place_and_purpose() {
        let t = temp_vault();
        let inbox = ServiceSealer::new(Arc::clone(&t.vault), "inbox/v1").expect("sealer");
        let sealed = inbox.seal("inbox", b"k1", b"hello").expect("seal");
        assert!(!sealed.windows(5).any(|w| w == b"hello"), "plaintext on disk");
        assert_eq!(inbox.open("inbox", b"k1", &sealed).expect("opens").as_slice(), b"hello");
        assert!(inbox.open("inbox", b"k2", &sealed).is_err(), "moved to another key");
        let other = ServiceSealer::new(Arc::clone(&t.vault), "other/v1").expect("sealer");
        assert!(other.open("inbox", b"k1", &sealed).is_err(), "another purpose's key");
        assert!(t.vault.open(1, "inbox", b"k1", &sealed).is_err(), "not a data-key envelope");
    }
}
