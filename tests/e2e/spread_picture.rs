//! The spread picture in the chat: a `/draw` also sends one PNG of the spread laid out
//! (`sendPhoto`, multipart), with the reading as its caption when it fits Telegram's 1024
//! characters and as a message after it when it does not; `readings.spread_picture = false`
//! sends the text alone; a malformed value stops the bot with one line naming the key.

use crate::accounts::Running;
use crate::harness::{assert_clean_output, lines, streams};
use crate::support::bot_process::run_cli;
use crate::support::fake_telegram::Call;

fn config(readings: &str) -> String {
    format!(
        r#"admins = [1]

[sentinel]
debounce = "0s"
default = {{ limit = 200, per = "1m" }}

[tiers.free]
commands = ["start", "help", "draw", "history", "credits"]
daily_readings = 10
spreads = ["one", "three", "celtic_cross"]

[tiers.premium]
commands = ["start", "help", "draw", "history", "credits"]

[readings]
{readings}
"#
    )
}

/// The PNG sent in `call`: its width and height, after checking its signature.
fn png_size(call: &Call) -> (u32, u32) {
    // teloxide names the file part and points `photo` at it (`attach://NAME`).
    let photo = match call.str("photo").as_deref().and_then(|p| p.strip_prefix("attach://")) {
        Some(part) => call.params[part].clone(),
        None => call.params["photo"].clone(),
    };
    assert!(photo.is_object(), "an uploaded photo: {call:?}");
    assert!(photo["len"].as_u64().unwrap_or(0) > 1_000, "a real picture: {photo}");
    let head = photo["head"].as_str().expect("the file's first bytes");
    let bytes: Vec<u8> =
        (0..head.len() / 2).map(|i| u8::from_str_radix(&head[2 * i..2 * i + 2], 16).expect("hex")).collect();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG signature: {head}");
    assert_eq!(&bytes[12..16], b"IHDR", "the PNG header chunk first: {head}");
    let width = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
    let height = u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
    (width, height)
}

#[test]
fn a_draw_comes_with_a_png_of_the_spread_and_its_text() {
    let mut run = Running::start(&config(""));
    let user = 52_001;
    run.register(user);

    // Three cards: the picture, and the reading as its caption or right after it.
    let sent = run.send(user, "/draw three Where next?");
    let photos: Vec<&Call> = sent.iter().filter(|c| c.method == "sendPhoto").collect();
    assert_eq!(photos.len(), 1, "one picture: {sent:#?}");
    let (width, height) = png_size(photos[0]);
    assert!(width > height && (300..=1400).contains(&width) && height >= 150, "three in a row: {width}×{height}");
    let caption = photos[0].str("caption");
    let messages: Vec<String> =
        sent.iter().filter(|c| c.method == "sendMessage").filter_map(|c| c.str("text")).collect();
    let reading = caption.clone().or_else(|| messages.first().cloned()).expect("the reading's text");
    assert!(reading.contains("Where next?") && reading.contains("Past"), "{reading}");
    if let Some(caption) = &caption {
        assert!(caption.encode_utf16().count() <= 1024 + caption.len() / 2, "within the caption limit");
        assert!(!messages.iter().any(|m| m.contains("Past")), "the reading is not sent twice: {messages:?}");
        assert_eq!(photos[0].str("parse_mode").as_deref(), Some("HTML"));
    }

    // The Celtic Cross's reading is longer than a caption: the picture first, then the text.
    let sent = run.send(user, "/draw celtic");
    let kinds: Vec<&str> = sent
        .iter()
        .filter(|c| matches!(c.method.as_str(), "sendPhoto" | "sendMessage"))
        .map(|c| c.method.as_str())
        .collect();
    assert_eq!(kinds.first(), Some(&"sendPhoto"), "the picture comes first: {kinds:?}");
    let photo = sent.iter().find(|c| c.method == "sendPhoto").expect("photo");
    let (width, height) = png_size(photo);
    assert!(height > width / 2 && width > 500, "a cross and its staff: {width}×{height}");
    let text = sent.iter().filter(|c| c.method == "sendMessage").filter_map(|c| c.str("text")).collect::<String>();
    let all = format!("{}{text}", photo.str("caption").unwrap_or_default());
    assert!(all.contains("Celtic Cross") && all.contains("The heart of the matter"), "the reading is there: {all}");
}

#[test]
fn with_the_picture_turned_off_a_draw_is_text_only() {
    let mut run = Running::start(&config("spread_picture = false"));
    let user = 52_002;
    run.register(user);
    let sent = run.send(user, "/draw three Where next?");
    assert!(!sent.iter().any(|c| c.method == "sendPhoto"), "no picture: {sent:#?}");
    let text = sent.iter().filter(|c| c.method == "sendMessage").filter_map(|c| c.str("text")).collect::<String>();
    assert!(text.contains("Where next?") && text.contains("Past"), "{text}");
}

#[test]
fn a_malformed_spread_picture_setting_is_one_line_naming_the_key() {
    let dir = crate::support::private_tempdir();
    std::fs::write(dir.path().join("arcana.toml"), config("spread_picture = \"sometimes\"")).expect("config");
    let output = run_cli(&["run", "--dir", dir.path().to_str().expect("utf-8")], &[]);
    assert_clean_output(&output);
    let (_, stderr) = streams(&output);
    assert_eq!(output.status.code(), Some(2), "config errors exit 2: {stderr}");
    assert_eq!(lines(&stderr).len(), 1, "one line: {stderr}");
    assert!(stderr.contains("readings.spread_picture"), "names the key: {stderr}");
}
