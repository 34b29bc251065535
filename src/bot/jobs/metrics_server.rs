//! The opt-in metrics listener (`metrics.listen`): `GET /metrics` (Prometheus text format) and
//! `GET /healthz` (200 while `getUpdates` succeeds, 503 otherwise — for systemd or an uptime
//! checker). Nothing else is served: other paths get 404, other methods 405.
//!
//! Hand-written over tokio's `TcpListener` rather than an HTTP framework: two fixed GET routes
//! on a loopback port need a request line and a bounded header read, and a framework would add
//! hundreds of kilobytes to a binary meant for a Raspberry Pi. It stays defensive: the request
//! head is capped at [`MAX_HEAD_BYTES`], a client gets [`READ_TIMEOUT`] to send it, at most
//! [`MAX_CONNECTIONS`] are served at once, and every response closes the connection.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::Semaphore,
};
use tokio_util::sync::CancellationToken;

use crate::bot::{app::App, metrics};

/// Longest request head read.
pub(crate) const MAX_HEAD_BYTES: usize = 8 * 1024;
/// Time a client has to send its request head.
pub(crate) const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections served at once.
pub(crate) const MAX_CONNECTIONS: usize = 16;
/// The longest one exchange (request and response) may take.
pub(crate) const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves metrics on `addr` until `shutdown`.
pub(crate) async fn serve(app: Arc<App>, addr: SocketAddr, shutdown: CancellationToken) {
    let listener = match TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(e) => {
            tracing::error!(%addr, error = %e, "cannot listen for metrics; running without them");
            return;
        }
    };
    tracing::info!(%addr, "serving /metrics and /healthz");
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    crate::accept::until_shutdown(&listener, "metrics", &shutdown, |stream, _| {
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else { return };
        let app = Arc::clone(&app);
        tokio::spawn(async move {
            // The whole exchange is bounded: a client that stops reading gives its slot back.
            let _ = tokio::time::timeout(EXCHANGE_TIMEOUT, answer(&app, stream)).await;
            drop(slot);
        });
    })
    .await;
}

async fn answer(app: &App, mut stream: TcpStream) -> std::io::Result<()> {
    let Ok(head) = tokio::time::timeout(READ_TIMEOUT, read_head(&mut stream)).await else {
        return respond(&mut stream, 408, "text/plain", "request timeout\n").await;
    };
    let Some(head) = head? else {
        return respond(&mut stream, 431, "text/plain", "request head too large\n").await;
    };
    let mut parts = head.split(' ');
    let (method, path) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    let path = path.split('?').next().unwrap_or_default();
    match (method, path) {
        ("GET", "/metrics") => {
            let body = metrics::get().map(|m| m.render(&app.services, app.sender.queued())).unwrap_or_default();
            respond(&mut stream, 200, "text/plain; version=0.0.4; charset=utf-8", &body).await
        }
        ("GET", "/healthz") => {
            let (status, body) = health(app);
            respond(&mut stream, status, "text/plain", &body).await
        }
        (_, "/metrics" | "/healthz") => respond(&mut stream, 405, "text/plain", "method not allowed\n").await,
        _ => respond(&mut stream, 404, "text/plain", "not found\n").await,
    }
}

/// Healthy while the last successful `getUpdates` is recent: within two long polls and 10 s.
fn health(app: &App) -> (u16, String) {
    let limit = app.config.telegram.poll_timeout * 2 + Duration::from_secs(10);
    match metrics::get().and_then(metrics::Metrics::poll_age) {
        Some(age) if age <= limit => (200, format!("ok: getUpdates succeeded {} s ago\n", age.as_secs())),
        Some(age) => (503, format!("unhealthy: getUpdates last succeeded {} s ago\n", age.as_secs())),
        None => (503, String::from("unhealthy: getUpdates has not succeeded yet\n")),
    }
}

/// Reads up to the end of the request head; returns its first line, or `None` if the head is
/// larger than [`MAX_HEAD_BYTES`].
async fn read_head(stream: &mut TcpStream) -> std::io::Result<Option<String>> {
    let mut head = Vec::with_capacity(512);
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && !head.windows(2).any(|w| w == b"\n\n") {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
        if head.len() > MAX_HEAD_BYTES {
            return Ok(None);
        }
    }
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    Ok(Some(String::from_utf8_lossy(line).trim_end().to_owned()))
}

async fn respond(stream: &mut TcpStream, status: u16, content_type: &str, body: &str) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        _ => "Service Unavailable",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await
}
