//! The card faces in the Mini App, measured in a real headless Chromium: every card of a reading
//! shows its own face (the `<use>` of its symbol draws something), a reversed card's art is
//! turned half round while its name stays upright, an upright card's art is not turned; and
//! screenshots of three spreads in a light and a dark theme, for people.

use serde_json::{Value, json};

use crate::support::bot_process::TEST_TOKEN;
use crate::web::{chromium, init_data, now_s, session, start, token_of};
use crate::web_client::{get, post};

/// A test browser extension: plays Telegram's native client (`TelegramWebviewProxy`), and every
/// 100 ms writes onto each tile what the browser computed for it: whether its art draws
/// something (`data-probe-drawn`), the art's transform (`data-probe-art`), whether the name and
/// every element above it are upright (`data-probe-name`), and which symbol the art uses.
fn probe_extension() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("extension dir");
    let manifest = json!({
        "manifest_version": 3, "name": "Telegram client and face probe (test)", "version": "1",
        "content_scripts": [{ "matches": ["http://127.0.0.1/*"], "js": ["probe.js"],
            "run_at": "document_start", "world": "MAIN" }],
    });
    std::fs::write(dir.path().join("manifest.json"), manifest.to_string()).expect("manifest");
    let script = r"
window.TelegramWebviewProxy = { postEvent() {} };
function turnOf(node) {
  const t = getComputedStyle(node).transform;
  if (!t || t === 'none') return [1, 0, 0, 1];
  const m = t.match(/^matrix\(([^)]*)\)$/);
  return m ? m[1].split(',').slice(0, 4).map(Number) : [NaN, NaN, NaN, NaN];
}
function upright(m) { return m[0] > 0.99 && m[3] > 0.99 && Math.abs(m[1]) < 1e-6 && Math.abs(m[2]) < 1e-6; }
setInterval(() => {
  for (const tile of document.querySelectorAll('.tile')) {
    const art = tile.querySelector('svg.tile-art');
    const use = art && art.querySelector('use');
    let drawn = false;
    try { const b = use.getBBox(); drawn = b.width > 10 && b.height > 10; } catch (_) { drawn = false; }
    tile.setAttribute('data-probe-drawn', String(drawn));
    tile.setAttribute('data-probe-href', use ? use.getAttribute('href') : '');
    const m = art ? turnOf(art) : [NaN, NaN, NaN, NaN];
    tile.setAttribute('data-probe-art', upright(m) ? 'upright' : (m[0] < -0.99 && m[3] < -0.99 ? 'half-turn' : 'other'));
    let name = 'upright';
    for (let n = tile.querySelector('.tile-name'); n && n !== document.body; n = n.parentElement) {
      if (!upright(turnOf(n))) name = 'turned';
    }
    if (!tile.querySelector('.tile-name')) name = 'missing';
    tile.setAttribute('data-probe-name', name);
  }
}, 100);
";
    std::fs::write(dir.path().join("probe.js"), script).expect("script");
    dir
}

/// Opens the Mini App in headless Chromium at a phone's size inside the probing Telegram client,
/// with `extra` flags, and returns stdout.
fn browse(url: &str, extra: &[&str]) -> String {
    let profile = tempfile::tempdir().expect("profile dir");
    let probe = probe_extension();
    let extension = probe.path().display();
    let output = std::process::Command::new(chromium())
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=390,900"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--virtual-time-budget=15000")
        .arg(format!("--load-extension={extension}"))
        .arg(format!("--disable-extensions-except={extension}"))
        .args(extra)
        .arg(url)
        .output()
        .expect("run chromium");
    assert!(output.status.success(), "chromium failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Telegram's dark and light themes, as its clients pass them.
fn theme(dark: bool) -> Value {
    if dark {
        json!({ "bg_color": "#17212b", "text_color": "#f5f5f5", "hint_color": "#708499",
            "button_color": "#5288c1", "button_text_color": "#ffffff", "secondary_bg_color": "#232e3c" })
    } else {
        json!({ "bg_color": "#ffffff", "text_color": "#000000", "hint_color": "#999999",
            "button_color": "#2481cc", "button_text_color": "#ffffff", "secondary_bg_color": "#efeff3" })
    }
}

fn mini_app_url(addr: &str, user: i64, dark: bool) -> String {
    let mut fragment = url::form_urlencoded::Serializer::new(String::new());
    fragment.append_pair("tgWebAppData", &init_data(TEST_TOKEN, user, now_s() - 5));
    fragment.append_pair("tgWebAppVersion", "8.0");
    fragment.append_pair("tgWebAppPlatform", "android");
    fragment.append_pair("tgWebAppThemeParams", &theme(dark).to_string());
    format!("http://{addr}/app#{}", fragment.finish())
}

/// The opening tag of the tile of the card at `position` (1-based) in `dom`.
fn tile_tag(dom: &str, position: usize) -> &str {
    let marker = format!("data-position=\"{position}\"");
    let reading = &dom[dom.find("id=\"reading\"").unwrap_or_else(|| panic!("no #reading:\n{dom}"))..];
    let at = reading.find(&marker).unwrap_or_else(|| panic!("no tile {position}:\n{reading}"));
    let start = reading[..at].rfind('<').expect("tag start");
    let end = at + reading[at..].find('>').expect("tag end");
    &reading[start..=end]
}

#[test]
fn every_card_shows_its_face_and_a_reversed_cards_art_turns_but_not_its_name() {
    let (mut run, addr) = start("");
    let user = 51_301;
    run.register(user);
    let token = token_of(&session(&addr, &init_data(TEST_TOKEN, user, now_s() - 10)));
    // A Celtic Cross with upright and reversed cards (each is reversed with probability one
    // half, so three readings all of one orientation are a chance of 2^-27).
    let mut cards = Vec::new();
    for _ in 0..3 {
        let drawn = post(&addr, "/api/v1/draw", Some(&token), &json!({ "spread": "celtic_cross" }));
        assert_eq!(drawn.status, 200, "{drawn:?}");
        cards = drawn.json()["reading"]["cards"].as_array().expect("cards").clone();
        let reversed = cards.iter().filter(|c| c["reversed"] == true).count();
        if reversed > 0 && reversed < cards.len() {
            break;
        }
    }
    assert_eq!(cards.len(), 10);

    let dom = browse(&mini_app_url(&addr, user, true), &["--dump-dom"]);
    assert!(dom.contains("id=\"faces\""), "the faces' sprite was loaded into the page");
    for (i, card) in cards.iter().enumerate() {
        let tag = tile_tag(&dom, i + 1);
        let id = card["card"].as_u64().expect("the card's id");
        assert!(tag.contains(&format!("data-probe-href=\"#card-{id}\"")), "card {} shows its own face: {tag}", i + 1);
        assert!(tag.contains("data-probe-drawn=\"true\""), "card {}'s face draws: {tag}", i + 1);
        assert!(tag.contains("data-probe-name=\"upright\""), "card {}'s name is upright: {tag}", i + 1);
        let art = if card["reversed"] == true { "half-turn" } else { "upright" };
        assert!(tag.contains(&format!("data-probe-art=\"{art}\"")), "card {}'s art is {art}: {tag}", i + 1);
    }
}

#[test]
fn the_faces_sprite_is_served_with_every_card_and_revalidated_by_its_etag() {
    let (_run, addr) = start("");
    let sprite = get(&addr, "/app/faces.svg", None);
    assert_eq!(sprite.status, 200);
    assert!(sprite.header("content-type").is_some_and(|t| t.starts_with("image/svg+xml")), "{sprite:?}");
    for id in 0..78 {
        assert!(sprite.body.contains(&format!("<symbol id=\"card-{id}\"")), "card {id} in the sprite");
    }
    assert!(!sprite.body.contains("<script") && !sprite.body.contains("<text"), "art only: no script, no text");
    let etag = sprite.header("etag").expect("an ETag").to_owned();
    let again = crate::web_client::request(&addr, "GET", "/app/faces.svg", &[("If-None-Match", &etag)], None);
    assert_eq!(again.status, 304, "this build's copy is still good: {again:?}");
}

/// Screenshots of three spreads in Telegram's light and dark themes (for the closing note;
/// their paths are printed), each checked to be a real picture.
#[test]
fn screenshots_of_three_spreads_in_both_themes() {
    let (mut run, addr) = start("");
    let user = 51_302;
    run.register(user);
    let token = token_of(&session(&addr, &init_data(TEST_TOKEN, user, now_s() - 10)));
    for spread in ["one", "three", "celtic_cross"] {
        let drawn = post(
            &addr,
            "/api/v1/draw",
            Some(&token),
            &json!({ "spread": spread, "question": "Where does this lead?" }),
        );
        assert_eq!(drawn.status, 200, "{drawn:?}");
        for dark in [false, true] {
            let name = format!("mini-app-{spread}-{}.png", if dark { "dark" } else { "light" });
            let shot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
            let _ = std::fs::remove_file(&shot);
            browse(&mini_app_url(&addr, user, dark), &[&format!("--screenshot={}", shot.display())]);
            let size = std::fs::metadata(&shot).map_or(0, |m| m.len());
            assert!(size > 10_000, "a screenshot at {}", shot.display());
            eprintln!("Mini App screenshot: {}", shot.display());
        }
    }
}
