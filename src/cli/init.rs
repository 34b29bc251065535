//! `arcana init`: create the data directory layout without running the bot.

use crate::{Error, layout::DataDir};

use super::{
    Env,
    settings::{Opened, load_config, open_all},
};

/// Creates `DIR/arcana.toml`, `DIR/master.key` (0600, unless `ARCANA_PASSPHRASE` is set),
/// `DIR/db/` (store) and `DIR/keys/` (key store); refuses if a key exists.
pub fn init(dir: &DataDir, env: &Env) -> Result<(), Error> {
    if env.passphrase.is_some() && dir.keys_path().exists() {
        return Err(Error::Control(format!("{} already exists; refusing to re-initialise", dir.keys_path().display())));
    }
    if env.passphrase.is_none() {
        dir.init()?;
    } else {
        dir.ensure_with(false)?;
    }
    let config = load_config(dir, env)?;
    let Opened { data, vault } = open_all(dir, env, &config)?;
    data.flush_blocking().map_err(|source| Error::Store { path: dir.db_path(), source })?;
    vault.flush_blocking()?;
    let key = if env.passphrase.is_some() { "passphrase-protected key store" } else { "master.key (mode 0600)" };
    println!("initialised {}: arcana.toml (config), {key}, db/ (store), keys/ (key store)", dir.root().display());
    Ok(())
}
