//! Response headers on every answer: a strict Content-Security-Policy (the pages load only their
//! own script and style; Telegram's web clients may frame the Mini App; the login page may load
//! Telegram's widget), `nosniff`, no referrer, HSTS when served over HTTPS, `no-store` on the
//! API, and CORS only for the configured origins. Requests for pages count in the sentinel's
//! per-address bucket here (the API's routes count in their extractors).

use std::sync::Arc;

use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
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
    let csp = if path.starts_with("/api/") {
        API_CSP
    } else if path.starts_with("/login") {
        LOGIN_CSP
    } else {
        APP_CSP
    };
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert("permissions-policy", HeaderValue::from_static("camera=(), microphone=(), geolocation=()"));
    if ctx.config.tls().is_some() || ctx.config.public_url.is_some() {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    if path.starts_with("/api/") {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if let Some(origin) = origin {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
        if preflight {
            headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST"));
            headers
                .insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("authorization, content-type"));
            headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        }
    }
    response
}

fn allowed_origin(ctx: &WebContext, headers: &HeaderMap) -> Option<HeaderValue> {
    let origin = headers.get(header::ORIGIN)?;
    let text = origin.to_str().ok()?;
    ctx.config.cors_origins.iter().any(|o| o == text).then(|| origin.clone())
}
