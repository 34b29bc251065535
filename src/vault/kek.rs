//! The key-encryption key: the master key file, or a passphrase stretched with PBKDF2.

use std::num::NonZeroU32;

use ring::{aead::LessSafeKey, pbkdf2};
use zeroize::Zeroizing;

use crate::layout::MasterKey;

use super::{VaultError, envelope::aead_key};

/// PBKDF2-HMAC-SHA256 iterations for a passphrase (OWASP's 2023 recommendation).
pub const PASSPHRASE_ITERATIONS: u32 = 600_000;

/// Where the KEK comes from.
pub enum KekInput {
    /// `DIR/master.key`.
    File(MasterKey),
    /// `ARCANA_PASSPHRASE`.
    Passphrase(Zeroizing<String>),
}

impl std::fmt::Debug for KekInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KekInput::File(_) => "KekInput::File([redacted])",
            KekInput::Passphrase(_) => "KekInput::Passphrase([redacted])",
        })
    }
}

/// How the key store records its KEK source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum KekSource {
    /// A master key file.
    File,
    /// A passphrase through PBKDF2.
    Passphrase,
}

impl KekInput {
    /// The source kind.
    #[must_use]
    pub fn source(&self) -> KekSource {
        match self {
            KekInput::File(_) => KekSource::File,
            KekInput::Passphrase(_) => KekSource::Passphrase,
        }
    }

    /// Derives the AES key: the file's bytes directly, or PBKDF2 of the passphrase with `salt`.
    pub(crate) fn derive(&self, salt: &[u8], iterations: u32) -> Result<LessSafeKey, VaultError> {
        match self {
            KekInput::File(master) => aead_key(master.bytes()),
            KekInput::Passphrase(pass) => {
                let mut out = Zeroizing::new([0u8; 32]);
                let rounds = NonZeroU32::new(iterations).ok_or(VaultError::Crypto("zero KDF iterations"))?;
                pbkdf2::derive(pbkdf2::PBKDF2_HMAC_SHA256, rounds, salt, pass.as_bytes(), &mut *out);
                aead_key(&out)
            }
        }
    }
}
