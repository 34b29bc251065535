//! `arcana run`: prepare everything, then run the bot on a tokio runtime until a signal.

use tokio_util::sync::CancellationToken;

use crate::{
    Error,
    audit_tap::Event,
    bot::{self, RunContext},
    layout::DataDir,
    logging, shutdown,
    supervisor::Notifier,
};

use super::{
    Env,
    settings::{Opened, load_config, open_all, resolve_token, warn_if_token_file_exposed},
};

/// Runs the bot from the data directory `dir`.
pub fn run(dir: &DataDir, env: &Env) -> Result<(), Error> {
    let config = load_config(dir, env).inspect_err(|e| audit_refused_start(dir, env, e))?;
    let token = resolve_token(env, &config)?;
    let filter = logging::filter(env.log.as_deref(), config.log.level.as_str()).map_err(|e| {
        crate::config::ConfigError::Env { variable: "ARCANA_LOG", message: crate::config::one_line(&e.to_string()) }
    })?;
    logging::init(filter, vec![token.expose().to_owned()], log_style(&config, env));
    warn_if_token_file_exposed(env, &config);

    let created = dir.ensure_with(env.passphrase.is_none())?;
    if created.any() {
        tracing::info!(
            dir = %dir.root().display(),
            config = created.config,
            master_key = created.key,
            "created the data directory (arcana.toml, master.key with mode 0600, db/, keys/)"
        );
    }
    // The configuration may have just been written: read it as the file says.
    let config = load_config(dir, env).inspect_err(|e| audit_refused_start(dir, env, e))?;
    let Opened { data: store, vault } = open_all(dir, env, &config)?;
    let (audit_store, audit_vault) = (store.clone(), std::sync::Arc::clone(&vault));
    let notifier = Notifier::new(&env.notify).map_err(|e| Error::Runtime(e.to_string()))?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("arcana")
        .build()
        .map_err(|e| Error::Runtime(e.to_string()))?;
    let outcome = runtime.block_on(async move {
        let stop = CancellationToken::new();
        shutdown::cancel_on_signals(stop.clone()).map_err(|e| Error::Runtime(e.to_string()))?;
        tracing::info!(dir = %dir.root().display(), api = %config.telegram.api_url, "starting");
        // On a worker thread, not the main one: teloxide measures the stack through the
        // `stacker` crate, and for the main thread musl finds the stack's size by probing with
        // `mremap` page by page, a probe qemu-user (Debian 12's 7.2) never lets finish — an
        // emulated armv7 build hung before its first request. Worker threads know their stack.
        let context = RunContext { config, token, store, vault, dir: dir.clone(), notifier };
        tokio::spawn(bot::run(context, stop))
            .await
            .map_err(|e| Error::Runtime(format!("the bot task failed: {e}")))?
            .map_err(Error::from)
    });
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    // What was emitted after the bot's audit writer stopped (a handler past the grace, a control
    // request, a failed start) still reaches the trail.
    if let Ok(trail) = crate::audit::AuditTrail::open(&audit_store, &audit_vault) {
        let _ = trail.append(crate::audit_tap::take(usize::MAX, std::time::Duration::ZERO));
        let _ = trail.checkpoint();
    }
    outcome?;
    audit_vault.flush_blocking()?;
    Ok(())
}

/// Records in the audit trail that `arcana run` refused to start over `error` in the
/// configuration — when there is a trail to record it in (an existing store, with its key). Best
/// effort: the refusal itself is what the operator sees.
fn audit_refused_start(dir: &DataDir, env: &Env, error: &crate::config::ConfigError) {
    if !dir.db_path().exists() {
        return;
    }
    logging::init_audit_only();
    tracing::error!(target: "arcana::audit", event = Event::ConfigError.name(), error = %error,
        "arcana refused to start: the configuration is invalid");
    let Ok(opened) = open_all(dir, env, &crate::config::Config::default()) else { return };
    if let Ok(trail) = crate::audit::AuditTrail::open(&opened.data, &opened.vault) {
        let _ = trail.append(crate::audit_tap::take(usize::MAX, std::time::Duration::ZERO));
        let _ = trail.checkpoint();
    }
}

/// The log style for `config` in this environment (journald's stream or not).
fn log_style(config: &crate::config::Config, env: &Env) -> logging::Style {
    let format = match config.log.format {
        crate::config::LogFormat::Text => logging::Format::Text,
        crate::config::LogFormat::Json => logging::Format::Json,
    };
    logging::Style { format, journal: env.journal }
}
