//! Crash torture: the release `arcana` binary is killed with SIGKILL at random moments, again and
//! again, during a mixed workload against the fake Telegram server, and restarted each time:
//!
//! - registrations and draws (readings sealed under fresh data keys),
//! - payments: `successful_payment` with fresh charge ids, each delivered twice (Telegram
//!   redelivers), for credit packs bought with `/buy credits`,
//! - two-factor enrolment (`/2fa`, then `/2fa CODE` computed from the QR offer's secret),
//! - deletions (`/delete_me` after a reading, then its "Delete everything" button),
//! - scheduled backups every two seconds, and two generation key rotations (`arcana keys
//!   rotate`) whose re-wrapping the kills interrupt.
//!
//! After each restart, once the bot has caught up, it checks through the bot itself (probe
//! messages, as a user would): the store opens (the bot serves again); every payer's credits
//! equal ten per distinct charge delivered (so every receipted payment is credited, none twice);
//! every deletion that was confirmed is complete (`/history` is empty); every reading that was
//! shown is in the reader's history (at least as many kept as shown); every two-factor
//! confirmation that was shown is in force (`/export` asks for a fresh code); no probe is
//! answered "try again". At the end the live store (backed up and verified offline) and the
//! newest scheduled backup (restored on a fresh machine) must open every sealed record: deleted
//! users leave nothing behind, so an unreadable record there is data whose key was lost.
//!
//! Run: `cargo bench --bench torture` (`TORTURE_KILLS`, default 60; `TORTURE_SEED` to replay).
//! Prints the counts; exits non-zero on any violation.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde_json::Value;

#[path = "../tests/support/mod.rs"]
mod support;

use support::bot_process::{BotProcess, run_cli};
use support::fake_telegram::{Call, FakeTelegram};
use support::{totp, updates};

const CONFIG: &str = r#"admins = [1]

[sentinel]
debounce = "0s"
default = { limit = 1000, per = "1m" }

[accounts]
require_registration = false

[backup]
every = "2s"
keep = 3
"#;

const PAYERS: std::ops::Range<i64> = 1_001..1_021;
const ENROLLERS: std::ops::Range<i64> = 2_001..2_031;
const DELETERS: std::ops::Range<i64> = 3_001..3_041;
const READERS: std::ops::Range<i64> = 4_001..4_101;
/// How long one probe or catch-up may take before the run gives up.
const PATIENCE: Duration = Duration::from_mins(2);
/// Probes of each kind per restart (all of them after the last one).
const SAMPLE: usize = 4;

fn main() -> ExitCode {
    match run() {
        Ok(report) => {
            println!("{report}");
            if report.violations.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
        }
        Err(message) => {
            eprintln!("torture: {message}");
            ExitCode::FAILURE
        }
    }
}

/// A small deterministic generator (xorshift64*), seeded from `TORTURE_SEED` or the clock.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick(&mut self, range: std::ops::Range<i64>) -> i64 {
        range.start + i64::try_from(self.below(u64::try_from(range.end - range.start).unwrap_or(1))).unwrap_or(0)
    }
}

/// What the users have been told, and what they did.
#[derive(Default)]
struct World {
    invoices: BTreeMap<i64, String>,
    /// Charge ids delivered per payer.
    charges: BTreeMap<i64, BTreeSet<String>>,
    /// The secret of the latest two-factor offer seen per enroller, and whether it was confirmed.
    offers: BTreeMap<i64, Vec<u8>>,
    enrolled: BTreeSet<i64>,
    /// Deleters who drew a reading, and those told they were deleted.
    drew: BTreeSet<i64>,
    deleted: BTreeSet<i64>,
    /// The signed data of the latest "Delete everything" button shown per deleter, not pressed yet.
    confirms: BTreeMap<i64, String>,
    /// Readings shown per reader.
    read: BTreeMap<i64, usize>,
    draws: BTreeMap<i64, u32>,
    /// Calls already scanned.
    seen: usize,
}

#[derive(Default)]
struct Report {
    seed: u64,
    kills: usize,
    restarts: usize,
    updates: usize,
    checks: usize,
    transient_try_again: usize,
    backups_taken: u64,
    payments: usize,
    deletions: usize,
    enrolments: usize,
    rotations: usize,
    elapsed: Duration,
    restored: String,
    violations: Vec<String>,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "crash torture (seed {}), {:.0} s", self.seed, self.elapsed.as_secs_f64())?;
        writeln!(f, "| figure | value |\n|---|---|")?;
        writeln!(f, "| SIGKILLs | {} |", self.kills)?;
        writeln!(f, "| restarts | {} |", self.restarts)?;
        writeln!(f, "| workload updates | {} |", self.updates)?;
        writeln!(f, "| payments (distinct charges, each delivered twice) | {} |", self.payments)?;
        writeln!(f, "| deletions confirmed | {} |", self.deletions)?;
        writeln!(f, "| two-factor enrolments confirmed | {} |", self.enrolments)?;
        writeln!(f, "| generation key rotations | {} |", self.rotations)?;
        writeln!(f, "| invariants checked | {} |", self.checks)?;
        writeln!(f, "| violations | {} |", self.violations.len())?;
        writeln!(f, "| transient \"try again\" replies to workload updates | {} |", self.transient_try_again)?;
        writeln!(f, "| scheduled backups taken in the last run | {} |", self.backups_taken)?;
        writeln!(f, "| newest backup restored | {} |", self.restored)?;
        for v in &self.violations {
            writeln!(f, "VIOLATION: {v}")?;
        }
        Ok(())
    }
}

fn run() -> Result<Report, String> {
    let started = Instant::now();
    let kills: usize = std::env::var("TORTURE_KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(60);
    let seed = std::env::var("TORTURE_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| u64::try_from(d.as_nanos() % u128::from(u64::MAX)).unwrap_or(1))
            | 1
    });
    let mut rng = Rng(seed);
    let mut report = Report { seed, ..Report::default() };
    let dir = tempfile::Builder::new()
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .tempdir()
        .map_err(|e| format!("tempdir: {e}"))?;
    std::fs::write(dir.path().join("arcana.toml"), CONFIG).map_err(|e| format!("config: {e}"))?;
    let tg = FakeTelegram::start();
    let mut world = World::default();
    let mut bot = start(dir.path(), &tg)?;

    // Every payer asks for an invoice once; its payload pays for every later charge.
    for payer in PAYERS {
        tg.push_update(updates::command(payer, "/buy credits"));
    }
    catch_up(&tg, &bot)?;
    for call in tg.calls_to("sendInvoice") {
        if let (Some(chat), Some(payload)) = (call.int("chat_id"), call.str("payload")) {
            world.invoices.insert(chat, payload);
        }
    }
    if world.invoices.len() != PAYERS.count() {
        return Err(format!("{} invoices for {} payers", world.invoices.len(), PAYERS.count()));
    }

    for round in 0..kills {
        // The workload, half before and half during a random lifetime; then SIGKILL.
        let batch = workload(&mut rng, &mut world, round);
        report.updates += batch.len();
        let (first, second) = batch.split_at(batch.len() / 2);
        for update in first {
            tg.push_update(update.clone());
        }
        if (round == kills / 4 || round == kills * 3 / 4)
            && run_cli(&["keys", "rotate", "--dir", path(dir.path())], &[]).status.success()
        {
            report.rotations += 1;
        }
        std::thread::sleep(Duration::from_millis(rng.below(400)));
        for update in second {
            tg.push_update(update.clone());
        }
        std::thread::sleep(Duration::from_millis(rng.below(1_200)));
        bot.kill9();
        report.kills += 1;

        bot = start(dir.path(), &tg)?;
        report.restarts += 1;
        catch_up(&tg, &bot)?;
        scan(&tg, &mut world, &mut report);
        let last = round + 1 == kills;
        check(&tg, &bot, &mut world, &mut rng, &mut report, last)?;
    }
    report.backups_taken = bot.status().and_then(|s| s.get("backups_taken").copied()).unwrap_or(0);
    let stopped = bot.terminate_output();
    if !stopped.status.success() {
        report.violations.push(format!("the last run did not stop cleanly: {:?}", stopped.status));
    }
    verify_live(dir.path(), &mut report);
    report.restored = restore_newest(dir.path(), &mut report)?;
    report.payments = world.charges.values().map(BTreeSet::len).sum();
    report.deletions = world.deleted.len();
    report.enrolments = world.enrolled.len();
    report.elapsed = started.elapsed();
    Ok(report)
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap_or_default()
}

fn start(dir: &Path, tg: &FakeTelegram) -> Result<BotProcess, String> {
    let mut bot = BotProcess::builder(dir, &tg.url()).env("ARCANA_LOG", "warn").spawn();
    let deadline = Instant::now() + PATIENCE;
    while bot.status().is_none() {
        if !bot.is_running() || Instant::now() > deadline {
            return Err(format!("the store did not reopen after a kill:\n{}", bot.stderr_text()));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(bot)
}

/// Waits until every pushed update is confirmed and handled, and every reply sent.
fn catch_up(tg: &FakeTelegram, bot: &BotProcess) -> Result<(), String> {
    let deadline = Instant::now() + PATIENCE;
    while tg.pending_updates() > 0 {
        if Instant::now() > deadline {
            return Err(format!("{} updates never confirmed:\n{}", tg.pending_updates(), bot.stderr_text()));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    if bot.wait_idle(PATIENCE) { Ok(()) } else { Err(format!("the bot never went idle:\n{}", bot.stderr_text())) }
}

/// One round's updates, in a random order.
fn workload(rng: &mut Rng, world: &mut World, round: usize) -> Vec<Value> {
    let mut batch = Vec::new();
    for _ in 0..4 {
        let reader = rng.pick(READERS);
        let n = world.draws.entry(reader).or_default();
        if *n < 2 {
            *n += 1;
            batch.push(updates::command(reader, "/draw one What now?"));
        }
    }
    for n in 0..2 {
        let payer = rng.pick(PAYERS);
        let charge = format!("c{round}x{n}");
        world.charges.entry(payer).or_default().insert(charge.clone());
        let payload = world.invoices.get(&payer).cloned().unwrap_or_default();
        // Delivered twice, as Telegram does when it is not sure the first arrived.
        batch.push(updates::successful_payment(payer, &payload, 50, &charge));
        batch.push(updates::successful_payment(payer, &payload, 50, &charge));
    }
    for _ in 0..2 {
        let user = rng.pick(ENROLLERS);
        if world.enrolled.contains(&user) {
            continue;
        }
        // An offer is answered once; if that answer is lost or refused, the next round asks anew.
        match world.offers.remove(&user) {
            Some(secret) => batch.push(updates::command(user, &format!("/2fa {}", totp::current_code(&secret)))),
            None => batch.push(updates::command(user, "/2fa")),
        }
    }
    let deleter = rng.pick(DELETERS);
    if !world.deleted.contains(&deleter) {
        if let Some(data) = world.confirms.remove(&deleter) {
            batch.push(updates::button_press(deleter, "Delete everything?", DELETE_BUTTON, &data));
        } else if world.drew.contains(&deleter) {
            batch.push(updates::command(deleter, "/delete_me"));
        } else {
            batch.push(updates::command(deleter, "/draw one Before I go"));
        }
    }
    for i in (1..batch.len()).rev() {
        let j = usize::try_from(rng.below(u64::try_from(i + 1).unwrap_or(1))).unwrap_or(0);
        batch.swap(i, j);
    }
    batch
}

/// Text and captions of a sending call, with its chat.
fn sent(call: &Call) -> Option<(i64, String)> {
    if !matches!(call.method.as_str(), "sendMessage" | "sendPhoto" | "editMessageText") {
        return None;
    }
    let text = call.str("text").or_else(|| call.str("caption")).unwrap_or_default();
    Some((call.int("chat_id")?, text))
}

/// Learns from the replies sent since the last scan what users were told.
fn scan(tg: &FakeTelegram, world: &mut World, report: &mut Report) {
    let calls = tg.calls();
    for call in &calls[world.seen..] {
        let Some((chat, text)) = sent(call) else { continue };
        if text.contains("try again") {
            report.transient_try_again += 1;
        }
        if ENROLLERS.contains(&chat) {
            if let Some(secret) = otpauth_secret(&text) {
                world.offers.insert(chat, secret);
            }
            if text.contains("Two-factor authentication is on") {
                world.enrolled.insert(chat);
            }
        }
        // A reading itself, not a history page listing one.
        let reading = text.starts_with("🔮 <b>One card</b>");
        if READERS.contains(&chat) && reading {
            *world.read.entry(chat).or_default() += 1;
        }
        if DELETERS.contains(&chat) {
            if reading {
                world.drew.insert(chat);
            }
            if text.contains("stored about you is deleted") {
                world.deleted.insert(chat);
            }
            if let Some(data) = button(call, DELETE_BUTTON) {
                world.confirms.insert(chat, data);
            }
        }
    }
    world.seen = calls.len();
}

/// The label of `/delete_me`'s confirming button.
const DELETE_BUTTON: &str = "🗑 Delete everything";

/// The data of the button labelled `label` under a sent message, if it has one.
fn button(call: &Call, label: &str) -> Option<String> {
    let markup = call.json("reply_markup")?;
    markup["inline_keyboard"].as_array()?.iter().filter_map(Value::as_array).flatten().find_map(|b| {
        (b["text"].as_str() == Some(label)).then(|| b["callback_data"].as_str().map(str::to_owned)).flatten()
    })
}

/// The base32 secret of an `otpauth://totp/` URI in `text`, decoded.
fn otpauth_secret(text: &str) -> Option<Vec<u8>> {
    let start = text.find("otpauth://totp/")?;
    let uri: String =
        text[start..].chars().take_while(|c| !c.is_whitespace() && !matches!(c, '<' | '>' | '"' | '\'')).collect();
    let uri = uri.replace("&amp;", "&");
    let secret = uri.split_once('?')?.1.split('&').find_map(|pair| pair.strip_prefix("secret="))?;
    totp::base32_decode(&secret.replace("%3D", "="))
}

/// Probes a sample of users (all of them when `all`) and checks the invariants.
fn check(
    tg: &FakeTelegram,
    bot: &BotProcess,
    world: &mut World,
    rng: &mut Rng,
    report: &mut Report,
    all: bool,
) -> Result<(), String> {
    let mut sample = |set: Vec<i64>| -> Vec<i64> {
        if all || set.len() <= SAMPLE {
            return set;
        }
        (0..SAMPLE).map(|_| set[usize::try_from(rng.below(set.len() as u64)).unwrap_or(0)]).collect()
    };
    let payers = sample(world.charges.keys().copied().collect());
    let deleted = sample(world.deleted.iter().copied().collect());
    let enrolled = sample(world.enrolled.iter().copied().collect());
    let readers = sample(world.read.keys().copied().collect());
    let mut probes: Vec<(i64, &str)> = payers.iter().map(|&u| (u, "/credits")).collect();
    probes.extend(deleted.iter().chain(&readers).map(|&u| (u, "/history")));
    probes.extend(enrolled.iter().map(|&u| (u, "/export")));
    probes.sort_unstable();
    probes.dedup();
    for (user, text) in probes {
        let reply = probe(tg, bot, user, text)?;
        report.checks += 1;
        if reply.contains("try again") {
            report.violations.push(format!("user {user} got \"try again\" for {text}: {reply}"));
            continue;
        }
        match text {
            "/credits" => {
                let credits = reply
                    .split("Credits: ")
                    .nth(1)
                    .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
                    .and_then(|n| n.parse::<usize>().ok());
                let expected = world.charges.get(&user).map_or(0, BTreeSet::len) * 10;
                if credits != Some(expected) {
                    report.violations.push(format!(
                        "payer {user}: {credits:?} credits for {} distinct charges delivered: {reply}",
                        expected / 10
                    ));
                }
            }
            "/history" if DELETERS.contains(&user) && !reply.contains("no readings yet") => {
                report.violations.push(format!("deleted user {user} still has readings: {reply}"));
            }
            "/history" if READERS.contains(&user) => {
                let kept = reply
                    .split(" kept")
                    .next()
                    .and_then(|head| head.rsplit('(').next())
                    .and_then(|n| n.parse::<usize>().ok())
                    .unwrap_or(0);
                let shown = world.read.get(&user).copied().unwrap_or(0);
                if kept < shown {
                    report
                        .violations
                        .push(format!("reader {user} was shown {shown} readings, {kept} are kept: {reply}"));
                }
            }
            "/export" if !reply.contains("This needs a fresh code") => {
                report.violations.push(format!("enrolled user {user} exported without a code: {reply}"));
            }
            _ => {}
        }
    }
    scan(tg, world, report);
    Ok(())
}

/// Sends `text` as `user` and returns the bot's reply to them.
fn probe(tg: &FakeTelegram, bot: &BotProcess, user: i64, text: &str) -> Result<String, String> {
    let before = tg.calls().len();
    tg.push_update(updates::command(user, text));
    let answered = |calls: &[Call]| calls[before..].iter().filter_map(sent).any(|(chat, _)| chat == user);
    let calls = tg
        .try_wait_for(PATIENCE, answered)
        .map_err(|_| format!("no answer to {text} from {user}:\n{}", bot.stderr_text()))?;
    Ok(calls[before..].iter().filter_map(sent).filter(|(chat, _)| *chat == user).map(|(_, t)| t).collect())
}

/// The number before "records of users deleted" in a restore or verify summary.
fn unreadable(summary: &str) -> Option<usize> {
    summary.split(" records of users deleted").next()?.rsplit("; ").next()?.trim().parse().ok()
}

/// Backs up the stopped bot's store offline and verifies it: every sealed record must open.
fn verify_live(dir: &Path, report: &mut Report) {
    let file = dir.join("offline-check.backup");
    let taken = run_cli(&["backup", path(&file), "--dir", path(dir)], &[]);
    let verified = run_cli(&["backup", "--verify", path(&file), "--dir", path(dir)], &[]);
    let summary = String::from_utf8_lossy(&verified.stdout).to_string();
    report.checks += 1;
    if !taken.status.success() || !verified.status.success() || unreadable(&summary) != Some(0) {
        report.violations.push(format!(
            "the live store does not verify: {summary}{}{}",
            String::from_utf8_lossy(&taken.stderr),
            String::from_utf8_lossy(&verified.stderr)
        ));
    }
    let _ = std::fs::remove_file(file);
}

/// Verifies and restores the newest scheduled backup into a fresh directory with only the key.
fn restore_newest(dir: &Path, report: &mut Report) -> Result<String, String> {
    let mut backups: Vec<_> = std::fs::read_dir(dir.join("backups"))
        .map_err(|e| format!("backups: {e}"))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "backup"))
        .collect();
    backups.sort();
    let Some(newest) = backups.last() else {
        report.violations.push(String::from("no scheduled backup was written"));
        return Ok(String::from("none"));
    };
    let machine = tempfile::Builder::new()
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .tempdir()
        .map_err(|e| format!("tempdir: {e}"))?;
    std::fs::copy(dir.join("master.key"), machine.path().join("master.key")).map_err(|e| format!("copy: {e}"))?;
    let out = run_cli(&["restore", path(newest), "--dir", path(machine.path())], &[]);
    let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    report.checks += 1;
    if !out.status.success() || unreadable(&text) != Some(0) {
        report.violations.push(format!(
            "the newest backup did not restore every record: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(text.split(": ").nth(1).unwrap_or(&text).to_owned())
}
