//! The flood bench's burst of issue 27 ("SD cards and slow boards"), run alone by
//! `FLOOD_ONLY=burst`: [`FLOODERS`] flooders × [`PER_FLOODER`] distinct-ish `/help N` commands
//! (40,000 updates) queued at Telegram at once, with [`NORMAL`] normal users' `/help` (one each)
//! spaced evenly through them. Measures ingestion (from the first update queued to a confirmed
//! offset past the last) and, from the moment each normal user's update is queued, the latency
//! of its reply: on a slow board the normal users queued behind the flood wait for the bot to
//! read its way through it, so this is the figure a Pi owner's users feel.
//!
//! One reply per normal user: 20 replies at Telegram's 30 messages a second, the first ten from
//! the send bucket's burst, take about a third of a second, which is what bounds their latency
//! natively once the ingestion is faster than that. `FLOOD_DETAIL=1` prints each normal user's queued / read / answered times, and the
//! messages sent to normal users and to flooders in each quarter second of the first three.

use std::time::{Duration, Instant};

use crate::support::bot_process::BotProcess;
use crate::support::fake_telegram::{Call, FakeTelegram, Prepared};
use crate::support::updates;
use crate::{Answer, Latencies, Timed, flood_messages, polled_past, wait, wait_scanning};

/// Flooders, and the commands each sends.
const FLOODERS: usize = 1_000;
const PER_FLOODER: usize = 40;
/// Normal users, one `/help` each.
const NORMAL: i64 = 20;
/// First user id of each population (private chats share the user's id).
const FLOODER_BASE: i64 = 7_000_000;
const NORMAL_BASE: i64 = 8_000_000;

/// What the burst measured.
pub(crate) struct BurstReport {
    pub(crate) updates: usize,
    pub(crate) ingestion: Duration,
    pub(crate) normal_latency: Latencies,
    /// For each normal user's update: from queued to confirmed by a `getUpdates` offset (read,
    /// decided and settled), and from then to its reply.
    pub(crate) read_in: Vec<Duration>,
    pub(crate) answered_after_read: Vec<Duration>,
}

/// Queues the burst at once, waits for the offset to pass it and every normal user's reply.
pub(crate) fn run(tg: &FakeTelegram, bot: &mut BotProcess, deadline: Instant) -> Result<BurstReport, String> {
    // Serialised before the clock starts: the burst is queued at Telegram at once, and the
    // fake's own work per update is not what a user waits for.
    let flood: Vec<Prepared> =
        flood_messages(FLOODERS * PER_FLOODER, FLOODER_BASE, FLOODERS).into_iter().map(Prepared::of).collect();
    let normal: Vec<(i64, Prepared)> =
        (NORMAL_BASE..NORMAL_BASE + NORMAL).map(|user| (user, Prepared::of(updates::command(user, "/help")))).collect();
    let mut normal = normal.into_iter();
    let total = flood.len() + usize::try_from(NORMAL).unwrap_or_default();
    let spacing = total / usize::try_from(NORMAL).unwrap_or(1);
    let mut flood = flood.into_iter();
    let mut burst = Vec::with_capacity(total);
    let mut users = Vec::new();
    for i in 0..total {
        if i % spacing == spacing / 2
            && let Some((user, update)) = normal.next()
        {
            users.push((burst.len(), user));
            burst.push(update);
        } else if let Some(update) = flood.next() {
            burst.push(update);
        }
    }
    // Queued at once: the bot's first poll sees the whole burst (pushed one by one, the first
    // polls read the flood as fast as it was being queued, and a flooder's first updates looked
    // like a user's).
    let queued = tg.push_prepared_all(burst);
    let start = Instant::now();
    let last_id = queued.last().copied().unwrap_or_default();
    let ids: Vec<(i64, i64)> =
        users.iter().filter_map(|(index, user)| queued.get(*index).map(|id| (*id, *user))).collect();
    let timed: Vec<Timed> =
        ids.iter().map(|(_, user)| Timed { pushed: start, answer: Answer::NthMessage(*user, 0) }).collect();
    wait(tg, bot, deadline, "a getUpdates past the burst", |calls| polled_past(calls, last_id))?;
    let ingestion = start.elapsed();
    let answered = |calls: &[Call]| crate::unanswered(calls, &timed) == 0;
    wait_scanning(tg, bot, deadline, "the burst's normal users answered", answered)?;
    let calls = tg.calls();
    let mut read_in = Vec::new();
    let mut answered_after_read = Vec::new();
    for ((id, user), t) in ids.iter().zip(&timed) {
        let read = calls.iter().find(|c| c.method == "getUpdates" && c.int("offset").is_some_and(|o| o > *id));
        let reply = calls.iter().find(|c| c.method == "sendMessage" && c.answered && c.int("chat_id") == Some(*user));
        if let (Some(read), Some(reply)) = (read, reply) {
            read_in.push(read.at.saturating_duration_since(t.pushed));
            answered_after_read.push(reply.at.saturating_duration_since(read.at));
            if std::env::var_os("FLOOD_DETAIL").is_some() {
                eprintln!(
                    "normal user {user}: queued at +{} ms, read after {} ms, answered {} ms after that",
                    t.pushed.saturating_duration_since(start).as_millis(),
                    read.at.saturating_duration_since(t.pushed).as_millis(),
                    reply.at.saturating_duration_since(read.at).as_millis()
                );
            }
        }
    }
    if std::env::var_os("FLOOD_DETAIL").is_some() {
        // Messages sent in each quarter second of the burst's first three: to normal users, to
        // flooders.
        let mut quarters = [(0usize, 0usize); 12];
        for c in calls.iter().filter(|c| c.method == "sendMessage" && c.answered) {
            let quarter = c.at.saturating_duration_since(start).as_millis() / 250;
            if let Some(q) = usize::try_from(quarter).ok().and_then(|q| quarters.get_mut(q)) {
                if c.int("chat_id").is_some_and(|chat| chat >= NORMAL_BASE) {
                    q.0 += 1;
                } else {
                    q.1 += 1;
                }
            }
        }
        for (i, (normal, flood)) in quarters.iter().enumerate() {
            eprintln!("sent in +{}..{} ms: {normal} to normal users, {flood} to flooders", i * 250, (i + 1) * 250);
        }
    }
    Ok(BurstReport {
        updates: total,
        ingestion,
        normal_latency: Latencies::of(&calls, &timed, |a| matches!(a, Answer::NthMessage(..))),
        read_in,
        answered_after_read,
    })
}

/// The burst's rows.
pub(crate) fn rows(r: &BurstReport) -> Vec<(&'static str, String)> {
    let rate = f64::from(u32::try_from(r.updates).unwrap_or(u32::MAX)) / r.ingestion.as_secs_f64().max(1e-9);
    vec![
        (
            "burst of issue 27 (1,000 flooders × 40 and 20 normal users, queued at once): ingestion",
            format!("{} updates in {} ms ({rate:.0} updates/s)", r.updates, r.ingestion.as_millis()),
        ),
        ("burst of issue 27: normal users' reply latency (one /help each)", r.normal_latency.render()),
        (
            "burst of issue 27: normal users' updates, queued to read (confirmed) / read to answered (p50, max)",
            format!("{} / {}", spread(&r.read_in), spread(&r.answered_after_read)),
        ),
    ]
}

/// Median and maximum, in milliseconds.
fn spread(values: &[Duration]) -> String {
    let mut sorted = values.to_vec();
    sorted.sort();
    let ms = |d: Option<&Duration>| d.map_or(0, Duration::as_millis);
    format!("{} ms, {} ms", ms(sorted.get(sorted.len() / 2)), ms(sorted.last()))
}
