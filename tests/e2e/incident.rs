//! Incident controls seen from outside: lockdown (registered users served, newcomers get one
//! notice and no account, it survives a restart), lifting a mute and resetting rate limits while
//! the bot runs, and broadcasts.

use std::time::{Duration, Instant};

use crate::accounts::{Running, config, texts, to_chat};
use crate::harness::{REPLY_TIMEOUT, path_arg, streams};
use crate::support::bot_process::run_cli;
use crate::support::fake_telegram::{Call, Fault};
use crate::support::updates;

/// Every command a tier may list in these tests.
const ALL: &str = r#""start", "help", "privacy", "sessions", "logout_all", "2fa", "verify", "export", "delete_me""#;

/// Whether a text is the lockdown notice.
fn is_lockdown_notice(text: &str) -> bool {
    text.contains("not taking new users")
}

/// Whether the data store in `dir` holds any key containing `user`'s id (an account, a profile,
/// a penalty: anything kept about them).
fn store_has_key_of(dir: &std::path::Path, user: i64) -> bool {
    let needle = user.to_be_bytes();
    let db = sled::open(dir.join("db")).expect("open the store");
    db.tree_names().iter().any(|name| {
        let tree = db.open_tree(name).expect("tree");
        tree.iter().keys().any(|key| key.expect("key").windows(needle.len()).any(|w| w == needle))
    })
}

#[test]
fn lockdown_serves_registered_users_gives_newcomers_one_notice_and_survives_a_restart() {
    let mut run = Running::start(&config(true, ALL));
    let (member, newcomer, later) = (40_001, 40_002, 40_003);
    run.register(member);

    let on = run.cli(&["lockdown", "on", "--reason", "spam wave"]);
    assert!(on.contains("lockdown on"), "{on:?}");
    let status = run.cli(&["status"]);
    assert!(status.lines().any(|l| l == "lockdown\ton"), "{status}");
    assert!(status.lines().any(|l| l == "lockdown_reason\tspam wave"), "{status}");

    // A newcomer: one short notice, however often they try, and no consent prompt.
    let first = run.say(newcomer, "/start");
    assert!(is_lockdown_notice(&first), "{first:?}");
    for text in ["/start", "/help", "/privacy"] {
        let id = run.tg.push_update(updates::command(newcomer, text));
        run.wait_finished(id);
    }
    let sent = to_chat(&run.tg.calls(), newcomer);
    assert_eq!(sent.len(), 1, "one notice, nothing else: {sent:#?}");

    // A registered user is served as usual.
    let help = run.say(member, "/help");
    assert!(help.contains("/draw") || help.contains("/help"), "{help:?}");

    // Survives a restart.
    let (dir, tg) = run.stop();
    assert!(!store_has_key_of(dir.path(), newcomer), "nothing is kept about the newcomer");
    let mut run = Running::resume(dir, tg);
    let notice = run.say(later, "/start");
    assert!(is_lockdown_notice(&notice), "after a restart: {notice:?}");
    let help = run.say(member, "/help");
    assert!(!is_lockdown_notice(&help), "the member is still served: {help:?}");
    let status = run.cli(&["status"]);
    assert!(status.lines().any(|l| l == "lockdown\ton"), "after a restart: {status}");

    // Off: newcomers may register again.
    let off = run.cli(&["lockdown", "off"]);
    assert!(off.contains("lockdown off"), "{off:?}");
    assert!(run.cli(&["status"]).lines().any(|l| l == "lockdown\toff"));
    run.register(later);
    run.stop();
}

#[test]
fn lockdown_set_while_the_bot_is_stopped_applies_at_its_next_start() {
    let mut run = Running::start(&config(true, ALL));
    run.say(40_100, "/help");
    let (dir, tg) = run.stop();
    let out = crate::harness::cli_ok(&["lockdown", "on", "--dir", path_arg(dir.path())]);
    assert!(out.contains("next start"), "{out:?}");
    let mut run = Running::resume(dir, tg);
    let notice = run.say(40_101, "/start");
    assert!(is_lockdown_notice(&notice), "{notice:?}");
    run.stop();
}

/// A tight limit on `/help` only, and a mute after two denials; `/privacy` counts in the
/// generous default bucket, so only a mute keeps it from an answer.
const MUTE_CONFIG: &str = r#"admins = [1]

[sentinel]
debounce = "0s"
default = { limit = 100, per = "1m" }
commands = { help = { limit = 1, per = "1m" } }

[sentinel.penalty]
strikes = 2
base = "1h"
"#;

#[test]
fn unmute_lets_a_muted_user_through_at_once_and_reset_limits_empties_their_windows() {
    let mut run = Running::start(MUTE_CONFIG);
    let user = 41_001;
    run.say(user, "/help one");
    // The second is limited (a notice), the third earns the mute (its notice).
    run.push_until(user, updates::command(user, "/help two"), "the limit notice", |_| true);
    run.push_until(user, updates::command(user, "/help three"), "the mute notice", |sent| {
        texts(sent).contains("Too many requests")
    });
    let before = to_chat(&run.tg.calls(), user).len();
    let id = run.tg.push_update(updates::command(user, "/privacy"));
    run.wait_finished(id);
    assert_eq!(to_chat(&run.tg.calls(), user).len(), before, "muted: no answer");

    let out = run.cli(&["unmute", &user.to_string()]);
    assert_eq!(out.trim(), format!("unmuted user {user}"));
    let privacy = run.say(user, "/privacy");
    assert!(privacy.contains("rivacy"), "through at once: {privacy:?}");

    // `/help`'s own window still holds the first one (its notice was already given); reset-limits
    // empties it.
    let before = to_chat(&run.tg.calls(), user).len();
    let id = run.tg.push_update(updates::command(user, "/help four"));
    run.wait_finished(id);
    assert_eq!(to_chat(&run.tg.calls(), user).len(), before, "still limited");
    let out = run.cli(&["reset-limits", &user.to_string()]);
    assert!(out.contains("reset the limits of user 41001"), "{out:?}");
    let help = run.say(user, "/help five");
    assert!(!help.contains("Please wait") && !help.contains("Too many"), "{help:?}");
    run.stop();
}

/// The operator's broadcast text, and how it reaches Telegram (HTML-escaped, as plain text).
const BROADCAST: &str = "Maintenance tonight at 22:00 <b>UTC</b> & back soon";
const BROADCAST_SENT: &str = "Maintenance tonight at 22:00 &lt;b&gt;UTC&lt;/b&gt; &amp; back soon";

/// How many `sendMessage` calls carrying the broadcast reached the server for `user` (answered
/// or still in flight: a request Telegram received counts as delivered).
fn broadcasts_to(calls: &[Call], user: i64) -> usize {
    calls
        .iter()
        .filter(|c| c.method == "sendMessage" && c.int("chat_id") == Some(user))
        .filter(|c| c.str("text").is_some_and(|t| t.contains("Maintenance tonight")))
        .inspect(|c| assert_eq!(c.str("text").as_deref(), Some(BROADCAST_SENT), "sent escaped, as plain text"))
        .count()
}

/// Polls `arcana broadcast --status` until the broadcast is finished; returns the status.
fn wait_broadcast_finished(run: &Running) -> String {
    let deadline = Instant::now() + REPLY_TIMEOUT;
    loop {
        let status = run.cli(&["broadcast", "--status"]);
        if status.lines().any(|l| l == "broadcast\tfinished") {
            return status;
        }
        assert!(Instant::now() < deadline, "the broadcast did not finish within {REPLY_TIMEOUT:?}: {status}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_broadcast_reaches_every_registered_user_exactly_once_across_a_kill_9() {
    let mut run = Running::start(&config(true, ALL));
    let users: Vec<i64> = (42_001..=42_012).collect();
    let (left, banned, stranger) = (42_050, 42_051, 42_060);
    for &user in users.iter().chain([&left, &banned]) {
        run.register(user);
    }
    let id = run.tg.push_update(updates::my_chat_member(left, "member", "kicked"));
    run.wait_finished(id);
    run.cli(&["block", &banned.to_string()]);
    run.say(stranger, "/start");

    let dry = run.cli(&["broadcast", "--dry-run", BROADCAST]);
    assert!(dry.contains("would send to 12 registered users (2 more are blocked"), "{dry:?}");
    assert_eq!(broadcasts_to(&run.tg.calls(), users[0]), 0, "a dry run sends nothing");

    // Telegram takes the fifth message and does not answer: the bot is killed with it in flight.
    for _ in 0..4 {
        run.tg.push_fault("sendMessage", Fault::Delay(Duration::ZERO));
    }
    run.tg.push_fault("sendMessage", Fault::Delay(Duration::from_mins(10)));
    let started = run.cli(&["broadcast", BROADCAST]);
    assert!(started.contains("broadcast started to 12 users"), "{started:?}");
    run.tg.wait_for(REPLY_TIMEOUT, "five broadcast messages, the last in flight", |calls| {
        users.iter().map(|&u| broadcasts_to(calls, u)).sum::<usize>() >= 5
    });
    let Running { dir, tg, bot } = run;
    bot.kill9();

    let run = Running::resume(dir, tg);
    run.tg.wait_for(REPLY_TIMEOUT, "the broadcast to reach everyone after the restart", |calls| {
        users.iter().all(|&u| broadcasts_to(calls, u) >= 1)
    });
    let status = wait_broadcast_finished(&run);
    let calls = run.tg.calls();
    for &user in &users {
        assert_eq!(broadcasts_to(&calls, user), 1, "user {user} got it exactly once:\n{}", run.tg.dump(&calls));
    }
    for user in [left, banned, stranger] {
        assert_eq!(broadcasts_to(&calls, user), 0, "user {user} is not a recipient");
    }
    // The message in flight at the kill is not sent again, and says so.
    for line in ["broadcast_total\t12", "broadcast_sent\t11", "broadcast_uncertain\t1", "broadcast_failed\t0"] {
        assert!(status.lines().any(|l| l == line), "{line:?} in {status}");
    }
    let everything = run.cli(&["status"]);
    assert!(everything.lines().any(|l| l == "broadcast_sent\t11"), "{everything}");
    let (dir, _tg) = run.stop();

    // Without the running bot: counted, never sent.
    let dry = crate::harness::cli_ok(&["broadcast", "--dry-run", "hello", "--dir", path_arg(dir.path())]);
    assert!(dry.contains("would send to 12"), "{dry:?}");
    let refused = run_cli(&["broadcast", "hello", "--dir", path_arg(dir.path())], &[]);
    let (_, stderr) = streams(&refused);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("need the running bot"), "{stderr}");
    let empty = run_cli(&["broadcast", " ", "--dir", path_arg(dir.path())], &[]);
    assert_eq!(empty.status.code(), Some(2), "an empty text is a usage error");
    let file = dir.path().join("message.txt");
    std::fs::write(&file, "Hello from a file\n").expect("write the message");
    let from_file =
        crate::harness::cli_ok(&["broadcast", "--dry-run", "--file", path_arg(&file), "--dir", path_arg(dir.path())]);
    assert!(from_file.contains("would send to 12"), "{from_file:?}");
    let missing = dir.path().join("missing.txt");
    let out = run_cli(&["broadcast", "--file", path_arg(&missing), "--dir", path_arg(dir.path())], &[]);
    let (_, stderr) = streams(&out);
    assert_eq!(out.status.code(), Some(2), "an unreadable file is a usage error: {stderr}");
    assert!(stderr.contains("missing.txt"), "{stderr}");
}

#[test]
fn admins_use_the_incident_controls_in_telegram_and_purchases_pause_under_lockdown() {
    let admin = 1;
    let mut run = Running::start(&config(true, &format!("{ALL}, \"buy\"")));
    let (member, newcomer) = (44_001, 44_002);
    run.register(admin);
    run.register(member);
    let refused = run.say(member, "/lockdown on");
    assert!(refused.contains("admins only"), "{refused:?}");
    assert!(run.cli(&["status"]).lines().any(|l| l == "lockdown\toff"), "a refused command changes nothing");

    let on = run.say(admin, "/lockdown on raid from @spamnet");
    assert!(on.contains("lockdown on"), "{on:?}");
    let status = run.cli(&["status"]);
    assert!(status.lines().any(|l| l == "lockdown_reason\traid from @spamnet"), "{status}");
    assert!(is_lockdown_notice(&run.say(newcomer, "/start")));

    // Purchases pause for registered users: the command, and a checkout is answered "no".
    let buy = run.say(member, "/buy");
    assert!(buy.contains("Purchases are paused"), "{buy:?}");
    let checkout = updates::pre_checkout_query(member, "any-payload", "XTR", 50);
    let query = checkout["pre_checkout_query"]["id"].as_str().expect("query id").to_owned();
    run.tg.push_update(checkout);
    let calls = run.tg.wait_for(REPLY_TIMEOUT, "the checkout's answer", |calls| {
        calls
            .iter()
            .any(|c| c.method == "answerPreCheckoutQuery" && c.str("pre_checkout_query_id") == Some(query.clone()))
    });
    let answer = calls.iter().find(|c| c.method == "answerPreCheckoutQuery").expect("an answer");
    let ok = answer.params.get("ok").and_then(|v| v.as_bool().or_else(|| v.as_str().map(|s| s == "true")));
    assert_eq!(ok, Some(false), "{answer:?}");
    assert!(answer.str("error_message").is_some_and(|m| m.contains("paused")), "{answer:?}");

    // A broadcast from Telegram reaches the registered users (the admin too).
    let started = run.say(admin, "/broadcast Back at six");
    assert!(started.contains("broadcast started to 2 users"), "{started:?}");
    run.tg.wait_for(REPLY_TIMEOUT, "the broadcast to the member", |calls| {
        to_chat(calls, member).iter().any(|c| c.str("text").as_deref() == Some("Back at six"))
    });

    let reset = run.say(admin, "/reset_limits all");
    assert!(reset.contains("reset the limits of everyone"), "{reset:?}");
    let unmute = run.say(admin, &format!("/unmute {member}"));
    assert!(unmute.contains(&format!("user {member} was not muted")), "{unmute:?}");

    let off = run.say(admin, "/lockdown off");
    assert!(off.contains("lockdown off"), "{off:?}");
    let buy = run.say(member, "/buy");
    assert!(!buy.contains("paused"), "{buy:?}");
    run.stop();
}
