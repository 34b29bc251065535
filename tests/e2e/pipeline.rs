//! The update pipeline under floods, seen from the chats: a flooder's backlog never holds up
//! another user, a button press, or another chat; a flood meets the configured limit; a kill in
//! the middle loses nothing and repeats nothing that had finished.
//!
//! No timed assertions: each test compares the *order* of what the fake server recorded.

use serde_json::{Value, json};

use crate::harness::{REPLY_TIMEOUT, dir_with_config, stop_cleanly, wait_polled_past};
use crate::support::bot_process::{BotProcess, run_cli};
use crate::support::fake_telegram::{Call, FakeTelegram};
use crate::support::updates;

/// Generous limits and no debounce: every message of a flood is admitted and answered, so the
/// flooder's chat gets a long reply backlog (Telegram allows one message a second into it).
const ALL_ADMITTED: &str = "[bot]\nchat_backlog = 500\nshutdown_grace = \"1s\"\n\n\
     [sentinel]\ndebounce = \"0s\"\ndefault = { limit = 1000, per = \"1m\" }\n";

/// Index of the first call matching `pred`.
fn position(calls: &[Call], pred: impl Fn(&Call) -> bool) -> Option<usize> {
    calls.iter().position(pred)
}

fn is_message_to(call: &Call, chat: i64) -> bool {
    call.method == "sendMessage" && call.answered && call.int("chat_id") == Some(chat)
}

/// Messages delivered to `chat` among `calls`.
fn count_to(calls: &[Call], chat: i64) -> usize {
    calls.iter().filter(|c| is_message_to(c, chat)).count()
}

/// A `/help` command in a group, with its `bot_command` entity.
fn group_command(user: i64, group: i64, text: &str) -> Value {
    let mut update = updates::message(user, group, text);
    let length = text.split_whitespace().next().unwrap_or(text).encode_utf16().count();
    update["message"]["entities"] = json!([{ "type": "bot_command", "offset": 0, "length": length }]);
    update
}

#[test]
fn a_flooder_s_backlog_does_not_hold_up_another_user_or_its_own_button() {
    let dir = dir_with_config(ALL_ADMITTED);
    let tg = FakeTelegram::start();
    let bot = BotProcess::start(dir.path(), &tg.url());
    let (flooder, other) = (6101, 6102);
    for n in 0..120 {
        tg.push_update(updates::command(flooder, &format!("/help {n}")));
    }
    // The flooder has a first answer: its backlog is queued and draining at one a second.
    tg.wait_for_messages_to(flooder, 1, REPLY_TIMEOUT);
    tg.push_update(updates::command(other, "/help"));
    let press = updates::callback_query(flooder, "no-such-button");
    let press_id = press["callback_query"]["id"].as_str().expect("query id").to_owned();
    tg.push_update(press);

    let calls = tg.wait_for(REPLY_TIMEOUT, "the other user's reply and the press's answer", |calls| {
        count_to(calls, other) >= 1
            && calls
                .iter()
                .any(|c| c.method == "answerCallbackQuery" && c.str("callback_query_id") == Some(press_id.clone()))
    });
    let answered_other = position(&calls, |c| is_message_to(c, other)).expect("answered");
    let answered_press = position(&calls, |c| c.method == "answerCallbackQuery").expect("answered");
    let flooder_before_other = count_to(&calls[..answered_other], flooder);
    let flooder_before_press = count_to(&calls[..answered_press], flooder);
    assert!(
        flooder_before_other < 120,
        "the other user waited for the whole flood ({flooder_before_other} replies first)"
    );
    assert!(
        flooder_before_press < 120,
        "the press waited for the whole backlog ({flooder_before_press} replies first)"
    );
    let (status, _) = bot.terminate();
    assert!(status.success(), "{status}");
}

#[test]
fn a_busy_group_does_not_stop_a_private_chat_or_polling() {
    let dir = dir_with_config(ALL_ADMITTED);
    let tg = FakeTelegram::start();
    let bot = BotProcess::start(dir.path(), &tg.url());
    let group = -1_006_200;
    // Twenty members each ask three times: a backlog Telegram lets drain at 20 a minute.
    for round in 0..3 {
        for member in 0..20 {
            tg.push_update(group_command(6200 + member, group, &format!("/help {round}")));
        }
    }
    tg.wait_for(REPLY_TIMEOUT, "a first reply in the group", |calls| count_to(calls, group) >= 1);
    let private = 6299;
    let last = tg.push_update(updates::command(private, "/help"));
    let calls = tg.wait_for(REPLY_TIMEOUT, "the private reply", |calls| count_to(calls, private) >= 1);
    let answered = position(&calls, |c| is_message_to(c, private)).expect("answered");
    let group_before = count_to(&calls[..answered], group);
    assert!(group_before < 60, "the private chat waited for the group's whole backlog ({group_before} first)");
    let polled = tg.wait_for(REPLY_TIMEOUT, "polling past the private message", |calls| {
        calls.iter().any(|c| c.method == "getUpdates" && c.int("offset").is_some_and(|o| o > last))
    });
    assert!(count_to(&polled, group) < 60, "polling went on while the group's backlog drained");
    let (status, _) = bot.terminate();
    assert!(status.success(), "{status}");
}

#[test]
fn a_flood_meets_the_configured_limit_and_a_full_backlog_is_counted() {
    let dir = dir_with_config(
        "[bot]\nchat_backlog = 10\n\n[sentinel]\ndebounce = \"0s\"\ndefault = { limit = 5, per = \"1m\" }\n\n\
         [sentinel.commands]\nstart = { limit = 100, per = \"1m\" }\n",
    );
    let tg = FakeTelegram::start();
    let (flooder, crowd) = (6301, 6302);
    // Queued before the bot starts, so its first getUpdates returns them all in one batch.
    for n in 0..30 {
        tg.push_update(updates::command(flooder, &format!("/help {n}")));
    }
    // Within a generous limit, but more than the chat's backlog holds: the rest is dropped.
    let mut last = 0;
    for n in 0..20 {
        last = tg.push_update(updates::command(crowd, &format!("/start {n}")));
    }
    let mut bot = BotProcess::start(dir.path(), &tg.url());
    wait_polled_past(&tg, &mut bot, last);

    let sent = tg.sent_messages_to(flooder);
    let notices = sent.iter().filter(|t| t.contains("Please wait") || t.contains("Too many requests")).count();
    let replies = sent.len() - notices;
    assert_eq!(replies, 5, "the limit's worth of replies: {sent:#?}");
    assert!((1..=2).contains(&notices), "one limit notice, at most one mute notice: {sent:#?}");

    let answered = tg.sent_messages_to(crowd).len();
    assert_eq!(answered, 11, "one running and ten waiting");
    let status = bot.status().expect("status");
    assert_eq!(status.get("backlog_drops").copied(), Some(9));
    assert_eq!(status.get("inbox").copied(), Some(0));
    let out = run_cli(&["status", "--dir", dir.path().to_str().expect("utf-8")], &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    for line in ["inbox\t0", "backlog_drops\t9", "send_queue\t0"] {
        assert!(text.lines().any(|l| l == line), "`arcana status` shows {line:?}: {text}");
    }
    stop_cleanly(bot);
}

#[test]
fn a_kill_mid_flood_loses_nothing_and_repeats_only_what_was_in_flight() {
    let dir = dir_with_config(ALL_ADMITTED);
    let tg = FakeTelegram::start();
    let bot = BotProcess::start(dir.path(), &tg.url());
    let users: Vec<i64> = (6400..6430).collect();
    let per_user = 4;
    let mut last = 0;
    for round in 0..per_user {
        for &user in &users {
            last = tg.push_update(updates::command(user, &format!("/help {round}")));
        }
    }
    // Everything is confirmed to Telegram (so only the inbox has it), and some is answered.
    tg.wait_for(REPLY_TIMEOUT, "the flood polled past and partly answered", |calls| {
        calls.iter().any(|c| c.method == "getUpdates" && c.int("offset").is_some_and(|o| o > last))
            && calls.iter().filter(|c| c.method == "sendMessage" && c.answered).count() >= 20
    });
    let _ = bot.kill9();
    let before: Vec<usize> = users.iter().map(|&u| count_to(&tg.calls(), u)).collect();
    assert!(before.iter().sum::<usize>() < users.len() * per_user, "the kill came after the flood was handled");
    assert_eq!(tg.pending_updates(), 0, "Telegram was told to forget every update before the kill");

    let bot = BotProcess::start(dir.path(), &tg.url());
    assert!(bot.wait_idle(REPLY_TIMEOUT * 4), "the restarted bot finishes the flood: {:?}", bot.status());
    for (&user, &had) in users.iter().zip(&before) {
        let got = count_to(&tg.calls(), user);
        assert!(got >= per_user, "user {user}: {got} replies for {per_user} messages (lost some)");
        // A private chat runs one update at a time: at most one was in flight at the kill.
        assert!(got <= per_user + 1, "user {user}: {got} replies; finished updates ran again (had {had})");
    }
    stop_cleanly(bot);
}

#[test]
fn a_chat_flooding_huge_updates_fills_the_byte_bound_and_a_normal_user_is_still_answered() {
    let dir = dir_with_config(
        "[bot]\ninbox_max_bytes = 100000\n\n[accounts]\nrequire_registration = false\n\n\
         [sentinel]\ndebounce = \"0s\"\n",
    );
    let tg = FakeTelegram::start();
    let (flooder, user) = (9_101, 9_102);
    // Twelve updates of about 30 kB each, all in the first batch: three fill the inbox's bound.
    for n in 0..12 {
        let padding = "x".repeat(30_000);
        tg.push_update(updates::command(flooder, &format!("/help {n} {padding}")));
    }
    let last = tg.push_update(updates::command(user, "/help"));
    let mut bot = BotProcess::start(dir.path(), &tg.url());
    crate::harness::wait_replies(&tg, &mut bot, user, 1, REPLY_TIMEOUT);
    wait_polled_past(&tg, &mut bot, last);
    let status = bot.status().expect("status");
    assert_eq!(status.get("inbox_full_drops").copied(), Some(9), "the flooder's updates past the bound: {status:?}");
    assert_eq!(count_to(&tg.calls(), flooder), 3, "only what fitted was handled");
    stop_cleanly(bot);
    let audited =
        crate::harness::cli_ok(&["audit", "--event", "inbox_full_drop", "--dir", dir.path().to_str().expect("path")]);
    assert!(audited.contains("inbox_full_drop"), "{audited}");
}

/// One start permit, held by a group's second reply while it waits out the group's send spacing
/// (Telegram allows a message every few seconds into a group): a private user's `/help` must
/// still start and be answered first. A handler waiting for a send slot gives its permit back.
#[test]
fn a_handler_waiting_to_send_does_not_keep_others_from_starting() {
    let dir = dir_with_config(&ALL_ADMITTED.replacen("[bot]\n", "[bot]\nmax_in_flight = 1\n", 1));
    let tg = FakeTelegram::start();
    let bot = BotProcess::start(dir.path(), &tg.url());
    let group = -1_006_300;
    tg.push_update(group_command(6301, group, "/help"));
    tg.push_update(group_command(6302, group, "/help cards"));
    tg.wait_for(REPLY_TIMEOUT, "the group's first reply", |calls| count_to(calls, group) >= 1);
    // The second reply now waits for the group's next slot, a few seconds away.
    let deadline = std::time::Instant::now() + REPLY_TIMEOUT;
    while bot.status().and_then(|s| s.get("send_queue").copied()).unwrap_or(0) == 0 {
        assert!(std::time::Instant::now() < deadline, "the group's second reply never queued");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let private = 6399;
    tg.push_update(updates::command(private, "/help"));
    let calls = tg
        .wait_for(REPLY_TIMEOUT, "both replies", |calls| count_to(calls, private) >= 1 && count_to(calls, group) >= 2);
    let private_at = position(&calls, |c| is_message_to(c, private)).expect("answered");
    assert_eq!(
        count_to(&calls[..private_at], group),
        1,
        "the private user waited for the group's spacing: the waiting reply held the only permit"
    );
    let (status, _) = bot.terminate();
    assert!(status.success(), "{status}");
}
