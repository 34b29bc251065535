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

/// Runs `change` on the raw `audit` tree of the stopped bot's `dir` (an attacker editing `db/`).
fn tamper<T>(dir: &std::path::Path, change: impl FnOnce(&sled::Tree) -> T) -> T {
    let db = sled::open(dir.join("db")).expect("open db");
    let tree = db.open_tree("audit").expect("audit tree");
    let out = change(&tree);
    db.flush().expect("flush");
    out
}

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
    let keys = tamper(dir.path(), |tree| tree.iter().keys().map(|k| k.expect("key")).collect::<Vec<_>>());
    assert!(keys.len() >= 3, "{} entries", keys.len());
    let middle = keys[keys.len() / 2].clone();
    let original = tamper(dir.path(), |tree| tree.get(&middle).expect("get").expect("entry"));

    // A byte of an entry changed.
    let mut changed = original.to_vec();
    let at = changed.len() - 40;
    changed[at] ^= 0x20;
    tamper(dir.path(), |tree| tree.insert(&middle, changed).expect("change"));
    let (ok, text) = verify(dir.path());
    assert!(!ok && text.contains("BROKEN"), "a changed byte: {text}");

    // An entry removed.
    tamper(dir.path(), |tree| tree.remove(&middle).expect("remove"));
    let (ok, text) = verify(dir.path());
    assert!(!ok && text.contains("BROKEN"), "an entry removed: {text}");

    // Put back, it verifies again; then the trail cut short (each offline `audit verify` recorded
    // its own outcome: the newest entries are those).
    tamper(dir.path(), |tree| tree.insert(&middle, original).expect("restore"));
    let (ok, text) = verify(dir.path());
    assert!(ok, "restored: {text}");
    tamper(dir.path(), |tree| {
        let keys: Vec<sled::IVec> = tree.iter().keys().map(|k| k.expect("key")).collect();
        for key in &keys[keys.len() - 2..] {
            tree.remove(key).expect("truncate");
        }
    });
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

/// A free loopback port.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// `GET path` on the metrics listener: (status, body), or `None` while it does not answer.
fn get(port: u16, path: &str) -> Option<(u16, String)> {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split(' ').nth(1)?.parse().ok()?;
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    Some((status, body))
}

/// Scrapes `/metrics` and parses it with an independent Prometheus text parser.
fn scrape(port: u16) -> prometheus_parse::Scrape {
    let (status, body) = get(port, "/metrics").expect("the metrics listener answers");
    assert_eq!(status, 200, "{body}");
    prometheus_parse::Scrape::parse(body.lines().map(|l| Ok(l.to_owned()))).expect("valid Prometheus text")
}

/// The value of counter `name` with `label` = `value` (or without labels if `label` is empty).
fn counter(scrape: &prometheus_parse::Scrape, name: &str, label: (&str, &str)) -> f64 {
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == name && (label.0.is_empty() || s.labels.get(label.0) == Some(label.1)))
        .map(|s| match s.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => v,
            _ => 0.0,
        })
        .sum()
}

#[test]
fn metrics_parse_move_with_traffic_and_survive_a_restart_and_healthz_follows_polling() {
    let port = free_port();
    let toml = config(true, ALL).replace(
        "admins = [1]\n",
        &format!("admins = [1]\n\n[telegram]\npoll_timeout = \"1s\"\n\n[metrics]\nlisten = \"127.0.0.1:{port}\"\n"),
    );
    let mut run = Running::start(&toml);
    let user = 44_001;
    run.register(user);
    let before = scrape(port);
    for i in 0..3 {
        run.say(user, &format!("/help {i}"));
    }
    let after = scrape(port);
    let messages = |s: &prometheus_parse::Scrape| counter(s, "arcana_updates_total", ("kind", "message"));
    assert!(messages(&after) >= messages(&before) + 3.0, "{} then {}", messages(&before), messages(&after));
    let sent = |s: &prometheus_parse::Scrape| counter(s, "arcana_replies_total", ("outcome", "sent"));
    assert!(sent(&after) >= sent(&before) + 3.0);
    assert!(counter(&after, "arcana_verdicts_total", ("verdict", "allowed")) >= 3.0);
    assert!(counter(&after, "arcana_rss_bytes", ("", "")) > 0.0);
    assert!(after.samples.iter().any(|s| s.metric.starts_with("arcana_handler_seconds")), "the latency histogram");
    let (status, body) = get(port, "/healthz").expect("healthz");
    assert_eq!(status, 200, "{body}");
    assert_eq!(get(port, "/nope").map(|(s, _)| s), Some(404));
    let status = run.cli(&["status"]);
    assert!(status.contains("updates_total\t") && status.contains("last_get_updates_age_s\t"), "{status}");

    // The totals go on after a restart.
    let (dir, tg) = run.stop();
    let mut run = Running::resume(dir, tg);
    run.say(user, "/help again");
    let restarted = scrape(port);
    assert!(messages(&restarted) >= messages(&after) + 1.0, "{} then {}", messages(&after), messages(&restarted));

    // The Bot API stops answering: /healthz turns 503.
    for _ in 0..60 {
        run.tg.push_fault("getUpdates", crate::support::fake_telegram::Fault::Status(502));
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(40);
    loop {
        let (status, body) = get(port, "/healthz").expect("healthz");
        if status == 503 {
            assert!(body.contains("unhealthy"), "{body}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "still {status} after the API stopped answering: {body}");
        std::thread::sleep(Duration::from_millis(500));
    }
    run.stop();
}

/// Runs `/help` whose reply Telegram delays past `bot.write_unfinished_after` (so the update is
/// written to the inbox), waits until the bot reports its inbox empty (the removal written, and
/// flushed unless `flush_removals` is off), kills it with SIGKILL, restarts it and sends `/help`
/// again: returns the replies of the second run (2 if the first update ran again).
fn replies_after_a_kill(flush_removals: bool) -> usize {
    use crate::harness::{REPLY_TIMEOUT, stop_cleanly, wait_replies};
    use crate::support::bot_process::BotProcess;
    use crate::support::fake_telegram::{FakeTelegram, Fault};
    let dir = crate::support::private_tempdir();
    let port = free_port();
    let config = format!(
        "[store]\nflush_every = \"60s\"\n[bot]\nflush_removals = {flush_removals}\n[metrics]\nlisten = \"127.0.0.1:{port}\"\n"
    );
    std::fs::write(dir.path().join("arcana.toml"), config).expect("write arcana.toml");
    let user = 1010;
    let first = FakeTelegram::start();
    first.push_fault("sendMessage", Fault::Delay(Duration::from_secs(1)));
    first.push_update(updates::command(user, "/help"));
    let mut bot = BotProcess::start(dir.path(), &first.url());
    wait_replies(&first, &mut bot, user, 1, REPLY_TIMEOUT);
    wait_inbox_empty(port);
    let _ = bot.kill9();
    let second = FakeTelegram::start();
    second.push_update_with_id(2, updates::command(user, "/help"));
    let mut bot = BotProcess::start(dir.path(), &second.url());
    wait_replies(&second, &mut bot, user, 1, REPLY_TIMEOUT);
    // Update 2 admitted, then everything admitted or recovered finished: all replies are sent.
    second.wait_for(REPLY_TIMEOUT, "a getUpdates with offset 3", |calls| {
        calls.iter().any(|c| c.method == "getUpdates" && c.int("offset") >= Some(3))
    });
    wait_inbox_empty(port);
    let replies = second.sent_messages_to(user).len();
    stop_cleanly(bot);
    replies
}

/// Waits until the bot's `/metrics` shows no admitted update unfinished.
fn wait_inbox_empty(port: u16) {
    let deadline = std::time::Instant::now() + crate::harness::REPLY_TIMEOUT;
    let empty = |body: &str| {
        body.lines()
            .any(|l| l.split_once(' ').is_some_and(|(name, value)| name.ends_with("inbox_updates") && value == "0"))
    };
    while get(port, "/metrics").is_none_or(|(_, body)| !empty(&body)) {
        assert!(std::time::Instant::now() < deadline, "the inbox never emptied");
    }
}

/// `bot.flush_removals` (default on) makes a finished update's removal durable before anything
/// else happens in its chat: a kill then replays nothing. Off, the removal is still written to
/// the inbox's log at once, only not synced: a kill (the system's cache survives it) replays
/// nothing either; only a power cut could (not something a test can do). Before the log (a sled
/// tree with a background flush) a kill replayed it.
#[test]
fn a_kill_replays_no_finished_update_whether_removals_are_synced_or_not() {
    assert_eq!(replies_after_a_kill(true), 1, "synced removal: only the new /help is answered");
    assert_eq!(replies_after_a_kill(false), 1, "written, unsynced removal: a kill loses nothing");
}

/// A finished update Telegram still holds (the poll that would confirm it failed) is not run
/// again after a clean stop: the stop saves the position, and the redelivered update is skipped.
/// The reply is held by Telegram while the bot waits for it (`write_unfinished_after` 30 s), so
/// the update finishes without ever being written to the inbox.
#[test]
fn a_clean_stop_does_not_run_again_a_finished_update_telegram_still_holds() {
    use crate::harness::{REPLY_TIMEOUT, stop_cleanly, wait_polled_past, wait_replies};
    use crate::support::bot_process::BotProcess;
    use crate::support::fake_telegram::{FakeTelegram, Fault};
    let dir = crate::support::private_tempdir();
    // No debounce: the second /help must not be dropped as a repeat of the first.
    let config = "[bot]\nwrite_unfinished_after = \"30s\"\n[sentinel]\ndebounce = \"0s\"\n";
    std::fs::write(dir.path().join("arcana.toml"), config).expect("config");
    let user = 1020;
    let tg = FakeTelegram::start();
    tg.push_fault("sendMessage", Fault::Delay(Duration::from_secs(2)));
    tg.push_update(updates::command(user, "/help"));
    let mut bot = BotProcess::start(dir.path(), &tg.url());
    tg.wait_for(REPLY_TIMEOUT, "the reply on its way", |calls| calls.iter().any(|c| c.method == "sendMessage"));
    // The poll after the update fails (and its retry, if it comes before the stop), so Telegram
    // keeps the update.
    for _ in 0..2 {
        tg.push_fault("getUpdates", Fault::Status(502));
    }
    wait_replies(&tg, &mut bot, user, 1, REPLY_TIMEOUT);
    tg.wait_for(REPLY_TIMEOUT, "a failed poll after the reply", |calls| {
        calls.iter().any(|c| c.method == "getUpdates" && c.fault.is_some())
    });
    stop_cleanly(bot);
    assert_eq!(tg.pending_updates(), 1, "Telegram still holds the finished update");

    let mut bot = BotProcess::start(dir.path(), &tg.url());
    let next = tg.push_update(updates::command(user, "/help"));
    wait_polled_past(&tg, &mut bot, next);
    assert_eq!(tg.sent_messages_to(user).len(), 2, "one reply per /help: the first did not run again");
    stop_cleanly(bot);
}

#[test]
fn a_trail_removed_with_its_chain_state_fails_verification() {
    let dir = crate::support::private_tempdir();
    let d = path_arg(dir.path());
    crate::harness::cli_ok(&["init", "--dir", d]);
    crate::harness::cli_ok(&["block", "42", "--reason", "before the wipe", "--dir", d]);
    let (intact, text) = verify(dir.path());
    assert!(intact && text.contains("intact"), "{text}");

    // Someone with the data directory but not the master key removes the whole trail: the
    // entries and their index from db/, the chain state from keys/.
    tamper(dir.path(), |audit| audit.clear().expect("clear"));
    {
        let db = sled::open(dir.path().join("db")).expect("open db");
        db.open_tree("audit_by_user").expect("tree").clear().expect("clear");
        db.flush().expect("flush");
        let keys = sled::open(dir.path().join("keys")).expect("open keys");
        assert!(keys.open_tree("audit_chain").expect("tree").remove(b"chain").expect("remove").is_some());
        keys.flush().expect("flush");
    }
    let (intact, text) = verify(dir.path());
    assert!(!intact, "a removed trail passed as a fresh start: {text}");
    assert!(text.contains("the trail was removed"), "{text}");
}
