//! The Telegram Login Widget flow, bound to the browser: `/login` sets a random `state` in an
//! `HttpOnly` `__Host-` cookie and gives the widget a callback URL built only from
//! `http.public_url` with that state; the callback refuses a missing or different state (CSRF),
//! verifies Telegram's signature and freshness, refuses a signed payload that was used before
//! (one payload mints one code, so a replay with made-up states cannot fill the table of
//! codes), and sends the browser to `/app` with a one-time login code (see
//! [`super::login_codes`]) that the page redeems for a token with the same cookie — no token
//! ever travels in a URL. Every refusal is counted in [`super::refused_sign_ins`], and shown to a
//! person as a page in their browser's language with a way to start again.

use std::{
    net::IpAddr,
    sync::{Arc, LazyLock},
};

use axum::{
    Router,
    extract::{RawQuery, State},
    http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
    routing::get,
};
use ring::rand::SecureRandom;

use crate::locale::Locale;

use super::{
    auth::client_address,
    context::WebContext,
    error::ApiError,
    init_data::TelegramUser,
    language::{self, Hints},
    login_codes::{CODE_LIFETIME, CodeRefusal},
    login_data::verify_login,
};

const LOGIN_HTML: &str = include_str!("assets/login.html");

const LOGIN_FAILED_HTML: &str = include_str!("assets/login_failed.html");

/// The page a browser sees when the callback refuses a login, in each language.
static LOGIN_FAILED_PAGES: LazyLock<[String; 3]> =
    LazyLock::new(|| Locale::ALL.map(|locale| super::texts::fill(LOGIN_FAILED_HTML, locale)));

/// The login page in each language (the widget's address is filled in per request).
static LOGIN_PAGES: LazyLock<[String; 3]> =
    LazyLock::new(|| Locale::ALL.map(|locale| super::texts::fill(LOGIN_HTML, locale)));

/// The cookie holding the login state (`__Host-`: set over HTTPS, for this host only, path `/`).
const STATE_COOKIE: &str = "__Host-arcana_login_state";
/// Clears the login state cookie.
pub(super) const CLEAR_STATE_COOKIE: &str =
    "__Host-arcana_login_state=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax";

/// The login routes.
pub(super) fn routes() -> Router<Arc<WebContext>> {
    Router::new().route("/login", get(login_page)).route("/login/callback", get(login_callback))
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

async fn login_page(
    State(ctx): State<Arc<WebContext>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
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
    // Nobody is signed in yet: the browser's language.
    let hints = Hints { user: None, telegram: None, browser: language::accept_language(&headers) };
    let locale = language::choose(&ctx, hints);
    let template = LOGIN_PAGES.iter().zip(Locale::ALL).find(|(_, l)| *l == locale).map_or("", |(p, _)| p.as_str());
    let page = template
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

/// Verifies the Login Widget's data in `query` (with our `state`), for this browser at `address`.
pub(super) fn verify_login_with_state(
    ctx: &WebContext,
    headers: &HeaderMap,
    address: IpAddr,
    query: &str,
) -> Result<(TelegramUser, String), ApiError> {
    let returned =
        url::form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "state").map(|(_, v)| v.into_owned());
    let state = check_state(headers, returned.as_deref()).inspect_err(|_| ctx.refused(address, "login state"))?;
    let now_s = ctx.now_ms() / 1000;
    let user = verify_login(query, &ctx.login_secret, now_s, ctx.config.login_max_age.as_secs()).map_err(|e| {
        ctx.refused(address, e.reason());
        ApiError::unauthorized("Telegram's signature does not check out; log in again")
    })?;
    Ok((user, state))
}

/// Redeems a login code for the browser (at `address`) holding its state cookie.
pub(super) fn redeem_login_code(
    ctx: &WebContext,
    headers: &HeaderMap,
    address: IpAddr,
    code: &str,
) -> Result<TelegramUser, ApiError> {
    let expected = cookie_state(headers);
    ctx.login_codes.take(code, |state| expected.as_deref().is_some_and(|e| same_state(e, state))).ok_or_else(|| {
        ctx.refused(address, "login code");
        ApiError::unauthorized("this login link has expired or belongs to another browser; log in again")
    })
}

/// Whether `user`'s signed payload was already exchanged for a session (the account's durable
/// replay set, which outlives a restart of the in-memory codes).
fn already_exchanged(ctx: &WebContext, user: &TelegramUser) -> Result<bool, ApiError> {
    let account = ctx.services.accounts.get(user.id).map_err(|e| ApiError::internal(&e))?;
    let now_s = ctx.now_ms() / 1000;
    Ok(account.web_sign_ins.iter().any(|used| used.signature == user.signature && used.until_s > now_s))
}

/// The Login Widget sends the browser here. A refusal is a page in the browser's language for a
/// person (a browser asks for `text/html`), the JSON error for any other client.
async fn login_callback(State(ctx): State<Arc<WebContext>>, parts: Parts, RawQuery(query): RawQuery) -> Response {
    let for_a_person = parts
        .headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    match take_login(&ctx, &parts, query) {
        Ok(response) => response,
        Err(refusal) if for_a_person => {
            let hints = Hints { user: None, telegram: None, browser: language::accept_language(&parts.headers) };
            failure_page(&refusal, language::choose(&ctx, hints))
        }
        Err(refusal) => refusal.into_response(),
    }
}

/// Which words say why a login was refused.
fn failure_key(refusal: &ApiError) -> &'static str {
    match (refusal.status(), refusal.reason()) {
        (_, Some("state")) => "login.failed_state",
        (StatusCode::UNAUTHORIZED, _) => "login.failed_used",
        (StatusCode::TOO_MANY_REQUESTS, _) => "login.failed_busy",
        _ => "login.failed",
    }
}

/// The page that tells a person their login was refused, with a way to start again.
fn failure_page(refusal: &ApiError, locale: Locale) -> Response {
    let template =
        LOGIN_FAILED_PAGES.iter().zip(Locale::ALL).find(|(_, l)| *l == locale).map_or("", |(p, _)| p.as_str());
    let key = failure_key(refusal);
    let why = super::texts::table(locale).text(key).unwrap_or(key);
    let page = template.replace("{{WHY}}", &super::texts::escape(why));
    let headers = [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-store")];
    (refusal.status(), headers, page).into_response()
}

fn take_login(ctx: &WebContext, parts: &Parts, query: Option<String>) -> Result<Response, ApiError> {
    let address = client_address(ctx, parts);
    let query = query.unwrap_or_default();
    let (user, state) = verify_login_with_state(ctx, &parts.headers, address, &query)?;
    let replayed = || {
        ctx.refused(address, "replayed");
        ApiError::unauthorized("this login was already used; log in again")
    };
    if already_exchanged(ctx, &user)? {
        return Err(replayed());
    }
    let code = new_state().ok_or_else(|| ApiError::internal(&"no randomness for a login code"))?;
    match ctx.login_codes.insert(code.clone(), user, state, address, ctx.config.login_max_age) {
        Ok(()) => Ok(super::pages::redirect(&format!("/app#login_code={code}"))),
        Err(CodeRefusal::Used) => Err(replayed()),
        Err(CodeRefusal::TooManyForUser | CodeRefusal::TooManyForAddress | CodeRefusal::Full) => {
            Err(ApiError::too_many(CODE_LIFETIME.as_secs()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_login_is_worded_by_why_in_every_language() {
        let cases = [
            (ApiError::forbidden("the login state is missing; start again at /login", "state"), "login.failed_state"),
            (ApiError::unauthorized("this login was already used; log in again"), "login.failed_used"),
            (ApiError::too_many(60), "login.failed_busy"),
            (ApiError::bad_request("malformed request"), "login.failed"),
        ];
        for (refusal, key) in cases {
            assert_eq!(failure_key(&refusal), key);
            for locale in Locale::ALL {
                let page = failure_page(&refusal, locale);
                assert_eq!(page.status(), refusal.status());
                assert!(super::super::texts::table(locale).text(key).is_some(), "{key} in {}", locale.code());
            }
        }
    }

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
