//! What admin operations act on ([`Admin`]: the stores, the vault, the lockdown switch, and the
//! running bot's sentinel when there is one) and why they fail ([`OpsError`]). A file of its own
//! so the operations (blocks, keys, users, …) and the dispatcher that calls them
//! ([`super::execute`]) share them without importing each other.

use crate::{
    accounts::{Accounts, AccountsError, Profiles},
    backup::BackupError,
    sentinel::{Blocklist, Sentinel},
    store::{Store, StoreError},
    vault::{Vault, VaultError},
};

use super::Lockdown;

/// What admin operations act on.
pub struct Admin<'a> {
    /// The blocklist.
    pub blocklist: &'a Blocklist,
    /// The vault.
    pub vault: &'a std::sync::Arc<Vault>,
    /// Sealed profiles.
    pub profiles: &'a Profiles,
    /// Accounts.
    pub accounts: &'a Accounts,
    /// Sealed reading history.
    pub history: &'a crate::readings::History,
    /// The audit trail.
    pub audit: &'a crate::audit::AuditTrail,
    /// The data store.
    pub data: &'a Store,
    /// Whether the bot is running (and re-wraps keys in the background).
    pub online: bool,
    /// The running bot's sentinel (penalties and rate windows in memory); `None` offline.
    pub sentinel: Option<&'a Sentinel>,
    /// The lockdown switch.
    pub lockdown: &'a Lockdown,
    /// The running bot's inbox (with the updates it holds in memory); `None` offline.
    pub(crate) inbox: Option<&'a crate::inbox::Inbox>,
}

/// Why an admin operation failed.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The vault failed.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// A backup failed.
    #[error(transparent)]
    Backup(#[from] BackupError),
    /// An account operation failed.
    #[error(transparent)]
    Accounts(#[from] AccountsError),
    /// The inbox of waiting updates failed.
    #[error(transparent)]
    Inbox(#[from] crate::inbox::InboxError),
}
