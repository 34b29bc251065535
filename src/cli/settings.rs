//! Settings shared by the commands: the config with environment overrides, and the token.

use std::os::unix::fs::PermissionsExt;

use crate::{
    config::{Config, ConfigError},
    layout::DataDir,
    secret::{BotToken, TokenError},
};

use super::Env;

/// Loads `DIR/arcana.toml` (defaults if it does not exist yet) and applies the environment.
pub fn load_config(dir: &DataDir, env: &Env) -> Result<Config, ConfigError> {
    let path = dir.config_path();
    let mut config = if path.exists() { Config::load(&path)? } else { Config::default() };
    if let Some(url) = &env.api_url {
        config.override_api_url(url)?;
    }
    Ok(config)
}

/// The token from `BOT_TOKEN`, else from `telegram.token_file`.
pub fn resolve_token(env: &Env, config: &Config) -> Result<BotToken, TokenError> {
    if let Some(raw) = &env.bot_token {
        return BotToken::parse(raw, "BOT_TOKEN");
    }
    let Some(path) = &config.telegram.token_file else {
        return Err(TokenError::Missing);
    };
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| TokenError::Unreadable { path: shown.clone(), reason: e.kind().to_string() })?;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(path = %shown, "the token file is readable by group or others; chmod 600 it");
    }
    BotToken::parse(&text, &format!("telegram.token_file {shown}"))
}
