//! Requests in flight per client behind a reverse proxy. With `http.trust_forwarded_for` every
//! connection comes from the proxy, so the listener's per-address connection cap would count the
//! proxy: 16 connections held by one client would lock every user out. Then the listener caps
//! the proxy only by the whole server's limit ([`super::server::MAX_CONNECTIONS`]), and this
//! layer caps the requests in flight per *forwarded* client address (an IPv6 /64) at
//! `http.connections_per_address` — a request over it is answered 429 at once. A request holds
//! its slot from its head until its answer is ready (a slowly sent body included).
//!
//! Without a proxy each connection carries one request at a time, and the listener's cap per
//! connecting address already is this cap; the layer then lets every request through.

use std::sync::Arc;

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::{auth::client_address_of, context::WebContext, error::ApiError};

/// Holds a slot of the request's forwarded client while the request runs.
pub(super) async fn limit(State(ctx): State<Arc<WebContext>>, request: Request, next: Next) -> Response {
    if !ctx.config.trust_forwarded_for {
        return next.run(request).await;
    }
    let address = client_address_of(&ctx, request.extensions(), request.headers());
    let Some(slot) = ctx.client_slots.enter(address) else {
        return ApiError::too_many(1).into_response();
    };
    let response = next.run(request).await;
    drop(slot);
    response
}
