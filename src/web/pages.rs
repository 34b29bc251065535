//! The pages: the Mini App (`/app`, its script and style built into the binary, and the 78 card
//! faces drawn by [`crate::art`] as one SVG sprite, `/app/faces.svg`, revalidated by its `ETag`),
//! and the routes of the Login Widget flow for a browser outside Telegram ([`super::login`]).
//!
//! `/app` is written in the browser's language (the only hint before sign-in) with the words of
//! [`super::texts`]; its script switches to the user's language (`/app/texts.json?lang=…`) as
//! soon as Telegram's launch data or the session names it.

use std::sync::{Arc, LazyLock, OnceLock};

use axum::{
    Router,
    extract::{Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Deserialize;

use crate::embedded;
use crate::locale::Locale;

use super::{
    context::WebContext,
    language::{self, Hints},
    texts,
};

/// `/app` in each language, written on first use.
static APP_PAGES: LazyLock<[String; 3]> = LazyLock::new(|| {
    let page = embedded::text!("web/assets/app.html");
    Locale::ALL.map(|locale| texts::fill(&page, locale))
});
/// The Mini App's script and style (embedded deflated), inflated on first use.
static APP_JS: LazyLock<String> = LazyLock::new(|| embedded::text!("web/assets/app.js"));
static APP_CSS: LazyLock<String> = LazyLock::new(|| embedded::text!("web/assets/app.css"));

/// The page routes.
pub(super) fn routes() -> Router<Arc<WebContext>> {
    Router::new()
        .route("/", get(|| async { redirect("/app") }))
        .route("/app", get(app_page))
        .route("/app/texts.json", get(page_texts))
        .route("/app/app.js", get(|| async { asset("text/javascript; charset=utf-8", &APP_JS) }))
        .route("/app/app.css", get(|| async { asset("text/css; charset=utf-8", &APP_CSS) }))
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

/// The language of a page nobody has signed in to yet: the browser's (see [`language::choose`]).
fn page_locale(ctx: &WebContext, headers: &HeaderMap, telegram: Option<&str>) -> Locale {
    language::choose(ctx, Hints { user: None, telegram, browser: language::accept_language(headers) })
}

/// The Mini App's page in the browser's language; on the server of `arcana demo --web`, marked
/// so that the script signs in outside Telegram (see [`super::launch`]).
async fn app_page(State(ctx): State<Arc<WebContext>>, headers: HeaderMap) -> Response {
    let locale = page_locale(&ctx, &headers, None);
    let page = APP_PAGES.iter().zip(Locale::ALL).find(|(_, l)| *l == locale).map_or("", |(page, _)| page.as_str());
    let mut response = if ctx.config.demo {
        let page = page.replacen(
            "<meta charset=\"utf-8\">",
            "<meta charset=\"utf-8\">\n<meta name=\"arcana-launch\" content=\"demo\">",
            1,
        );
        ([(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], page)
            .into_response()
    } else {
        asset("text/html; charset=utf-8", page)
    };
    response.headers_mut().insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    response
}

#[derive(Deserialize)]
struct TextsQuery {
    /// A language hint: Telegram's `language_code` from the launch data, or a locale the API
    /// named.
    lang: Option<String>,
}

/// The page's words in the language `lang` hints at (else the browser's), as JSON.
async fn page_texts(
    State(ctx): State<Arc<WebContext>>,
    headers: HeaderMap,
    Query(query): Query<TextsQuery>,
) -> Response {
    let locale = page_locale(&ctx, &headers, query.lang.as_deref());
    let mut response = asset("application/json", texts::json(locale));
    response.headers_mut().insert(header::VARY, HeaderValue::from_static("Accept-Language"));
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
