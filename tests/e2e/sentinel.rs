//! The sentinel seen from outside: rate limits with a single notice, per-command buckets,
//! debouncing, callback answers, the blocklist (offline CLI, control socket, admin commands,
//! users blocking the bot) and persistence of blocks and penalty mutes across a restart.
//!
//! Each test pushes its updates, then waits until the bot has polled past the last one (every
//! update finished, replies included) before asserting on what was — or was not — sent.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use serde_json::Value;

use crate::harness::{
    REPLY_TIMEOUT, assert_clean_output, cli_ok, dir_with_config, path_arg, stop_cleanly, streams, wait_polled_past,
    wait_replies,
};
use crate::support::bot_process::{BotProcess, run_cli};
use crate::support::fake_telegram::{Call, FakeTelegram};
use crate::support::updates;

/// No debounce, so distinct or repeated texts all reach the limiter.
const NO_DEBOUNCE: &str = "[sentinel]\ndebounce = \"0s\"\n";

/// Whether a sent text is a rate-limit or mute notice.
fn is_notice(text: &str) -> bool {
    text.contains("Please wait")
}

/// Whether a sent text is the rate-limit notice (not the mute notice).
fn is_limit_notice(text: &str) -> bool {
    text.contains("Please wait") && text.contains("before sending more")
}

/// Whether a sent text is the penalty (mute) notice.
fn is_mute_notice(text: &str) -> bool {
    text.contains("Too many requests")
}

/// The `id` of a `callback_query` or `inline_query` update body.
fn query_id(update: &Value) -> String {
    let query = update.get("callback_query").or_else(|| update.get("inline_query")).expect("a query update");
    query["id"].as_str().expect("query id").to_owned()
}

/// Every call other than `getUpdates` addressed to `user`: by chat or user id, or answering one
/// of `query_ids`.
fn calls_addressed_to(calls: &[Call], user: i64, query_ids: &[String]) -> Vec<Call> {
    let answers_query = |c: &Call| {
        ["callback_query_id", "inline_query_id"].iter().any(|key| c.str(key).is_some_and(|id| query_ids.contains(&id)))
    };
    calls
        .iter()
        .filter(|c| c.method != "getUpdates")
        .filter(|c| c.int("chat_id") == Some(user) || c.int("user_id") == Some(user) || answers_query(c))
        .cloned()
        .collect()
}

/// Asserts that nothing at all was sent to `user` (no message, no query answer).
fn assert_nothing_to(tg: &FakeTelegram, user: i64, query_ids: &[String]) {
    let calls = tg.calls();
    let to_user = calls_addressed_to(&calls, user, query_ids);
    assert!(to_user.is_empty(), "the bot answered user {user}:\n{}", tg.dump(&to_user));
}

/// `answerCallbackQuery` calls for `id`.
fn callback_answers(tg: &FakeTelegram, id: &str) -> Vec<Call> {
    tg.calls_to("answerCallbackQuery")
        .into_iter()
        .filter(|c| c.str("callback_query_id").as_deref() == Some(id))
        .collect()
}

/// `arcana init --dir DIR` on a fresh directory, then `arcana.toml` replaced by `toml`.
fn init_with_config(toml: &str) -> tempfile::TempDir {
    let dir = crate::support::private_tempdir();
    cli_ok(&["init", "--dir", path_arg(dir.path())]);
    std::fs::write(dir.path().join("arcana.toml"), toml).expect("write arcana.toml");
    dir
}

/// Pushes a `/start` from a fresh user and waits for the answer: the bot (and its control
/// socket, bound before it connects) is up.
fn wait_until_up(tg: &FakeTelegram, bot: &mut BotProcess, probe_user: i64) {
    tg.push_update(updates::command(probe_user, "/start"));
    wait_replies(tg, bot, probe_user, 1, REPLY_TIMEOUT);
}

/// `arcana blocked --dir DIR` output.
fn blocked_list(dir: &Path) -> String {
    cli_ok(&["blocked", "--dir", path_arg(dir)])
}

#[test]
fn flood_is_cut_to_the_limit_with_one_notice() {
    let dir = dir_with_config(&format!(
        "{NO_DEBOUNCE}default = {{ limit = 3, per = \"1m\" }}\n[sentinel.penalty]\nstrikes = 1000\n"
    ));
    let tg = FakeTelegram::start();
    let (flooder, bystander) = (5001, 5002);
    for i in 1..=60 {
        tg.push_update(updates::command(flooder, &format!("/help {i}")));
    }
    let last = tg.push_update(updates::command(bystander, "/start"));
    let mut bot = BotProcess::start(dir.path(), &tg.url());

    let bystander_replies = wait_replies(&tg, &mut bot, bystander, 1, REPLY_TIMEOUT);
    assert!(!is_notice(&bystander_replies[0]), "another user was limited: {bystander_replies:?}");
    wait_polled_past(&tg, &mut bot, last);
    // Notices follow finished updates in the chat's queue; a clean stop sends what is queued.
    stop_cleanly(bot);

    let sent = tg.sent_messages_to(flooder);
    let answered = sent.iter().filter(|m| !is_notice(m) && m.contains("/help")).count();
    let notices: Vec<&String> = sent.iter().filter(|m| is_notice(m)).collect();
    assert_eq!(answered, 3, "exactly the limit is handled: {sent:#?}");
    assert_eq!(notices.len(), 1, "one notice per limited period: {sent:#?}");
    assert!(is_limit_notice(notices[0]), "the notice says how long to wait: {:?}", notices[0]);
    let all_calls = calls_addressed_to(&tg.calls(), flooder, &[]);
    assert!(all_calls.len() <= 4, "60 messages caused {} calls:\n{}", all_calls.len(), tg.dump(&all_calls));
}

#[test]
fn flood_past_the_strikes_adds_one_mute_notice() {
    let dir = dir_with_config(&format!("{NO_DEBOUNCE}default = {{ limit = 3, per = \"1m\" }}\n"));
    let tg = FakeTelegram::start();
    let flooder = 5101;
    let mut last = 0;
    for i in 1..=60 {
        last = tg.push_update(updates::command(flooder, &format!("/help {i}")));
    }
    let mut bot = BotProcess::start(dir.path(), &tg.url());
    wait_polled_past(&tg, &mut bot, last);
    stop_cleanly(bot);

    let sent = tg.sent_messages_to(flooder);
    let answered = sent.iter().filter(|m| !is_notice(m)).count();
    let limit_notices = sent.iter().filter(|m| is_limit_notice(m)).count();
    let mute_notices = sent.iter().filter(|m| is_mute_notice(m)).count();
    assert_eq!((answered, limit_notices, mute_notices), (3, 1, 1), "replies, limit and mute notices: {sent:#?}");
    assert_eq!(sent.len(), 5, "nothing else was sent: {sent:#?}");
}

#[test]
fn command_bucket_limits_only_its_command() {
    let dir = dir_with_config("[sentinel.commands]\nhelp = { limit = 1, per = \"1m\" }\n");
    let tg = FakeTelegram::start();
    let user = 5201;
    tg.push_update(updates::command(user, "/help x"));
    tg.push_update(updates::command(user, "/help y"));
    let last = tg.push_update(updates::command(user, "/start"));
    let mut bot = BotProcess::start(dir.path(), &tg.url());

    wait_replies(&tg, &mut bot, user, 3, REPLY_TIMEOUT);
    wait_polled_past(&tg, &mut bot, last);
    let sent = tg.sent_messages_to(user);
    assert_eq!(sent.len(), 3, "help, the welcome, a notice: {sent:#?}");
    assert!(sent[0].contains("/help") && !is_notice(&sent[0]), "the first /help is answered: {sent:#?}");
    assert!(!is_notice(&sent[1]) && !sent[1].trim().is_empty(), "/start is still answered: {sent:#?}");
    assert_ne!(sent[1], sent[0], "/start got the welcome, not the help text: {sent:#?}");
    assert!(is_limit_notice(&sent[2]), "the second /help gets a notice, after the replies: {sent:#?}");
    stop_cleanly(bot);
}

#[test]
fn identical_messages_are_debounced_silently_and_use_no_budget() {
    // A long window, so the duplicates fall inside it however slow the machine.
    let dir = dir_with_config("[sentinel]\ndebounce = \"10m\"\ndefault = { limit = 2, per = \"1m\" }\n");
    let tg = FakeTelegram::start();
    let user = 5301;
    for _ in 0..5 {
        tg.push_update(updates::command(user, "/start"));
    }
    let last = tg.push_update(updates::command(user, "/help"));
    let mut bot = BotProcess::start(dir.path(), &tg.url());

    wait_polled_past(&tg, &mut bot, last);
    let sent = tg.sent_messages_to(user);
    assert_eq!(sent.len(), 2, "one welcome and the help, nothing else: {sent:#?}");
    assert!(sent.iter().all(|m| !is_notice(m)), "debouncing is silent and the duplicates used no budget: {sent:#?}");
    assert!(sent[1].contains("/help"), "/help answered after the duplicates: {sent:#?}");
    stop_cleanly(bot);
}

#[test]
fn callbacks_of_limited_users_are_answered_and_of_blocked_users_not() {
    let dir = init_with_config(
        "[sentinel]\ndebounce = \"10m\"\ndefault = { limit = 1, per = \"1m\" }\n[sentinel.penalty]\nstrikes = 1000\n",
    );
    let blocked = 5402;
    cli_ok(&["block", &blocked.to_string(), "--dir", path_arg(dir.path())]);
    let tg = FakeTelegram::start();
    let user = 5401;
    let blocked_press = updates::callback_query(blocked, "draw:1");
    let blocked_id = query_id(&blocked_press);
    tg.push_update(blocked_press);
    tg.push_update(updates::command(user, "/start"));
    // Over the limit: a press, the same press again (a duplicate), another press.
    let presses = [
        updates::callback_query(user, "draw:1"),
        updates::callback_query(user, "draw:1"),
        updates::callback_query(user, "draw:2"),
    ];
    let ids: Vec<String> = presses.iter().map(query_id).collect();
    let mut last = 0;
    for press in presses {
        last = tg.push_update(press);
    }
    let mut bot = BotProcess::start(dir.path(), &tg.url());

    wait_polled_past(&tg, &mut bot, last);
    // Answers to denied presses follow in the chat's queue; a clean stop sends what is queued.
    stop_cleanly(bot);
    for (n, id) in ids.iter().enumerate() {
        let answers = callback_answers(&tg, id);
        assert_eq!(answers.len(), 1, "press {n} ({id}) answered once:\n{}", tg.dump(&tg.calls()));
    }
    let first_text = callback_answers(&tg, &ids[0])[0].str("text").unwrap_or_default();
    assert!(is_limit_notice(&first_text), "the first denied press carries the notice: {first_text:?}");
    let sent = tg.sent_messages_to(user);
    assert_eq!(sent.len(), 1, "only the welcome is a message; notices for presses go in the answer: {sent:#?}");
    assert_nothing_to(&tg, blocked, &[blocked_id]);
}

#[test]
fn user_blocked_offline_gets_nothing_of_any_kind() {
    let dir = init_with_config("");
    let stdout = cli_ok(&["block", "42", "--reason", "spam", "--dir", path_arg(dir.path())]);
    assert_eq!(stdout.trim(), "blocked user 42 until unblocked (reason: spam)");
    assert_eq!(blocked_list(dir.path()).trim(), "42\tblocked by an admin until unblocked (reason: spam)");

    let tg = FakeTelegram::start();
    let blocked = 42;
    let press = updates::callback_query(blocked, "draw:1");
    let inline = updates::inline_query(blocked, "the tower");
    let query_ids = vec![query_id(&press), query_id(&inline)];
    tg.push_update(updates::command(blocked, "/start"));
    tg.push_update(press);
    tg.push_update(updates::edited_message(blocked, blocked, "/help"));
    tg.push_update(inline);
    let other = 43;
    let last = tg.push_update(updates::command(other, "/start"));
    let mut bot = BotProcess::start(dir.path(), &tg.url());

    wait_replies(&tg, &mut bot, other, 1, REPLY_TIMEOUT);
    wait_polled_past(&tg, &mut bot, last);
    assert_nothing_to(&tg, blocked, &query_ids);
    assert!(tg.calls_to("answerInlineQuery").is_empty(), "an inline query was answered");
    stop_cleanly(bot);
}

#[test]
fn block_and_unblock_while_running_go_through_the_socket() {
    let dir = dir_with_config(NO_DEBOUNCE);
    let dir_arg = path_arg(dir.path());
    let tg = FakeTelegram::start();
    let mut bot = BotProcess::start(dir.path(), &tg.url());
    wait_until_up(&tg, &mut bot, 6100);
    let socket = dir.path().join("control.sock");
    let mode = std::fs::metadata(&socket).expect("control.sock exists while running").permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "control.sock mode is {:o}", mode & 0o777);

    let stdout = cli_ok(&["block", "42", "--dir", dir_arg]);
    assert_eq!(stdout.trim(), "blocked user 42 until unblocked");
    tg.push_update(updates::command(42, "/start"));
    let last = tg.push_update(updates::command(6101, "/start"));
    wait_replies(&tg, &mut bot, 6101, 1, REPLY_TIMEOUT);
    wait_polled_past(&tg, &mut bot, last);
    assert_nothing_to(&tg, 42, &[]);
    let listing = blocked_list(dir.path());
    assert!(listing.lines().any(|l| l.starts_with("42\tblocked by an admin until unblocked")), "listed: {listing}");

    assert_eq!(cli_ok(&["unblock", "42", "--dir", dir_arg]).trim(), "unblocked user 42");
    assert_eq!(cli_ok(&["unblock", "42", "--dir", dir_arg]).trim(), "user 42 was not blocked");
    assert_eq!(blocked_list(dir.path()).trim(), "no blocked users");
    tg.push_update(updates::command(42, "/start"));
    let replies = wait_replies(&tg, &mut bot, 42, 1, REPLY_TIMEOUT);
    assert!(!is_notice(&replies[0]), "42 is welcomed after the unblock: {replies:?}");
    stop_cleanly(bot);
}

#[test]
fn timed_block_and_usage_errors_on_the_command_line() {
    let dir = init_with_config("");
    let dir_arg = path_arg(dir.path());
    let stdout = cli_ok(&["block", "42", "--for", "1h", "--dir", dir_arg]);
    let until = stdout.trim().strip_prefix("blocked user 42 until ").unwrap_or_else(|| panic!("printed {stdout:?}"));
    assert!(humantime::parse_rfc3339(until).is_ok(), "an RFC 3339 time: {until:?}");

    for args in [
        vec!["block", "abc"],
        vec!["block", "0"],
        vec!["block", "-5"],
        vec!["block", "42", "--for", "soon"],
        vec!["block", "42", "--for", "0s"],
        vec!["unblock", "abc"],
    ] {
        let mut args = args;
        args.extend(["--dir", dir_arg]);
        let output = run_cli(&args, &[]);
        assert_clean_output(&output);
        assert_eq!(
            output.status.code(),
            Some(2),
            "`arcana {}` is a usage error: {:?}",
            args.join(" "),
            streams(&output)
        );
    }
    let listing = blocked_list(dir.path());
    assert_eq!(listing.lines().count(), 1, "only the timed block of 42: {listing}");
}

#[test]
fn user_who_blocks_the_bot_is_dropped_until_back() {
    let dir = dir_with_config(NO_DEBOUNCE);
    let tg = FakeTelegram::start();
    let user = 7001;
    tg.push_update(updates::my_chat_member(user, "member", "kicked"));
    tg.push_update(updates::command(user, "/start"));
    let last = tg.push_update(updates::command(7002, "/start"));
    let mut bot = BotProcess::start(dir.path(), &tg.url());

    wait_replies(&tg, &mut bot, 7002, 1, REPLY_TIMEOUT);
    wait_polled_past(&tg, &mut bot, last);
    assert_nothing_to(&tg, user, &[]);
    let listing = blocked_list(dir.path());
    assert!(listing.lines().any(|l| l.starts_with(&format!("{user}\tblocked the bot since"))), "listed: {listing}");

    tg.push_update(updates::my_chat_member(user, "kicked", "member"));
    tg.push_update(updates::command(user, "/start"));
    let replies = wait_replies(&tg, &mut bot, user, 1, REPLY_TIMEOUT);
    assert!(!is_notice(&replies[0]), "welcomed back: {replies:?}");
    stop_cleanly(bot);
}

#[test]
fn admins_block_in_telegram_and_others_may_not() {
    let dir = dir_with_config(&format!("admins = [1]\n{NO_DEBOUNCE}[accounts]\nrequire_registration = false\n"));
    let tg = FakeTelegram::start();
    let admin = 1;
    tg.push_update(updates::command(admin, "/block 42 1h spam"));
    let mut bot = BotProcess::start(dir.path(), &tg.url());
    let reply = wait_replies(&tg, &mut bot, admin, 1, REPLY_TIMEOUT).remove(0);
    assert!(
        reply.starts_with("blocked user 42 until ") && reply.ends_with(" (reason: spam)"),
        "admin reply: {reply:?}"
    );

    let (intruder, target) = (44, 43);
    tg.push_update(updates::command(42, "/start"));
    tg.push_update(updates::command(intruder, "/block 43"));
    let last = tg.push_update(updates::command(target, "/start"));
    let refusal = wait_replies(&tg, &mut bot, intruder, 1, REPLY_TIMEOUT).remove(0);
    assert!(refusal.contains("admins only"), "a non-admin is refused: {refusal:?}");
    let welcome = wait_replies(&tg, &mut bot, target, 1, REPLY_TIMEOUT).remove(0);
    assert!(!is_notice(&welcome), "the refused /block did not block 43: {welcome:?}");
    wait_polled_past(&tg, &mut bot, last);
    assert_nothing_to(&tg, 42, &[]);

    tg.push_update(updates::command(admin, "/unblock 42"));
    let replies = wait_replies(&tg, &mut bot, admin, 2, REPLY_TIMEOUT);
    assert_eq!(replies[1], "unblocked user 42");
    tg.push_update(updates::command(42, "/start"));
    wait_replies(&tg, &mut bot, 42, 1, REPLY_TIMEOUT);
    stop_cleanly(bot);
}

#[test]
fn restart_keeps_blocks_and_penalty_mutes() {
    let dir = dir_with_config(&format!(
        "{NO_DEBOUNCE}default = {{ limit = 1, per = \"1m\" }}\n[sentinel.penalty]\nstrikes = 2\n"
    ));
    let (muted, blocked, fresh) = (9001, 77, 9003);

    // Run 1: the flooder earns a mute; 77 is blocked through the socket.
    let first = FakeTelegram::start();
    let mut last = 0;
    for i in 1..=10 {
        last = first.push_update(updates::command(muted, &format!("/help {i}")));
    }
    let mut bot = BotProcess::start(dir.path(), &first.url());
    wait_polled_past(&first, &mut bot, last);
    // Notices follow the finished updates in the chat's queue: wait for the mute's.
    first.wait_for(REPLY_TIMEOUT, "the flood to earn a mute notice", |calls| {
        calls.iter().any(|c| {
            c.method == "sendMessage"
                && c.int("chat_id") == Some(muted)
                && c.str("text").is_some_and(|t| is_mute_notice(&t))
        })
    });
    assert_eq!(cli_ok(&["block", "77", "--dir", path_arg(dir.path())]).trim(), "blocked user 77 until unblocked");
    stop_cleanly(bot);

    // Run 2: a new server; ids continue after run 1's, as Telegram's would.
    let second = FakeTelegram::start();
    second.push_update_with_id(last + 1, updates::command(muted, "/start"));
    second.push_update(updates::command(blocked, "/start"));
    let last = second.push_update(updates::command(fresh, "/start"));
    let mut bot = BotProcess::start(dir.path(), &second.url());
    wait_replies(&second, &mut bot, fresh, 1, REPLY_TIMEOUT);
    wait_polled_past(&second, &mut bot, last);
    let sent = second.sent_messages_to(muted);
    assert!(sent.iter().all(|m| is_mute_notice(m)), "the mute outlived the restart: {sent:#?}");
    assert_nothing_to(&second, blocked, &[]);
    stop_cleanly(bot);
}
