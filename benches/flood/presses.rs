//! Phase 3 of the flood bench: button presses within limits. [`PRESSERS`] registered accounts,
//! each with one reading in its history, press their own valid, signed "view reading" button
//! every [`PRESS_EVERY`] (10 a minute: half the limit, so nothing is limited, muted or alerted),
//! for [`LOAD_FOR`]; meanwhile [`NORMAL`] normal users each send one `/help`, spread evenly.
//!
//! The presses ask for more edits (50 a second) than Telegram lets a bot send (30), so this is
//! the load that once held every start permit with handlers waiting for a send slot: normal
//! users' `/help` waited 28–38 s. Measures, from the moment each update is queued at Telegram:
//! normal users' reply latency, the latency of the answers to the presses, and the edits sent
//! per second while the load lasted.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::fake_telegram::{Call, FakeTelegram};
use crate::support::{bot_process::BotProcess, updates};
use crate::{Answer, Latencies, Timed, wait_scanning};

/// Accounts pressing.
const PRESSERS: i64 = 300;
/// First presser's user id (private chats share the user's id).
const PRESSER_BASE: i64 = 5_000_000;
/// Normal users sending `/help` during the presses (one each).
const NORMAL: i64 = 300;
const NORMAL_BASE: i64 = 6_000_000;
const PRESS_EVERY: Duration = Duration::from_secs(6);
const LOAD_FOR: Duration = Duration::from_mins(1);

/// What the phase measured.
pub(crate) struct PressReport {
    pub(crate) normal_latency: Latencies,
    pub(crate) press_latency: Latencies,
    pub(crate) presses: usize,
    /// `editMessageText` calls while the load lasted, and that window's length.
    pub(crate) edits: usize,
    pub(crate) window: Duration,
}

/// Registers the pressers, gives each a reading and its history page, then runs the load.
pub(crate) fn run(tg: &FakeTelegram, bot: &mut BotProcess, deadline: Instant) -> Result<PressReport, String> {
    let users: Vec<i64> = (0..PRESSERS).map(|i| PRESSER_BASE + i).collect();
    let buttons = prepare(tg, bot, deadline, &users)?;

    let start = Instant::now();
    let mut timed = Vec::new();
    let mut schedule = plan(&buttons, start);
    schedule.sort_by_key(|(at, _, _)| *at);
    for (at, update, answer) in schedule {
        std::thread::sleep(at.saturating_duration_since(Instant::now()));
        tg.push_update(update);
        timed.push(Timed { pushed: Instant::now(), answer });
    }
    let window = start.elapsed();
    let edits = tg.calls().iter().filter(|c| c.method == "editMessageText" && c.at >= start).count();
    let all_answered = |calls: &[Call]| crate::unanswered(calls, &timed) == 0;
    wait_scanning(tg, bot, deadline, "every /help and press of the press phase answered", all_answered)?;
    let calls = tg.calls();
    Ok(PressReport {
        normal_latency: Latencies::of(&calls, &timed, |a| matches!(a, Answer::NthMessage(..))),
        press_latency: Latencies::of(&calls, &timed, |a| matches!(a, Answer::Callback(_))),
        presses: timed.iter().filter(|t| matches!(t.answer, Answer::Callback(_))).count(),
        edits,
        window,
    })
}

/// A presser's "view reading" button: its signed data and the message it is under.
struct Button {
    user: i64,
    data: String,
    message_id: i64,
}

/// The load: every presser's presses and every normal user's `/help`, with when to queue each.
fn plan(buttons: &[Button], start: Instant) -> Vec<(Instant, Value, Answer)> {
    let mut out = Vec::new();
    let count = u32::try_from(buttons.len()).unwrap_or(u32::MAX).max(1);
    for (i, button) in buttons.iter().enumerate() {
        let offset = PRESS_EVERY * u32::try_from(i).unwrap_or(0) / count;
        let mut at = start + offset;
        while at < start + LOAD_FOR {
            let press = press(button);
            let id = press["callback_query"]["id"].as_str().unwrap_or_default().to_owned();
            out.push((at, press, Answer::Callback(id)));
            at += PRESS_EVERY;
        }
    }
    let normal = u32::try_from(NORMAL).unwrap_or(1);
    for n in 0..NORMAL {
        let user = NORMAL_BASE + n;
        let at = start + LOAD_FOR * u32::try_from(n).unwrap_or(0) / normal;
        out.push((at, updates::command(user, "/help"), Answer::NthMessage(user, 0)));
    }
    out
}

/// A press of `button`, under the message that carries it.
fn press(button: &Button) -> Value {
    let mut update = updates::button_press(button.user, "Your readings", "🔎 1", &button.data);
    update["callback_query"]["message"]["message_id"] = json!(button.message_id);
    update
}

/// `/start`, the consent button, `/draw one` and `/history` for every user, each step for all
/// users at once; returns each user's "view reading" button.
fn prepare(tg: &FakeTelegram, bot: &mut BotProcess, deadline: Instant, users: &[i64]) -> Result<Vec<Button>, String> {
    let agree = step(tg, bot, deadline, users, |user| updates::command(user, "/start"), "I agree")?;
    let agreed = |user: i64| {
        let data = agree.iter().find(|b| b.user == user).map(|b| b.data.clone()).unwrap_or_default();
        updates::button_press(user, "privacy", "I agree", &data)
    };
    wait_for_text(tg, bot, deadline, users, agreed, "Welcome")?;
    wait_for_text(tg, bot, deadline, users, |user| updates::command(user, "/draw one"), "</b>")?;
    step(tg, bot, deadline, users, |user| updates::command(user, "/history"), "🔎")
}

/// Queues `update(user)` for every user, then waits until each has been sent a message with a
/// button whose label starts with `label`; returns those buttons.
fn step(
    tg: &FakeTelegram,
    bot: &mut BotProcess,
    deadline: Instant,
    users: &[i64],
    update: impl Fn(i64) -> Value,
    label: &str,
) -> Result<Vec<Button>, String> {
    let before = tg.calls().len();
    for &user in users {
        tg.push_update(update(user));
    }
    let found = |calls: &[Call]| buttons_after(calls, before, users, label);
    wait_scanning(tg, bot, deadline, &format!("a '{label}' button for every presser"), |calls| {
        found(calls).len() == users.len()
    })?;
    Ok(found(&tg.calls()))
}

/// As [`step`], waiting for a message containing `text` to every user (or a photo captioned
/// so: a one-card reading comes as the spread's picture with the reading as its caption).
fn wait_for_text(
    tg: &FakeTelegram,
    bot: &mut BotProcess,
    deadline: Instant,
    users: &[i64],
    update: impl Fn(i64) -> Value,
    text: &str,
) -> Result<(), String> {
    let before = tg.calls().len();
    for &user in users {
        tg.push_update(update(user));
    }
    wait_scanning(tg, bot, deadline, &format!("'{text}' to every presser"), |calls| {
        users.iter().all(|&user| {
            calls[before.min(calls.len())..].iter().any(|c| {
                let said = match c.method.as_str() {
                    "sendMessage" => c.str("text"),
                    "sendPhoto" => c.str("caption"),
                    _ => None,
                };
                c.int("chat_id") == Some(user) && said.is_some_and(|t| t.contains(text))
            })
        })
    })
}

/// The first button labelled `label…` sent to each user after call `before`.
fn buttons_after(calls: &[Call], before: usize, users: &[i64], label: &str) -> Vec<Button> {
    users
        .iter()
        .filter_map(|&user| {
            calls[before.min(calls.len())..].iter().filter(|c| c.int("chat_id") == Some(user)).find_map(|c| {
                let data = button_data(c, label)?;
                let message_id = c.result.as_ref().and_then(|r| r["message_id"].as_i64())?;
                Some(Button { user, data, message_id })
            })
        })
        .collect()
}

/// The data of the first inline button under `call`'s message whose label starts with `label`.
fn button_data(call: &Call, label: &str) -> Option<String> {
    let markup = call.json("reply_markup")?;
    markup["inline_keyboard"].as_array()?.iter().filter_map(Value::as_array).flatten().find_map(|button| {
        let text = button["text"].as_str()?;
        text.starts_with(label).then(|| button["callback_data"].as_str().map(str::to_owned)).flatten()
    })
}
