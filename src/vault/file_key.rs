//! File keys under the KEK: a backup's random file key is wrapped under the key-encryption key
//! itself (not the key store's root secret), so the master key file or the passphrase, with the
//! KDF parameters the file records, unwraps it on a machine that has nothing else.

use std::sync::{Arc, PoisonError};

use zeroize::Zeroizing;

use super::{
    Vault, VaultError,
    envelope::{self, KeyKind, KeyRef},
    kek::{KekInput, KekSource, PASSPHRASE_ITERATIONS},
    records::META_KEY,
};

/// The most PBKDF2 iterations a file may ask for: a forged count must not make a restore spin.
const MAX_ITERATIONS: u32 = 10 * PASSPHRASE_ITERATIONS;

/// What derives a KEK from its input: the source kind and, for a passphrase, the PBKDF2 salt
/// and iteration count. None of it is secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KekParams {
    /// Master key file or passphrase.
    pub source: KekSource,
    /// PBKDF2 salt.
    pub salt: [u8; 16],
    /// PBKDF2 iterations.
    pub iterations: u32,
}

impl Vault {
    /// This key store's KEK parameters (they stay the same across KEK rotations).
    pub fn kek_params(&self) -> Result<KekParams, VaultError> {
        let meta = self.keys()?.meta.get(META_KEY)?.ok_or(VaultError::Mismatch)?;
        Ok(KekParams { source: meta.kek_source, salt: meta.kdf_salt, iterations: meta.kdf_iterations })
    }

    /// Seals `file_key` under the current KEK, bound to `context`.
    pub fn wrap_under_kek(&self, file_key: &[u8; 32], context: &[u8]) -> Result<Vec<u8>, VaultError> {
        let kek = Arc::clone(&self.kek.read().unwrap_or_else(PoisonError::into_inner));
        envelope::seal(&kek, KeyRef { kind: KeyKind::Kek, id: 0 }, context, file_key, &self.nonces)
    }
}

/// Opens a file key wrapped by [`Vault::wrap_under_kek`], deriving the KEK from `input` and
/// `params` alone. [`VaultError::WrongKey`] if it does not open.
pub fn unwrap_under_kek(
    input: &KekInput,
    params: &KekParams,
    wrapped: &[u8],
    context: &[u8],
) -> Result<Zeroizing<[u8; 32]>, VaultError> {
    if input.source() != params.source {
        return Err(VaultError::KekSource(match params.source {
            KekSource::Passphrase => "this was sealed under a passphrase: set ARCANA_PASSPHRASE",
            KekSource::File => {
                "this was sealed under a master key file: unset ARCANA_PASSPHRASE and put master.key in place"
            }
        }));
    }
    if params.source == KekSource::Passphrase && !(1..=MAX_ITERATIONS).contains(&params.iterations) {
        return Err(VaultError::WrongKey);
    }
    let kek = input.derive(&params.salt, params.iterations)?;
    let opened = envelope::open(&kek, wrapped, context, "file key").map_err(|_| VaultError::WrongKey)?;
    let bytes: [u8; 32] = opened.as_slice().try_into().map_err(|_| VaultError::WrongKey)?;
    Ok(Zeroizing::new(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::testing::temp_vault;

    #[test]
    fn a_wrapped_key_opens_with_the_kek_input_alone_and_nothing_else() {
        let t = temp_vault();
        let vault = &t.vault;
        let input = KekInput::File(crate::layout::DataDir::new(t.tmp.path()).read_master_key().expect("key"));
        let params = vault.kek_params().expect("params");
        let wrapped = vault.wrap_under_kek(&[3; 32], b"ctx").expect("wrap");
        assert_eq!(*unwrap_under_kek(&input, &params, &wrapped, b"ctx").expect("unwrap"), [3; 32]);
        assert!(matches!(unwrap_under_kek(&input, &params, &wrapped, b"other"), Err(VaultError::WrongKey)));
        let other_dir = crate::layout::private_tempdir();
        let other = crate::layout::DataDir::new(other_dir.path());
        other.ensure().expect("layout");
        let other = KekInput::File(other.read_master_key().expect("key"));
        assert!(matches!(unwrap_under_kek(&other, &params, &wrapped, b"ctx"), Err(VaultError::WrongKey)));
        let passphrase = KekInput::Passphrase(Zeroizing::new("pw".into()));
        assert!(matches!(unwrap_under_kek(&passphrase, &params, &wrapped, b"ctx"), Err(VaultError::KekSource(_))));
    }
}
