//! `arcana run` under stress: Bot API faults lose no update, update types the bot does not
//! handle are ignored, hostile updates crash nothing.

use std::time::Duration;

use serde_json::json;

use crate::harness::{REPLY_TIMEOUT, stop_cleanly, wait_replies};
use crate::support::bot_process::BotProcess;
use crate::support::fake_telegram::{FakeTelegram, Fault};
use crate::support::updates;

/// Enough for polling backoff after four consecutive failures, plus a send retry.
const FAULT_TIMEOUT: Duration = Duration::from_mins(2);

#[test]
fn faults_do_not_lose_updates() {
    let dir = crate::support::private_tempdir();
    let tg = FakeTelegram::start();
    tg.push_fault("getUpdates", Fault::Status(500));
    tg.push_fault("getUpdates", Fault::RetryAfter(1));
    tg.push_fault("getUpdates", Fault::Malformed);
    tg.push_fault("getUpdates", Fault::Drop);
    tg.push_fault("getUpdates", Fault::Delay(Duration::from_secs(2)));
    tg.push_fault("sendMessage", Fault::Status(500));
    let users: Vec<i64> = (2001..=2005).collect();
    for &user in &users {
        tg.push_update(updates::command(user, "/start"));
    }
    let mut bot = BotProcess::start(dir.path(), &tg.url());

    for &user in &users {
        wait_replies(&tg, &mut bot, user, 1, FAULT_TIMEOUT);
    }
    assert!(bot.is_running(), "the bot exited; stderr:\n{}", bot.stderr_text());
    assert_eq!(tg.pending_faults(), 0, "every fault was exercised");
    stop_cleanly(bot);
}

#[test]
fn other_update_types_are_ignored() {
    let dir = crate::support::private_tempdir();
    let tg = FakeTelegram::start();
    let channel = -1_001_234_567_890;
    tg.push_update(updates::edited_message(3001, 3001, "edited text"));
    tg.push_update(updates::inline_query(3002, "the tower"));
    tg.push_update(updates::callback_query(3003, "draw:1"));
    tg.push_update(updates::my_chat_member(3004, "member", "kicked"));
    tg.push_update(updates::sticker(3005, "AgADsticker"));
    tg.push_update(updates::photo(3006, "AgADphoto", Some("what does this mean?")));
    tg.push_update(updates::channel_post(channel, "channel news"));
    let user = 3007;
    tg.push_update(updates::command(user, "/start"));
    let mut bot = BotProcess::start(dir.path(), &tg.url());

    wait_replies(&tg, &mut bot, user, 1, REPLY_TIMEOUT);
    assert!(bot.is_running(), "the bot exited; stderr:\n{}", bot.stderr_text());
    assert!(tg.sent_messages_to(channel).is_empty(), "the bot posted into a channel");
    stop_cleanly(bot);
}

/// 10,000 characters of C0/C1 controls, bidi overrides and isolates, zero-widths.
fn hostile_text() -> String {
    const NASTY: [char; 16] = [
        '\u{202E}', '\u{202D}', '\u{202A}', '\u{202B}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{200F}',
        '\u{200B}', '\u{FEFF}', '\u{0}', '\u{1B}', '\u{7}', '\u{85}', '\r',
    ];
    NASTY.iter().cycle().take(10_000).collect()
}

#[test]
fn hostile_updates_do_not_crash_the_bot() {
    let dir = crate::support::private_tempdir();
    let tg = FakeTelegram::start();
    tg.push_update(json!({ "message": { "garbage": true } }));
    tg.push_update(json!({}));
    tg.push_update(updates::message(4001, 4001, &hostile_text()));
    tg.push_update(updates::command(4002, &format!("/start {}", hostile_text())));
    let mut spoofed = updates::command(4003, "/help");
    spoofed["message"]["from"]["first_name"] = json!(hostile_text());
    spoofed["message"]["from"]["username"] = json!("\u{202E}toor");
    tg.push_update(spoofed);
    let user = 4004;
    tg.push_update(updates::command(user, "/start"));
    let mut bot = BotProcess::start(dir.path(), &tg.url());

    wait_replies(&tg, &mut bot, user, 1, REPLY_TIMEOUT);
    assert!(bot.is_running(), "the bot exited; stderr:\n{}", bot.stderr_text());
    for call in tg.calls_to("sendMessage") {
        let text = call.str("text").unwrap_or_default();
        assert!(!text.contains(['\u{202E}', '\u{0}', '\u{1B}']), "a reply carries control/bidi characters: {text:?}");
    }
    stop_cleanly(bot);
}

#[test]
fn a_start_failing_after_its_tasks_started_still_tears_them_down() {
    let dir = crate::support::private_tempdir();
    let d = crate::harness::path_arg(dir.path());
    crate::harness::cli_ok(&["init", "--dir", d]);
    let tg = FakeTelegram::start();
    // The control socket, key re-wrapping and backups are running when `getMe` says the token
    // is not valid.
    tg.push_fault("getMe", Fault::Status(401));
    let url = tg.url();
    let output = crate::support::bot_process::run_cli(
        &["run", "--dir", d],
        &[("BOT_TOKEN", crate::support::bot_process::TEST_TOKEN), ("ARCANA_TELEGRAM_API_URL", &url)],
    );
    crate::harness::assert_clean_output(&output);
    let (_, stderr) = crate::harness::streams(&output);
    assert!(!output.status.success(), "an invalid token is a failure:\n{stderr}");
    assert!(stderr.contains("Telegram rejected the bot token"), "{stderr}");
    // The teardown ran: the control socket was closed and removed, the store flushed.
    assert!(stderr.contains("stopped"), "no teardown:\n{stderr}");
    assert!(!dir.path().join("control.sock").exists(), "the control socket outlived the bot:\n{stderr}");
    let verified = crate::harness::cli_ok(&["audit", "verify", "--dir", d]);
    assert!(verified.contains("intact"), "{verified}");
}
