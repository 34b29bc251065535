//! Encrypted, authenticated, self-contained backup files: the data store and the key store in
//! one file that `master.key` (or the passphrase) alone opens.
//!
//! [`take_to`] copies both stores ([`take`]) and [`write()`]s them sealed under a fresh file key
//! wrapped under the KEK ([`VaultSealer`]); [`read()`] opens one with a [`KeyOpener`] — a
//! [`KekInput`](crate::vault::KekInput) — and refuses anything truncated, reordered, spliced,
//! altered or sealed under another key. The file format is described in [`format`](mod@format).

mod error;
pub mod format;
mod keys;
mod read;
mod rotation;
mod take;
mod write;

pub use error::BackupError;
pub use format::{Contents, Header, KeyBlock};
pub use keys::VaultSealer;
pub use read::{KeyOpener, read, read_bytes, read_bytes_with};
pub use rotation::{Rotation, Taken};
#[cfg(test)]
pub(crate) use take::WORK_IN_PROGRESS;
pub use take::{take, take_to};
pub use write::{BackupSummary, KeySealer, write};
