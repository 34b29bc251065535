//! `arcana keys rotate --master`: rotate the key-encryption key with the bot stopped.
//!
//! Steps, crash-safe at every point (see `vault::rekey`): write `master.key.new`; write the new
//! wraps beside the old; rename `master.key.new` over `master.key` (the commit point); replace
//! the old wraps. With a passphrase, `ARCANA_NEW_PASSPHRASE` is the new one.

use std::sync::Arc;

use crate::{
    Error,
    clock::SystemClock,
    control::{self, Domain},
    layout::DataDir,
    vault::KekInput,
};

use super::{
    Env,
    settings::{Opened, load_config, open_all},
};

/// Rotates the master key (or passphrase) of `dir`.
pub fn rotate_master(dir: &DataDir, env: &Env) -> Result<(), Error> {
    if control::send(&dir.root().join(control::SOCKET_NAME), &control::Request::Blocked).is_ok() {
        return Err(Error::Control(String::from("stop the bot before rotating the master key")));
    }
    let config = load_config(dir, env)?;
    let Opened { data, vault, .. } = open_all(dir, env, &config)?;
    if env.passphrase.is_none() {
        let key = dir.write_new_master_key()?;
        let kek = vault.derive_new_kek(&KekInput::File(key))?;
        vault.prepare_rekey(&kek)?;
        dir.commit_new_master_key()?;
        vault.commit_rekey(kek)?;
        println!(
            "rotated the master key: {} is new; keep a safe copy (the old one no longer opens this store)",
            dir.key_path().display()
        );
    } else {
        let Some(passphrase) = env.new_passphrase.clone() else {
            return Err(Error::Control(String::from("set ARCANA_NEW_PASSPHRASE to the new passphrase")));
        };
        let kek = vault.derive_new_kek(&KekInput::Passphrase(passphrase))?;
        vault.prepare_rekey(&kek)?;
        vault.commit_rekey(kek)?;
        println!("rotated the passphrase: start arcana with the new ARCANA_PASSPHRASE from now on");
    }
    // A master key rotation answers a suspected compromise: every session ends.
    let accounts = Domain::open(&data, &vault, &config, Arc::new(SystemClock::default()))?.accounts;
    let mut ended = 0;
    for user in accounts.ids()? {
        ended += accounts.end_sessions(user, "master_key_rotated")?;
    }
    data.flush_blocking().map_err(|source| Error::Store { path: dir.db_path(), source })?;
    println!("ended {ended} sessions");
    Ok(())
}
