//! Encrypted, authenticated backup files of a store [`Snapshot`](crate::store::Snapshot).
//!
//! [`write()`] seals a snapshot under a 32-byte backup key (derived by the caller from the master
//! key) into a new file; [`read()`] and [`read_bytes`] open one and refuse anything truncated,
//! reordered, spliced, altered or sealed under another key. The file format is described in
//! [`format`](mod@format).

mod error;
pub mod format;
mod read;
mod write;

pub use error::BackupError;
pub use read::{read, read_bytes};
pub use write::{BackupSummary, write};
