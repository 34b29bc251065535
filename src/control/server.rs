//! The bot side of the control socket: `DIR/control.sock`, mode 0600, one request per
//! connection, served until shutdown.

use std::{os::unix::fs::PermissionsExt, path::PathBuf, sync::Arc};

use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::{UnixListener, UnixStream},
};
use tokio_util::sync::CancellationToken;

use crate::{sentinel::Sentinel, store::Store};

use super::{Request, Response, execute, ops::now_ms};

const MAX_REQUEST_BYTES: u64 = 64 * 1024;

/// Listens on `path` until `shutdown`; removes the socket file afterwards.
pub async fn serve(
    path: PathBuf,
    sentinel: Arc<Sentinel>,
    store: Store,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    if path.exists() {
        // A stale socket from a previous run (sled's lock guarantees no other bot owns this dir).
        std::fs::remove_file(&path)?;
    }
    let listener = UnixListener::bind(&path)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    tracing::debug!(socket = %path.display(), "control socket listening");
    loop {
        let stream = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    tracing::warn!(error = %e, "control socket accept failed");
                    continue;
                }
            },
        };
        let (sentinel, store) = (Arc::clone(&sentinel), store.clone());
        tokio::spawn(async move {
            if let Err(e) = answer(stream, &sentinel, &store).await {
                tracing::warn!(error = %e, "control request failed");
            }
        });
    }
    let _ = std::fs::remove_file(&path);
    Ok(())
}

async fn answer(stream: UnixStream, sentinel: &Sentinel, store: &Store) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut line = String::new();
    BufReader::new(read.take(MAX_REQUEST_BYTES)).read_line(&mut line).await?;
    let response = match serde_json::from_str::<Request>(&line) {
        Err(_) => Response::error("malformed request"),
        Ok(request) => match execute(sentinel.blocklist(), &request, now_ms()) {
            Ok(response) => match store.flush().await {
                Ok(()) => response,
                Err(e) => Response::error(format!("not saved: {e}")),
            },
            Err(e) => Response::error(format!("store: {e}")),
        },
    };
    let mut out = serde_json::to_string(&response).unwrap_or_else(|_| String::from("{\"ok\":false,\"lines\":[]}"));
    out.push('\n');
    write.write_all(out.as_bytes()).await
}
