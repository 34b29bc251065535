//! `arcana init`: create the data directory layout without running the bot.

use crate::{Error, config::StoreConfig, layout::DataDir, store::Store};

/// Creates `DIR/arcana.toml`, `DIR/master.key` (0600) and `DIR/db/`; refuses if a key exists.
pub fn init(dir: &DataDir) -> Result<(), Error> {
    dir.init()?;
    let store = Store::open(&dir.db_path(), &StoreConfig::default())
        .map_err(|source| Error::Store { path: dir.db_path(), source })?;
    store.flush_blocking().map_err(|source| Error::Store { path: dir.db_path(), source })?;
    println!("initialised {}: arcana.toml (config), master.key (mode 0600), db/ (store)", dir.root().display());
    Ok(())
}
