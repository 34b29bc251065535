//! The connected bot's background tasks: sweeping expired state, retention, deleting secret
//! messages, alerts, metrics (saving, and the listener when configured), broadcasts and the card
//! of the day — started together on the run's task tracker once the bot is connected.

use std::{
    sync::Arc,
    time::{Duration, SystemTime},
};

use tokio::sync::mpsc::Receiver;
use tokio_util::{sync::CancellationToken, task::TaskTracker};

use crate::{audit_tap::AuditRecord, control::Services};

use crate::bot::app::App;

/// Starts them all on `tasks`; each ends when `shutdown` is cancelled (the teardown in `run`
/// waits for them, then saves the metric totals).
pub(crate) fn spawn(
    tasks: &TaskTracker,
    app: &Arc<App>,
    alert_batches: Receiver<Vec<AuditRecord>>,
    watchdog_abort: Option<String>,
    shutdown: &CancellationToken,
) {
    tasks.spawn(sweep_expired(Arc::clone(&app.services), shutdown.clone()));
    tasks.spawn(super::retention::run(Arc::clone(&app.services), shutdown.clone()));
    tasks.spawn(super::secret_messages::run_deleter(Arc::clone(app), shutdown.clone()));
    tasks.spawn(super::alerts::run(Arc::clone(app), alert_batches, watchdog_abort, shutdown.clone()));
    tasks.spawn(super::metric_totals::keep_saving(Arc::clone(app), shutdown.clone()));
    if let Some(addr) = app.config.metrics.listen {
        tasks.spawn(super::metrics_server::serve(Arc::clone(app), addr, shutdown.clone()));
    }
    tasks.spawn(super::broadcast::run(Arc::clone(app), shutdown.clone()));
    tasks.spawn(super::daily::run(Arc::clone(app), shutdown.clone()));
}

/// Every 30 s, forgets sentinel and per-tier limit state that no longer matters; once a minute,
/// removes expired records from the store.
async fn sweep_expired(services: Arc<Services>, shutdown: CancellationToken) {
    let (store, sentinel) = (services.data.clone(), &services.sentinel);
    let mut tick = tokio::time::interval(Duration::from_secs(30));
    let mut round = 0u64;
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        let forgotten = sentinel.sweep() + services.accounts.sweep_tier_windows();
        tracing::debug!(forgotten, tracked = sentinel.tracked_keys(), "sentinel state swept");
        round += 1;
        if round % 2 == 1 {
            continue;
        }
        let s = store.clone();
        match tokio::task::spawn_blocking(move || s.sweep_expired(SystemTime::now())).await {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::debug!(removed = n, "expired records swept"),
            Ok(Err(e)) => tracing::error!(error = %e, "expiry sweep failed"),
            Err(e) => tracing::error!(error = %e, "expiry sweep task failed"),
        }
    }
}
