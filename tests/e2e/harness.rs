//! Helpers shared by the end-to-end tests: timeouts, output hygiene checks, clean shutdown.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

use crate::support::bot_process::{BotProcess, TEST_TOKEN, run_cli};
use crate::support::fake_telegram::FakeTelegram;

/// How long a healthy bot may take to answer (startup included).
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(30);

/// Waits for `n` replies to `chat`; on timeout panics with the calls and the bot's stderr.
pub fn wait_replies(tg: &FakeTelegram, bot: &mut BotProcess, chat: i64, n: usize, timeout: Duration) -> Vec<String> {
    tg.try_wait_for_messages_to(chat, n, timeout).unwrap_or_else(|calls| {
        let state = if bot.is_running() { "running" } else { "exited" };
        panic!(
            "timed out after {timeout:?} waiting for {n} message(s) to chat {chat}; bot {state}\n\
             calls:\n{}bot stderr:\n{}",
            tg.dump(&calls),
            bot.stderr_text()
        )
    })
}

/// Panics if `text` (a stream named `what`) contains the bot token or its secret half.
pub fn assert_no_token(what: &str, text: &str) {
    let secret = TEST_TOKEN.split_once(':').map_or(TEST_TOKEN, |(_, secret)| secret);
    assert!(!text.contains(TEST_TOKEN) && !text.contains(secret), "the bot token leaked into {what}:\n{text}");
}

/// Panics if `text` shows a Rust panic.
pub fn assert_no_panic(what: &str, text: &str) {
    assert!(!text.contains("panicked"), "{what} shows a panic:\n{text}");
}

/// Both streams of a finished process as text.
pub fn streams(output: &Output) -> (String, String) {
    (String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
}

/// Checks a finished process' output: no token anywhere, no panic.
pub fn assert_clean_output(output: &Output) {
    let (stdout, stderr) = streams(output);
    assert_no_token("stdout", &stdout);
    assert_no_token("stderr", &stderr);
    assert_no_panic("stderr", &stderr);
    assert_no_panic("stdout", &stdout);
}

/// SIGTERMs the bot, asserts exit code 0 and clean output; returns stderr.
pub fn stop_cleanly(bot: BotProcess) -> String {
    let output = bot.terminate_output();
    let (_, stderr) = streams(&output);
    assert_eq!(output.status.code(), Some(0), "exit after SIGTERM; stderr:\n{stderr}");
    assert_clean_output(&output);
    stderr
}

/// Asserts the data-dir layout: `arcana.toml`, `master.key` (mode 0600), `db/`.
pub fn assert_layout(dir: &Path) {
    assert!(dir.join("arcana.toml").is_file(), "arcana.toml missing in {}", dir.display());
    let key = dir.join("master.key");
    let mode = std::fs::metadata(&key).expect("master.key exists").permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "master.key mode is {:o}", mode & 0o777);
    assert!(dir.join("db").is_dir(), "db/ missing in {}", dir.display());
}

/// Non-empty lines of `text`.
pub fn lines(text: &str) -> Vec<&str> {
    text.lines().filter(|line| !line.trim().is_empty()).collect()
}

/// A fresh data directory holding `toml` as its `arcana.toml` (the bot keeps an existing config).
pub fn dir_with_config(toml: &str) -> tempfile::TempDir {
    let dir = crate::support::private_tempdir();
    std::fs::write(dir.path().join("arcana.toml"), toml).expect("write arcana.toml");
    dir
}

/// `dir` as a command-line argument.
pub fn path_arg(dir: &Path) -> &str {
    dir.to_str().expect("UTF-8 temp path")
}

/// Runs `arcana ARGS`, asserts exit 0 and clean output; returns stdout.
pub fn cli_ok(args: &[&str]) -> String {
    let output = run_cli(args, &[]);
    assert_clean_output(&output);
    let (stdout, stderr) = streams(&output);
    assert!(output.status.success(), "`arcana {}` failed ({:?}):\n{stdout}\n{stderr}", args.join(" "), output.status);
    stdout
}

/// Waits until the bot polls with an offset past `last_id` and then has nothing in hand (inbox,
/// send queue and notices empty): every update up to it is finished, including whatever it sent
/// in reply. On timeout panics with the calls and the bot's stderr.
pub fn wait_polled_past(tg: &FakeTelegram, bot: &mut BotProcess, last_id: i64) {
    let polled_past = |calls: &[crate::support::fake_telegram::Call]| {
        calls.iter().any(|c| c.method == "getUpdates" && c.int("offset").is_some_and(|offset| offset > last_id))
    };
    if let Err(calls) = tg.try_wait_for(REPLY_TIMEOUT, polled_past) {
        let state = if bot.is_running() { "running" } else { "exited" };
        panic!(
            "timed out after {REPLY_TIMEOUT:?} waiting for a getUpdates past update {last_id}; bot {state}\n\
             calls:\n{}bot stderr:\n{}",
            tg.dump(&calls),
            bot.stderr_text()
        );
    }
    assert!(
        bot.wait_idle(REPLY_TIMEOUT),
        "the bot did not finish its work within {REPLY_TIMEOUT:?} (status {:?})\ncalls:\n{}bot stderr:\n{}",
        bot.status(),
        tg.dump(&tg.calls()),
        bot.stderr_text()
    );
}

/// The buttons of a sent message's inline keyboard, as (text, `callback_data`).
pub fn buttons(call: &crate::support::fake_telegram::Call) -> Vec<(String, String)> {
    use serde_json::Value;
    let Some(markup) = call.json("reply_markup") else { return Vec::new() };
    let rows = markup.get("inline_keyboard").and_then(Value::as_array).cloned().unwrap_or_default();
    rows.iter()
        .filter_map(Value::as_array)
        .flatten()
        .map(|button| {
            let field = |key: &str| button.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
            (field("text"), field("callback_data"))
        })
        .collect()
}

/// The label of `/delete_me`'s confirming button (English).
pub const DELETE_BUTTON: &str = "🗑 Delete everything";

/// A press by `user`, in their private chat, of the button labelled `label` under `sent` (a
/// recorded `sendMessage`), as Telegram hands the message back with the press: its id, text and
/// keyboard.
pub fn press_on(user: i64, sent: &crate::support::fake_telegram::Call, label: &str) -> serde_json::Value {
    let (_, data) = buttons(sent)
        .into_iter()
        .find(|(text, _)| text == label)
        .unwrap_or_else(|| panic!("no button {label:?} under {sent:#?}"));
    let mut update = crate::support::updates::button_press(user, &sent.str("text").unwrap_or_default(), label, &data);
    let message = &mut update["callback_query"]["message"];
    message["message_id"] = sent.result.as_ref().map_or(serde_json::Value::Null, |r| r["message_id"].clone());
    message["reply_markup"] = sent.json("reply_markup").unwrap_or_default();
    update
}

/// `user` sends `/delete_me` in their private chat and presses its "Delete everything"
/// button; returns what the bot said after the press (the confirmation's message edited, or
/// messages sent).
pub fn delete_account(tg: &FakeTelegram, bot: &mut BotProcess, user: i64) -> String {
    let before = tg.calls().len();
    let id = tg.push_update(crate::support::updates::command(user, "/delete_me"));
    wait_polled_past(tg, bot, id);
    let calls = tg.calls().split_off(before);
    let ask = calls
        .iter()
        .rev()
        .find(|c| c.int("chat_id") == Some(user) && buttons(c).iter().any(|(label, _)| label == DELETE_BUTTON))
        .unwrap_or_else(|| panic!("/delete_me asks to confirm:\n{}", tg.dump(&calls)));
    let before = tg.calls().len();
    let id = tg.push_update(press_on(user, ask, DELETE_BUTTON));
    wait_polled_past(tg, bot, id);
    said_to(&tg.calls()[before..], user)
}

/// The texts of the messages sent to `chat` and of the edits of its messages among `calls`,
/// joined by blank lines.
pub fn said_to(calls: &[crate::support::fake_telegram::Call], chat: i64) -> String {
    calls
        .iter()
        .filter(|c| matches!(c.method.as_str(), "sendMessage" | "editMessageText") && c.int("chat_id") == Some(chat))
        .filter_map(|c| c.str("text"))
        .collect::<Vec<_>>()
        .join("\n\n")
}
