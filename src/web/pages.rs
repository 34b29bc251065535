//! The pages: the Mini App (`/app`, its script and style built into the binary, and the 78 card
//! faces drawn by [`crate::art`] as one SVG sprite, `/app/faces.svg`, revalidated by its `ETag`),
//! and the routes of the Login Widget flow for a browser outside Telegram ([`super::login`]).

use std::sync::Arc;

use std::sync::OnceLock;

use axum::{
    Router,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};

use super::context::WebContext;

const APP_HTML: &str = include_str!("assets/app.html");
const APP_JS: &str = include_str!("assets/app.js");
const APP_CSS: &str = include_str!("assets/app.css");

/// The page routes.
pub(super) fn routes() -> Router<Arc<WebContext>> {
    Router::new()
        .route("/", get(|| async { redirect("/app") }))
        .route("/app", get(|| async { asset("text/html; charset=utf-8", APP_HTML) }))
        .route("/app/app.js", get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }))
        .route("/app/app.css", get(|| async { asset("text/css; charset=utf-8", APP_CSS) }))
        .route("/app/faces.svg", get(|headers: HeaderMap| async move { faces(&headers) }))
}

/// The card faces' sprite; `304 Not Modified` when the browser holds this build's copy.
fn faces(headers: &HeaderMap) -> Response {
    static ETAG: OnceLock<String> = OnceLock::new();
    let etag = ETAG.get_or_init(|| format!("\"{:08x}\"", crc32fast::hash(crate::art::sprite().as_bytes())));
    let cached = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let mut response =
        if cached { StatusCode::NOT_MODIFIED.into_response() } else { asset("image/svg+xml", crate::art::sprite()) };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(value) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, value);
    }
    response
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "no-cache")], body).into_response()
}

/// A `303 See Other` to `location`, not cached.
pub(super) fn redirect(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
