//! Backup errors: one line each, naming paths and causes, never key material or record contents.

use std::path::PathBuf;

/// What can go wrong writing or reading a backup.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The backup file (or its temporary file) already exists; nothing is overwritten.
    #[error("{} already exists; refusing to overwrite it", .0.display())]
    Exists(PathBuf),
    /// A file-system operation failed.
    #[error("{}: {reason}", path.display())]
    Io {
        /// The path concerned.
        path: PathBuf,
        /// The operating system's message.
        reason: String,
    },
    /// The input does not start with the backup magic.
    #[error("not an arcana backup")]
    NotABackup,
    /// The backup was written in a format version this build does not read.
    #[error("backup format version {0} is not supported by this build")]
    UnsupportedVersion(u8),
    /// A version 1 backup: the data store only, from an earlier release.
    #[error(
        "this is a version 1 backup (data store only, from an earlier arcana): restore it with that release beside its keys/, then take a new backup"
    )]
    VersionOne,
    /// The backup was made under a master key file and a passphrase was given, or the other way.
    #[error("{0}")]
    KekSource(&'static str),
    /// The backup ends early.
    #[error("backup is truncated")]
    Truncated,
    /// Authentication failed.
    #[error("backup failed its integrity check: tampered, corrupted, or made with another master key")]
    Corrupt,
    /// The file key does not unwrap: another master key or passphrase, or a tampered key block.
    #[error(
        "the backup's key does not open with this master key or passphrase (it opens only with the one in use when it was taken)"
    )]
    WrongKey,
    /// The backup authenticated but its contents do not decode (a writer bug, not tampering).
    #[error("backup is malformed: {0}")]
    Malformed(&'static str),
    /// The snapshot exceeds what one backup file can hold.
    #[error("snapshot is too large for one backup file")]
    TooLarge,
    /// The store could not be copied.
    #[error("cannot copy the store: {0}")]
    Store(#[from] crate::store::StoreError),
    /// The vault failed while copying the key store or sealing the file key.
    #[error("the vault failed: {0}")]
    Vault(#[from] crate::vault::VaultError),
    /// The system's cryptography failed (random generator or cipher setup).
    #[error("the cryptographic backend failed")]
    Crypto,
}
