//! The connected bot's background tasks: sweeping expired state, retention, deleting secret
//! messages, alerts, metrics (saving, and the listener when configured) and broadcasts — started
//! together once the bot is connected, and joined together after the drain.

use std::{
    sync::Arc,
    time::{Duration, SystemTime},
};

use tokio::{sync::mpsc::Receiver, task::JoinHandle};
use tokio_util::sync::CancellationToken;

use crate::{audit_tap::AuditRecord, control::Services};

use crate::bot::app::App;

/// The running tasks.
pub(crate) struct AppTasks {
    sweeper: JoinHandle<()>,
    retention: JoinHandle<()>,
    secrets: JoinHandle<()>,
    alerts: JoinHandle<()>,
    metrics_saver: JoinHandle<()>,
    metrics_server: Option<JoinHandle<()>>,
    broadcasts: JoinHandle<()>,
}

impl AppTasks {
    /// Starts them all; each ends when `shutdown` is cancelled.
    pub(crate) fn spawn(
        app: &Arc<App>,
        alert_batches: Receiver<Vec<AuditRecord>>,
        watchdog_abort: Option<String>,
        shutdown: &CancellationToken,
    ) -> AppTasks {
        let listen = app.config.metrics.listen;
        AppTasks {
            sweeper: tokio::spawn(sweep_expired(Arc::clone(&app.services), shutdown.clone())),
            retention: tokio::spawn(super::retention::run(Arc::clone(&app.services), shutdown.clone())),
            secrets: tokio::spawn(super::secret_messages::run_deleter(Arc::clone(app), shutdown.clone())),
            alerts: tokio::spawn(super::alerts::run(Arc::clone(app), alert_batches, watchdog_abort, shutdown.clone())),
            metrics_saver: tokio::spawn(super::metric_totals::keep_saving(Arc::clone(app), shutdown.clone())),
            metrics_server: listen
                .map(|addr| tokio::spawn(super::metrics_server::serve(Arc::clone(app), addr, shutdown.clone()))),
            broadcasts: tokio::spawn(super::broadcast::run(Arc::clone(app), shutdown.clone())),
        }
    }

    /// Waits for them after the drain, then saves the metric totals (what the grace period handled
    /// counts too).
    pub(crate) async fn join(self, app: &Arc<App>) {
        let _ = self.sweeper.await;
        let _ = self.retention.await;
        let _ = self.secrets.await;
        let _ = self.alerts.await;
        let _ = self.metrics_saver.await;
        super::metric_totals::save_now(app).await;
        if let Some(server) = self.metrics_server {
            let _ = server.await;
        }
        // A broadcast message still waiting for Telegram is left to the runtime's shutdown: it is
        // marked in flight, so the next start counts it uncertain and never sends it again.
        if tokio::time::timeout(Duration::from_secs(5), self.broadcasts).await.is_err() {
            tracing::warn!("a broadcast message was still in flight at exit");
        }
    }
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
