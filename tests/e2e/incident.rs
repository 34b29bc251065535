//! Incident controls seen from outside: lockdown (registered users served, newcomers get one
//! notice and no account, it survives a restart), lifting a mute and resetting rate limits while
//! the bot runs, and broadcasts.

use crate::accounts::{Running, config, texts, to_chat};
use crate::harness::path_arg;
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
