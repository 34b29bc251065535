//! Settings shared by the commands: the config with environment overrides, and the token.

use std::{os::unix::fs::PermissionsExt, sync::Arc};

use crate::{
    Error,
    clock::{Clock, SystemClock},
    config::{Config, ConfigError},
    layout::DataDir,
    secret::{BotToken, TokenError},
    store::Store,
    vault::{KekInput, Vault},
};

use super::Env;

/// Loads `DIR/arcana.toml` (defaults if it does not exist yet) and applies the environment.
pub fn load_config(dir: &DataDir, env: &Env) -> Result<Config, ConfigError> {
    let path = dir.config_path();
    let mut config = if path.exists() { Config::load(&path)? } else { Config::default() };
    if let Some(url) = &env.api_url {
        config.override_api_url(url)?;
    }
    config.daily.test_clock.clone_from(&env.test_clock);
    Ok(config)
}

/// The name of the token's credential in a systemd unit (`LoadCredential=bot-token:FILE`).
pub const TOKEN_CREDENTIAL: &str = "bot-token";

/// The token from `BOT_TOKEN`, else from systemd's credential `bot-token` (in
/// `$CREDENTIALS_DIRECTORY`), else from `telegram.token_file`.
pub fn resolve_token(env: &Env, config: &Config) -> Result<BotToken, TokenError> {
    if let Some(raw) = &env.bot_token {
        return BotToken::parse(raw, "BOT_TOKEN");
    }
    if let Some(credentials) = &env.credentials {
        let path = credentials.join(TOKEN_CREDENTIAL);
        if path.exists() {
            return token_from_file(&path, "credential");
        }
    }
    let Some(path) = &config.telegram.token_file else {
        return Err(TokenError::Missing);
    };
    token_from_file(path, "telegram.token_file")
}

fn token_from_file(path: &std::path::Path, source: &str) -> Result<BotToken, TokenError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| TokenError::Unreadable { path: shown.clone(), reason: e.kind().to_string() })?;
    BotToken::parse(&text, &format!("{source} {shown}"))
}

/// Warns (in the log, so call it once logging is set up) if the token file in use can be read by
/// group or others.
pub fn warn_if_token_file_exposed(env: &Env, config: &Config) {
    let Some(path) = config.telegram.token_file.as_ref().filter(|_| env.bot_token.is_none()) else { return };
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(path = %path.display(), "the token file is readable by group or others; chmod 600 it");
    }
}

/// The KEK source: `ARCANA_PASSPHRASE` if set, else `DIR/master.key` (permissions checked).
pub fn kek_input(dir: &DataDir, env: &Env) -> Result<KekInput, Error> {
    Ok(match &env.passphrase {
        Some(pass) => KekInput::Passphrase(pass.clone()),
        None => KekInput::File(dir.read_master_key()?),
    })
}

/// The opened data store, key store and vault of `dir`.
pub struct Opened {
    /// `DIR/db`.
    pub data: Store,
    /// The vault, which owns `DIR/keys` (it rewrites the key store when key material is
    /// destroyed, so nothing else may hold it open).
    pub vault: Arc<Vault>,
}

/// Opens `DIR/db`, `DIR/keys` and the vault (creating the key store for a new data store).
pub fn open_all(dir: &DataDir, env: &Env, config: &Config) -> Result<Opened, Error> {
    dir.check_private()?;
    dir.finish_restore()?;
    let input = kek_input(dir, env)?;
    let data =
        Store::open(&dir.db_path(), &config.store).map_err(|source| Error::Store { path: dir.db_path(), source })?;
    let keys = Store::open(&dir.keys_path(), &config.store)
        .map_err(|source| Error::Store { path: dir.keys_path(), source })?;
    let vault = Arc::new(Vault::load(&data, keys, &input, SystemClock::default().unix_ms())?);
    Ok(Opened { data, vault })
}
