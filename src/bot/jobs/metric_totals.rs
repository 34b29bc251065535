//! Saving the metric totals ([`crate::bot::metrics`]) to the store, so the counters go on from
//! there after a restart: every 30 s while the bot runs, and once more after the drain.

use std::{sync::Arc, time::Duration};

use tokio_util::sync::CancellationToken;

use crate::bot::{app::App, metrics};

/// Saves the totals every 30 s until `shutdown` (the last save comes after the drain: [`save_now`]).
pub(crate) async fn keep_saving(app: Arc<App>, shutdown: CancellationToken) {
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(Duration::from_secs(30)) => {}
        }
        save_now(&app).await;
    }
}

/// Saves the totals now.
pub(crate) async fn save_now(app: &Arc<App>) {
    let Some(metrics) = metrics::get() else { return };
    let saving = Arc::clone(app);
    match tokio::task::spawn_blocking(move || metrics.save(&saving.services, saving.sender.queued())).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!(error = %e, "cannot save the metric totals"),
        Err(e) => tracing::warn!(error = %e, "metric totals task failed"),
    }
}
