//! The listener: accepts connections (backing off after errors, at most [`MAX_CONNECTIONS`] at
//! once, and `http.connections_per_address` per client address — behind a trusted proxy, per
//! forwarded client and request instead: [`super::client_slots`]), does the TLS handshake when arcana serves TLS itself, and serves HTTP/1.1 with hyper —
//! request heads capped at [`MAX_HEAD_BYTES`] and given [`HEAD_TIMEOUT`] to arrive (hyper's
//! own answer to a head it refuses gets arcana's headers: [`super::bare_answers`]), each
//! connection closed after [`CONNECTION_LIFETIME`]. On shutdown it stops accepting and lets
//! requests in flight finish (at most [`DRAIN`]).

use std::{net::SocketAddr, sync::Arc, time::Duration};

use axum::{Router, body::Body, extract::Request};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::{net::TcpListener, sync::Semaphore};
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tower_service::Service;

use super::{api, auth::Peer, bare_answers::Guarded, context::WebContext, error::ApiError, headers, pages};

/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 512;
/// Longest request head.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Time a client has to send a request head (also the idle time of a kept-alive connection).
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// Time a client has to finish the TLS handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest a connection stays open.
pub const CONNECTION_LIFETIME: Duration = Duration::from_mins(5);
/// Time requests in flight get to finish at shutdown.
pub const DRAIN: Duration = Duration::from_secs(5);

/// A bound listener, ready to serve.
pub struct Listening {
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
}

impl std::fmt::Debug for Listening {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listening").field("listener", &self.listener).field("tls", &self.tls.is_some()).finish()
    }
}

impl Listening {
    /// Binds `addr`, serving TLS through `tls` when given.
    pub async fn bind(addr: SocketAddr, tls: Option<TlsAcceptor>) -> std::io::Result<Listening> {
        Ok(Listening { listener: TcpListener::bind(addr).await?, tls })
    }

    /// The bound address.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }
}

/// Every route, with the headers layer and a JSON 404.
pub fn router(ctx: Arc<WebContext>) -> Router {
    api::routes()
        .merge(pages::routes())
        .merge(super::login::routes())
        .fallback(|| async { ApiError::not_found("not found") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(axum::http::StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
        })
        .layer(axum::middleware::from_fn_with_state(Arc::clone(&ctx), super::client_slots::limit))
        .layer(axum::middleware::from_fn_with_state(Arc::clone(&ctx), headers::secure))
        .with_state(ctx)
}

/// Serves until `shutdown`.
pub async fn serve(ctx: Arc<WebContext>, listening: Listening, shutdown: CancellationToken) {
    let Listening { listener, tls } = listening;
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, tls = tls.is_some(), "serving the Mini App and the API");
    }
    // Behind a trusted proxy every connection is the proxy's: it is held only to the whole
    // server's limit, and the clients behind it are capped per request (`client_slots`).
    let per_peer = if ctx.config.trust_forwarded_for { MAX_CONNECTIONS } else { ctx.config.connections_per_address };
    let peers = super::peers::PeerSlots::new(per_peer);
    let https = super::headers::served_over_https(&ctx);
    let router = router(Arc::clone(&ctx));
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let connections = tokio_util::task::TaskTracker::new();
    // Refused sign-ins are written to the audit trail once per address and minute: a sweep
    // writes the minutes that have ended.
    let sweeper = {
        let (ctx, shutdown) = (Arc::clone(&ctx), shutdown.clone());
        connections.spawn(async move {
            let mut sweep = tokio::time::interval(super::refused_sign_ins::SWEEP_EVERY);
            loop {
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    _ = sweep.tick() => ctx.refused_sign_ins.sweep(ctx.now_ms()),
                }
            }
        })
    };
    crate::accept::until_shutdown(&listener, "web", &shutdown, |stream, peer| {
        // Over a cap, the connection is closed at once rather than queued.
        let Some(peer_slot) = peers.enter(peer.ip()) else { return };
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else { return };
        let _ = stream.set_nodelay(true);
        let (router, tls, shutdown) = (router.clone(), tls.clone(), shutdown.clone());
        connections.spawn(async move {
            match tls {
                None => connection(TokioIo::new(Guarded::new(stream, https)), peer, router, shutdown).await,
                Some(acceptor) => match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                    Ok(Ok(stream)) => {
                        connection(TokioIo::new(Guarded::new(stream, https)), peer, router, shutdown).await;
                    }
                    Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                    Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                },
            }
            drop(slot);
            drop(peer_slot);
        });
    })
    .await;
    let _ = sweeper.await;
    connections.close();
    if tokio::time::timeout(DRAIN, connections.wait()).await.is_err() {
        tracing::warn!("web requests still running at shutdown were cut off");
    }
    ctx.refused_sign_ins.sweep_all();
}

async fn connection<I>(io: TokioIo<I>, peer: SocketAddr, router: Router, shutdown: CancellationToken)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(Peer(peer));
        let mut router = router.clone();
        async move { router.call(request.map(Body::new)).await }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(HEAD_TIMEOUT).max_buf_size(MAX_HEAD_BYTES);
    let served = builder.serve_connection(io, service);
    tokio::pin!(served);
    let lifetime = tokio::time::sleep(CONNECTION_LIFETIME);
    tokio::pin!(lifetime);
    tokio::select! {
        result = served.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(%peer, error = %e, "web connection ended with an error");
            }
            return;
        }
        () = shutdown.cancelled() => {}
        () = &mut lifetime => {}
    }
    served.as_mut().graceful_shutdown();
    let _ = tokio::time::timeout(DRAIN, served).await;
}
