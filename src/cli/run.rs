//! `arcana run`: prepare everything, then run the bot on a tokio runtime until a signal.

use tokio_util::sync::CancellationToken;

use crate::{
    Error,
    bot::{self, RunContext},
    layout::DataDir,
    logging, shutdown,
    store::Store,
};

use super::{
    Env,
    settings::{load_config, resolve_token},
};

/// Runs the bot from the data directory `dir`.
pub fn run(dir: &DataDir, env: &Env) -> Result<(), Error> {
    let config = load_config(dir, env)?;
    let token = resolve_token(env, &config)?;
    let filter = logging::filter(env.log.as_deref(), config.log.level.as_str())
        .map_err(|e| crate::config::ConfigError::Env { variable: "ARCANA_LOG", message: e.to_string() })?;
    logging::init(filter, vec![token.expose().to_owned()]);

    let created = dir.ensure()?;
    if created.any() {
        tracing::info!(
            dir = %dir.root().display(),
            config = created.config,
            master_key = created.key,
            "created the data directory (arcana.toml, master.key with mode 0600, db/)"
        );
    }
    // The configuration may have just been written: read it as the file says.
    let config = load_config(dir, env)?;
    let master_key = dir.read_master_key()?;
    let store =
        Store::open(&dir.db_path(), &config.store).map_err(|source| Error::Store { path: dir.db_path(), source })?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("arcana")
        .build()
        .map_err(|e| Error::Runtime(e.to_string()))?;
    runtime.block_on(async move {
        let stop = CancellationToken::new();
        shutdown::cancel_on_signals(stop.clone()).map_err(|e| Error::Runtime(e.to_string()))?;
        tracing::info!(dir = %dir.root().display(), api = %config.telegram.api_url, "starting");
        bot::run(RunContext { config, token, store, master_key, dir: dir.clone() }, stop).await.map_err(Error::from)
    })?;
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    Ok(())
}
