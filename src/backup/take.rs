//! Taking a backup of a running (or stopped) store: copy the data store, then the key store,
//! and seal both into one file.
//!
//! The order matters. Data keys are only ever added, or destroyed by a deletion, so a key
//! store copied *after* the data store holds a key for every record in the data copy, except
//! the records of users deleted in between, which a restore finds unreadable and drops (the
//! deletion reaches this backup too). Copied the other way round, a user who registered in
//! between would be in the data copy without a key.

use std::path::Path;

use crate::{store::Store, vault::Vault};

use super::{BackupError, BackupSummary, Contents, keys::VaultSealer, write};

/// Trees that are work in progress rather than state, left out of backups: the bot's update
/// inbox (`crate::inbox`). Its updates were confirmed to Telegram by the machine that took them;
/// replaying them after a restore days later would answer stale messages twice.
pub(crate) const WORK_IN_PROGRESS: &[&str] = &["inbox"];

/// Consistent copies of `data` and of `vault`'s key store, without work in progress.
///
/// Each copy holds back that store's writers while it runs (see `store::Snapshot`); the two
/// copies are taken one after the other, never both at once.
pub fn take(data: &Store, vault: &Vault) -> Result<Contents, BackupError> {
    let mut data = data.snapshot()?;
    data.trees.retain(|(name, _)| !WORK_IN_PROGRESS.iter().any(|skip| name.as_slice() == skip.as_bytes()));
    let keys = vault.snapshot()?;
    Ok(Contents { data, keys })
}

/// Takes a backup of `data` and `vault` into a new file at `path`, stamped `now_ms`.
pub fn take_to(data: &Store, vault: &Vault, now_ms: u64, path: &Path) -> Result<BackupSummary, BackupError> {
    let contents = take(data, vault)?;
    write(&contents, &VaultSealer { vault, now_ms }, path)
}
