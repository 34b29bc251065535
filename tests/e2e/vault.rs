//! The vault through the binary: nothing personal on disk in the clear, backups that restore on a
//! new machine from the master key or passphrase alone, deletions that reach every later backup,
//! tampered backups refused, wrong keys refused, key rotation while the bot runs.

use std::path::Path;
use std::time::Duration;

use serde_json::json;

use crate::harness::{REPLY_TIMEOUT, cli_ok, path_arg, stop_cleanly, streams, wait_replies};
use crate::support::bot_process::{BotProcess, TEST_TOKEN, run_cli};
use crate::support::fake_telegram::FakeTelegram;
use crate::support::updates;

/// No consent step: these tests are about what is stored once a user is registered.
const REGISTERED_ON_START: &str = "[accounts]\nrequire_registration = false\n";

/// A data directory whose users count as registered from their first update.
fn registered_dir() -> tempfile::TempDir {
    let dir = crate::support::private_tempdir();
    std::fs::write(dir.path().join("arcana.toml"), REGISTERED_ON_START).expect("config");
    dir
}

/// A `/start` from a user whose names carry `marker`.
fn start_from(user: i64, marker: &str) -> serde_json::Value {
    let mut update = updates::command(user, "/start");
    let from = json!({
        "id": user,
        "is_bot": false,
        "first_name": format!("Ada {marker}"),
        "last_name": format!("Lovelace{marker}"),
        "username": format!("u_{marker}"),
        "language_code": "en",
    });
    update["message"]["from"] = from;
    update
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn no_personal_data_in_the_clear_on_disk() {
    let dir = registered_dir();
    let tg = FakeTelegram::start();
    let marker = "Qx7Marker93";
    for user in [2001, 2002, 2003] {
        tg.push_update(start_from(user, &format!("{marker}{user}")));
    }
    let mut bot = BotProcess::start(dir.path(), &tg.url());
    for user in [2001, 2002, 2003] {
        wait_replies(&tg, &mut bot, user, 1, REPLY_TIMEOUT);
    }
    stop_cleanly(bot);
    let all = files(dir.path());
    assert!(all.iter().any(|p| p.starts_with(dir.path().join("db"))), "the store has files");
    for file in all {
        let bytes = std::fs::read(&file).expect("read");
        assert!(!contains(&bytes, marker.as_bytes()), "{} holds the marker in the clear", file.display());
        assert!(!contains(&bytes, b"u_Qx7"), "{} holds the username in the clear", file.display());
    }
}

#[test]
fn a_deletion_reaches_every_backup_taken_after_it() {
    let dir = registered_dir();
    let d = path_arg(dir.path());
    let tg = FakeTelegram::start();
    tg.push_update(start_from(3001, "Gone"));
    tg.push_update(start_from(3002, "Kept"));
    let mut bot = BotProcess::start(dir.path(), &tg.url());
    wait_replies(&tg, &mut bot, 3001, 1, REPLY_TIMEOUT);
    wait_replies(&tg, &mut bot, 3002, 1, REPLY_TIMEOUT);

    // Backups and the deletion go through the running bot's control socket.
    let backups = crate::support::private_tempdir();
    let before = backups.path().join("before.bak");
    let after = backups.path().join("after.bak");
    assert!(cli_ok(&["backup", path_arg(&before), "--dir", d]).contains("wrote"));
    assert!(cli_ok(&["user", "delete", "3001", "--dir", d]).contains("deleted user 3001"));
    assert!(cli_ok(&["backup", path_arg(&after), "--dir", d]).contains("wrote"));
    stop_cleanly(bot);

    // Each restores on a machine holding only the master key.
    let restore = |backup: &Path| {
        let machine = crate::support::private_tempdir();
        std::fs::copy(dir.path().join("master.key"), machine.path().join("master.key")).expect("copy key");
        let out = cli_ok(&["restore", path_arg(backup), "--dir", path_arg(machine.path())]);
        (machine, out)
    };
    // Taken before the deletion: both users, as honestly stated in the README.
    let (_, out) = restore(&before);
    assert!(out.contains(": 2 users,"), "{out}");
    // Taken after: the deleted user is in it in no readable form, not even a key to find.
    let (machine, out) = restore(&after);
    assert!(out.contains(": 1 users,") && out.contains("; 0 records of users deleted"), "{out}");
    let m = path_arg(machine.path());
    assert!(cli_ok(&["user", "delete", "3001", "--dir", m]).contains("had no stored data"));
    for file in files(machine.path()) {
        let bytes = std::fs::read(&file).expect("read");
        assert!(!contains(&bytes, b"Gone"), "{} holds the deleted user's name", file.display());
    }
}

#[test]
fn tampered_truncated_spliced_or_foreign_backups_are_refused_with_nothing_written() {
    let dir = crate::support::private_tempdir();
    let d = path_arg(dir.path());
    cli_ok(&["init", "--dir", d]);
    cli_ok(&["block", "9", "--dir", d]);
    let backup = dir.path().join("b.bak");
    let second = dir.path().join("c.bak");
    cli_ok(&["backup", path_arg(&backup), "--dir", d]);
    cli_ok(&["block", "10", "--dir", d]);
    cli_ok(&["backup", path_arg(&second), "--dir", d]);
    let bytes = std::fs::read(&backup).expect("read");
    let other = std::fs::read(&second).expect("read");
    // A backup of another data directory, under its own master key.
    let foreign_dir = crate::support::private_tempdir();
    cli_ok(&["init", "--dir", path_arg(foreign_dir.path())]);
    let foreign = foreign_dir.path().join("f.bak");
    cli_ok(&["backup", path_arg(&foreign), "--dir", path_arg(foreign_dir.path())]);

    let target = crate::support::private_tempdir();
    std::fs::copy(dir.path().join("master.key"), target.path().join("master.key")).expect("copy key");
    let t = path_arg(target.path());
    for (name, broken) in [
        ("flipped", {
            let mut b = bytes.clone();
            let i = b.len() / 2;
            b[i] ^= 1;
            b
        }),
        ("truncated", bytes[..bytes.len() - 5].to_vec()),
        ("spliced", {
            // Header and key block of one backup, body of another under the same key.
            let mut b = bytes[..124].to_vec();
            b.extend_from_slice(&other[124..]);
            b
        }),
        ("foreign", std::fs::read(&foreign).expect("read")),
    ] {
        let file = target.path().join(name);
        std::fs::write(&file, broken).expect("write");
        for verb in [&["restore"][..], &["backup", "--verify"][..]] {
            let mut args = verb.to_vec();
            args.extend([path_arg(&file), "--dir", t]);
            let output = run_cli(&args, &[]);
            let (_, stderr) = streams(&output);
            assert!(!output.status.success(), "{name} backup accepted by {verb:?}");
            assert!(stderr.contains("backup"), "{name}: {stderr}");
            assert_eq!(stderr.trim().lines().count(), 1, "{name}: one line: {stderr}");
            for left in ["db", "keys", "restore.partial", "restore.ready"] {
                assert!(!target.path().join(left).exists(), "{name}: {left} written");
            }
        }
    }
    let out = cli_ok(&["backup", "--verify", path_arg(&second), "--dir", t]);
    assert!(out.contains("is a good backup"), "{out}");
    let out = cli_ok(&["restore", path_arg(&backup), "--dir", t]);
    assert!(out.contains("restored"), "{out}");
    let blocked = cli_ok(&["blocked", "--dir", t]);
    assert!(blocked.contains('9') && !blocked.contains("10"), "the first backup's blocklist: {blocked}");
    // A second restore never lands on top of the first.
    let output = run_cli(&["restore", path_arg(&second), "--dir", t], &[]);
    let (_, stderr) = streams(&output);
    assert!(!output.status.success() && stderr.contains("already exists"), "{stderr}");
    // A backup left by an earlier release (format version 1) is named as such.
    let mut old = bytes.clone();
    old[8] = 1;
    let file = target.path().join("v1.bak");
    std::fs::write(&file, old).expect("write");
    let output = run_cli(&["backup", "--verify", path_arg(&file), "--dir", t], &[]);
    assert!(streams(&output).1.contains("version 1 backup"), "{output:?}");
}

#[test]
fn a_wrong_or_missing_master_key_is_refused_and_never_replaced() {
    let dir = crate::support::private_tempdir();
    let other = crate::support::private_tempdir();
    cli_ok(&["init", "--dir", path_arg(dir.path())]);
    cli_ok(&["init", "--dir", path_arg(other.path())]);
    let tg = FakeTelegram::start();
    std::fs::copy(other.path().join("master.key"), dir.path().join("master.key")).expect("swap key");
    let wrong = std::fs::read(dir.path().join("master.key")).expect("read");
    let output = run_bot_to_exit(dir.path(), &tg);
    let (_, stderr) = streams(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("master key"), "{stderr}");
    assert_eq!(std::fs::read(dir.path().join("master.key")).expect("read"), wrong, "key untouched");

    std::fs::remove_file(dir.path().join("master.key")).expect("remove key");
    let output = run_bot_to_exit(dir.path(), &tg);
    let (_, stderr) = streams(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("master.key"), "{stderr}");
    assert!(!dir.path().join("master.key").exists(), "a new key was created for an existing store");
    assert!(tg.calls().is_empty(), "no Telegram call without the right key");
}

/// Runs `arcana run` expecting it to exit by itself (a start-up refusal).
fn run_bot_to_exit(dir: &Path, tg: &FakeTelegram) -> std::process::Output {
    run_cli(&["run", "--dir", path_arg(dir)], &[("BOT_TOKEN", TEST_TOKEN), ("ARCANA_TELEGRAM_API_URL", &tg.url())])
}

#[test]
fn keys_rotate_while_running_and_retire_the_old_generation() {
    let dir = registered_dir();
    let d = path_arg(dir.path());
    let tg = FakeTelegram::start();
    for user in 4001..4011 {
        tg.push_update(start_from(user, "R"));
    }
    let mut bot = BotProcess::start(dir.path(), &tg.url());
    for user in 4001..4011 {
        wait_replies(&tg, &mut bot, user, 1, REPLY_TIMEOUT);
    }
    let out = cli_ok(&["keys", "rotate", "--dir", d]);
    assert!(out.contains("generation key 2 is now active"), "{out}");
    let deadline = std::time::Instant::now() + Duration::from_mins(1);
    loop {
        let status = cli_ok(&["keys", "status", "--dir", d]);
        if status.contains("generation 1\tRetired") && status.contains("generation 2\tActive\t10 data keys") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "rotation did not finish: {status}");
        std::thread::sleep(Duration::from_millis(200));
    }
    // Everyone is still served after the rotation.
    tg.push_update(updates::command(4001, "/help"));
    wait_replies(&tg, &mut bot, 4001, 2, REPLY_TIMEOUT);
    stop_cleanly(bot);
}

#[test]
fn admins_can_name_a_user_by_username_without_it_stored_in_the_clear() {
    let dir = crate::support::private_tempdir();
    std::fs::write(dir.path().join("arcana.toml"), format!("admins = [1]\n{REGISTERED_ON_START}")).expect("config");
    let tg = FakeTelegram::start();
    tg.push_update(updates::command(6001, "/start"));
    let mut bot = BotProcess::start(dir.path(), &tg.url());
    wait_replies(&tg, &mut bot, 6001, 1, REPLY_TIMEOUT);
    tg.push_update(updates::command(1, "/block @User6001 1h spam"));
    let replies = wait_replies(&tg, &mut bot, 1, 1, REPLY_TIMEOUT);
    assert!(replies[0].starts_with("blocked user 6001 until"), "{replies:?}");
    tg.push_update(updates::command(1, "/block @nobody_here"));
    let replies = wait_replies(&tg, &mut bot, 1, 2, REPLY_TIMEOUT);
    assert!(replies[1].contains("No user with that username"), "{replies:?}");
    stop_cleanly(bot);
    for file in files(dir.path()) {
        let bytes = std::fs::read(&file).expect("read");
        assert!(!contains(&bytes, b"user6001"), "{} holds the username in the clear", file.display());
    }
}

#[test]
fn a_passphrase_replaces_the_key_file() {
    let dir = registered_dir();
    let tg = FakeTelegram::start();
    tg.push_update(updates::command(8001, "/start"));
    let mut bot =
        BotProcess::builder(dir.path(), &tg.url()).env("ARCANA_PASSPHRASE", "correct horse battery staple").spawn();
    wait_replies(&tg, &mut bot, 8001, 1, REPLY_TIMEOUT);
    let stderr = stop_cleanly(bot);
    assert!(!stderr.contains("correct horse"), "the passphrase leaked into the log");
    assert!(!dir.path().join("master.key").exists(), "no key file in passphrase mode");

    let output = run_bot_to_exit(dir.path(), &tg);
    let (_, stderr) = streams(&output);
    assert_eq!(output.status.code(), Some(2), "no passphrase: {stderr}");
    assert!(stderr.contains("ARCANA_PASSPHRASE"), "{stderr}");
    let wrong = run_cli(
        &["run", "--dir", path_arg(dir.path())],
        &[("BOT_TOKEN", TEST_TOKEN), ("ARCANA_TELEGRAM_API_URL", &tg.url()), ("ARCANA_PASSPHRASE", "wrong")],
    );
    let (_, stderr) = streams(&wrong);
    assert_eq!(wrong.status.code(), Some(2), "wrong passphrase: {stderr}");
    assert!(stderr.contains("passphrase"), "{stderr}");

    // A backup restores on a machine that has nothing but the passphrase.
    let pass = [("ARCANA_PASSPHRASE", "correct horse battery staple")];
    let backup = dir.path().join("p.bak");
    let out = run_cli(&["backup", path_arg(&backup), "--dir", path_arg(dir.path())], &pass);
    assert!(out.status.success(), "{out:?}");
    let machine = crate::support::private_tempdir();
    let m = path_arg(machine.path());
    for (env, what) in [(&[][..], "ARCANA_PASSPHRASE"), (&[("ARCANA_PASSPHRASE", "wrong")][..], "passphrase")] {
        let refused = run_cli(&["restore", path_arg(&backup), "--dir", m], env);
        let (_, stderr) = streams(&refused);
        assert!(!refused.status.success() && stderr.contains(what), "{stderr}");
        assert!(!machine.path().join("db").exists() && !machine.path().join("keys").exists());
    }
    let out = run_cli(&["restore", path_arg(&backup), "--dir", m], &pass);
    let (stdout, stderr) = streams(&out);
    assert!(out.status.success() && stdout.contains(": 1 users,"), "{stdout}{stderr}");
    assert!(!machine.path().join("master.key").exists(), "no key file in passphrase mode");
    let tg = FakeTelegram::start();
    tg.push_update(updates::command(8001, "/privacy"));
    let mut bot = BotProcess::builder(machine.path(), &tg.url()).env("ARCANA_PASSPHRASE", pass[0].1).spawn();
    wait_replies(&tg, &mut bot, 8001, 1, REPLY_TIMEOUT);
    stop_cleanly(bot);
}

#[test]
fn the_running_bot_takes_backups_on_schedule_keeps_the_newest_and_survives_failures() {
    let dir = crate::support::private_tempdir();
    let config = format!("{REGISTERED_ON_START}\n[backup]\nevery = \"1s\"\nkeep = 2\ndir = \"bk\"\n");
    std::fs::write(dir.path().join("arcana.toml"), config).expect("config");
    let tg = FakeTelegram::start();
    tg.push_update(start_from(9001, "Sched"));
    let mut bot = BotProcess::start(dir.path(), &tg.url());
    wait_replies(&tg, &mut bot, 9001, 1, REPLY_TIMEOUT);
    let taken = |bot: &BotProcess| bot.status().and_then(|s| s.get("backups_taken").copied()).unwrap_or(0);
    let deadline = std::time::Instant::now() + Duration::from_mins(1);
    while taken(&bot) < 4 {
        assert!(std::time::Instant::now() < deadline, "no scheduled backups: {}", bot.stderr_text());
        std::thread::sleep(Duration::from_millis(200));
    }
    stop_cleanly(bot);
    let mut backups: Vec<_> = std::fs::read_dir(dir.path().join("bk"))
        .expect("backup dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "backup"))
        .collect();
    backups.sort();
    assert_eq!(backups.len(), 2, "the newest two are kept: {backups:?}");
    let newest = backups.last().expect("a backup");
    let out = cli_ok(&["backup", "--verify", path_arg(newest), "--dir", path_arg(dir.path())]);
    assert!(out.contains("is a good backup") && out.contains(": 1 users,"), "{out}");

    // A backup directory that cannot be written: counted and logged, and the bot serves on.
    std::fs::remove_dir_all(dir.path().join("bk")).expect("rm");
    std::fs::write(dir.path().join("bk"), "a file where the directory should be").expect("write");
    let tg = FakeTelegram::start();
    let mut bot = BotProcess::start(dir.path(), &tg.url());
    let deadline = std::time::Instant::now() + Duration::from_mins(1);
    while bot.status().and_then(|s| s.get("backups_failed").copied()).unwrap_or(0) == 0 {
        assert!(std::time::Instant::now() < deadline, "the failure is not counted: {}", bot.stderr_text());
        std::thread::sleep(Duration::from_millis(200));
    }
    // Update ids go on from where the first server left them.
    tg.push_update_with_id(100, updates::command(9001, "/help"));
    wait_replies(&tg, &mut bot, 9001, 1, REPLY_TIMEOUT);
    let stderr = stop_cleanly(bot);
    assert!(stderr.contains("scheduled backup failed"), "{stderr}");
}

/// The raw value of `user`'s wrapped data key in the key store of `dir` (read offline).
fn wrapped_key(dir: &Path, user: i64) -> Vec<u8> {
    let keys = sled::Config::new().path(dir.join("keys")).cache_capacity(1 << 20).open().expect("open keys/");
    let tree = keys.open_tree("vault_data_keys").expect("tree");
    tree.get(user.to_be_bytes()).expect("read").expect("the user has a data key").to_vec()
}

#[test]
fn a_deletion_leaves_no_byte_of_the_wrapped_key_in_the_data_directory() {
    let dir = registered_dir();
    let tg = FakeTelegram::start();
    let (gone, kept) = (5001, 5002);
    tg.push_update(start_from(gone, "Gone"));
    tg.push_update(start_from(kept, "Kept"));
    tg.push_update(updates::command(kept, "/draw"));
    let mut bot = BotProcess::start(dir.path(), &tg.url());
    wait_replies(&tg, &mut bot, gone, 1, REPLY_TIMEOUT);
    wait_replies(&tg, &mut bot, kept, 1, REPLY_TIMEOUT);
    // The reading comes as the spread's picture with the text as its caption.
    let drawn = |calls: &[crate::support::fake_telegram::Call]| {
        calls.iter().any(|c| c.method == "sendPhoto" && c.int("chat_id") == Some(kept))
    };
    tg.try_wait_for(REPLY_TIMEOUT, drawn).unwrap_or_else(|calls| panic!("a reading for {kept}:\n{}", tg.dump(&calls)));
    stop_cleanly(bot);
    // The tail of each wrapped key: the AEAD tag and the end of the ciphertext, random bytes.
    let tail = |value: Vec<u8>| value[value.len() - 32..].to_vec();
    let (gone_key, kept_key) = (tail(wrapped_key(dir.path(), gone)), tail(wrapped_key(dir.path(), kept)));

    let mut bot = BotProcess::start(dir.path(), &tg.url());
    let said = crate::harness::delete_account(&tg, &mut bot, gone);
    assert!(said.contains("Everything arcana stored about you is deleted"), "{said}");
    stop_cleanly(bot);

    let holding = |needle: &[u8]| -> Vec<std::path::PathBuf> {
        files(dir.path()).into_iter().filter(|f| contains(&std::fs::read(f).expect("read"), needle)).collect()
    };
    assert!(
        holding(&kept_key).iter().any(|f| f.starts_with(dir.path().join("keys"))),
        "the scan finds a wrapped key that is still there"
    );
    assert_eq!(holding(&gone_key), Vec::<std::path::PathBuf>::new(), "the deleted user's wrapped key is on disk");

    // The bot starts again on the rewritten key store, and what the other user's key sealed
    // before the rewrite still opens: their reading is in their export.
    tg.push_update_with_id(101, updates::command(kept, "/export"));
    let mut bot = BotProcess::start(dir.path(), &tg.url());
    // The welcome, then the export (the reading went as a picture).
    let replies = wait_replies(&tg, &mut bot, kept, 2, REPLY_TIMEOUT);
    assert!(replies[1].contains("Your data") && !replies[1].contains("\"readings\": []"), "{replies:?}");
    stop_cleanly(bot);
}
