//! The pages: the Mini App (`/app`, its script and style built into the binary), and the routes of
//! the Login Widget flow for a browser outside Telegram ([`super::login`]).

use std::sync::Arc;

use axum::{
    Router,
    extract::State,
    http::{HeaderValue, StatusCode, header},
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
        .route("/app", get(app_page))
        .route("/app/app.js", get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }))
        .route("/app/app.css", get(|| async { asset("text/css; charset=utf-8", APP_CSS) }))
}

/// The Mini App's page; on the server of `arcana demo --web`, marked so that the script signs in
/// outside Telegram (see [`super::launch`]).
async fn app_page(State(ctx): State<Arc<WebContext>>) -> Response {
    if !ctx.config.demo {
        return asset("text/html; charset=utf-8", APP_HTML);
    }
    let page = APP_HTML.replacen(
        "<meta charset=\"utf-8\">",
        "<meta charset=\"utf-8\">\n<meta name=\"arcana-launch\" content=\"demo\">",
        1,
    );
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], page).into_response()
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
