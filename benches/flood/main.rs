//! Flood benchmark: the release `arcana` binary against the fake Telegram server, measured the
//! way users feel it. One run, three phases (the third, presses within limits, in `presses.rs`),
//! default settings except the limit below:
//!
//! 1. **Burst** — 50,000 updates queued at Telegram at once: 1,000 flooders sending about 50
//!    distinct `/help N` commands each (every tenth repeats the one before, for the debouncer),
//!    and 100 normal users sending `/start`, `/help`, `/help cards`, spaced evenly through the
//!    flood. Measures ingestion: from the first update queued to the confirmed offset (a
//!    `getUpdates` offset) passing the last one.
//! 2. **Sustained** — once the burst's normal users are answered, while the flooders' replies
//!    still drain, another 1,000 flooders and 100 normal users send 40,000 updates at a steady
//!    2,000 a second, and flooders press 200 buttons. The normal users' 300 messages come at 15 a
//!    second, half of what Telegram lets a bot send overall. Measures, from the moment each update
//!    is queued at Telegram: normal users' reply latency (p50 / p99 / max) and the latency of the
//!    answers to flooders' button presses.
//!
//! The burst's normal users are measured too, but their latency is bounded by Telegram, not by
//! arcana: 300 replies due within two seconds take ten at 30 messages a second.
//!
//! Also reports messages sent per flooder (at most the allowance plus two notices), peak RSS
//! (`VmHWM`) and bytes written to disk per 1,000 updates (`write_bytes` of `/proc/PID/io`: what
//! an SD card sees). Config: `default = { limit = 20, per = "1m" }`, `debounce = "2s"`.
//!
//! Run: `cargo bench --bench flood` (gives up after 10 minutes); `FLOOD_ONLY=presses` runs phase 3
//! alone, on a fresh bot (the load as first reported, with no flood's replies still draining);
//! `FLOOD_ONLY=burst` runs issue 27's burst alone (`burst.rs`: 40,000 updates from 1,000
//! flooders, 20 normal users among them). `FLOOD_CONFIG` is appended to
//! the bot's `arcana.toml` (e.g. `FLOOD_CONFIG=$'[store]\ncache_capacity_mib = 4'`) to measure a
//! setting.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde_json::Value;

#[path = "../../tests/support/mod.rs"]
mod support;

mod burst;
mod presses;

use support::bot_process::BotProcess;
use support::fake_telegram::{Call, FakeTelegram};
use support::updates;

const FLOODERS: i64 = 1_000;
const NORMAL_USERS: i64 = 100;
const BURST_UPDATES: usize = 50_000;
const SUSTAINED_UPDATES: usize = 40_000;
/// Updates queued per second in the sustained phase.
const SUSTAINED_RATE: usize = 2_000;
const BUTTON_PRESSES: usize = 200;
/// What each normal user sends, in order (each gets exactly one reply).
const NORMAL_TEXTS: [&str; 3] = ["/start", "/help", "/help cards"];
/// Flooders sending at the same time (interleaved).
const FLOOD_WAVE: usize = 10;
/// First user id of each population, per phase (private chats share the user's id).
const BURST_FLOODERS: i64 = 1_000_000;
const BURST_NORMAL: i64 = 2_000_000;
const SUSTAINED_FLOODERS: i64 = 3_000_000;
const SUSTAINED_NORMAL: i64 = 4_000_000;
/// The per-user allowance the config sets.
const ALLOWANCE: usize = 20;
const GIVE_UP_AFTER: Duration = Duration::from_mins(10);
/// How long the bot idles before its resident set size is read.
const IDLE_FOR: Duration = Duration::from_secs(3);
/// The admin who receives the alerts the flood raises.
const ADMIN: i64 = 9;
/// Scrapes of `/metrics` timed while the sustained flood's replies drain.
const SCRAPES: usize = 20;

/// The configuration: the limit above, an admin for alerts, metrics on `port`.
fn config(port: u16) -> String {
    let extra = std::env::var("FLOOD_CONFIG").unwrap_or_default();
    format!(
        "admins = [{ADMIN}]\n[sentinel]\ndebounce = \"2s\"\ndefault = {{ limit = 20, per = \"1m\" }}\n[metrics]\nlisten = \"127.0.0.1:{port}\"\n{extra}\n"
    )
}

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

/// An update whose answer is timed: when it was queued, and what answers it.
struct Timed {
    pushed: Instant,
    answer: Answer,
}

#[derive(Clone)]
enum Answer {
    /// The `n`-th (0-based) message into this private chat.
    NthMessage(i64, usize),
    /// `answerCallbackQuery` for this query id.
    Callback(String),
}

/// What the run measured.
struct Report {
    startup: Duration,
    idle_rss_kib: Option<u64>,
    ingestion: Duration,
    burst_latency: Latencies,
    normal_latency: Latencies,
    callback_latency: Latencies,
    per_flooder: PerFlooder,
    peak_rss_kib: Option<u64>,
    written_per_1000: Option<u64>,
    /// `/metrics` scrape time under load: median, max, how many answered.
    scrape: (Option<Duration>, Option<Duration>, usize),
    /// Alert messages the admin received.
    alerts: Vec<String>,
    /// Phase 3: presses within limits.
    presses: presses::PressReport,
}

/// Times one `GET /metrics` on `port`.
fn scrape(port: u16) -> Option<Duration> {
    use std::io::{Read as _, Write as _};
    let started = Instant::now();
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n").ok()?;
    let mut body = String::new();
    stream.read_to_string(&mut body).ok()?;
    body.starts_with("HTTP/1.1 200").then(|| started.elapsed())
}

/// The alerts sent to the admin's chat.
fn alerts_to_admin(calls: &[Call]) -> Vec<String> {
    calls
        .iter()
        .filter(|c| c.method == "sendMessage" && c.int("chat_id") == Some(ADMIN))
        .filter_map(|c| c.str("text"))
        .filter(|t| t.contains("arcana alert"))
        .collect()
}

fn run() -> Result<String, String> {
    let dir = tempfile::Builder::new()
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .tempdir()
        .map_err(|e| format!("tempdir: {e}"))?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("a free port: {e}"))?
        .port();
    std::fs::write(dir.path().join("arcana.toml"), config(port)).map_err(|e| format!("write arcana.toml: {e}"))?;
    let tg = FakeTelegram::start();
    let spawned = Instant::now();
    let mut bot = BotProcess::builder(dir.path(), &tg.url()).env("ARCANA_LOG", "warn").spawn();
    let deadline = Instant::now() + GIVE_UP_AFTER;
    wait(&tg, &mut bot, deadline, "the bot's first getUpdates", |calls| {
        calls.iter().any(|c| c.method == "getUpdates")
    })?;
    let startup = tg.calls().iter().find(|c| c.method == "getUpdates").map_or(Duration::ZERO, |c| c.at - spawned);
    std::thread::sleep(IDLE_FOR);
    let idle_rss_kib = status_kib(bot.pid(), "VmRSS:");
    let written_before = write_bytes(bot.pid());
    if std::env::var("FLOOD_ONLY").as_deref() == Ok("presses") {
        // Phase 3 alone, on a bot with nothing else to do: the load exactly as the report of
        // presses starving messages described it.
        let presses = presses::run(&tg, &mut bot, deadline)?;
        let (status, stderr) = bot.terminate();
        if !status.success() {
            return Err(format!("arcana exited with {status} after SIGTERM; stderr:\n{}", tail(&stderr, 20)));
        }
        return Ok(render_rows(&press_rows(&presses)));
    }
    if std::env::var("FLOOD_ONLY").as_deref() == Ok("burst") {
        // Issue 27's burst alone, on a fresh bot: what a slow board's normal users wait.
        let report = burst::run(&tg, &mut bot, deadline)?;
        let peak = status_kib(bot.pid(), "VmHWM:");
        let (status, stderr) = bot.terminate();
        if !status.success() {
            return Err(format!("arcana exited with {status} after SIGTERM; stderr:\n{}", tail(&stderr, 20)));
        }
        let mut rows = burst::rows(&report);
        rows.push(("peak RSS of the bot (VmHWM)", mib(peak)));
        return Ok(render_rows(&rows));
    }

    // Phase 1: the burst.
    let burst = plan(BURST_UPDATES, BURST_FLOODERS, BURST_NORMAL);
    let start = Instant::now();
    let mut burst_timed = Vec::new();
    let mut last_id = 0;
    for (update, answer) in burst {
        last_id = tg.push_update(update);
        burst_timed.extend(answer.map(|answer| Timed { pushed: Instant::now(), answer }));
    }
    wait(&tg, &mut bot, deadline, "a getUpdates past the burst", |calls| polled_past(calls, last_id))?;
    let ingestion = start.elapsed();
    let burst_answered = |calls: &[Call]| unanswered(calls, &burst_timed) == 0;
    wait_scanning(&tg, &mut bot, deadline, "the burst's normal users answered", burst_answered)?;

    // Phase 2: the sustained flood, at a steady rate, with button presses.
    let sustained = with_presses(plan(SUSTAINED_UPDATES, SUSTAINED_FLOODERS, SUSTAINED_NORMAL));
    let mut timed = Vec::new();
    let mut timed_ids = Vec::new();
    let tick = Duration::from_millis(10);
    let per_tick = SUSTAINED_RATE / 100;
    let phase_start = Instant::now();
    for (i, chunk) in sustained.chunks(per_tick).enumerate() {
        let due = phase_start + tick * u32::try_from(i).unwrap_or(u32::MAX);
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
        for (update, answer) in chunk {
            last_id = tg.push_update(update.clone());
            timed.extend(answer.clone().map(|answer| Timed { pushed: Instant::now(), answer }));
            timed_ids.extend(answer.as_ref().map(|_| last_id));
        }
    }
    // The operator's view while the flood's replies drain.
    let mut scrapes: Vec<Duration> = (0..SCRAPES).filter_map(|_| scrape(port)).collect();
    scrapes.sort();
    let everything_answered = |calls: &[Call]| {
        let missing = unanswered(calls, &burst_timed) + unanswered(calls, &timed);
        eprintln!("flood bench: {missing} timed updates not yet answered");
        missing == 0
    };
    wait_scanning(&tg, &mut bot, deadline, "every normal reply and button answer", everything_answered)?;
    wait(&tg, &mut bot, deadline, "a getUpdates past the sustained flood", |calls| polled_past(calls, last_id))?;

    let calls = tg.calls();
    sustained_detail(&calls, &timed, &timed_ids, phase_start);
    let written = write_bytes(bot.pid()).zip(written_before).map(|(after, before)| after.saturating_sub(before));
    let peak_rss_kib = status_kib(bot.pid(), "VmHWM:");

    // Phase 3: button presses within limits, and normal users beside them.
    let presses = presses::run(&tg, &mut bot, deadline)?;
    let total = u64::try_from(BURST_UPDATES + SUSTAINED_UPDATES + BUTTON_PRESSES).unwrap_or(u64::MAX);
    let report = Report {
        startup,
        idle_rss_kib,
        ingestion,
        burst_latency: Latencies::of(&calls, &burst_timed, |a| matches!(a, Answer::NthMessage(..))),
        normal_latency: Latencies::of(&calls, &timed, |a| matches!(a, Answer::NthMessage(..))),
        callback_latency: Latencies::of(&calls, &timed, |a| matches!(a, Answer::Callback(_))),
        per_flooder: PerFlooder::count(&calls),
        peak_rss_kib,
        written_per_1000: written.map(|w| w * 1000 / total),
        scrape: (scrapes.get(scrapes.len() / 2).copied(), scrapes.last().copied(), scrapes.len()),
        alerts: alerts_to_admin(&calls),
        presses,
    };
    let (status, stderr) = bot.terminate();
    if !status.success() {
        return Err(format!("arcana exited with {status} after SIGTERM; stderr:\n{}", tail(&stderr, 20)));
    }
    Ok(render(&report))
}

/// With `FLOOD_DETAIL=1`, prints the messages sent in each quarter second of the sustained phase, and its
/// normal replies slower than half a second with when they were queued and read.
fn sustained_detail(calls: &[Call], timed: &[Timed], ids: &[i64], phase_start: Instant) {
    if std::env::var_os("FLOOD_DETAIL").is_none() {
        return;
    }
    // Messages sent in each quarter second of the sustained phase: to normal users / to others.
    let mut quarters = vec![(0usize, 0usize); 100];
    for c in calls.iter().filter(|c| c.method == "sendMessage" && c.answered) {
        let quarter = c.at.saturating_duration_since(phase_start).as_millis() / 250;
        if let Some(q) = usize::try_from(quarter).ok().and_then(|q| quarters.get_mut(q)) {
            if c.int("chat_id").is_some_and(|chat| (SUSTAINED_NORMAL..SUSTAINED_NORMAL + NORMAL_USERS).contains(&chat))
            {
                q.0 += 1;
            } else {
                q.1 += 1;
            }
        }
    }
    let quarters: Vec<String> = quarters.iter().map(|(n, f)| format!("{n}/{f}")).collect();
    eprintln!("sustained: sent per quarter second (normal/other): {}", quarters.join(" "));
    // The sustained phase's normal replies slower than half a second, and when they were queued.
    for ((at, t), id) in answer_times(calls, timed).into_iter().zip(timed).zip(ids) {
        if let (Some(at), Answer::NthMessage(user, nth)) = (at, &t.answer)
            && at.saturating_duration_since(t.pushed) > Duration::from_millis(500)
        {
            let read = calls.iter().find(|c| c.method == "getUpdates" && c.int("offset").is_some_and(|o| o > *id));
            eprintln!(
                "sustained: user {user} message {nth} queued at +{} ms, read after {} ms, answered after {} ms",
                t.pushed.saturating_duration_since(phase_start).as_millis(),
                read.map_or(0, |r| r.at.saturating_duration_since(t.pushed).as_millis()),
                at.saturating_duration_since(t.pushed).as_millis()
            );
        }
    }
}

/// `total` updates from `FLOODERS` flooders (ids from `flooders`) and `NORMAL_USERS` normal users
/// (ids from `normal`), the normal users' messages spaced evenly; each with what answers it (if
/// it is timed).
fn plan(total: usize, flooders: i64, normal: i64) -> Vec<(Value, Option<Answer>)> {
    let normal_total = NORMAL_TEXTS.len() * usize::try_from(NORMAL_USERS).unwrap_or_default();
    let spacing = total / normal_total;
    let mut flood = flood_messages(total - normal_total, flooders, usize::try_from(FLOODERS).unwrap_or(1)).into_iter();
    let users = usize::try_from(NORMAL_USERS).unwrap_or(1);
    let mut sent = 0;
    let mut plan = Vec::with_capacity(total);
    for i in 0..total {
        if i % spacing == spacing / 2 && sent < normal_total {
            // Each user's first message, then each user's second, then the third.
            let user = normal + i64::try_from(sent % users).unwrap_or_default();
            let nth = sent / users;
            plan.push((updates::command(user, NORMAL_TEXTS[nth]), Some(Answer::NthMessage(user, nth))));
            sent += 1;
        } else {
            plan.extend(flood.next().map(|u| (u, None)));
        }
    }
    plan
}

/// Spreads [`BUTTON_PRESSES`] presses by the phase's flooders evenly through `plan`.
fn with_presses(plan: Vec<(Value, Option<Answer>)>) -> Vec<(Value, Option<Answer>)> {
    let every = plan.len() / BUTTON_PRESSES;
    let mut out = Vec::with_capacity(plan.len() + BUTTON_PRESSES);
    for (i, item) in plan.into_iter().enumerate() {
        out.push(item);
        if i % every == every - 1 {
            let flooder = SUSTAINED_FLOODERS + i64::try_from(i / every).unwrap_or_default() % FLOODERS;
            let press = updates::callback_query(flooder, "page:2");
            let id = press["callback_query"]["id"].as_str().unwrap_or_default().to_owned();
            out.push((press, Some(Answer::Callback(id))));
        }
    }
    out
}

/// `total` flood messages shared evenly among `flooders` flooders (ids from `base`): waves of [`FLOOD_WAVE`] flooders
/// sending round-robin, one wave after another.
fn flood_messages(total: usize, base: i64, flooders: usize) -> Vec<Value> {
    let quota = |flooder: usize| total / flooders + usize::from(flooder < total % flooders);
    let mut messages = Vec::with_capacity(total);
    for first in (0..flooders).step_by(FLOOD_WAVE) {
        let wave = first..(first + FLOOD_WAVE).min(flooders);
        let rounds = wave.clone().map(quota).max().unwrap_or(0);
        for round in 0..rounds {
            for flooder in wave.clone().filter(|f| round < quota(*f)) {
                // Distinct commands, except every tenth repeats the one before (debounced).
                let text_round = if round % 10 == 9 { round - 1 } else { round };
                let user = base + i64::try_from(flooder).unwrap_or_default();
                messages.push(updates::command(user, &format!("/help {text_round}")));
            }
        }
    }
    messages
}

fn is_flooder(user: i64) -> bool {
    [BURST_FLOODERS, SUSTAINED_FLOODERS].iter().any(|base| (*base..base + FLOODERS).contains(&user))
}

/// Whether a `getUpdates` with an offset past `last_id` was made. Offsets only grow, so the
/// latest `getUpdates` tells: this runs under the fake server's lock at every call, and scanning
/// every call back (tens of thousands of replies) held up the very polls it waits for.
fn polled_past(calls: &[Call], last_id: i64) -> bool {
    calls.iter().rev().find(|c| c.method == "getUpdates").is_some_and(|c| c.int("offset").is_some_and(|o| o > last_id))
}

/// When each timed update was answered (`None`: not yet), by scanning the calls once.
fn answer_times(calls: &[Call], timed: &[Timed]) -> Vec<Option<Instant>> {
    let mut nth: HashMap<i64, Vec<Instant>> = HashMap::new();
    let mut callbacks: HashMap<String, Instant> = HashMap::new();
    for call in calls.iter().filter(|c| c.answered) {
        match call.method.as_str() {
            "sendMessage" => {
                if let Some(chat) = call.int("chat_id") {
                    nth.entry(chat).or_default().push(call.at);
                }
            }
            "answerCallbackQuery" => {
                if let Some(id) = call.str("callback_query_id") {
                    callbacks.entry(id).or_insert(call.at);
                }
            }
            _ => {}
        }
    }
    timed
        .iter()
        .map(|t| match &t.answer {
            Answer::NthMessage(chat, n) => nth.get(chat).and_then(|times| times.get(*n)).copied(),
            Answer::Callback(id) => callbacks.get(id).copied(),
        })
        .collect()
}

/// How many of `timed` are not answered yet (and, on stderr, which kinds).
fn unanswered(calls: &[Call], timed: &[Timed]) -> usize {
    let answered_at = answer_times(calls, timed);
    let missing: Vec<&Timed> = answered_at.iter().zip(timed).filter(|(at, _)| at.is_none()).map(|(_, t)| t).collect();
    let callbacks = missing.iter().filter(|t| matches!(t.answer, Answer::Callback(_))).count();
    if let Some(first) = missing.iter().find_map(|t| match &t.answer {
        Answer::NthMessage(chat, n) => Some((*chat, *n)),
        Answer::Callback(_) => None,
    }) {
        eprintln!("flood bench: e.g. chat {} message {} unanswered", first.0, first.1);
    }
    if callbacks > 0 {
        eprintln!("flood bench: {callbacks} button presses unanswered");
    }
    missing.len()
}

/// Latency percentiles of a set of timed updates.
struct Latencies {
    count: usize,
    p50: Duration,
    p99: Duration,
    max: Duration,
}

impl Latencies {
    fn of(calls: &[Call], timed: &[Timed], which: impl Fn(&Answer) -> bool) -> Self {
        let mut all: Vec<Duration> = answer_times(calls, timed)
            .into_iter()
            .zip(timed)
            .filter(|(_, t)| which(&t.answer))
            .filter_map(|(at, t)| at.map(|at| at.saturating_duration_since(t.pushed)))
            .collect();
        all.sort();
        // Nearest rank: the smallest value at or above the given share of the answers.
        let pick = |per_mille: usize| {
            let rank = (all.len() * per_mille).div_ceil(1000).max(1);
            all.get(rank - 1).copied().unwrap_or_default()
        };
        Latencies { count: all.len(), p50: pick(500), p99: pick(990), max: all.last().copied().unwrap_or_default() }
    }

    fn render(&self) -> String {
        format!(
            "p50 {} / p99 {} / max {} ({} answers)",
            millis(self.p50),
            millis(self.p99),
            millis(self.max),
            self.count
        )
    }
}

/// Messages each flooder's chat received: the most, and the total.
struct PerFlooder {
    most: usize,
    total: usize,
    notices: usize,
}

impl PerFlooder {
    fn count(calls: &[Call]) -> Self {
        let mut per: HashMap<i64, usize> = HashMap::new();
        let mut notices = 0;
        for call in calls.iter().filter(|c| c.method == "sendMessage" && c.answered) {
            let Some(chat) = call.int("chat_id").filter(|c| is_flooder(*c)) else { continue };
            *per.entry(chat).or_default() += 1;
            let text = call.str("text").unwrap_or_default();
            notices += usize::from(text.contains("Please wait") || text.contains("Too many requests"));
        }
        PerFlooder { most: per.values().copied().max().unwrap_or(0), total: per.values().sum(), notices }
    }
}

/// Waits for `pred` until `deadline`; on timeout says what it waited for.
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
        "gave up after {GIVE_UP_AFTER:?} waiting for {what} (bot {state}, {} updates unconfirmed, status {:?}); stderr tail:\n{}",
        tg.pending_updates(),
        bot.status(),
        tail(&bot.stderr_text(), 20)
    ))
}

/// As [`wait`], for a predicate too costly to run under the fake server's lock at every call:
/// checks a copy of the calls twice a second.
fn wait_scanning(
    tg: &FakeTelegram,
    bot: &mut BotProcess,
    deadline: Instant,
    what: &str,
    pred: impl Fn(&[Call]) -> bool,
) -> Result<(), String> {
    while Instant::now() < deadline {
        if pred(&tg.calls()) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    wait(tg, bot, Instant::now(), what, |_| false)
}

/// A size field of `/proc/PID/status` (`VmHWM:` peak, `VmRSS:` current) in KiB.
fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Bytes the process caused to be written to storage (`write_bytes` of `/proc/PID/io`).
fn write_bytes(pid: u32) -> Option<u64> {
    let io = std::fs::read_to_string(format!("/proc/{pid}/io")).ok()?;
    io.lines().find_map(|l| l.strip_prefix("write_bytes:")).and_then(|v| v.trim().parse().ok())
}

/// KiB as MiB with one decimal, or "unknown".
fn mib(kib: Option<u64>) -> String {
    kib.map_or_else(
        || "unknown".to_owned(),
        |k| format!("{:.1} MiB", f64::from(u32::try_from(k).unwrap_or(u32::MAX)) / 1024.0),
    )
}

fn millis(d: Duration) -> String {
    format!("{} ms", d.as_millis())
}

fn render(r: &Report) -> String {
    let rate = f64::from(u32::try_from(BURST_UPDATES).unwrap_or(u32::MAX)) / r.ingestion.as_secs_f64().max(1e-9);
    let flooders = 2 * FLOODERS;
    let rows = [
        ("start of the process to its first getUpdates", millis(r.startup)),
        ("idle RSS (long-polling, nothing to do)", mib(r.idle_rss_kib)),
        (
            "burst ingestion: 50,000 updates queued at once until the offset passed the last",
            format!("{} ms ({rate:.0} updates/s)", r.ingestion.as_millis()),
        ),
        ("burst: normal users' reply latency (300 replies due at once; Telegram sends 30/s)", r.burst_latency.render()),
        (
            "sustained flood (2,000 updates/s, normal users 15 messages/s): normal users' reply latency",
            r.normal_latency.render(),
        ),
        ("sustained flood: answers to flooders' button presses", r.callback_latency.render()),
        (
            "messages sent per flooder (allowance 20 + at most 2 notices)",
            format!(
                "at most {} ({} to {flooders} flooders, {} of them notices; allowance + 2 = {})",
                r.per_flooder.most,
                r.per_flooder.total,
                r.per_flooder.notices,
                ALLOWANCE + 2
            ),
        ),
        ("peak RSS of the bot (VmHWM)", mib(r.peak_rss_kib)),
        (
            "/metrics scrape under the flood (median / max)",
            format!(
                "{} / {} ({} of {SCRAPES} answered)",
                r.scrape.0.map_or_else(|| "none".to_owned(), |d| format!("{:.2} ms", d.as_secs_f64() * 1e3)),
                r.scrape.1.map_or_else(|| "none".to_owned(), |d| format!("{:.2} ms", d.as_secs_f64() * 1e3)),
                r.scrape.2
            ),
        ),
        (
            "alert messages the admin received",
            format!(
                "{} ({})",
                r.alerts.len(),
                r.alerts.iter().map(|a| a.lines().next().unwrap_or_default().to_owned()).collect::<Vec<_>>().join("; ")
            ),
        ),
        (
            "bytes written to disk per 1,000 updates",
            r.written_per_1000.map_or_else(|| "unknown".to_owned(), |b| format!("{} KiB", b.div_ceil(1024))),
        ),
    ];
    let mut all: Vec<(&str, String)> = rows.into_iter().collect();
    all.extend(press_rows(&r.presses));
    render_rows(&all)
}

/// Phase 3's rows: presses within limits.
fn press_rows(p: &presses::PressReport) -> Vec<(&'static str, String)> {
    let edit_rate = f64::from(u32::try_from(p.edits).unwrap_or(u32::MAX)) / p.window.as_secs_f64().max(1e-9);
    vec![
        (
            "presses within limits (300 accounts, one every 6 s): 300 normal users' /help latency",
            p.normal_latency.render(),
        ),
        ("presses within limits: answers to the presses", p.press_latency.render()),
        (
            "presses within limits: edits sent while they lasted",
            format!(
                "{} edits for {} presses in {:.0} s ({edit_rate:.1}/s)",
                p.edits,
                p.presses,
                p.window.as_secs_f64()
            ),
        ),
    ]
}

/// A markdown table of `rows`.
fn render_rows(rows: &[(&str, String)]) -> String {
    let mut out = String::from("| metric | value |\n|---|---|\n");
    for (metric, value) in rows {
        let _ = writeln!(out, "| {metric} | {value} |");
    }
    out
}

/// The last `n` lines of `text`.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
