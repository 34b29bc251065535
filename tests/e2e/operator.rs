//! The operator's console seen from outside: the audit trail (recorded through the binary,
//! read and verified while the bot runs, tampering detected after it stops) and alerts that
//! reach the admins in Telegram, once per burst.

use std::time::Duration;

use serde_json::Value;

use crate::accounts::{Running, config, texts, to_chat, wrong_code};
use crate::harness::path_arg;
use crate::support::bot_process::run_cli;
use crate::support::updates;

const ALL: &str = r#""start", "help", "privacy", "sessions", "logout_all", "2fa", "verify", "export", "delete_me""#;
/// The admin of `accounts::config`.
const ADMIN: i64 = 1;

/// `arcana audit verify --dir DIR`: (success, stdout + stderr).
fn verify(dir: &std::path::Path) -> (bool, String) {
    let out = run_cli(&["audit", "verify", "--dir", path_arg(dir)], &[]);
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[test]
fn the_audit_trail_records_security_events_and_detects_tampering() {
    let mut run = Running::start(&config(true, ALL));
    let user = 41_001;
    run.register(user);
    let u = user.to_string();
    run.cli(&["block", &u, "--reason", "testing the trail"]);
    run.cli(&["unblock", &u]);

    // Read while the bot runs (through its control socket), after the writer's checkpoint.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let entries: Vec<Value> = loop {
        let out = run.cli(&["audit", "--user", &u, "--json"]);
        let entries: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
        if entries.iter().any(|e| e["event"] == "unblock") || std::time::Instant::now() > deadline {
            break entries;
        }
        std::thread::sleep(Duration::from_millis(300));
    };
    let events: Vec<&str> = entries.iter().filter_map(|e| e["event"].as_str()).collect();
    for expected in ["consent", "block", "unblock"] {
        assert!(events.contains(&expected), "{expected} in {events:?}");
    }
    let block = entries.iter().find(|e| e["event"] == "block").expect("block");
    assert_eq!(block["user"], user);
    assert_eq!(block["fields"]["reason"], "testing the trail");
    let blocks = run.cli(&["audit", "--event", "block", "--since", "1h"]);
    assert!(
        blocks.contains("block") && blocks.contains(&format!("user={user}")) && !blocks.contains("unblock"),
        "{blocks}"
    );
    let (ok, text) = verify(run.dir());
    assert!(ok && text.contains("intact"), "verified while running: {text}");
    let (dir, _tg) = run.stop();

    let (ok, text) = verify(dir.path());
    assert!(ok, "after a clean stop: {text}");
    let db = sled::open(dir.path().join("db")).expect("open db");
    let tree = db.open_tree("audit").expect("audit tree");
    let keys: Vec<sled::IVec> = tree.iter().keys().map(|k| k.expect("key")).collect();
    assert!(keys.len() >= 3, "{} entries", keys.len());
    let middle = keys[keys.len() / 2].clone();
    let original = tree.get(&middle).expect("get").expect("entry");

    // A byte of an entry changed.
    let mut changed = original.to_vec();
    let last = changed.len() - 40;
    changed[last] ^= 0x20;
    tree.insert(&middle, changed).expect("change");
    db.flush().expect("flush");
    drop((tree, db));
    let (ok, text) = verify(dir.path());
    assert!(!ok && text.contains("BROKEN"), "a changed byte: {text}");

    // An entry removed.
    let db = sled::open(dir.path().join("db")).expect("open db");
    let tree = db.open_tree("audit").expect("audit tree");
    tree.remove(&middle).expect("remove");
    db.flush().expect("flush");
    drop((tree, db));
    let (ok, text) = verify(dir.path());
    assert!(!ok && text.contains("BROKEN"), "an entry removed: {text}");

    // Put back, it verifies again; then the trail cut short.
    let db = sled::open(dir.path().join("db")).expect("open db");
    let tree = db.open_tree("audit").expect("audit tree");
    tree.insert(&middle, original).expect("restore");
    db.flush().expect("flush");
    drop((tree, db));
    let (ok, text) = verify(dir.path());
    assert!(ok, "restored: {text}");
    // (Each offline `audit verify` recorded its own outcome: the newest entries are those.)
    let db = sled::open(dir.path().join("db")).expect("open db");
    let tree = db.open_tree("audit").expect("audit tree");
    let keys: Vec<sled::IVec> = tree.iter().keys().map(|k| k.expect("key")).collect();
    for key in &keys[keys.len() - 2..] {
        tree.remove(key).expect("truncate");
    }
    db.flush().expect("flush");
    drop((tree, db));
    let (ok, text) = verify(dir.path());
    assert!(!ok && text.contains("cut short"), "truncated: {text}");
}

#[test]
fn wrong_codes_alert_the_admin_once_per_burst() {
    let toml = config(true, ALL)
        .replace("max_failures = 5", "max_failures = 100")
        .replace("alert_per_minute = 5", "alert_per_minute = 3\n\n[alerts]\nquiet_for = \"10m\"");
    let mut run = Running::start(&toml);
    let user = 42_001;
    run.register(user);
    let enrolment = run.enrol(user);
    let wrong = wrong_code(&enrolment.secret);
    let alerts = |run: &Running| -> Vec<String> {
        to_chat(&run.tg.calls(), ADMIN)
            .iter()
            .map(|c| texts(std::slice::from_ref(c)))
            .filter(|t| t.contains("arcana alert"))
            .collect()
    };
    for _ in 0..6 {
        run.say(user, &format!("/verify {wrong}"));
    }
    run.tg.wait_for(Duration::from_secs(20), "an alert to the admin", |calls| {
        to_chat(calls, ADMIN).iter().any(|c| texts(std::slice::from_ref(c)).contains("arcana alert"))
    });
    let first = alerts(&run);
    assert_eq!(first.len(), 1, "{first:?}");
    assert!(
        first[0].contains("wrong two-factor codes") && first[0].contains("arcana audit --event 2fa_failure"),
        "{first:?}"
    );
    // A second burst within the quiet period: counted, not sent.
    for _ in 0..6 {
        run.say(user, &format!("/verify {wrong}"));
    }
    let id = run.tg.push_update(updates::command(user, "/help"));
    run.wait_finished(id);
    std::thread::sleep(Duration::from_secs(7));
    assert_eq!(alerts(&run).len(), 1, "no second alert within the quiet period: {:?}", alerts(&run));
    let audited = run.cli(&["audit", "--event", "alert"]);
    assert_eq!(audited.lines().count(), 1, "the alert is audited once: {audited}");
    run.stop();
}

#[test]
fn a_flood_raises_one_alert() {
    let toml = config(true, ALL)
        .replace(r#"default = { limit = 200, per = "1m" }"#, r#"default = { limit = 3, per = "1m" }"#)
        .replace("[accounts]\n", "[sentinel.penalty]\nstrikes = 1000\n\n[accounts]\n")
        + "\n[alerts]\nflood_per_minute = 20\nquiet_for = \"10m\"\n";
    let mut run = Running::start(&toml);
    let flooders: Vec<i64> = (43_001..43_011).collect();
    let mut last = 0;
    for round in 0..8 {
        for &user in &flooders {
            last = run.tg.push_update(updates::command(user, &format!("/help {round}")));
        }
    }
    run.wait_finished(last);
    run.tg.wait_for(Duration::from_secs(20), "a flood alert", |calls| {
        to_chat(calls, ADMIN).iter().any(|c| texts(std::slice::from_ref(c)).contains("limited or muted"))
    });
    std::thread::sleep(Duration::from_secs(11));
    let floods: Vec<String> = to_chat(&run.tg.calls(), ADMIN)
        .iter()
        .map(|c| texts(std::slice::from_ref(c)))
        .filter(|t| t.contains("arcana alert"))
        .collect();
    assert_eq!(floods.len(), 1, "one alert for the flood: {floods:?}");
    run.stop();
}
