//! Flood benchmark: the release `arcana` binary against the fake Telegram server, under 50,000
//! updates from 1,000 flooding users and 100 normal ones.
//!
//! Flooders send bursts of about 50 plain texts each (distinct, except every tenth repeats the
//! previous one, for the debouncer), in waves of ten flooders interleaved; plain texts get no
//! reply, so every message to a flooder's chat is a notice the flood caused. Normal users send
//! `/start`, `/help` and `/help cards`, spaced evenly through the run. Config:
//! `default = { limit = 20, per = "1m" }`, `debounce = "2s"`, default penalties.
//!
//! Prints a markdown table: throughput until the bot has polled past the last update, requests
//! the flood caused, whether every normal user was answered, peak RSS of the bot.
//!
//! Run: `cargo bench --bench flood` (gives up after 10 minutes).

use std::cell::Cell;
use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde_json::Value;

#[path = "../tests/support/mod.rs"]
mod support;

use support::bot_process::BotProcess;
use support::fake_telegram::{Call, FakeTelegram};
use support::updates;

const FLOODERS: i64 = 1_000;
const NORMAL_USERS: i64 = 100;
const TOTAL_UPDATES: usize = 50_000;
/// What each normal user sends, in order.
const NORMAL_TEXTS: [&str; 3] = ["/start", "/help", "/help cards"];
/// Flooders sending at the same time (interleaved).
const FLOOD_WAVE: usize = 10;
/// First user id of each population (private chats share the user's id).
const FLOODER_BASE: i64 = 1_000_000;
const NORMAL_BASE: i64 = 2_000_000;
const GIVE_UP_AFTER: Duration = Duration::from_mins(10);
/// How long the bot idles before its resident set size is read.
const IDLE_FOR: Duration = Duration::from_secs(3);
const CONFIG: &str = "[sentinel]\ndebounce = \"2s\"\ndefault = { limit = 20, per = \"1m\" }\n";

fn main() -> ExitCode {
    match run() {
        Ok(table) => {
            println!("{table}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("flood bench: {message}");
            ExitCode::FAILURE
        }
    }
}

/// What the run measured.
struct Report {
    polled_past: Duration,
    last_normal_reply: Option<Duration>,
    flooder_calls: FlooderCalls,
    normal: NormalAnswers,
    get_updates_calls: usize,
    /// `sendMessage` calls and the time from the first to the last.
    messages_sent: (usize, Duration),
    peak_rss_kib: Option<u64>,
    /// From spawning the process to its first `getUpdates`.
    startup: Duration,
    /// Resident set size after idling a few seconds with nothing to do.
    idle_rss_kib: Option<u64>,
}

fn run() -> Result<String, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("tempdir: {e}"))?;
    std::fs::write(dir.path().join("arcana.toml"), CONFIG).map_err(|e| format!("write arcana.toml: {e}"))?;
    let plan = plan_updates();
    let expected_normal = plan.iter().filter(|u| is_normal(sender(u))).count();

    let tg = FakeTelegram::start();
    let spawned = Instant::now();
    let mut bot = BotProcess::builder(dir.path(), &tg.url()).env("ARCANA_LOG", "warn").spawn();
    let deadline = Instant::now() + GIVE_UP_AFTER;
    wait(&tg, &mut bot, deadline, "the bot's first getUpdates", |calls| {
        calls.iter().any(|c| c.method == "getUpdates")
    })?;
    let startup = tg.calls().iter().find(|c| c.method == "getUpdates").map_or(Duration::ZERO, |c| c.at - spawned);
    // Idle: long-polling with nothing to do.
    std::thread::sleep(IDLE_FOR);
    let idle_rss_kib = status_kib(bot.pid(), "VmRSS:");

    let start = Instant::now();
    let mut last_id = 0;
    for update in plan {
        last_id = tg.push_update(update);
    }
    wait(&tg, &mut bot, deadline, "a getUpdates past the last update", polled_past(last_id))?;
    let polled_past = start.elapsed();
    // Replies to normal users may still be queued in the throttle after their updates finished.
    let normal_done = normal_replies_at_least(expected_normal);
    let all_answered = wait(&tg, &mut bot, deadline, "every normal user's replies", normal_done).is_ok();

    let calls = tg.calls();
    let report = Report {
        polled_past,
        last_normal_reply: all_answered.then(|| last_normal_reply(&calls, start)).flatten(),
        flooder_calls: FlooderCalls::count(&calls),
        normal: NormalAnswers::count(&calls),
        get_updates_calls: calls.iter().filter(|c| c.method == "getUpdates").count(),
        messages_sent: messages_sent(&calls),
        peak_rss_kib: status_kib(bot.pid(), "VmHWM:"),
        startup,
        idle_rss_kib,
    };
    let (status, stderr) = bot.terminate();
    if !status.success() {
        return Err(format!("arcana exited with {status} after SIGTERM; stderr:\n{stderr}"));
    }
    Ok(render(&report, expected_normal))
}

/// The 50,000 update bodies in push order: normal users' messages evenly spaced among the flood.
fn plan_updates() -> Vec<Value> {
    let normal_total = NORMAL_TEXTS.len() * usize::try_from(NORMAL_USERS).unwrap_or_default();
    let spacing = TOTAL_UPDATES / normal_total;
    let mut flood = flood_messages(TOTAL_UPDATES - normal_total).into_iter();
    let mut normal = 0;
    let mut plan = Vec::with_capacity(TOTAL_UPDATES);
    for i in 0..TOTAL_UPDATES {
        if i % spacing == spacing / 2 && normal < normal_total {
            plan.push(normal_message(normal));
            normal += 1;
        } else {
            plan.extend(flood.next());
        }
    }
    plan
}

/// Normal message `n`: each user's first text, then each user's second, then the third.
fn normal_message(n: usize) -> Value {
    let users = usize::try_from(NORMAL_USERS).unwrap_or(1);
    let user = NORMAL_BASE + i64::try_from(n % users).unwrap_or_default();
    updates::command(user, NORMAL_TEXTS[n / users])
}

/// `total` flood messages, shared as evenly as possible among the flooders: waves of
/// [`FLOOD_WAVE`] flooders sending round-robin, one wave after another.
fn flood_messages(total: usize) -> Vec<Value> {
    let flooders = usize::try_from(FLOODERS).unwrap_or(1);
    let quota = |flooder: usize| total / flooders + usize::from(flooder < total % flooders);
    let mut messages = Vec::with_capacity(total);
    for first in (0..flooders).step_by(FLOOD_WAVE) {
        let wave = first..(first + FLOOD_WAVE).min(flooders);
        let rounds = wave.clone().map(quota).max().unwrap_or(0);
        for round in 0..rounds {
            for flooder in wave.clone().filter(|f| round < quota(*f)) {
                messages.push(flood_message(flooder, round));
            }
        }
    }
    messages
}

/// A flooder's message of round `round`: a distinct text, except every tenth repeats the one
/// before it (for the debouncer).
fn flood_message(flooder: usize, round: usize) -> Value {
    let text_round = if round % 10 == 9 { round - 1 } else { round };
    let user = FLOODER_BASE + i64::try_from(flooder).unwrap_or_default();
    updates::message(user, user, &format!("buy cheap followers, offer {text_round}"))
}

/// The sender of an update body.
fn sender(update: &Value) -> i64 {
    update["message"]["from"]["id"].as_i64().unwrap_or_default()
}

fn is_normal(user: i64) -> bool {
    (NORMAL_BASE..NORMAL_BASE + NORMAL_USERS).contains(&user)
}

fn is_flooder(user: i64) -> bool {
    (FLOODER_BASE..FLOODER_BASE + FLOODERS).contains(&user)
}

/// The user a call is addressed to (its `chat_id` or `user_id`), for calls that send something.
fn addressee(call: &Call) -> Option<i64> {
    if call.method == "getUpdates" {
        return None;
    }
    call.int("chat_id").or_else(|| call.int("user_id"))
}

/// Waits for `pred` until `deadline`; on timeout stops the bot and says what it waited for.
fn wait(
    tg: &FakeTelegram,
    bot: &mut BotProcess,
    deadline: Instant,
    what: &str,
    pred: impl Fn(&[Call]) -> bool,
) -> Result<(), String> {
    let left = deadline.saturating_duration_since(Instant::now());
    if tg.try_wait_for(left, pred).is_ok() {
        return Ok(());
    }
    let state = if bot.is_running() { "running" } else { "exited" };
    Err(format!(
        "gave up after {GIVE_UP_AFTER:?} waiting for {what} (bot {state}, {} updates unconfirmed); stderr tail:\n{}",
        tg.pending_updates(),
        tail(&bot.stderr_text(), 20)
    ))
}

/// A predicate for "a getUpdates with an offset past `last_id`", scanning each call once.
fn polled_past(last_id: i64) -> impl Fn(&[Call]) -> bool {
    let scanned = Cell::new(0);
    move |calls| {
        let from = scanned.replace(calls.len());
        calls[from..].iter().any(|c| c.method == "getUpdates" && c.int("offset").is_some_and(|o| o > last_id))
    }
}

/// A predicate for "at least `n` messages delivered to normal users", scanning each call once.
fn normal_replies_at_least(n: usize) -> impl Fn(&[Call]) -> bool {
    let (scanned, seen) = (Cell::new(0), Cell::new(0));
    move |calls| {
        let from = scanned.replace(calls.len());
        let new = calls[from..]
            .iter()
            .filter(|c| c.method == "sendMessage" && c.answered && c.int("chat_id").is_some_and(is_normal))
            .count();
        seen.set(seen.get() + new);
        seen.get() >= n
    }
}

/// When the last message to a normal user arrived, counted from `start`.
fn last_normal_reply(calls: &[Call], start: Instant) -> Option<Duration> {
    calls
        .iter()
        .filter(|c| c.method == "sendMessage" && c.int("chat_id").is_some_and(is_normal))
        .map(|c| c.at.saturating_duration_since(start))
        .max()
}

/// How many `sendMessage` calls arrived, and the span from the first to the last.
fn messages_sent(calls: &[Call]) -> (usize, Duration) {
    let times: Vec<Instant> = calls.iter().filter(|c| c.method == "sendMessage").map(|c| c.at).collect();
    let span = match (times.iter().min(), times.iter().max()) {
        (Some(first), Some(last)) => last.saturating_duration_since(*first),
        _ => Duration::ZERO,
    };
    (times.len(), span)
}

/// Requests the flood caused: everything addressed to a flooder's chat.
#[derive(Default)]
struct FlooderCalls {
    total: usize,
    limit_notices: usize,
    mute_notices: usize,
    flooders_reached: usize,
}

impl FlooderCalls {
    fn count(calls: &[Call]) -> Self {
        let mut counts = Self::default();
        let mut reached = std::collections::HashSet::new();
        for call in calls.iter().filter(|c| addressee(c).is_some_and(is_flooder)) {
            counts.total += 1;
            reached.insert(addressee(call));
            let text = call.str("text").unwrap_or_default();
            counts.limit_notices += usize::from(text.contains("before sending more"));
            counts.mute_notices += usize::from(text.contains("Too many requests"));
        }
        counts.flooders_reached = reached.len();
        counts
    }
}

/// How normal users fared.
struct NormalAnswers {
    /// Users who got a non-notice reply to each of their messages.
    fully_answered: usize,
    replies: usize,
    notices: usize,
}

impl NormalAnswers {
    fn count(calls: &[Call]) -> Self {
        let mut per_user = std::collections::HashMap::<i64, usize>::new();
        let (mut replies, mut notices) = (0, 0);
        for call in calls.iter().filter(|c| c.method == "sendMessage" && c.answered) {
            let Some(user) = call.int("chat_id").filter(|u| is_normal(*u)) else { continue };
            if call.str("text").unwrap_or_default().contains("Please wait") {
                notices += 1;
            } else {
                replies += 1;
                *per_user.entry(user).or_default() += 1;
            }
        }
        let fully_answered = per_user.values().filter(|n| **n >= NORMAL_TEXTS.len()).count();
        Self { fully_answered, replies, notices }
    }
}

/// A size field of `/proc/PID/status` (`VmHWM:` peak, `VmRSS:` current) in KiB.
fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

fn render(r: &Report, expected_normal: usize) -> String {
    let flood_updates = TOTAL_UPDATES - expected_normal;
    let rate = per_sec(TOTAL_UPDATES, r.polled_past);
    let per_flooder = f64::from(u32::try_from(r.flooder_calls.total).unwrap_or(u32::MAX))
        / f64::from(u32::try_from(FLOODERS).unwrap_or(u32::MAX));
    let rows = [
        ("start of the process to its first getUpdates", format!("{} ms", r.startup.as_millis())),
        (
            "idle RSS (long-polling, nothing to do)",
            r.idle_rss_kib.map_or_else(|| "unknown".to_owned(), |k| format!("{:.1} MiB", kib_to_mib(k))),
        ),
        (
            "updates",
            format!(
                "{TOTAL_UPDATES} ({flood_updates} from {FLOODERS} flooders, {expected_normal} from {NORMAL_USERS} normal users)"
            ),
        ),
        ("wall time until polled past the last update", secs(r.polled_past)),
        ("throughput", format!("{rate:.0} updates/s")),
        ("getUpdates calls", r.get_updates_calls.to_string()),
        (
            "sendMessage calls",
            format!(
                "{} in {} ({:.1}/s)",
                r.messages_sent.0,
                secs(r.messages_sent.1),
                per_sec(r.messages_sent.0, r.messages_sent.1)
            ),
        ),
        (
            "requests to flooder chats",
            format!(
                "{} for {FLOODERS} flooders ({per_flooder:.2} each; {} limit notices, {} mute notices; {} flooders reached)",
                r.flooder_calls.total,
                r.flooder_calls.limit_notices,
                r.flooder_calls.mute_notices,
                r.flooder_calls.flooders_reached
            ),
        ),
        (
            "normal users fully answered",
            format!(
                "{} / {NORMAL_USERS} ({} / {expected_normal} replies, {} notices)",
                r.normal.fully_answered, r.normal.replies, r.normal.notices
            ),
        ),
        ("last normal reply after", r.last_normal_reply.map_or_else(|| "not all answered".to_owned(), secs)),
        (
            "peak RSS of the bot (VmHWM)",
            r.peak_rss_kib.map_or_else(|| "unknown".to_owned(), |k| format!("{:.1} MiB", kib_to_mib(k))),
        ),
    ];
    let mut out = String::from("| metric | value |\n|---|---|\n");
    for (metric, value) in rows {
        let _ = writeln!(out, "| {metric} | {value} |");
    }
    out
}

fn per_sec(count: usize, span: Duration) -> f64 {
    f64::from(u32::try_from(count).unwrap_or(u32::MAX)) / span.as_secs_f64().max(f64::EPSILON)
}

fn kib_to_mib(kib: u64) -> f64 {
    f64::from(u32::try_from(kib).unwrap_or(u32::MAX)) / 1024.0
}

/// The last `n` lines of `text`.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
