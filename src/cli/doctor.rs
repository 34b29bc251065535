//! `arcana doctor`: check the data directory without touching the network; print each check.

use crate::{Error, layout::DataDir, store::Store};

use super::{
    Env,
    settings::{load_config, resolve_token},
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
        dir.read_master_key()
            .map(|_| format!("{} present, mode 0600", dir.key_path().display()))
            .map_err(|e| e.to_string()),
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
