//! Scheduled backups while the bot runs (`[backup]`): the next one is due `every` after the
//! newest file in `backup.dir`, so restarts neither skip nor repeat one. Each runs on a
//! blocking thread; a failure is logged and counted, retried after at most ten minutes, and
//! never stops the bot.

use std::{path::Path, sync::Arc, time::Duration};

use tokio_util::sync::CancellationToken;

use crate::{
    audit_tap::Event,
    backup::Rotation,
    clock::{Clock, SystemClock, duration_ms},
    config::BackupConfig,
    control::BackupStats,
    store::Store,
    vault::Vault,
};

/// How soon a failed backup is tried again (at most).
const RETRY_AFTER: Duration = Duration::from_mins(10);

/// Takes backups on `config`'s schedule until `shutdown`.
pub(crate) async fn run(
    config: BackupConfig,
    data_dir: &Path,
    data: Store,
    vault: Arc<Vault>,
    stats: Arc<BackupStats>,
    shutdown: CancellationToken,
) {
    let Some(every) = config.every else { return };
    let rotation = Rotation::new(data_dir.join(&config.dir), usize::try_from(config.keep.get()).unwrap_or(1));
    let clock = SystemClock::default();
    let mut retry_at = None;
    loop {
        let now = clock.unix_ms();
        let due = match (retry_at, rotation.newest_ms()) {
            (Some(at), _) => at,
            // A newest file from the future (the clock went back) counts as taken now.
            (None, Ok(newest)) => newest.map_or(now, |ms| ms.min(now).saturating_add(duration_ms(every))),
            (None, Err(e)) => {
                tracing::warn!(error = %e, "cannot list the backup directory; trying a backup now");
                now
            }
        };
        let wait = Duration::from_millis(due.saturating_sub(now));
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(wait) => {}
        }
        let (r, d, v) = (rotation.clone(), data.clone(), Arc::clone(&vault));
        let at = clock.unix_ms();
        let outcome = match tokio::task::spawn_blocking(move || r.take(&d, &v, at)).await {
            Ok(taken) => taken.map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match outcome {
            Ok(taken) => {
                retry_at = None;
                stats.record_success(at);
                tracing::info!(target: "arcana::audit", event = Event::Backup.name(), file = %taken.path.display(),
                    bytes = taken.summary.bytes, records = taken.summary.entries, pruned = taken.pruned,
                    "scheduled backup written");
            }
            Err(error) => {
                stats.record_failure();
                retry_at = Some(clock.unix_ms().saturating_add(duration_ms(every.min(RETRY_AFTER))));
                tracing::error!(target: "arcana::audit", event = Event::BackupFailed.name(), error = %error,
                    dir = %rotation.dir().display(), "scheduled backup failed; the bot runs on");
            }
        }
    }
}
