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
    /// The backup ends early.
    #[error("backup is truncated")]
    Truncated,
    /// Authentication failed.
    #[error("backup failed its integrity check: tampered, corrupted, or made with another master key")]
    Corrupt,
    /// The backup authenticated but its contents do not decode (a writer bug, not tampering).
    #[error("backup is malformed: {0}")]
    Malformed(&'static str),
    /// The snapshot exceeds what one backup file can hold.
    #[error("snapshot is too large for one backup file")]
    TooLarge,
    /// The system's cryptography failed (random generator or cipher setup).
    #[error("the cryptographic backend failed")]
    Crypto,
}
