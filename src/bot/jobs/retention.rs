//! Runs the retention sweep ([`crate::control::retention`]) while the bot runs: a short step
//! every few seconds, off the async runtime, resuming where the last one stopped.

use std::{sync::Arc, time::Duration};

use tokio_util::sync::CancellationToken;

use crate::control::{Services, retention};

/// Time between steps.
const EVERY: Duration = Duration::from_secs(10);
/// Accounts looked at per step.
const BATCH: usize = 100;

/// Steps the sweep until `shutdown`.
pub(crate) async fn run(services: Arc<Services>, shutdown: CancellationToken) {
    let mut cursor = None;
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(EVERY) => {}
        }
        let s = Arc::clone(&services);
        let now = services.sentinel.clock().unix_ms();
        let step =
            tokio::task::spawn_blocking(move || retention::step(&s.admin(), s.accounts.config(), cursor, BATCH, now))
                .await;
        match step {
            Ok(Ok(step)) => cursor = step.cursor,
            Ok(Err(e)) => tracing::error!(error = %e, "retention sweep failed; retried shortly"),
            Err(e) => tracing::error!(error = %e, "retention sweep task failed"),
        }
    }
}
