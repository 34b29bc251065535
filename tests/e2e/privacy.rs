//! Privacy seen from outside: secrets that leave the chat, rights no configuration or block takes
//! away, deletion that leaves no record keyed by the user, retention of users who blocked the
//! bot, a private data directory and control socket, and logs without what the bot sent.

use std::{os::unix::fs::PermissionsExt as _, time::Duration};

use crate::accounts::{Running, config, texts, to_chat};
use crate::harness::{path_arg, streams};
use crate::support::bot_process::run_cli;
use crate::support::fake_telegram::{Call, Fault};
use crate::support::updates;

/// Every command a tier may list, for the tests' premium tier and, where they say so, the free.
const ALL: &str = r#""start", "help", "privacy", "sessions", "logout_all", "2fa", "verify", "export", "delete_me""#;

/// `config(true, free)` with `extra` lines added to `[accounts]`.
fn config_with(free: &str, extra: &str) -> String {
    config(true, free).replace("[accounts]\n", &format!("[accounts]\n{extra}\n"))
}

/// The message id the fake server gave a sent message.
fn message_id(call: &Call) -> i64 {
    call.result.as_ref().and_then(|r| r["message_id"].as_i64()).expect("an answered send has a message id")
}

/// Whether `calls` hold a `deleteMessage` of `id` in `chat`.
fn deleted(calls: &[Call], chat: i64, id: i64) -> bool {
    calls
        .iter()
        .any(|c| c.method == "deleteMessage" && c.int("chat_id") == Some(chat) && c.int("message_id") == Some(id))
}

#[test]
fn the_two_factor_key_leaves_the_chat_on_confirmation_and_the_backup_codes_soon_after() {
    let mut run = Running::start(&config_with(ALL, r#"secret_message_lifetime = "10s""#));
    let user = 31_001;
    run.register(user);
    let before = to_chat(&run.tg.calls(), user).len();
    let enrolment = run.enrol(user);
    let sent = to_chat(&run.tg.calls(), user).split_off(before);
    let key_messages: Vec<i64> = sent
        .iter()
        .filter(|c| c.method == "sendPhoto" || c.str("text").is_some_and(|t| t.contains("otpauth://")))
        .map(message_id)
        .collect();
    assert_eq!(key_messages.len(), 2, "the QR code and the key: {sent:#?}");
    let key_text = texts(&sent);
    assert!(key_text.contains("deleted"), "the user is told the key will be deleted: {key_text:?}");
    let codes = sent
        .iter()
        .find(|c| c.str("text").is_some_and(|t| t.contains(&enrolment.backup[0])))
        .map(message_id)
        .expect("the backup-code message");
    // The key goes once enrolment is confirmed, not after its lifetime.
    run.tg.wait_for(Duration::from_secs(8), "the key and QR code deleted on confirmation", |calls| {
        key_messages.iter().all(|&id| deleted(calls, user, id))
    });
    assert!(!deleted(&run.tg.calls(), user, codes), "the backup codes stay a little while to be written down");
    run.tg.wait_for(Duration::from_secs(30), "the backup codes deleted after their lifetime", |calls| {
        deleted(calls, user, codes)
    });
    // Not the welcome or anything else.
    let deletions = run.tg.calls_to("deleteMessage").len();
    assert_eq!(deletions, 3, "only the secret messages are deleted");
    run.stop();
}

#[test]
fn export_and_deletion_are_rights_that_tiers_and_blocks_do_not_take_away() {
    let free_without_rights = r#""start", "help", "privacy", "sessions""#;
    let mut run = Running::start(&config_with(free_without_rights, r#"secret_message_lifetime = "1m""#));
    let (user, other) = (32_001, 32_002);
    run.register(user);
    run.register(other);
    let export = run.say(user, "/export");
    assert!(export.contains("Your data") && export.contains("deleted from this chat"), "{export:?}");

    // The operator's export: a new private file, and never over an existing one.
    let file = run.dir().join("export-32001.json");
    let printed = run.cli(&["user", "export", &user.to_string(), path_arg(&file)]);
    assert!(printed.contains("wrote"), "{printed:?}");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).expect("export file")).expect("JSON");
    assert_eq!(json["telegram_id"], user);
    assert!(json["consent"].is_object(), "the consent is part of it: {json}");
    assert_eq!(std::fs::metadata(&file).expect("meta").permissions().mode() & 0o777, 0o600);
    let again = run_cli(&["user", "export", &user.to_string(), path_arg(&file), "--dir", path_arg(run.dir())], &[]);
    assert!(!again.status.success(), "an existing file is not overwritten");

    // Blocked by an admin, the user can still delete their data.
    run.cli(&["block", &user.to_string(), "--reason", "spam from 32001"]);
    let export_message = to_chat(&run.tg.calls(), user)
        .iter()
        .rev()
        .find(|c| c.str("text").is_some_and(|t| t.contains("Your data")))
        .map(message_id)
        .expect("the export message");
    let gone = crate::harness::delete_account(&run.tg, &mut run.bot, user);
    assert!(gone.contains("stored about you is deleted"), "a blocked user's /delete_me: {gone:?}");
    // The deletion takes the export out of the chat at once, not after its minute.
    run.tg.wait_for(Duration::from_secs(10), "the export deleted with the user", |calls| {
        deleted(calls, user, export_message)
    });
    let (dir, tg) = run.stop();

    // No record anywhere is keyed by the user, or holds their id or the block's reason; the
    // other user is untouched.
    let needles: [&[u8]; 2] = [&user.to_be_bytes(), b"spam from 32001"];
    let mut other_keys = 0;
    for store in ["db", "keys"] {
        let db = sled::open(dir.path().join(store)).expect("open the store");
        for name in db.tree_names() {
            let tree = db.open_tree(&name).expect("tree");
            for entry in &tree {
                let (key, value) = entry.expect("entry");
                // The audit trail keeps what happened, with the reason an admin gave, for
                // `audit.retention` (the README says so), under a keyed hash: no id.
                let in_audit = name.as_ref() == b"audit";
                for needle in needles.iter().filter(|n| !in_audit || n.len() == 8) {
                    let holds = |bytes: &[u8]| bytes.windows(needle.len()).any(|w| w == *needle);
                    assert!(
                        !holds(&key) && !holds(&value),
                        "{store}/{} still holds {needle:?}",
                        String::from_utf8_lossy(&name)
                    );
                }
                other_keys += usize::from(key.windows(8).any(|w| w == other.to_be_bytes()));
            }
        }
    }
    assert!(other_keys > 0, "the scan sees records keyed by a user id at all");

    // The ban outlives the deletion: the deleted user is still refused.
    let mut run = Running::resume(dir, tg);
    let before = to_chat(&run.tg.calls(), user).len();
    let id = run.tg.push_update(updates::command(user, "/start"));
    run.wait_finished(id);
    assert_eq!(to_chat(&run.tg.calls(), user).len(), before, "a banned user who deleted their data stays banned");
    run.stop();
}

#[test]
fn a_user_who_blocked_the_bot_is_deleted_after_the_retention_period() {
    let mut run = Running::start(&config_with(ALL, r#"retention_after_block = "10s""#));
    let (user, stays) = (33_001, 33_002);
    run.register(user);
    run.register(stays);
    let privacy = run.say(user, "/privacy");
    assert!(privacy.contains("10 seconds") && privacy.contains("2 years"), "retention is in /privacy: {privacy:?}");
    let id = run.tg.push_update(updates::my_chat_member(user, "member", "kicked"));
    run.wait_finished(id);
    let exported = |run: &Running, who: i64| -> serde_json::Value {
        let file = run.dir().join(format!("export-{who}-{}.json", updates::next_id()));
        run.cli(&["user", "export", &who.to_string(), path_arg(&file)]);
        serde_json::from_slice(&std::fs::read(&file).expect("export")).expect("JSON")
    };
    let deadline = std::time::Instant::now() + Duration::from_mins(1);
    while exported(&run, user)["consent"].is_object() {
        assert!(std::time::Instant::now() < deadline, "the user who blocked the bot is still there after 60 s");
        std::thread::sleep(Duration::from_secs(2));
    }
    assert!(exported(&run, stays)["consent"].is_object(), "a user who did not block the bot stays");
    // Back again, they start afresh.
    let id = run.tg.push_update(updates::my_chat_member(user, "kicked", "member"));
    run.wait_finished(id);
    let prompt = run.say(user, "/sessions");
    assert!(prompt.contains("I agree"), "asked to agree again: {prompt:?}");
    run.stop();
}

#[test]
fn a_data_directory_others_can_reach_is_refused_with_the_fix() {
    let dir = crate::support::private_tempdir();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let output = run_cli(
        &["run", "--dir", path_arg(dir.path())],
        &[("BOT_TOKEN", "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")],
    );
    let (stdout, stderr) = streams(&output);
    assert_eq!(output.status.code(), Some(2), "{stdout}{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains(&format!("chmod 700 {}", dir.path().display())), "names the fix: {stderr}");
}

#[test]
fn another_local_user_cannot_use_the_control_socket() {
    use std::os::unix::process::CommandExt as _;
    if rustix::process::geteuid().as_raw() != 0 {
        eprintln!("skipped: switching to another uid needs root");
        return;
    }
    let mut run = Running::start(&config(true, ALL));
    // Running and answering: the control socket is up.
    assert!(run.say(35_001, "/help").contains("/draw"));
    let built = std::env::var_os("ARCANA_BIN")
        .map_or_else(|| std::path::PathBuf::from(env!("CARGO_BIN_EXE_arcana")), std::path::PathBuf::from);
    // A copy anyone may run: the build directory need not be reachable by `nobody`.
    let shared = tempfile::tempdir().expect("tempdir");
    let binary = shared.path().join("arcana");
    std::fs::copy(&built, &binary).expect("copy the binary");
    let output = std::process::Command::new(&binary)
        .args(["status", "--dir", path_arg(run.dir())])
        .uid(65_534)
        .gid(65_534)
        .output()
        .expect("run as nobody");
    let (stdout, stderr) = streams(&output);
    assert!(!output.status.success(), "nobody got an answer: {stdout}{stderr}");
    assert!(!stdout.contains("inbox"), "no status for another user: {stdout}");
    run.stop();
}

#[test]
fn a_reply_echoed_in_a_malformed_response_is_neither_logged_nor_sent_twice() {
    let mut run = Running::start(&config(true, ALL));
    let user = 34_001;
    run.register(user);
    run.tg.push_fault("sendMessage", Fault::MalformedEcho);
    let id = run.tg.push_update(updates::command(user, "/2fa"));
    run.wait_finished(id);
    let keys: Vec<Call> = run
        .tg
        .calls_to("sendMessage")
        .into_iter()
        .filter(|c| c.str("text").is_some_and(|t| t.contains("otpauth://")))
        .collect();
    assert_eq!(keys.len(), 1, "the key was sent once, not again after the malformed answer");
    let stderr = run.bot.stderr_text();
    assert!(!stderr.contains("otpauth") && !stderr.contains("secret="), "the log shows the key:\n{stderr}");
    run.stop();
}

#[test]
fn a_secret_whose_send_a_kill_cut_short_is_reported_to_the_user_after_the_restart() {
    let mut run = Running::start(&config(true, ALL));
    let user = 36_001;
    run.register(user);
    // Telegram has the QR code, but the bot is killed before it learns the message's id.
    run.tg.push_fault("sendPhoto", Fault::Delay(Duration::from_mins(5)));
    run.tg.push_update(updates::command(user, "/2fa"));
    run.tg.wait_for(Duration::from_secs(30), "the QR code on its way", |calls| {
        calls.iter().any(|c| c.method == "sendPhoto")
    });
    let before = to_chat(&run.tg.calls(), user).len();
    let crate::accounts::Running { dir, tg, bot } = run;
    bot.kill9();

    // The deletion was scheduled before the send: the restarted bot knows a secret may be in the
    // chat under an id it cannot know, and says so.
    let mut run = Running::resume(dir, tg);
    run.wait_sent(user, before, "a warning about the QR code left in the chat", |sent| {
        texts(sent).contains("two-factor key may still be in this chat")
    });
    let (dir, _tg) = run.stop();
    let db = sled::open(dir.path().join("db")).expect("open the store");
    let schedule = db.open_tree("secret_messages").expect("tree");
    for entry in &schedule {
        let (key, _) = entry.expect("entry");
        assert_eq!(key.len(), 12, "a reservation without a message id was left behind");
    }
}
