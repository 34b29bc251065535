//! `arcana restore FILE`: restore a backup into a data directory that has its keys
//! (`master.key` or the passphrase, and `keys/`) but no store, then verify every sealed record.
//! Records of users deleted since the backup cannot be opened (their data keys are destroyed):
//! they are dropped and counted, never restored readable.

use std::{path::Path, sync::Arc};

use crate::{
    Error,
    accounts::{Accounts, AccountsError, Profiles},
    backup,
    layout::DataDir,
    sentinel::{Clock, SystemClock},
    store::Store,
    vault::{Vault, VaultError},
};

use super::{
    Env,
    settings::{kek_input, load_config},
};

/// Restores `file` into `dir`.
pub fn restore(dir: &DataDir, env: &Env, file: &Path) -> Result<(), Error> {
    if dir.db_path().exists() {
        return Err(Error::Control(format!(
            "{} already exists: restore into a data directory without a store (keep master.key and keys/)",
            dir.db_path().display()
        )));
    }
    if !dir.keys_path().is_dir() {
        return Err(Error::Control(format!(
            "{} is missing: copy master.key and keys/ of the backed-up data directory here first",
            dir.keys_path().display()
        )));
    }
    let config = load_config(dir, env)?;
    let input = kek_input(dir, env)?;
    let keys = Store::open(&dir.keys_path(), &config.store)
        .map_err(|source| Error::Store { path: dir.keys_path(), source })?;
    let vault = Arc::new(Vault::load_detached(&keys, &input)?);
    let snapshot = backup::read(file, &vault.subkey("backup/v1"))?;
    let data = Store::restore_snapshot(&dir.db_path(), &config.store, &snapshot)
        .map_err(|source| Error::Store { path: dir.db_path(), source })?;
    // The restored store must belong to this key store.
    if let Err(e) = Vault::load(&data, &keys, &input, SystemClock::default().unix_ms()) {
        drop(data);
        let _ = std::fs::remove_dir_all(dir.db_path());
        return Err(e.into());
    }
    let (verified, shredded) = verify_sealed(&data, &vault, &config)?;
    data.flush_blocking().map_err(|source| Error::Store { path: dir.db_path(), source })?;
    println!(
        "restored {} records from {}; {verified} sealed records verified; {shredded} records of deleted users are unreadable and were dropped",
        snapshot.entry_count(),
        file.display()
    );
    Ok(())
}

/// Opens every sealed record (profiles, accounts, readings): counts those that open, drops those whose
/// key is destroyed, and fails on any other (tampered) record.
fn verify_sealed(data: &Store, vault: &Arc<Vault>, config: &crate::config::Config) -> Result<(usize, usize), Error> {
    let profiles = Profiles::new(data, Arc::clone(vault))?;
    let accounts = Accounts::new(
        data,
        Arc::clone(vault),
        config.accounts.clone(),
        config.tiers.clone(),
        Arc::new(SystemClock::default()),
    )
    .map_err(|e| Error::Control(e.to_string()))?;
    let (mut verified, mut shredded) = (0, 0);
    for id in profiles.ids()? {
        match profiles.get(id) {
            Ok(_) => verified += 1,
            Err(VaultError::Shredded) => {
                profiles.remove(id)?;
                shredded += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
    for id in accounts.ids().map_err(|e| Error::Control(e.to_string()))? {
        match accounts.get(id) {
            Ok(_) => verified += 1,
            Err(AccountsError::Vault(VaultError::Shredded)) => {
                accounts.remove(id).map_err(|e| Error::Control(e.to_string()))?;
                shredded += 1;
            }
            Err(e) => return Err(Error::Control(e.to_string())),
        }
    }
    let history = crate::readings::History::new(data, Arc::clone(vault), config.readings.retention)?;
    let (readings_verified, readings_shredded) = history.verify_all()?;
    Ok((verified + readings_verified, shredded + readings_shredded))
}
