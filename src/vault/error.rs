//! Vault errors. Messages name trees and key ids, never key material or record contents.

use crate::store::StoreError;

/// What can go wrong in the vault.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// The master key (or passphrase) does not open this key store.
    #[error("the master key or passphrase does not match the key store")]
    WrongKey,
    /// The key store was made with a passphrase and none was given, or the other way round.
    #[error("{0}")]
    KekSource(&'static str),
    /// The key store does not belong to this data store.
    #[error("the key store does not belong to this data store (ids differ); restore the matching keys/ directory")]
    Mismatch,
    /// A sealed value did not open: tampered, moved to another record, or its key is gone.
    #[error("a sealed {tree} record did not open ({reason})")]
    Open {
        /// The tree.
        tree: String,
        /// Why, without contents.
        reason: &'static str,
    },
    /// A subject's key is gone (deleted: crypto-shredded).
    #[error("no key for this subject (deleted)")]
    Shredded,
    /// The subject is being deleted: nothing new is sealed for them until it is done.
    #[error("this user is being deleted")]
    BeingDeleted,
    /// A generation key needed to unwrap a data key is missing.
    #[error("generation key {0} is missing from the key store")]
    MissingGeneration(u32),
    /// The system random generator or a cipher failed.
    #[error("cryptographic failure: {0}")]
    Crypto(&'static str),
    /// A rewrite of the key store could open no store afterwards (see the log); a restart
    /// recovers it.
    #[error("the key store is closed after a failed rewrite; restart arcana")]
    KeyStoreClosed,
    /// The key store stayed in use while a rewrite waited for it; nothing was changed.
    #[error("the key store stayed in use; it is rewritten later")]
    KeyStoreBusy,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl VaultError {
    /// Whether an operator can fix this by giving the right key (exit code 2).
    #[must_use]
    pub fn is_operator_error(&self) -> bool {
        matches!(self, VaultError::WrongKey | VaultError::KekSource(_) | VaultError::Mismatch)
    }
}
