//! Running the bot: connect, hand the inbox's unfinished updates from a previous run to their
//! lanes, poll until shutdown, let in-flight updates finish (what does not stays in the inbox
//! for the next start), flush the store.
//!
//! Every task the bot starts — the control socket, key re-wrapping, backups, the web side, the
//! inbox's finisher and the connected bot's background tasks — is spawned on one
//! [`TaskTracker`], and [`run`] tears them down on every way out (a signal, a failure to
//! connect, a store error half way through the start): the last audit events are written and
//! made durable, the metric totals saved, finished updates removed from the inbox, the store
//! flushed.

use std::{sync::Arc, time::Duration};

use tokio_util::{sync::CancellationToken, task::TaskTracker};

use crate::{
    clock::{Clock, SystemClock},
    config::Config,
    control,
    control::{PipelineStats, Services},
    inbox::Inbox,
    layout::DataDir,
    secret::BotToken,
    sentinel::Sentinel,
    store::Store,
    supervisor::Notifier,
    vault::Vault,
};

use super::{
    BotError,
    app::App,
    jobs::audit_writer::AuditWriter,
    pipeline::{client, dispatch::Dispatcher, polling, startup},
};

/// Everything `run` needs, prepared by the caller (the CLI).
pub struct RunContext {
    /// The configuration, environment overrides applied.
    pub config: Config,
    /// The bot token.
    pub token: BotToken,
    /// The opened store.
    pub store: Store,
    /// The opened vault.
    pub vault: Arc<Vault>,
    /// The data directory (for the control socket).
    pub dir: DataDir,
    /// Tells systemd when the bot is ready, alive and stopping (does nothing outside systemd).
    pub notifier: Notifier,
}

impl std::fmt::Debug for RunContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunContext").field("token", &self.token).finish_non_exhaustive()
    }
}

/// How long the tracked tasks get to end after the drain (a broadcast message waiting for
/// Telegram, a handler past the grace); what is still running then is left to the runtime.
const FINAL_WAIT: Duration = Duration::from_secs(5);

/// What has been started, for the teardown: the tracked tasks, and the shared state once the bot
/// is connected.
struct Started {
    tasks: TaskTracker,
    app: Option<Arc<App>>,
}

/// Runs the bot until `shutdown` is cancelled, then stops gracefully — also when the start
/// fails half way (see the module docs).
pub async fn run(ctx: RunContext, shutdown: CancellationToken) -> Result<(), BotError> {
    let RunContext { config, token, store, vault, dir, notifier } = ctx;
    let sentinel = Arc::new(
        Sentinel::new(
            &config.sentinel,
            &config.admins,
            &store,
            &vault.subkey(crate::sentinel::KEY_LABEL),
            Arc::new(SystemClock::default()),
        )?
        .with_api_rules(config.http.per_user, config.http.per_address),
    );
    // The web side's listener is bound (and its TLS files read) before anything connects: a
    // wrong path or a taken port stops the start with one clear line.
    let web_listener = bind_web(&config.http).await?;
    let domain = control::Domain::open(&store, &vault, &config, Arc::new(SystemClock::default()))?;
    // The audit trail first: everything from here on is recorded.
    let audit = Arc::new(crate::audit::AuditTrail::open(&store, &vault)?);
    let (alert_batches, alert_receiver) = tokio::sync::mpsc::channel(ALERT_BATCHES);
    let audit_writer = AuditWriter::spawn(Arc::clone(&audit), config.audit.retention, alert_batches)
        .map_err(|e| BotError::Audit(e.to_string()))?;
    // From here on every way out passes the teardown below.
    let grace = config.bot.shutdown_grace;
    let mut started = Started { tasks: TaskTracker::new(), app: None };
    let parts = Parts {
        config,
        token,
        store: store.clone(),
        vault,
        dir,
        sentinel,
        domain,
        audit,
        web_listener,
        alert_receiver,
    };
    let outcome = serve(parts, &mut started, &shutdown, &notifier).await;
    notifier.stopping();
    shutdown.cancel();
    teardown(started, grace).await;
    stop_audit(audit_writer).await;
    let flushed = finish_store(&store).await;
    tracing::info!("stopped");
    outcome.and(flushed)
}

/// What [`serve`] starts the bot from.
struct Parts {
    config: Config,
    token: BotToken,
    store: Store,
    vault: Arc<Vault>,
    dir: DataDir,
    sentinel: Arc<Sentinel>,
    domain: control::Domain,
    audit: Arc<crate::audit::AuditTrail>,
    web_listener: Option<crate::web::Listening>,
    alert_receiver: tokio::sync::mpsc::Receiver<Vec<crate::audit_tap::AuditRecord>>,
}

/// Starts everything on `started`'s tracker and polls until shutdown (or a failure).
async fn serve(
    parts: Parts,
    started: &mut Started,
    shutdown: &CancellationToken,
    notifier: &Notifier,
) -> Result<(), BotError> {
    let Parts { config, token, store, vault, dir, sentinel, domain, audit, web_listener, alert_receiver } = parts;
    let tasks = started.tasks.clone();
    let watchdog_abort = take_abort_marker(&dir.db_path());
    super::metrics::init(&store)?;
    let control::Domain { profiles, accounts, readings, billing } = domain;
    // The inbox first: `arcana status` must count what a previous run left unfinished from the
    // moment the control socket answers.
    let inbox = Arc::new(Inbox::open(&store, Arc::clone(&vault))?);
    let services = Arc::new(Services {
        inbox: Arc::clone(&inbox),
        sentinel,
        vault: Arc::clone(&vault),
        profiles,
        accounts,
        readings,
        billing,
        telegram: std::sync::OnceLock::new(),
        data: store.clone(),
        pipeline: control::PipelineStats::default(),
        backups: Arc::new(control::BackupStats::default()),
        audit,
        lockdown: control::Lockdown::load(&store)?,
    });
    finish_deletions(&services).await;
    let pending = inbox.pending();
    PipelineStats::add(&services.pipeline.inbox, u64::try_from(pending.len()).unwrap_or(u64::MAX));
    tasks.spawn(serve_control(dir.root().join(control::SOCKET_NAME), Arc::clone(&services), shutdown.clone()));
    tasks.spawn(rewrap_keys(Arc::clone(&vault), shutdown.clone()));
    {
        let (config, root, data, vault) =
            (config.backup.clone(), dir.root().to_path_buf(), store.clone(), Arc::clone(&vault));
        let (stats, shutdown) = (Arc::clone(&services.backups), shutdown.clone());
        tasks.spawn(async move { super::jobs::backups::run(config, &root, data, vault, stats, shutdown).await });
    }
    let (bot, sender) = client::build(&token, &config.telegram)?;
    // Only this function sets it, once.
    let _ = services.telegram.set(Arc::new(super::handlers::refunds::ControlPort(sender.clone())));
    let Some(me) = startup::connect(&bot, shutdown, notifier).await? else { return Ok(()) };
    let username = me.user.username.clone().unwrap_or_default();
    tracing::info!(bot = %username, "connected to the Telegram Bot API");
    startup::prepare(&bot).await;
    if let (Some(public_url), Some(_)) = (config.http.public_url.as_deref(), &web_listener) {
        startup::set_menu_button(&bot, public_url).await;
    }

    let offset = inbox.position();
    if let Some(listening) = web_listener {
        let ctx = crate::web::WebContext::new(Arc::clone(&services), &config, token.expose(), username.clone());
        tasks.spawn(crate::web::serve(Arc::new(ctx), listening, shutdown.clone()));
    }
    let app = Arc::new(App::new(sender, services, config, username, inbox));
    started.app = Some(Arc::clone(&app));
    let (dispatcher, finisher) = Dispatcher::new(Arc::clone(&app));
    tasks.spawn(finisher);
    recover(&app, &dispatcher, pending);
    super::jobs::tasks::spawn(&tasks, &app, alert_receiver, watchdog_abort, shutdown);
    let polling = client::polling_bot(&token, &app.config.telegram)?;
    drop(bot);
    polling::poll_apart(app, polling, dispatcher, offset, shutdown.clone(), notifier).await
}

/// After shutdown was triggered: lets in-flight updates finish within `grace` (the rest stay in
/// the inbox for the next start), waits for the tracked tasks, and saves the metric totals.
async fn teardown(started: Started, grace: Duration) {
    let Started { tasks, app } = started;
    if let Some(app) = &app {
        drain(app, grace).await;
    }
    tasks.close();
    if tokio::time::timeout(FINAL_WAIT, tasks.wait()).await.is_err() {
        // A broadcast message still waiting for Telegram is marked in flight, so the next start
        // counts it uncertain and never sends it again; an update still running stays in the inbox.
        tracing::warn!(tasks = tasks.len(), "work still running at exit is left to the runtime's shutdown");
    }
    if let Some(app) = &app {
        if app.in_flight() > 0 {
            tracing::warn!("updates still running at exit stay in the inbox for the next start");
        }
        // After the saver stopped: what the grace period handled counts too.
        super::jobs::metric_totals::save_now(app).await;
    }
}

/// Reads the TLS files and binds `http.listen`, when the web side is on.
async fn bind_web(config: &crate::config::HttpConfig) -> Result<Option<crate::web::Listening>, BotError> {
    let Some(addr) = config.listen else { return Ok(None) };
    let tls = match config.tls() {
        Some((cert, key)) => Some(crate::web::tls_acceptor(cert, key).map_err(BotError::WebTls)?),
        None => None,
    };
    let listening = crate::web::Listening::bind(addr, tls)
        .await
        .map_err(|e| BotError::WebListen { addr, reason: e.to_string() })?;
    Ok(Some(listening))
}

/// Finishes deletions a kill interrupted, before any update is handled. A failure is logged and
/// retried on the next start; the user stays unable to get anything new sealed meanwhile.
async fn finish_deletions(services: &Arc<Services>) {
    let services = Arc::clone(services);
    let now = SystemClock::default().unix_ms();
    match tokio::task::spawn_blocking(move || control::finish_interrupted_deletions(&services.admin(), now)).await {
        Ok(Ok(0)) => {}
        Ok(Ok(n)) => tracing::warn!(deletions = n, "finished deletions interrupted by the previous run"),
        Ok(Err(e)) => tracing::error!(error = %e, "cannot finish an interrupted deletion; retried on the next start"),
        Err(e) => tracing::error!(error = %e, "deletion task failed"),
    }
}

/// Hands the updates a previous run left unfinished to their lanes, oldest first.
fn recover(app: &App, dispatcher: &Dispatcher, pending: Vec<i64>) {
    if pending.is_empty() {
        return;
    }
    tracing::info!(updates = pending.len(), "handling updates left unfinished by the previous run");
    for id in pending {
        match app.inbox.load(id) {
            Some(update) => dispatcher.recover(id, &update),
            None => dispatcher.finish(id),
        }
    }
    PipelineStats::set(&app.services.pipeline.inbox_bytes, app.inbox_bound.bytes());
}

/// Waits until no update is in flight, or `grace` has passed.
async fn drain(app: &App, grace: Duration) {
    let deadline = tokio::time::Instant::now() + grace;
    loop {
        let finished = app.drained.notified();
        tokio::pin!(finished);
        finished.as_mut().enable();
        let left = app.in_flight();
        if left == 0 {
            return;
        }
        tokio::select! {
            () = finished => {}
            () = tokio::time::sleep_until(deadline) => {
                tracing::warn!(abandoned = left, "shutdown grace elapsed with updates still in flight");
                return;
            }
        }
    }
}

async fn finish_store(store: &Store) -> Result<(), BotError> {
    store.flush().await?;
    Ok(())
}

/// Audit batches waiting for the alerts at most (beyond it they reach the trail, not the alerts).
const ALERT_BATCHES: usize = 256;

/// Writes the audit events queued so far, makes them durable and stops the writer.
async fn stop_audit(writer: AuditWriter) {
    if let Err(e) = tokio::task::spawn_blocking(move || writer.stop()).await {
        tracing::error!(error = %e, "audit writer task failed");
    }
}

/// What the store watchdog wrote before aborting the previous run, if it did (the file is
/// removed: the admins are told once).
fn take_abort_marker(db: &std::path::Path) -> Option<String> {
    let marker = crate::store::abort_marker(db);
    let text = std::fs::read_to_string(&marker).ok()?;
    if let Err(e) = std::fs::remove_file(&marker) {
        tracing::warn!(error = %e, "cannot remove the watchdog's abort marker");
    }
    Some(text.trim().chars().filter(|c| !c.is_control()).take(200).collect())
}

/// Serves the control socket; a failure (e.g. a data directory path too long for a Unix socket)
/// is logged at once and the bot runs on without it.
async fn serve_control(path: std::path::PathBuf, services: Arc<Services>, shutdown: CancellationToken) {
    if let Err(e) = control::serve(path.clone(), services, shutdown).await {
        tracing::error!(socket = %path.display(), error = %e,
            "control socket unavailable; stop the bot to use `arcana block` and the other admin tools");
    }
}

/// Re-wraps data keys left under retiring generation keys, throttled (at most 200 a second),
/// then retires generations that wrap nothing. Resumes after a restart: the state is in the key
/// store.
async fn rewrap_keys(vault: Arc<Vault>, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        let v = Arc::clone(&vault);
        let step = tokio::task::spawn_blocking(move || -> Result<usize, crate::vault::VaultError> {
            let pending = v.pending_rewrap()?;
            let moved = v.rewrap(&pending[..pending.len().min(200)])?;
            if moved == pending.len() {
                let now = SystemClock::default().unix_ms();
                v.flush_blocking()?;
                v.retire_finished(now)?;
            }
            Ok(moved)
        })
        .await;
        match step {
            Ok(Ok(0)) => {}
            Ok(Ok(moved)) => tracing::debug!(moved, "data keys re-wrapped under the active generation"),
            Ok(Err(e)) => tracing::error!(error = %e, "key re-wrap failed"),
            Err(e) => tracing::error!(error = %e, "key re-wrap task failed"),
        }
    }
}
