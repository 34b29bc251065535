//! The pages: the Mini App (`/app`, its script and style built into the binary) and, for a
//! browser outside Telegram, the Login Widget page (`/login`) and its callback. The login flow is
//! bound to the browser: `/login` sets a random `state` in an `HttpOnly` `__Host-` cookie and gives
//! the widget a callback URL built only from `http.public_url` with that state; the callback
//! refuses a missing or different state (CSRF), verifies Telegram's signature and freshness, and
//! sends the browser to `/app` with a one-time login code (see [`super::login_codes`]) that the
//! page redeems for a token with the same cookie — no token ever travels in a URL.

use std::sync::Arc;

use axum::{
    Router,
    extract::{RawQuery, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use ring::rand::SecureRandom;

use super::{context::WebContext, error::ApiError, init_data::TelegramUser, login_data::verify_login};

const APP_HTML: &str = include_str!("assets/app.html");
const APP_JS: &str = include_str!("assets/app.js");
const APP_CSS: &str = include_str!("assets/app.css");
const LOGIN_HTML: &str = include_str!("assets/login.html");

/// The cookie holding the login state (`__Host-`: set over HTTPS, for this host only, path `/`).
const STATE_COOKIE: &str = "__Host-arcana_login_state";
/// Clears the login state cookie.
pub(super) const CLEAR_STATE_COOKIE: &str =
    "__Host-arcana_login_state=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax";

/// The page routes.
pub(super) fn routes() -> Router<Arc<WebContext>> {
    Router::new()
        .route("/", get(|| async { redirect("/app") }))
        .route("/app", get(|| async { asset("text/html; charset=utf-8", APP_HTML) }))
        .route("/app/app.js", get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }))
        .route("/app/app.css", get(|| async { asset("text/css; charset=utf-8", APP_CSS) }))
        .route("/login", get(login_page))
        .route("/login/callback", get(login_callback))
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "no-cache")], body).into_response()
}

fn redirect(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Escapes text for an HTML attribute value.
fn attribute(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

fn new_state() -> Option<String> {
    let mut bytes = [0u8; 24];
    ring::rand::SystemRandom::new().fill(&mut bytes).ok()?;
    Some(crate::sanitize::hex_id(&bytes))
}

async fn login_page(State(ctx): State<Arc<WebContext>>, RawQuery(query): RawQuery) -> Result<Response, ApiError> {
    // Where to go after login: only the Mini App; anything else (another site) is refused.
    if let Some(query) = query {
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            if key == "return_to" && value != "/app" {
                return Err(ApiError::bad_request("return_to must be /app"));
            }
        }
    }
    let Some(public_url) = ctx.config.public_url.as_deref() else {
        return Err(ApiError::not_found("login needs http.public_url to be set"));
    };
    let state = new_state().ok_or_else(|| ApiError::internal(&"no randomness for the login state"))?;
    let auth_url = format!("{public_url}/login/callback?state={state}");
    let page = LOGIN_HTML
        .replace("{{BOT_USERNAME}}", &attribute(&ctx.bot_username))
        .replace("{{AUTH_URL}}", &attribute(&auth_url));
    let cookie = format!(
        "{STATE_COOKIE}={state}; Path=/; Max-Age={}; HttpOnly; Secure; SameSite=Lax",
        ctx.config.login_max_age.as_secs()
    );
    let mut response =
        ([(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], page)
            .into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

fn cookie_state(headers: &HeaderMap) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == STATE_COOKIE).then(|| value.to_owned())
    })
}

/// Compares two states without an early exit on the first differing byte.
fn same_state(a: &str, b: &str) -> bool {
    let digest = |s: &str| ring::digest::digest(&ring::digest::SHA256, s.as_bytes());
    let (a, b) = (digest(a), digest(b));
    a.as_ref().iter().zip(b.as_ref()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Checks that `returned` (the `state` that came back) is this browser's login state.
fn check_state(headers: &HeaderMap, returned: Option<&str>) -> Result<String, ApiError> {
    let (Some(returned), Some(expected)) = (returned, cookie_state(headers)) else {
        return Err(ApiError::forbidden("the login state is missing; start again at /login", "state"));
    };
    if expected.len() != 48 || !same_state(returned, &expected) {
        return Err(ApiError::forbidden("the login state does not match; start again at /login", "state"));
    }
    Ok(expected)
}

/// Verifies the Login Widget's data in `query` (with our `state`), for this browser.
pub(super) fn verify_login_with_state(
    ctx: &WebContext,
    headers: &HeaderMap,
    query: &str,
) -> Result<(TelegramUser, String), ApiError> {
    let returned =
        url::form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "state").map(|(_, v)| v.into_owned());
    let state = check_state(headers, returned.as_deref())?;
    let now_s = ctx.now_ms() / 1000;
    let user = verify_login(query, &ctx.login_secret, now_s, ctx.config.login_max_age.as_secs()).map_err(|e| {
        tracing::info!(target: "arcana::audit", event = "web_auth_refused", reason = %e, "Login Widget data refused");
        ApiError::unauthorized("Telegram's signature does not check out; log in again")
    })?;
    Ok((user, state))
}

/// Redeems a login code for the browser holding its state cookie.
pub(super) fn redeem_login_code(ctx: &WebContext, headers: &HeaderMap, code: &str) -> Result<TelegramUser, ApiError> {
    let expected = cookie_state(headers);
    ctx.login_codes.take(code, |state| expected.as_deref().is_some_and(|e| same_state(e, state))).ok_or_else(|| {
        ApiError::unauthorized("this login link has expired or belongs to another browser; log in again")
    })
}

async fn login_callback(
    State(ctx): State<Arc<WebContext>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let query = query.unwrap_or_default();
    let (user, state) = verify_login_with_state(&ctx, &headers, &query)?;
    let code = new_state().ok_or_else(|| ApiError::internal(&"no randomness for a login code"))?;
    if !ctx.login_codes.insert(code.clone(), user, state) {
        return Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "too many logins at once; try again in a minute"));
    }
    Ok(redirect(&format!("/app#login_code={code}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_escaped() {
        assert_eq!(attribute(r#"a"><script>&'"#), "a&quot;&gt;&lt;script&gt;&amp;&#39;");
    }

    #[test]
    fn the_state_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, "a=1; __Host-arcana_login_state=abc; b=2".parse().expect("value"));
        assert_eq!(cookie_state(&headers).as_deref(), Some("abc"));
        assert!(same_state("abc", "abc"));
        assert!(!same_state("abc", "abd"));
    }
}
