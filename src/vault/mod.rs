//! The vault: what identifies or describes a person is encrypted at rest.
//!
//! Key hierarchy, all in the key store `DIR/keys/` (a small sled store of its own):
//!
//! ```text
//! KEK  (DIR/master.key, or ARCANA_PASSPHRASE through PBKDF2-HMAC-SHA256, 600,000 rounds)
//!  ├─ root secret            → subkeys: blind indexes, debounce fingerprints, service keys
//!  ├─ backup file keys       (one per backup file, wrapped in the file itself)
//!  └─ generation keys (rotatable: active / retiring / retired)
//!      └─ one data key per subject (user)  → seals that user's records in DIR/db/
//! ```
//!
//! Records are sealed with AES-256-GCM ([`envelope`]): fresh random nonce, a header with format
//! version and key id, and the record's tree and key bound in as associated data. Deleting a user
//! destroys their data key ([`Vault::begin_forget`], [`Vault::finish_forget`]) — crypto-shredding: every copy of their
//! records in `DIR/db/`, and in every backup taken afterwards, is unreadable — and then rewrites
//! the key store ([`Vault::shred`]), so that no byte of the destroyed key stays in its files. Backups hold the
//! key store too (so that they restore on their own), so a backup taken *before* a deletion
//! still opens that user's records until it is deleted (`backup.keep` ages them out).
//! Rotating generation keys re-wraps data keys in the background; rotating the KEK re-wraps the
//! generation keys and root secret only.

mod core;
pub mod envelope;
mod error;
mod file_key;
mod forget;
mod kek;
mod kept_records;
mod key_store;
mod nonce;
mod records;
mod rekey;
mod rekey_recovery;
mod rotation;
mod sealed;
mod service;
mod shred;
#[cfg(test)]
pub(crate) mod testing;
mod trail_mark;

pub use core::Vault;
pub use error::VaultError;
pub use file_key::{KekParams, unwrap_under_kek};
pub use kek::{KekInput, KekSource, PASSPHRASE_ITERATIONS};
pub use records::{GenerationState, Rewritten, ShredPending, VaultLink};
pub use rotation::GenerationStatus;
pub use sealed::{Envelope, Sealed, SealedTree};
pub use service::ServiceSealer;

#[cfg(test)]
mod tests;
