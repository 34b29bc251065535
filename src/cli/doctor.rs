//! `arcana doctor`: check the data directory without touching the network; print each check.

use crate::{
    Error,
    clock::{Clock, SystemClock},
    config::StoreConfig,
    layout::DataDir,
    store::Store,
    vault::Vault,
};

use super::{
    Env,
    settings::{kek_input, load_config, resolve_token},
};

/// Runs every check, prints `ok` or `FAIL` for each, and fails if any failed.
pub fn doctor(dir: &DataDir, env: &Env) -> Result<(), Error> {
    let mut failed = 0;
    let mut report = |name: &str, outcome: Result<String, String>| match outcome {
        Ok(detail) => println!("ok    {name}: {detail}"),
        Err(detail) => {
            failed += 1;
            println!("FAIL  {name}: {detail}");
        }
    };

    let root = dir.root().display().to_string();
    report(
        "data directory",
        if dir.root().is_dir() { Ok(root.clone()) } else { Err(format!("{root} does not exist (run `arcana init`)")) },
    );

    let config = load_config(dir, env);
    report(
        "config",
        match &config {
            Ok(_) if dir.config_path().exists() => Ok(format!("{} parses", dir.config_path().display())),
            Ok(_) => Err(format!("{} does not exist (run `arcana init`)", dir.config_path().display())),
            Err(e) => Err(e.to_string()),
        },
    );

    report(
        "master key",
        if env.passphrase.is_some() {
            Ok(String::from("ARCANA_PASSPHRASE is set (passphrase mode)"))
        } else {
            dir.read_master_key()
                .map(|_| format!("{} present, mode 0600", dir.key_path().display()))
                .map_err(|e| e.to_string())
        },
    );

    let store_config = config.as_ref().map(|c| c.store.clone()).unwrap_or_default();
    report(
        "store",
        if dir.db_path().is_dir() {
            match Store::open(&dir.db_path(), &store_config) {
                Ok(store) => {
                    Ok(format!("{} opens ({} bytes)", dir.db_path().display(), store.size_on_disk().unwrap_or(0)))
                }
                Err(e) if e.is_lock_held() => Ok(format!("{} is in use by a running arcana", dir.db_path().display())),
                Err(e) => Err(format!("{}: {e}", dir.db_path().display())),
            }
        } else {
            Err(format!("{} does not exist (run `arcana init`)", dir.db_path().display()))
        },
    );

    report("key store", check_key_store(dir, env, &store_config));

    report(
        "bot token",
        match &config {
            Ok(config) => resolve_token(env, config)
                .map(|t| format!("present and well-formed (bot id {})", t.bot_id()))
                .map_err(|e| e.to_string()),
            Err(_) => Err("not checked: the config does not parse".into()),
        },
    );

    if failed == 0 { Ok(()) } else { Err(Error::ChecksFailed(failed)) }
}

/// Opens the key store with the master key (or passphrase) and checks it belongs to the store.
fn check_key_store(dir: &DataDir, env: &Env, config: &StoreConfig) -> Result<String, String> {
    if !dir.keys_path().is_dir() {
        return Err(format!("{} does not exist (run `arcana init`)", dir.keys_path().display()));
    }
    let input = kek_input(dir, env).map_err(|e| e.to_string())?;
    let (data, keys) = match (Store::open(&dir.db_path(), config), Store::open(&dir.keys_path(), config)) {
        (Ok(data), Ok(keys)) => (data, keys),
        (Err(e), _) | (_, Err(e)) if e.is_lock_held() => {
            return Ok(format!("{} is in use by a running arcana", dir.keys_path().display()));
        }
        (Err(e), _) | (_, Err(e)) => return Err(e.to_string()),
    };
    Vault::load(&data, keys, &input, SystemClock::default().unix_ms())
        .map(|_| format!("{} opens with the master key and matches the store", dir.keys_path().display()))
        .map_err(|e| e.to_string())
}
