//! Response headers on every answer (hyper's own bare error answers get them in
//! [`super::bare_answers`]): a strict Content-Security-Policy (the pages load only their
//! own script and style; Telegram's web clients may frame the Mini App; the login page may load
//! Telegram's widget), `nosniff`, no referrer, HSTS when served over HTTPS, `no-store` on the
//! API, and CORS only for the configured origins. Requests for pages count in the sentinel's
//! per-address bucket here (the API's routes count in their extractors).

use std::sync::Arc;

use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::context::WebContext;

const APP_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; base-uri 'none'; form-action 'self'; \
frame-ancestors https://web.telegram.org https://*.telegram.org";
const LOGIN_CSP: &str = "default-src 'none'; script-src 'self' https://telegram.org; style-src 'self'; \
img-src 'self' data: https://telegram.org https://*.telegram.org; frame-src https://oauth.telegram.org; \
connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";
const HSTS: &str = "max-age=31536000; includeSubDomains; preload";

/// Adds the headers to every response (and answers CORS preflights for configured origins).
pub(super) async fn secure(State(ctx): State<Arc<WebContext>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let origin = allowed_origin(&ctx, request.headers());
    let preflight = request.method() == Method::OPTIONS && path.starts_with("/api/");
    let page_admitted = if path.starts_with("/api/") {
        Ok(())
    } else {
        let address = super::auth::client_address_of(&ctx, request.extensions(), request.headers());
        super::auth::admit(ctx.services.sentinel.check_api_address(address))
    };
    let mut response = if preflight {
        if origin.is_some() { StatusCode::NO_CONTENT.into_response() } else { StatusCode::FORBIDDEN.into_response() }
    } else if let Err(refused) = page_admitted {
        refused.into_response()
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    for (name, value) in security_headers(Served::of(&path), served_over_https(&ctx)) {
        headers.insert(HeaderName::from_static(name), HeaderValue::from_static(value));
    }
    if let Some(origin) = origin {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
        if preflight {
            headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST"));
            headers
                .insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("authorization, content-type"));
            headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        }
    }
    response
}

/// What kind of answer a set of headers is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Served {
    /// The Mini App and its assets.
    App,
    /// The login page and its callback.
    Login,
    /// The JSON API (and the bare errors of [`super::bare_answers`]).
    Api,
}

impl Served {
    fn of(path: &str) -> Served {
        if path.starts_with("/api/") {
            Served::Api
        } else if path.starts_with("/login") {
            Served::Login
        } else {
            Served::App
        }
    }
}

/// Whether users reach arcana over HTTPS (its own TLS, or a `public_url`): answers carry HSTS.
pub(super) fn served_over_https(ctx: &WebContext) -> bool {
    ctx.config.tls().is_some() || ctx.config.public_url.is_some()
}

/// The security headers of an answer, as lower-case names and values.
pub(super) fn security_headers(served: Served, https: bool) -> impl Iterator<Item = (&'static str, &'static str)> {
    let csp = match served {
        Served::App => APP_CSP,
        Served::Login => LOGIN_CSP,
        Served::Api => API_CSP,
    };
    [
        Some(("content-security-policy", csp)),
        Some(("x-content-type-options", "nosniff")),
        Some(("referrer-policy", "no-referrer")),
        Some(("permissions-policy", "camera=(), microphone=(), geolocation=()")),
        https.then_some(("strict-transport-security", HSTS)),
        (served == Served::Api).then_some(("cache-control", "no-store")),
    ]
    .into_iter()
    .flatten()
}

fn allowed_origin(ctx: &WebContext, headers: &HeaderMap) -> Option<HeaderValue> {
    let origin = headers.get(header::ORIGIN)?;
    let text = origin.to_str().ok()?;
    ctx.config.cors_origins.iter().any(|o| o == text).then(|| origin.clone())
}
