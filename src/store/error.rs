//! Store errors. Messages name trees, paths and causes, never record contents.

use std::path::PathBuf;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// sled failed (I/O, corruption, or the store is locked by another process).
    #[error("{0}")]
    Sled(#[from] sled::Error),
    /// A value could not be encoded.
    #[error("cannot encode a {tree} record: {reason}")]
    Encode {
        /// The tree.
        tree: &'static str,
        /// The encoder's message.
        reason: String,
    },
    /// A stored value could not be decoded.
    #[error("cannot decode a {tree} record: {reason}")]
    Decode {
        /// The tree.
        tree: &'static str,
        /// The decoder's message.
        reason: String,
    },
    /// A stored value has a format version this build does not read.
    #[error("a {tree} record has format version {found}, this build reads version {expected}")]
    Version {
        /// The tree.
        tree: &'static str,
        /// Version byte found.
        found: u8,
        /// Version byte expected.
        expected: u8,
    },
    /// The store was written by a newer arcana; this build refuses to touch it.
    #[error(
        "written by a newer arcana (store format {found}; this build reads up to {supported}): run the newer binary, or restore a backup taken by this version"
    )]
    TooNew {
        /// The format found.
        found: u32,
        /// The newest format this build reads.
        supported: u32,
    },
    /// A blocking store task could not complete.
    #[error("store task failed: {0}")]
    Task(String),
    /// A restore target (or its staging directory) already exists; nothing is overwritten.
    #[error("{} already exists; refusing to overwrite it", .0.display())]
    Exists(PathBuf),
    /// A file-system step of a restore failed.
    #[error("cannot restore into {}: {reason}", path.display())]
    Io {
        /// The path concerned.
        path: PathBuf,
        /// The operating system's message.
        reason: String,
    },
    /// A step of rewriting a store (see `Store::rebuild`) failed.
    #[error("cannot rewrite the store at {}: {reason}", path.display())]
    Rewrite {
        /// The path concerned.
        path: PathBuf,
        /// What failed.
        reason: String,
    },
}

impl StoreError {
    /// Whether the store was written by a newer build.
    #[must_use]
    pub fn is_too_new(&self) -> bool {
        matches!(self, StoreError::TooNew { .. })
    }

    /// Whether the store is held by another process (sled allows one process per store).
    #[must_use]
    pub fn is_lock_held(&self) -> bool {
        match self {
            StoreError::Sled(sled::Error::Io(e)) => {
                e.kind() == std::io::ErrorKind::WouldBlock || e.to_string().contains("could not acquire lock")
            }
            _ => false,
        }
    }
}
