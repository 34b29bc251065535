//! The bot side of the control socket: `DIR/control.sock`, one request per connection, served
//! until shutdown.
//!
//! Layers of protection: the data directory is 0700 (checked at start), the process umask is
//! 077 so the socket is private from the moment it is bound (then chmod 0600 for good measure),
//! and each connection's peer must be arcana's own user (or root): checked with `SO_PEERCRED`.
//! A peer gets [`READ_TIMEOUT`] to send its request, at most [`MAX_CONNECTIONS`] are served at
//! once (more are refused at once), and accept errors (e.g. out of descriptors) back off instead
//! of spinning.

use std::{os::unix::fs::PermissionsExt, path::PathBuf, sync::Arc, time::Duration};

use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::{UnixListener, UnixStream},
};
use tokio_util::sync::CancellationToken;

use crate::audit_tap::Event;

use super::{PipelineStats, Request, Response, Services, execute};

const MAX_REQUEST_BYTES: u64 = 64 * 1024;
/// How long a peer may take to send its request.
pub const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 16;

/// Listens on `path` until `shutdown`; removes the socket file afterwards.
pub async fn serve(path: PathBuf, services: Arc<Services>, shutdown: CancellationToken) -> std::io::Result<()> {
    if path.exists() {
        // A stale socket from a previous run (sled's lock guarantees no other bot owns this dir).
        std::fs::remove_file(&path)?;
    }
    let listener = UnixListener::bind(&path)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    tracing::debug!(socket = %path.display(), "control socket listening");
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let own_uid = rustix::process::geteuid().as_raw();
    crate::accept::until_shutdown(&listener, "control socket", &shutdown, |stream, _| {
        match stream.peer_cred().map(|cred| cred.uid()) {
            Ok(uid) if uid == own_uid || uid == 0 => {}
            Ok(uid) => {
                tracing::warn!(target: "arcana::audit", event = Event::ControlPeerRefused.name(), uid,
                    "a control connection from another user was refused");
                return;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read a control connection's peer; refused");
                return;
            }
        }
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            tracing::warn!("too many control connections at once; one refused");
            return;
        };
        let services = Arc::clone(&services);
        tokio::spawn(async move {
            if let Err(e) = answer(stream, services).await {
                tracing::warn!(error = %e, "control request failed");
            }
            drop(slot);
        });
    })
    .await;
    let _ = std::fs::remove_file(&path);
    Ok(())
}

fn status(services: &Services) -> Response {
    let sentinel = &services.sentinel;
    let s = sentinel.stats();
    let pipeline = &services.pipeline;
    let send_queue = services.telegram.get().map_or(0, |telegram| telegram.queued());
    let mut lines = vec![
        format!("inbox\t{}", PipelineStats::get(&pipeline.inbox)),
        format!("finished\t{}", PipelineStats::get(&pipeline.finished)),
        format!("backlog_drops\t{}", PipelineStats::get(&pipeline.backlog_drops)),
        format!("inbox_bytes\t{}", PipelineStats::get(&pipeline.inbox_bytes)),
        format!("inbox_full_drops\t{}", PipelineStats::get(&pipeline.inbox_full_drops)),
        format!("send_queue\t{send_queue}"),
        format!("notices_pending\t{}", PipelineStats::get(&pipeline.notices)),
        format!("allowed\t{}", s.allowed),
        format!("debounced\t{}", s.debounced),
        format!("limited\t{}", s.limited),
        format!("penalised\t{}", s.penalised),
        format!("blocked\t{}", s.blocked),
        format!("ignored\t{}", s.ignored),
        format!("tracked_keys\t{}", sentinel.tracked_keys()),
        format!("backups_taken\t{}", PipelineStats::get(&services.backups.taken)),
        format!("backups_failed\t{}", PipelineStats::get(&services.backups.failed)),
        format!("last_backup_unix_ms\t{}", PipelineStats::get(&services.backups.last_ms)),
    ];
    lines.extend(services.telegram.get().map(|telegram| telegram.figures()).unwrap_or_default());
    lines.push(format!("store_bytes\t{}", services.data.size_on_disk().unwrap_or_default()));
    lines.extend(services.lockdown.status_lines());
    lines.extend(match super::broadcast::job(&services.data) {
        Ok(job) => job.map(|j| j.status_lines()).unwrap_or_default(),
        Err(e) => vec![format!("broadcast\tunreadable: {e}")],
    });
    Response::ok(lines)
}

async fn answer(stream: UnixStream, services: Arc<Services>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut line = String::new();
    let mut reader = BufReader::new(read.take(MAX_REQUEST_BYTES));
    tokio::time::timeout(READ_TIMEOUT, reader.read_line(&mut line))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "no request within the read timeout"))??;
    let response = match serde_json::from_str::<Request>(&line) {
        Err(_) => Response::error("malformed request"),
        Ok(Request::Status) => status(&services),
        Ok(Request::Refund { charge_id, user }) => match services.telegram.get() {
            Some(telegram) => match telegram.refund(&services, user.as_deref(), &charge_id).await {
                Ok((summary, owner)) => {
                    tracing::warn!(target: "arcana::audit", event = Event::RefundByOperator.name(), user = owner,
                        "an operator refunded a payment");
                    Response::ok(vec![summary])
                }
                Err(message) => Response::error(message),
            },
            None => Response::error("the bot is not connected to Telegram yet; try again shortly"),
        },
        Ok(request) => {
            let now = services.sentinel.clock().unix_ms();
            tokio::task::spawn_blocking(move || execute(&services.admin(), &request, now))
                .await
                .unwrap_or_else(|e| Ok(Response::error(format!("failed: {e}"))))
                .unwrap_or_else(|e| Response::error(e.to_string()))
        }
    };
    let mut out = serde_json::to_string(&response).unwrap_or_else(|_| String::from("{\"ok\":false,\"lines\":[]}"));
    out.push('\n');
    write.write_all(out.as_bytes()).await
}
