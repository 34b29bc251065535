//! The web side seen from outside: the Mini App's `initData` exchanged for a token, forged and
//! replayed sign-ins refused, forged and expired tokens refused, the API spending the same
//! allowance as `/draw`, tokens dying with their session, the Login Widget's callback bound to
//! the browser's `state`, the security headers, and the Mini App in a real headless Chromium.
//!
//! Telegram's signatures are computed here from Telegram's documentation with `ring`, not with
//! arcana's code.

use std::fmt::Write as _;
use std::time::Duration;

use base64::Engine as _;
use ring::{digest, hmac};
use serde_json::{Value, json};

use crate::accounts::Running;
use crate::harness::{REPLY_TIMEOUT, cli_ok, path_arg};
use crate::support::bot_process::{TEST_TOKEN, run_cli};
use crate::web_client::{WebResponse, get, post, request};

/// A free port on loopback (bound and released; the bot binds it a moment later).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// The free tier reads, draws (3 a day, every spread) and manages its account.
fn config(port: u16, extra_http: &str) -> String {
    format!(
        r#"admins = [1]

[sentinel]
debounce = "0s"
default = {{ limit = 200, per = "1m" }}

[accounts]
require_registration = true
notice_version = 1
session_idle = "30m"
session_lifetime = "7d"
max_sessions = 5
step_up_for = "10m"
default_tier = "free"

[tiers.free]
commands = ["start", "help", "privacy", "sessions", "logout_all", "2fa", "verify", "draw", "history", "credits"]
daily_readings = 3
spreads = ["one", "three", "celtic_cross"]

[tiers.premium]
commands = ["start", "help", "privacy", "sessions", "logout_all", "2fa", "verify", "draw", "history", "credits"]

[http]
listen = "127.0.0.1:{port}"
public_url = "https://arcana.test"
{extra_http}
"#
    )
}

pub(crate) fn now_s() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// `fields` and their hash as Telegram signs them: `hex(HMAC-SHA256(secret, check string))`, the
/// check string being the fields sorted, `key=value`, joined by `\n`; as a query string.
fn signed_query(secret: &[u8], mut fields: Vec<(&str, &str)>) -> String {
    fields.sort_unstable();
    let check: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let hash = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, secret), check.join("\n").as_bytes());
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &fields {
        query.append_pair(k, v);
    }
    query.append_pair("hash", &hex(hash.as_ref()));
    query.finish()
}

/// `initData` as Telegram signs it for the bot `token`: the secret is
/// `HMAC-SHA256("WebAppData", token)`.
pub(crate) fn init_data(token: &str, user: i64, auth_date: u64) -> String {
    init_data_named(token, user, auth_date, "Ann")
}

/// [`init_data`] for a user called `first_name`.
fn init_data_named(token: &str, user: i64, auth_date: u64, first_name: &str) -> String {
    init_data_in(token, user, auth_date, first_name, "en")
}

/// [`init_data_named`] for a user whose Telegram is in `language_code`.
fn init_data_in(token: &str, user: i64, auth_date: u64, first_name: &str, language_code: &str) -> String {
    let user_json = json!({ "id": user, "first_name": first_name, "language_code": language_code }).to_string();
    let date = auth_date.to_string();
    let secret = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, b"WebAppData"), token.as_bytes());
    let fields =
        vec![("auth_date", date.as_str()), ("query_id", "AAHdF6IQAAAAAN0XohDhrOrc"), ("user", user_json.as_str())];
    signed_query(secret.as_ref(), fields)
}

/// The Login Widget's fields and hash: the secret is `SHA-256(token)`.
fn login_query(token: &str, user: i64, auth_date: u64) -> String {
    let (id, date) = (user.to_string(), auth_date.to_string());
    let secret = digest::digest(&digest::SHA256, token.as_bytes());
    let fields = vec![("auth_date", date.as_str()), ("first_name", "Ann"), ("id", id.as_str()), ("username", "ann")];
    signed_query(secret.as_ref(), fields)
}

/// The bot with the web side on, its address, once `/api/v1/me` answers.
pub(crate) fn start(extra_http: &str) -> (Running, String) {
    let port = free_port();
    let run = Running::start(&config(port, extra_http));
    let addr = format!("127.0.0.1:{port}");
    let deadline = std::time::Instant::now() + REPLY_TIMEOUT;
    while std::net::TcpStream::connect(&addr).is_err() {
        assert!(std::time::Instant::now() < deadline, "the web side never listened on {addr}");
        std::thread::sleep(Duration::from_millis(50));
    }
    (run, addr)
}

/// What the Mini App says with `initData` when it runs inside Telegram's Android app.
fn in_telegram() -> Value {
    json!({ "platform": "android", "via": "webview" })
}

/// The Mini App's exchange of `init` for a token, from inside Telegram.
pub(crate) fn session(addr: &str, init: &str) -> WebResponse {
    post(addr, "/api/v1/session", None, &json!({ "init_data": init, "launch": in_telegram() }))
}

/// `query` with its `hash` (the last field) in upper-case hex.
fn upper_case_hash(query: &str) -> String {
    let (fields, hash) = query.rsplit_once("&hash=").expect("a hash");
    let upper = hash.to_ascii_uppercase();
    assert_ne!(upper, hash, "the hash has letters");
    format!("{fields}&hash={upper}")
}

pub(crate) fn token_of(response: &WebResponse) -> String {
    assert_eq!(response.status, 200, "a token: {response:?}");
    response.json()["token"].as_str().expect("token").to_owned()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[test]
fn signed_init_data_gives_a_token_and_every_forgery_is_refused() {
    let (mut run, addr) = start("");
    let user = 51_001;
    run.register(user);

    // Not registered: Telegram's signature is good, but arcana has no consent.
    let stranger = session(&addr, &init_data(TEST_TOKEN, 51_999, now_s()));
    assert_eq!((stranger.status, stranger.json()["reason"].as_str()), (403, Some("not_registered")), "{stranger:?}");

    let good = init_data(TEST_TOKEN, user, now_s() - 5);
    let tampered = good.replace(&format!("%22id%22%3A{user}"), &format!("%22id%22%3A{}", user + 1));
    assert_ne!(tampered, good, "the user id was changed");
    let wrong_hash = format!("{}{}", &good[..good.len() - 64], "0".repeat(64));
    let other_bot = init_data("987654321:AAAnotherBotsTokenAAAAAAAAAAAAAAAAAA", user, now_s());
    let stale = init_data(TEST_TOKEN, user, now_s() - 2 * 3600);
    // Telegram compares the lower-case hex string of the HMAC: the same bytes in upper case are
    // not what it signed.
    let upper = upper_case_hash(&good);
    for (what, data) in [
        ("tampered", &tampered),
        ("wrong hash", &wrong_hash),
        ("another bot", &other_bot),
        ("stale", &stale),
        ("upper-case hash", &upper),
    ] {
        let refused = session(&addr, data);
        assert_eq!(refused.status, 401, "{what}: {refused:?}");
        assert!(refused.json()["error"].is_string(), "{what}: a JSON error");
    }

    let token = token_of(&session(&addr, &good));
    let me = get(&addr, "/api/v1/me", Some(&token));
    assert_eq!(me.status, 200, "{me:?}");
    let me = me.json();
    assert_eq!(
        (me["user_id"].as_i64(), me["tier"].as_str(), me["allowance"].as_u64()),
        (Some(user), Some("free"), Some(3))
    );

    // The same initData again is a replay, even while its session lives.
    assert_eq!(session(&addr, &good).status, 401, "a replay");

    // Forged tokens.
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let payload: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(parts[1]).expect("payload"))
            .expect("claims");
    assert_eq!(payload["sub"], json!(user.to_string()));
    let none = format!("{}.{}.", b64(br#"{"alg":"none","typ":"JWT"}"#), parts[1]);
    let mut other = payload.clone();
    other["sub"] = json!((user + 1).to_string());
    let changed = format!("{}.{}.{}", parts[0], b64(other.to_string().as_bytes()), parts[2]);
    let header = br#"{"alg":"HS512","typ":"JWT","kid":"1"}"#;
    let input = format!("{}.{}", b64(header), parts[1]);
    let hs512 = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA512, b"guess"), input.as_bytes());
    let other_alg = format!("{input}.{}", b64(hs512.as_ref()));
    for (what, forged) in
        [("alg none", none.as_str()), ("changed payload", &changed), ("HS512", &other_alg), ("junk", "a.b.c")]
    {
        let refused = get(&addr, "/api/v1/me", Some(forged));
        assert_eq!(refused.status, 401, "{what}: {refused:?}");
    }
    assert_eq!(get(&addr, "/api/v1/me", None).status, 401, "no token");
    // The original still works: nothing above disturbed it.
    assert_eq!(get(&addr, "/api/v1/me", Some(&token)).status, 200);
    let log = run.bot.stderr_text();
    assert!(!log.contains(&token) && !log.contains(parts[2]), "the token is never logged");
}

#[test]
fn a_reader_who_chose_upright_cards_draws_them_in_the_mini_app_too() {
    let (mut run, addr) = start("");
    let user = 51_010;
    run.register(user);
    let settings = run.send(user, "/language");
    let switch = settings
        .iter()
        .flat_map(crate::harness::buttons)
        .find(|(label, _)| label == "Read without reversed cards")
        .map_or_else(|| panic!("the reversed-cards switch: {settings:#?}"), |(_, data)| data);
    run.press(user, &switch);
    let token = token_of(&session(&addr, &init_data(TEST_TOKEN, user, now_s())));
    // Nine cards (the day's three readings), none reversed: by chance, one time in 512.
    for _ in 0..3 {
        let drawn = post(&addr, "/api/v1/draw", Some(&token), &json!({ "spread": "three" }));
        assert_eq!(drawn.status, 200, "{drawn:?}");
        let drawn = drawn.json();
        let cards = drawn["reading"]["cards"].as_array().expect("cards");
        assert_eq!(cards.len(), 3);
        assert!(cards.iter().all(|card| card["reversed"] == json!(false)), "{drawn}");
    }
}

#[test]
fn a_draw_through_the_api_spends_the_allowance_that_draw_then_reports() {
    let (mut run, addr) = start("");
    let user = 51_002;
    run.register(user);
    let token = token_of(&session(&addr, &init_data(TEST_TOKEN, user, now_s())));

    let drawn = post(&addr, "/api/v1/draw", Some(&token), &json!({ "spread": "three", "question": "Will it work?" }));
    assert_eq!(drawn.status, 200, "{drawn:?}");
    let drawn = drawn.json();
    assert_eq!(drawn["coverage"], json!({ "kind": "allowance", "left": 2 }));
    let cards = drawn["reading"]["cards"].as_array().expect("cards");
    assert_eq!(cards.len(), 3);
    assert_eq!(cards[0]["position"], json!("Past"));

    // Telegram sees the same allowance: one of three used.
    let credits = run.say(user, "/credits");
    assert!(credits.contains("2 of 3"), "{credits}");
    let reply = run.say(user, "/draw");
    assert!(reply.contains("1 readings left today") || reply.contains("1 reading left"), "{reply}");

    // Both readings are in the history the API pages, newest first, and open one by one.
    let page = get(&addr, "/api/v1/readings?page=0", Some(&token));
    assert_eq!(page.status, 200, "{page:?}");
    let page = page.json();
    assert_eq!(page["total"], json!(2));
    let oldest = &page["readings"][1];
    assert_eq!(oldest["spread"], json!("three"));
    assert_eq!(oldest["question"], json!("Will it work?"));
    let names: Vec<&Value> = cards.iter().map(|c| &c["name"]).collect();
    let stored: Vec<&Value> = oldest["cards"].as_array().expect("cards").iter().map(|c| &c["name"]).collect();
    assert_eq!(names, stored, "the API's draw is the reading kept in history");
    let id = oldest["id"].as_str().expect("id");
    let one = get(&addr, &format!("/api/v1/readings/{id}"), Some(&token));
    assert_eq!((one.status, one.json()["id"].as_str()), (200, Some(id)));
    assert_eq!(get(&addr, "/api/v1/readings/00000000000000000000000a", Some(&token)).status, 404);
    assert_eq!(get(&addr, &format!("/api/v1/readings/{}", id.to_ascii_uppercase()), Some(&token)).status, 404);
    // Past the last page is an empty page, not the first (or last) one again.
    let past = get(&addr, "/api/v1/readings?page=1", Some(&token));
    assert_eq!(past.status, 200, "{past:?}");
    let past = past.json();
    assert_eq!((past["page"].as_u64(), past["pages"].as_u64(), past["total"].as_u64()), (Some(1), Some(1), Some(2)));
    assert_eq!(past["readings"], json!([]), "{past}");
    assert_eq!(get(&addr, "/api/v1/readings?page=99999", Some(&token)).json()["readings"], json!([]));

    // The last one of the day, then the refusal, as in Telegram.
    assert_eq!(post(&addr, "/api/v1/draw", Some(&token), &json!({})).json()["coverage"]["left"], json!(0));
    let refused = post(&addr, "/api/v1/draw", Some(&token), &json!({ "spread": "one" }));
    assert_eq!((refused.status, refused.json()["reason"].as_str()), (403, Some("daily_limit")), "{refused:?}");
    let reply = run.say(user, "/draw");
    assert!(!reply.contains("left today"), "Telegram refuses too: {reply}");
}

#[test]
fn a_token_stops_working_when_its_session_ends_and_the_key_rotates() {
    let (mut run, addr) = start("");
    let user = 51_003;
    run.register(user);
    let token = token_of(&session(&addr, &init_data(TEST_TOKEN, user, now_s() - 10)));
    assert_eq!(get(&addr, "/api/v1/me", Some(&token)).status, 200);

    run.say(user, "/logout_all");
    let ended = get(&addr, "/api/v1/me", Some(&token));
    assert_eq!(ended.status, 401, "after /logout_all: {ended:?}");

    // A fresh launch of the Mini App signs in again; a sign-out ends that token only.
    let second = token_of(&session(&addr, &init_data(TEST_TOKEN, user, now_s() - 5)));
    let third = token_of(&session(&addr, &init_data(TEST_TOKEN, user, now_s())));
    assert_eq!(post(&addr, "/api/v1/logout", Some(&second), &json!({})).status, 200);
    assert_eq!(get(&addr, "/api/v1/me", Some(&second)).status, 401, "signed out");
    assert_eq!(get(&addr, "/api/v1/me", Some(&third)).status, 200, "the other session lives");

    // Rotating the signing key ends every token at once (the running bot is asked over its socket).
    let output = run_cli(&["web", "rotate-key", "--dir", path_arg(run.dir())], &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(get(&addr, "/api/v1/me", Some(&third)).status, 401, "after the key rotation");

    // A block ends the sessions too, and a blocked user gets no new token.
    let fourth = token_of(&session(&addr, &init_data(TEST_TOKEN, user, now_s() + 1)));
    let output = run_cli(&["block", &user.to_string(), "--dir", path_arg(run.dir())], &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let blocked = get(&addr, "/api/v1/me", Some(&fourth));
    assert!(matches!(blocked.status, 401 | 403), "{blocked:?}");
    assert_eq!(session(&addr, &init_data(TEST_TOKEN, user, now_s() + 2)).status, 403, "blocked: no token");
}

#[test]
fn deletion_through_the_api_needs_a_fresh_code_under_two_factor() {
    let (mut run, addr) = start("");
    let user = 51_004;
    run.register(user);
    let enrolment = run.enrol(user);
    let token = token_of(&session(&addr, &init_data(TEST_TOKEN, user, now_s())));
    let me = get(&addr, "/api/v1/me", Some(&token)).json();
    assert_eq!(me["two_factor"], json!(true));

    let missing = post(&addr, "/api/v1/delete", Some(&token), &json!({}));
    assert_eq!((missing.status, missing.json()["reason"].as_str()), (403, Some("code_required")));
    let wrong = post(&addr, "/api/v1/delete", Some(&token), &json!({ "code": "000000" }));
    assert_eq!(wrong.status, 403, "{wrong:?}");
    let export = get(&addr, "/api/v1/export", Some(&token));
    assert_eq!(export.status, 403, "export needs the code too: {export:?}");

    let backup = enrolment.backup[0].clone();
    let deleted = post(&addr, "/api/v1/delete", Some(&token), &json!({ "code": backup }));
    assert_eq!((deleted.status, deleted.json()["deleted"].as_bool()), (200, Some(true)), "{deleted:?}");
    assert_eq!(get(&addr, "/api/v1/me", Some(&token)).status, 401, "the token died with the account");
}

#[test]
fn the_login_callback_is_bound_to_the_browsers_state() {
    let (mut run, addr) = start("");
    let user = 51_005;
    run.register(user);

    let page = get(&addr, "/login", None);
    assert_eq!(page.status, 200, "{page:?}");
    let cookie = page.header("set-cookie").expect("a state cookie").to_owned();
    assert!(cookie.starts_with("__Host-") && cookie.contains("HttpOnly") && cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax") && cookie.contains("Path=/;"), "{cookie}");
    let state = cookie.split(';').next().and_then(|c| c.split_once('=')).map(|(_, v)| v.to_owned()).expect("state");
    assert!(
        page.body.contains(&format!("https://arcana.test/login/callback?state={state}")),
        "the widget returns only to the configured callback: {}",
        page.body
    );
    assert!(page.header("content-security-policy").is_some_and(|csp| csp.contains("https://telegram.org")));
    assert_eq!(get(&addr, "/login?return_to=https://evil.example", None).status, 400, "no open redirect");

    // Every payload below is signed at its own second: one signed at the same second as an
    // earlier one would be that one replayed.
    let signed_at = now_s();
    let signed = login_query(TEST_TOKEN, user, signed_at);
    let with_cookie = |query: &str, cookie: Option<&str>| {
        let header = cookie.map(|c| format!("__Host-arcana_login_state={c}"));
        let headers: Vec<(&str, &str)> = header.iter().map(|h| ("Cookie", h.as_str())).collect();
        request(&addr, "GET", &format!("/login/callback?{query}"), &headers, None)
    };
    let no_state = with_cookie(&signed, Some(&state));
    assert_eq!(no_state.status, 403, "no state in the callback: {no_state:?}");
    let no_cookie = with_cookie(&format!("state={state}&{signed}"), None);
    assert_eq!(no_cookie.status, 403, "no cookie: {no_cookie:?}");
    let other = "0".repeat(48);
    let wrong = with_cookie(&format!("state={other}&{signed}"), Some(&state));
    assert_eq!(wrong.status, 403, "another state: {wrong:?}");
    let tampered =
        with_cookie(&format!("state={state}&{}", signed.replace("username=ann", "username=eve")), Some(&state));
    assert_eq!(tampered.status, 401, "a changed field: {tampered:?}");
    let upper = with_cookie(&format!("state={state}&{}", upper_case_hash(&signed)), Some(&state));
    assert_eq!(upper.status, 401, "the hash in upper-case hex: {upper:?}");

    // The callback hands the browser a one-time code, never a token.
    let code_of = |response: &WebResponse| {
        assert_eq!(response.status, 303, "{response:?}");
        let location = response.header("location").expect("a redirect");
        assert!(!location.contains("token"), "no token in a URL: {location}");
        location.strip_prefix("/app#login_code=").expect("to the Mini App with a login code").to_owned()
    };
    let redeem = |code: &str, cookie: Option<&str>| {
        let header = cookie.map(|c| format!("__Host-arcana_login_state={c}"));
        let headers: Vec<(&str, &str)> = header.iter().map(|h| ("Cookie", h.as_str())).collect();
        let body = json!({ "login_code": code }).to_string();
        request(&addr, "POST", "/api/v1/session", &headers, Some(&body))
    };
    // Someone else's browser (no cookie, or another one) cannot redeem the code: login CSRF.
    let code = code_of(&with_cookie(&format!("state={state}&{signed}"), Some(&state)));
    assert_eq!(redeem(&code, None).status, 401, "a code without its browser's cookie");
    let signed = login_query(TEST_TOKEN, user, signed_at - 1);
    let code = code_of(&with_cookie(&format!("state={state}&{signed}"), Some(&state)));
    assert_eq!(redeem(&code, Some(&other)).status, 401, "a code with another browser's cookie");
    // The browser that logged in gets its token, and the cookie is cleared.
    let signed = login_query(TEST_TOKEN, user, signed_at - 2);
    let code = code_of(&with_cookie(&format!("state={state}&{signed}"), Some(&state)));
    let issued = redeem(&code, Some(&state));
    let token = token_of(&issued);
    assert!(issued.header("set-cookie").is_some_and(|c| c.contains("Max-Age=0")), "{issued:?}");
    assert_eq!(get(&addr, "/api/v1/me", Some(&token)).status, 200);
    assert_eq!(redeem(&code, Some(&state)).status, 401, "a code works once");
    // The same signed login data again is a replay: the callback mints no second code.
    let again = with_cookie(&format!("state={state}&{signed}"), Some(&state));
    assert_eq!(again.status, 401, "{again:?}");
}

/// The Login Widget's callback for `query` (the widget's fields), in a browser whose state
/// cookie and returned `state` are both `state`, from the forwarded client `client`.
fn callback(addr: &str, query: &str, state: &str, client: &str) -> WebResponse {
    let cookie = format!("__Host-arcana_login_state={state}");
    let headers = [("Cookie", cookie.as_str()), ("X-Forwarded-For", client)];
    request(addr, "GET", &format!("/login/callback?state={state}&{query}"), &headers, None)
}

#[test]
fn one_login_payload_mints_one_code_and_codes_are_capped_per_user_and_address() {
    let (mut run, addr) = start("trust_forwarded_for = true");
    let (attacker, victim) = (51_010, 51_011);
    run.register(attacker);
    run.register(victim);
    let made_up = |n: usize| format!("{n:048x}");

    // One valid payload, replayed with made-up states (an attacker sets both the cookie and the
    // query): the first mints a code, every replay is refused, and nothing fills up.
    // The attacker's payloads are each signed at their own second (see above).
    let signed_at = now_s();
    let signed = login_query(TEST_TOKEN, attacker, signed_at);
    assert_eq!(callback(&addr, &signed, &made_up(0), "203.0.113.7").status, 303);
    for n in 1..40 {
        let replay = callback(&addr, &signed, &made_up(n), &format!("203.0.113.{}", n % 200));
        assert_eq!(replay.status, 401, "replay {n}: {replay:?}");
    }
    // Fresh payloads of one user: at most three codes wait for them.
    for n in 1..=2 {
        let fresh = login_query(TEST_TOKEN, attacker, signed_at - n);
        assert_eq!(callback(&addr, &fresh, &made_up(100), "203.0.113.7").status, 303, "code {n}");
    }
    let fourth = callback(&addr, &login_query(TEST_TOKEN, attacker, signed_at - 3), &made_up(100), "203.0.113.7");
    assert_eq!(fourth.status, 429, "{fourth:?}");

    // One address: at most eight codes wait, whoever they are for.
    for n in 0..6_i64 {
        run.register(51_020 + n);
    }
    let mut waiting = 3; // the attacker's, all from 203.0.113.7
    for n in 0..6_i64 {
        let other = callback(&addr, &login_query(TEST_TOKEN, 51_020 + n, now_s()), &made_up(200), "203.0.113.7");
        waiting += 1;
        assert_eq!(other.status, if waiting <= 8 { 303 } else { 429 }, "code {waiting} of the address: {other:?}");
    }

    // Meanwhile a user elsewhere logs in as usual.
    let state = made_up(300);
    let location = callback(&addr, &login_query(TEST_TOKEN, victim, now_s()), &state, "198.51.100.20");
    assert_eq!(location.status, 303, "{location:?}");
    let code = location.header("location").and_then(|l| l.strip_prefix("/app#login_code=")).expect("a code");
    let cookie = format!("__Host-arcana_login_state={state}");
    let body = json!({ "login_code": code }).to_string();
    let issued = request(&addr, "POST", "/api/v1/session", &[("Cookie", &cookie)], Some(&body));
    assert_eq!(get(&addr, "/api/v1/me", Some(&token_of(&issued))).json()["user_id"], json!(victim));
}

#[test]
fn answers_carry_the_security_headers_and_refuse_oversized_bodies() {
    let (run, addr) = start(r#"cors_origins = ["https://app.example.org"]"#);
    // With http.public_url set, the bot's menu button opens the Mini App.
    run.tg.wait_for(REPLY_TIMEOUT, "setChatMenuButton", |calls| calls.iter().any(|c| c.method == "setChatMenuButton"));
    let menu = run.tg.calls_to("setChatMenuButton");
    assert_eq!(menu.len(), 1, "one setChatMenuButton: {menu:?}");
    let button = menu[0].json("menu_button").expect("a menu button");
    assert_eq!(
        (button["type"].as_str(), button["web_app"]["url"].as_str()),
        (Some("web_app"), Some("https://arcana.test/app"))
    );

    let app = get(&addr, "/app", None);
    assert_eq!(app.status, 200);
    let csp = app.header("content-security-policy").expect("CSP");
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors https://web.telegram.org"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(app.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(app.header("referrer-policy"), Some("no-referrer"));
    assert!(app.header("strict-transport-security").is_some_and(|h| h.contains("max-age=31536000")));
    assert!(app.body.contains("/app/app.js"), "the page loads its own script");
    assert_eq!(get(&addr, "/app/app.js", None).header("content-type"), Some("text/javascript; charset=utf-8"));

    let foreign = request(&addr, "GET", "/api/v1/me", &[("Origin", "https://evil.example")], None);
    assert_eq!(foreign.header("access-control-allow-origin"), None, "no CORS for other origins");
    let allowed = request(&addr, "OPTIONS", "/api/v1/me", &[("Origin", "https://app.example.org")], None);
    assert_eq!(allowed.header("access-control-allow-origin"), Some("https://app.example.org"), "{allowed:?}");

    let huge = format!("{{\"init_data\": \"{}\"}}", "a".repeat(64 * 1024));
    let refused = request(&addr, "POST", "/api/v1/session", &[], Some(&huge));
    assert_eq!(refused.status, 413, "{refused:?}");
    assert!(refused.json()["error"].is_string());
    let junk = request(&addr, "POST", "/api/v1/session", &[], Some("{not json"));
    assert_eq!((junk.status, junk.json()["error"].as_str()), (400, Some("malformed JSON body")));
    let unknown = get(&addr, "/api/v2/anything", None);
    assert_eq!(unknown.status, 404);

    // hyper answers a head it refuses by itself, before any route: too large (431), malformed
    // (400). Those answers carry the same headers, and a JSON error.
    let padding = "a".repeat(20 * 1024);
    let huge_head = request(&addr, "GET", "/app", &[("X-Padding", &padding)], None);
    let malformed = request(&addr, "GET", "/app two", &[], None);
    for (response, status, error) in
        [(&huge_head, 431, "request head too large"), (&malformed, 400, "malformed request")]
    {
        assert_eq!(response.status, status, "{response:?}");
        assert_eq!(response.json()["error"], json!(error), "{response:?}");
        assert_eq!(response.header("x-content-type-options"), Some("nosniff"), "{response:?}");
        assert_eq!(response.header("referrer-policy"), Some("no-referrer"), "{response:?}");
        assert_eq!(
            response.header("content-security-policy"),
            Some("default-src 'none'; frame-ancestors 'none'"),
            "{response:?}"
        );
        assert!(response.header("strict-transport-security").is_some_and(|h| h.contains("max-age=31536000")));
        assert_eq!(response.header("cache-control"), Some("no-store"), "{response:?}");
    }
}

#[test]
fn refused_sign_ins_are_audited_once_per_address_and_minute() {
    let (mut run, addr) = start("");
    let user = 51_030;
    run.register(user);
    let good = init_data(TEST_TOKEN, user, now_s());
    let forged = format!("{}{}", &good[..good.len() - 64], "0".repeat(64));
    for n in 0..200 {
        let refused = if n % 4 == 0 { session(&addr, &upper_case_hash(&good)) } else { session(&addr, &forged) };
        assert_eq!(refused.status, 401, "{refused:?}");
    }
    // The windows still open are appended at shutdown.
    let (dir, _tg) = run.stop();
    let out = cli_ok(&["audit", "--event", "web_auth_refused", "--json", "--dir", path_arg(dir.path())]);
    let entries: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    assert!(
        (1..=2).contains(&entries.len()),
        "one entry (two if the requests straddled a minute), not one per request: {out}"
    );
    let count = |e: &Value, field: &str| -> u64 {
        e["fields"][field].as_str().and_then(|c| c.parse().ok()).unwrap_or_else(|| panic!("{field} in {e}"))
    };
    assert_eq!(entries.iter().map(|e| count(e, "count")).sum::<u64>(), 200, "{out}");
    for entry in &entries {
        assert_eq!(entry["fields"]["address"], json!("127.0.0.1"), "{entry}");
    }
    let reasons: Vec<&str> = entries.iter().filter_map(|e| e["fields"]["reasons"].as_str()).collect();
    let reasons = reasons.join(", ");
    assert!(reasons.contains("bad signature: ") && reasons.contains("missing or malformed hash: "), "{reasons}");
}

/// Reads one response head (up to the blank line) from `stream`.
fn read_head(stream: &mut std::net::TcpStream) -> String {
    use std::io::Read as _;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            other => panic!("no complete head ({other:?}): {:?}", String::from_utf8_lossy(&head)),
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// A session request from the forwarded `client` whose body has not come yet: its head says
/// `Expect: 100-continue`, and hyper answers `100 Continue` once the handler reads the body — from
/// then on the request holds its client's slot, until the body comes.
fn held_request(addr: &str, client: &str) -> std::net::TcpStream {
    use std::io::Write as _;
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    let head = format!(
        "POST /api/v1/session HTTP/1.1\r\nHost: {addr}\r\nX-Forwarded-For: {client}\r\n\
         Content-Type: application/json\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).expect("write head");
    let answer = read_head(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 100"), "the request is being served: {answer}");
    stream
}

#[test]
fn behind_a_proxy_each_forwarded_client_is_capped_not_the_proxy() {
    // Every connection comes from the proxy (127.0.0.1 here); the clients are in X-Forwarded-For.
    let (_run, addr) = start("trust_forwarded_for = true");
    let (greedy, other) = ("203.0.113.7", "198.51.100.20");
    let forwarded = |client: &'static str| [("X-Forwarded-For", client)];
    let mut held: Vec<std::net::TcpStream> = (0..16).map(|_| held_request(&addr, greedy)).collect();

    // The 17th request of the same client is refused at once (429), over a 17th connection from
    // the proxy that is accepted: the proxy itself is held only to the whole server's limit.
    let refused = request(&addr, "GET", "/app", &forwarded(greedy), None);
    assert_eq!(refused.status, 429, "{refused:?}");
    assert!(refused.header("retry-after").is_some() && refused.header("x-content-type-options").is_some());
    // Everyone else is served.
    assert_eq!(request(&addr, "GET", "/app", &forwarded(other), None).status, 200);
    let served = request(&addr, "POST", "/api/v1/session", &forwarded(other), Some("{}"));
    assert_eq!(served.status, 400, "the API too: {served:?}");

    // A held request that finishes gives its slot back.
    let mut done = held.pop().expect("a held request");
    std::io::Write::write_all(&mut done, b"{}").expect("body");
    assert!(read_head(&mut done).starts_with("HTTP/1.1 400"), "answered");
    assert_eq!(request(&addr, "GET", "/app", &forwarded(greedy), None).status, 200, "a slot is free again");
}

/// Debian's headless Chromium (`ARCANA_CHROMIUM` overrides the path).
pub(crate) fn chromium() -> String {
    let path = std::env::var("ARCANA_CHROMIUM").unwrap_or_else(|_| String::from("chromium"));
    let found = std::process::Command::new(&path).arg("--version").output().is_ok_and(|o| o.status.success());
    assert!(found, "the browser test needs Chromium: `apt-get install chromium` (or set ARCANA_CHROMIUM)");
    path
}

/// A Chromium extension that plays a native Telegram client: at document start it puts
/// `window.TelegramWebviewProxy` into the page, as Telegram's Android, iOS and desktop apps do,
/// and records the events the page posts to it (`data-tg-events` on the root element).
fn telegram_client() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("extension dir");
    let manifest = json!({
        "manifest_version": 3, "name": "Telegram client (test)", "version": "1",
        "content_scripts": [{ "matches": ["http://127.0.0.1/*"], "js": ["webview.js"],
            "run_at": "document_start", "world": "MAIN" }],
    });
    std::fs::write(dir.path().join("manifest.json"), manifest.to_string()).expect("manifest");
    let script = "window.TelegramWebviewProxy = { postEvent(type) { const root = document.documentElement; \
        root.setAttribute('data-tg-events', (root.getAttribute('data-tg-events') || '') + ' ' + type); } };";
    std::fs::write(dir.path().join("webview.js"), script).expect("script");
    dir
}

/// Opens `url` in headless Chromium at a phone's size with `extra` flags — inside the Telegram
/// client of [`telegram_client`] when `in_telegram` — and returns stdout.
fn browse(url: &str, extra: &[&str], in_telegram: bool) -> String {
    let profile = tempfile::tempdir().expect("profile dir");
    let client = telegram_client();
    let mut command = std::process::Command::new(chromium());
    command
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=390,1400"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--virtual-time-budget=15000")
        .args(extra);
    if in_telegram {
        let extension = client.path().display();
        command.arg(format!("--load-extension={extension}")).arg(format!("--disable-extensions-except={extension}"));
    }
    let output = command.arg(url).output().expect("run chromium");
    assert!(output.status.success(), "chromium failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The Mini App's URL as a Telegram client on `platform` opens it: `initData` and the theme in
/// the fragment.
fn mini_app_url(addr: &str, init: &str, platform: &str) -> String {
    let theme = json!({ "bg_color": "#17212b", "text_color": "#f5f5f5", "hint_color": "#708499",
        "button_color": "#5288c1", "button_text_color": "#ffffff", "secondary_bg_color": "#232e3c" });
    let mut fragment = url::form_urlencoded::Serializer::new(String::new());
    fragment.append_pair("tgWebAppData", init);
    fragment.append_pair("tgWebAppVersion", "8.0");
    fragment.append_pair("tgWebAppPlatform", platform);
    fragment.append_pair("tgWebAppThemeParams", &theme.to_string());
    format!("http://{addr}/app#{}", fragment.finish())
}

#[test]
fn the_mini_app_shows_a_celtic_cross_in_a_real_browser() {
    let (mut run, addr) = start("");
    let user = 51_006;
    run.register(user);
    let token = token_of(&session(&addr, &init_data(TEST_TOKEN, user, now_s() - 10)));
    let drawn = post(
        &addr,
        "/api/v1/draw",
        Some(&token),
        &json!({ "spread": "celtic_cross", "question": "<b>Where next?</b>" }),
    );
    assert_eq!(drawn.status, 200, "{drawn:?}");
    let cards = drawn.json()["reading"]["cards"].as_array().expect("cards").clone();
    assert_eq!(cards.len(), 10);

    // What a person sees: the page signs in with the initData Telegram gave it, loads the history
    // and lays the newest reading out.
    let dom = browse(&mini_app_url(&addr, &init_data(TEST_TOKEN, user, now_s() - 5), "android"), &["--dump-dom"], true);
    let start = dom.find("id=\"reading\"").unwrap_or_else(|| panic!("no #reading on the page:\n{dom}"));
    let reading = &dom[start..];
    assert!(dom.contains("spread-celtic_cross"), "laid out as a Celtic Cross:\n{dom}");
    for (position, card) in cards.iter().enumerate() {
        let name = card["name"].as_str().expect("name");
        let tile = format!("data-card=\"{name}\"");
        let at = reading.find(&tile).unwrap_or_else(|| panic!("card {name} is not on the page:\n{reading}"));
        let tile_html = &reading[at.saturating_sub(200)..(at + 300).min(reading.len())];
        assert!(
            tile_html.contains(&format!("data-position=\"{}\"", position + 1)),
            "{name} at {}: {tile_html}",
            position + 1
        );
        let reversed = card["reversed"].as_bool().expect("reversed");
        assert!(
            tile_html.contains(&format!("data-reversed=\"{reversed}\"")),
            "{name} is shown {}: {tile_html}",
            if reversed { "reversed" } else { "upright" }
        );
    }
    assert!(dom.contains("&lt;b&gt;Where next?&lt;/b&gt;"), "the question is shown as text, not markup");
    // Whose account this is, in the header of every screen: the name Telegram signed, its initial.
    let who = dom.find("<div id=\"who\"").map(|at| &dom[at..]).expect("#who");
    let who = &who[..who.find("</div>").expect("the end of #who")];
    assert!(!who[..who.find('>').unwrap_or(who.len())].contains("hidden"), "shown: {who}");
    assert!(who.contains(">A</span>") && who.contains(">Ann</strong>"), "Ann, with her initial: {who}");
    assert!(dom.contains("data-tg-events=\" web_app_ready"), "the page told its Telegram client it is ready");
    // An English Telegram reads the page as it always did.
    assert!(dom.contains("<html lang=\"en\"") && dom.contains(">Your readings<") && dom.contains(">Draw<"), "{dom}");
    assert!(!dom.contains("<b>Where next?</b>"), "the question is never markup");

    // And a screenshot of it, for people.
    let shot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("mini-app-celtic-cross.png");
    let _ = std::fs::remove_file(&shot);
    let url = mini_app_url(&addr, &init_data(TEST_TOKEN, user, now_s()), "android");
    browse(&url, &[&format!("--screenshot={}", shot.display())], true);
    let size = std::fs::metadata(&shot).map_or(0, |m| m.len());
    assert!(size > 10_000, "a screenshot of the Mini App at {}", shot.display());
    eprintln!("Mini App screenshot: {}", shot.display());
}

#[test]
fn a_sign_in_planted_in_a_link_is_not_used_outside_telegram() {
    let (mut run, addr) = start("");
    let (attacker, victim) = (51_041, 51_042);
    run.register(attacker);
    run.register(victim);
    // The attacker's own fresh initData, in a link opened in the victim's ordinary browser.
    let planted = init_data_named(TEST_TOKEN, attacker, now_s(), "Eve");
    let dom = browse(&mini_app_url(&addr, &planted, "android"), &["--dump-dom"], false);
    assert!(dom.contains("did not use it"), "the page says why it did not sign in:\n{dom}");
    assert!(!dom.contains("Eve"), "nobody is signed in:\n{dom}");

    // Inside a Telegram client, an address with a second tgWebAppData (the attacker's, before the
    // one Telegram appends) is refused too.
    let own = init_data(TEST_TOKEN, victim, now_s());
    let mut appended = url::form_urlencoded::Serializer::new(String::new());
    appended.append_pair("tgWebAppData", &own);
    let url = format!("{}&{}", mini_app_url(&addr, &planted, "android"), appended.finish());
    let dom = browse(&url, &["--dump-dom"], true);
    assert!(dom.contains("did not use it") && !dom.contains("Eve") && !dom.contains(">Ann<"), "{dom}");

    // The page exchanged neither: each still opens a session (a signed payload opens only one).
    assert_eq!(session(&addr, &planted).status, 200, "the planted initData was never used");
    assert_eq!(session(&addr, &own).status, 200, "nor the victim's own");
}

#[test]
fn me_names_the_signed_in_user_and_initdata_needs_a_telegram_launch() {
    let (mut run, addr) = start("");
    let user = 51_043;
    run.register(user);
    let init = init_data_named(TEST_TOKEN, user, now_s(), "Zephyrine");
    // Without the page's word that it runs inside Telegram, initData is not used.
    for launch in [None, Some(json!({ "platform": "unknown", "via": "webview" }))] {
        let mut body = json!({ "init_data": init });
        if let Some(launch) = launch {
            body["launch"] = launch;
        }
        let refused = post(&addr, "/api/v1/session", None, &body);
        assert_eq!((refused.status, refused.json()["reason"].as_str()), (403, Some("not_in_telegram")), "{body}");
    }
    // Nor from a page of another site (the browser says so in Sec-Fetch-Site).
    let body = json!({ "init_data": init, "launch": in_telegram() }).to_string();
    let headers = [("Sec-Fetch-Site", "cross-site"), ("Origin", "https://evil.example")];
    let cross = request(&addr, "POST", "/api/v1/session", &headers, Some(&body));
    assert_eq!((cross.status, cross.json()["reason"].as_str()), (403, Some("cross_site")), "{cross:?}");

    // From inside Telegram: the answer and /me name whose account this is.
    let issued = session(&addr, &init);
    assert_eq!(issued.json()["first_name"], json!("Zephyrine"), "{issued:?}");
    let me = get(&addr, "/api/v1/me", Some(&token_of(&issued))).json();
    assert_eq!((me["user_id"].as_i64(), me["first_name"].as_str()), (Some(user), Some("Zephyrine")), "{me}");

    // The name is sealed with the account: no file of the data directory holds it in the clear.
    let (dir, _tg) = run.stop();
    let mut files = vec![dir.path().to_path_buf()];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).expect("dir").map(|e| e.expect("entry").path()));
        } else if let Ok(bytes) = std::fs::read(&path) {
            assert!(!bytes.windows(9).any(|w| w == b"Zephyrine"), "{} holds the name in the clear", path.display());
        }
    }
}

#[test]
fn a_token_past_its_expiry_is_refused() {
    // Sessions here live one minute, so the token's expiry (never past its session's end) is a
    // minute away.
    let port = free_port();
    let toml = config(port, "").replace(r#"session_lifetime = "7d""#, r#"session_lifetime = "1m""#);
    let mut run = Running::start(&toml);
    let addr = format!("127.0.0.1:{port}");
    let user = 51_007;
    run.register(user);
    let issued = session(&addr, &init_data(TEST_TOKEN, user, now_s()));
    let token = token_of(&issued);
    let expires_at = issued.json()["expires_at"].as_u64().expect("expires_at");
    let now_ms = now_s() * 1000;
    assert!(expires_at <= now_ms + 61_000, "the token ends with its session: {expires_at} vs {now_ms}");
    assert_eq!(get(&addr, "/api/v1/me", Some(&token)).status, 200);
    std::thread::sleep(Duration::from_millis(expires_at.saturating_sub(now_ms) + 1_500));
    let expired = get(&addr, "/api/v1/me", Some(&token));
    assert_eq!(
        (expired.status, expired.json()["error"].as_str()),
        (401, Some("invalid or expired token")),
        "{expired:?}"
    );
}

#[test]
fn lockdown_keeps_newcomers_out_of_the_web_side_too() {
    // Without required registration anyone may sign in — except during a lockdown, when only
    // members (and admins) are served, as in Telegram.
    let port = free_port();
    let toml = config(port, "").replace("require_registration = true", "require_registration = false");
    let mut run = Running::start(&toml);
    let addr = format!("127.0.0.1:{port}");
    let member = 51_008;
    run.say(member, "/help");
    let member_token = token_of(&session(&addr, &init_data(TEST_TOKEN, member, now_s())));

    let output = run_cli(&["lockdown", "on", "--reason", "spam wave", "--dir", path_arg(run.dir())], &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let newcomer = session(&addr, &init_data(TEST_TOKEN, 51_009, now_s()));
    assert_eq!((newcomer.status, newcomer.json()["reason"].as_str()), (403, Some("lockdown")), "{newcomer:?}");
    assert_eq!(get(&addr, "/api/v1/me", Some(&member_token)).status, 200, "members are still served");

    let output = run_cli(&["lockdown", "off", "--dir", path_arg(run.dir())], &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let welcome = session(&addr, &init_data(TEST_TOKEN, 51_009, now_s() + 1));
    assert_eq!(welcome.status, 200, "after the lockdown: {welcome:?}");
}

/// The plain texts of a page text table (`src/web/assets/texts/*.toml`), HTML-escaped as the
/// page holds them.
fn page_texts(source: &str) -> Vec<String> {
    fn walk(table: &toml::Table, out: &mut Vec<String>) {
        for value in table.values() {
            match value {
                toml::Value::String(text) => out
                    .push(text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")),
                toml::Value::Table(inner) => walk(inner, out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(&toml::from_str(source).expect("a text table"), &mut out);
    out
}

#[test]
fn the_mini_app_speaks_russian_and_spanish_to_users_whose_telegram_does() {
    let (mut run, addr) = start("");
    let english = page_texts(include_str!("../../src/web/assets/texts/en.toml"));
    let cases = [
        (
            51_061,
            "ru",
            include_str!("../../src/web/assets/texts/ru.toml"),
            ["Твои расклады", "Разложить карты", "История", "Три карты"],
        ),
        (
            51_062,
            "es-MX",
            include_str!("../../src/web/assets/texts/es.toml"),
            ["Tus lecturas", "Echar las cartas", "Historial", "Tres cartas"],
        ),
    ];
    for (user, language_code, table, words) in cases {
        let locale = &language_code[..2];
        run.register_in(user, language_code);
        let issued = session(&addr, &init_data_in(TEST_TOKEN, user, now_s() - 20, "Ann", language_code));
        assert_eq!(issued.json()["locale"], json!(locale), "{issued:?}");
        let token = token_of(&issued);
        let drawn = post(&addr, "/api/v1/draw", Some(&token), &json!({ "spread": "three" }));
        assert_eq!(drawn.status, 200, "{drawn:?}");
        let reading = drawn.json()["reading"].clone();
        assert_eq!(reading["spread_name"], json!(words[3]), "{reading}");
        let me = get(&addr, "/api/v1/me", Some(&token)).json();
        assert_eq!((me["locale"].as_str(), &me["spreads"][1]["name"]), (Some(locale), &json!(words[3])), "{me}");

        // A session opened later from an English Telegram still reads the user's stored language:
        // every card's name, position and meaning as drawn, none in English.
        let english_token = token_of(&session(&addr, &init_data_in(TEST_TOKEN, user, now_s() - 15, "Ann", "en")));
        let page = get(&addr, "/api/v1/readings", Some(&english_token)).json();
        let kept = &page["readings"][0];
        assert_eq!(kept["spread_name"], json!(words[3]), "{page}");
        let cards = reading["cards"].as_array().expect("cards");
        assert_eq!(cards.len(), 3);
        for (card, kept_card) in cards.iter().zip(kept["cards"].as_array().expect("cards")) {
            for field in ["name", "position", "meaning", "reversed"] {
                assert_eq!(card[field], kept_card[field], "{field}: {card} / {kept_card}");
            }
            assert!(!english.contains(&card["position"].as_str().unwrap_or_default().to_owned()), "{card}");
        }

        // What the person sees: the Mini App inside Telegram, in a browser set to English.
        let url = mini_app_url(&addr, &init_data_in(TEST_TOKEN, user, now_s() - 5, "Ann", language_code), "android");
        let dom = browse(&url, &["--dump-dom"], true);
        assert!(dom.contains(&format!("<html lang=\"{locale}\"")), "the page is in {locale}:\n{dom}");
        for word in &words {
            assert!(dom.contains(&format!(">{word}<")), "{word:?} on the page:\n{dom}");
        }
        for card in cards {
            let name = card["name"].as_str().expect("name");
            assert!(dom.contains(&format!("data-card=\"{name}\"")), "{name} laid out:\n{dom}");
            assert!(dom.contains(&format!(">{name}<")), "{name} named:\n{dom}");
        }
        // No English word of the page's table shows (a word both languages share may). The
        // `<noscript>` text is the server's, in the browser's language, and shows only when
        // scripts are off.
        let shown = match (dom.find("<noscript>"), dom.find("</noscript>")) {
            (Some(from), Some(to)) => format!("{}{}", &dom[..from], &dom[to..]),
            _ => dom.clone(),
        };
        let own = page_texts(table);
        for text in english.iter().filter(|t| !own.contains(t)) {
            assert!(!shown.contains(&format!(">{text}<")), "English {text:?} on the {locale} page:\n{dom}");
        }

        // And a screenshot of it, for people.
        let shot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("mini-app-{locale}.png"));
        let _ = std::fs::remove_file(&shot);
        let url = mini_app_url(&addr, &init_data_in(TEST_TOKEN, user, now_s(), "Ann", language_code), "android");
        browse(&url, &[&format!("--screenshot={}", shot.display())], true);
        assert!(std::fs::metadata(&shot).map_or(0, |m| m.len()) > 10_000, "a screenshot at {}", shot.display());
        eprintln!("Mini App screenshot ({locale}): {}", shot.display());
    }
}

#[test]
fn pages_before_sign_in_follow_the_browsers_language() {
    let (_run, addr) = start("");
    let spanish = [("Accept-Language", "de-DE,es;q=0.9,en;q=0.5")];
    let login = request(&addr, "GET", "/login", &spanish, None);
    assert_eq!(login.status, 200, "{login:?}");
    for expected in [
        "<html lang=\"es\">",
        "<title>Iniciar sesión - arcana</title>",
        "Inicia sesión con Telegram",
        "data-lang=\"es\"",
    ] {
        assert!(login.body.contains(expected), "{expected} in:\n{}", login.body);
    }
    let russian = request(&addr, "GET", "/app", &[("Accept-Language", "ru-RU,ru;q=0.9")], None);
    assert!(
        russian.body.contains("<html lang=\"ru\">") && russian.body.contains(">Твои расклады<"),
        "{}",
        russian.body
    );
    assert!(russian.header("vary").is_some_and(|v| v.to_ascii_lowercase().contains("accept-language")), "{russian:?}");
    let plain = get(&addr, "/app", None);
    assert!(plain.body.contains("<html lang=\"en\">") && plain.body.contains(">Your readings<"), "English by default");
    assert!(!plain.body.contains("{{"), "every text is filled in");
    // A login the callback refuses is a page in the browser's language for a person (the JSON
    // error for other clients, as the callback's own test shows).
    let browser = [("Accept", "text/html,application/xhtml+xml"), ("Accept-Language", "ru")];
    let refused = request(&addr, "GET", "/login/callback?state=x&id=1&auth_date=1&hash=00", &browser, None);
    assert_eq!(refused.status, 403, "{refused:?}");
    assert!(refused.header("content-type").is_some_and(|t| t.starts_with("text/html")), "{refused:?}");
    assert!(
        refused.body.contains("<html lang=\"ru\">")
            && refused.body.contains("Этот вход начали в другом браузере")
            && refused.body.contains("href=\"/login\">Войти через Telegram<"),
        "{}",
        refused.body
    );
    // The page's script asks for the words of Telegram's language; a language arcana does not
    // speak is English even when the browser would prefer Spanish (as in the chat).
    for (lang, locale) in [("ru-RU", "ru"), ("es", "es"), ("de", "en")] {
        let words = request(&addr, "GET", &format!("/app/texts.json?lang={lang}"), &spanish, None);
        let words = words.json();
        assert_eq!(words["locale"], json!(locale), "{lang}");
        assert!(words["texts"]["draw.button"].is_string(), "{words}");
    }
}

#[test]
fn the_apis_history_pages_are_as_long_as_history_page_size_says() {
    // `[readings]` after `[http]`: the configured page size is the bot's and the API's.
    let (mut run, addr) = start("\n[readings]\nhistory_page_size = 2\n");
    let user = 51_071;
    run.register(user);
    let token = token_of(&session(&addr, &init_data(TEST_TOKEN, user, now_s())));
    for _ in 0..3 {
        assert_eq!(post(&addr, "/api/v1/draw", Some(&token), &json!({ "spread": "one" })).status, 200);
    }
    let first = get(&addr, "/api/v1/readings", Some(&token)).json();
    let shape =
        |page: &Value| (page["readings"].as_array().map(Vec::len), page["pages"].as_u64(), page["total"].as_u64());
    assert_eq!(shape(&first), (Some(2), Some(2), Some(3)), "{first}");
    let second = get(&addr, "/api/v1/readings?page=1", Some(&token)).json();
    assert_eq!(shape(&second), (Some(1), Some(2), Some(3)), "{second}");
}
