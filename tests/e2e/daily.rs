//! The card of the day (`/daily`) through the real binary, on a clock the test moves: the
//! debug build's `ARCANA_TEST_CLOCK` names a file holding the time (Unix ms) the daily schedule
//! reads. Opting in with buttons and with a typed city, the card arriving once at the hour, not
//! again after a kill and restart the same day, again the next day, the spread button, the
//! opt-out button, a user Telegram says blocked the bot, and the operator's off switch.
//!
//! Two subscribers, A (id 11) and B (id 12): each round looks at subscribers in order of user
//! id, so B's card arriving means A's turn in that round has passed — which is how the test
//! knows that A was *not* sent a card without waiting for a while.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::harness::{REPLY_TIMEOUT, buttons, cli_ok, dir_with_config, stop_cleanly, wait_polled_past};
use crate::support::bot_process::{BotProcess, run_cli};
use crate::support::fake_telegram::{Call, FakeTelegram, Fault};
use crate::support::updates;

const A: i64 = 11;
const B: i64 = 12;
const HOUR: u64 = 3_600_000;
/// Monday 2026-12-07 05:00 UTC.
const MONDAY_5: u64 = 1_796_619_600_000;
/// The heading of a card of the day (the confirmations name it without the bold).
const CARD: &str = "<b>Your card of the day</b>";

fn config(extra: &str) -> String {
    format!("[sentinel]\ndebounce = \"0s\"\ndefault = {{ limit = 200, per = \"1m\" }}\n{extra}")
}

struct Day {
    dir: tempfile::TempDir,
    _clock_dir: tempfile::TempDir,
    clock: PathBuf,
    tg: FakeTelegram,
    bot: Option<BotProcess>,
}

impl Day {
    fn start(extra_config: &str) -> Day {
        let dir = dir_with_config(&config(extra_config));
        let clock_dir = crate::support::private_tempdir();
        let clock = clock_dir.path().join("now");
        set_clock(&clock, MONDAY_5);
        let tg = FakeTelegram::start();
        let mut day = Day { dir, _clock_dir: clock_dir, clock, tg, bot: None };
        day.spawn();
        day
    }

    fn spawn(&mut self) {
        let clock = self.clock.to_str().expect("UTF-8 path").to_owned();
        self.bot = Some(BotProcess::builder(self.dir.path(), &self.tg.url()).env("ARCANA_TEST_CLOCK", &clock).spawn());
    }

    fn at(&self, ms: u64) {
        set_clock(&self.clock, ms);
    }

    fn push(&mut self, update: Value) -> Vec<Call> {
        let before = self.tg.calls().len();
        let id = self.tg.push_update(update);
        wait_polled_past(&self.tg, self.bot.as_mut().expect("the bot runs"), id);
        self.tg.calls().split_off(before).into_iter().filter(|c| c.method != "getUpdates").collect()
    }

    fn send(&mut self, user: i64, text: &str) -> Vec<Call> {
        self.push(updates::command(user, text))
    }

    fn press(&mut self, user: i64, data: &str) -> Vec<Call> {
        self.push(updates::button_press(user, "a message", "a button", data))
    }

    fn register(&mut self, user: i64) {
        let calls = self.send(user, "/start");
        let (_, data) = calls.iter().flat_map(buttons).next().unwrap_or_else(|| panic!("a consent button: {calls:#?}"));
        self.press(user, &data);
    }

    /// The cards of the day sent to `user` so far.
    fn cards_to(&self, user: i64) -> Vec<Call> {
        self.tg
            .calls_to("sendMessage")
            .into_iter()
            .filter(|c| c.int("chat_id") == Some(user) && c.str("text").is_some_and(|t| t.contains(CARD)))
            .collect()
    }

    /// Waits until `user` has had `n` cards of the day.
    fn wait_cards(&mut self, user: i64, n: usize) -> Vec<Call> {
        let found = self.tg.try_wait_for(REPLY_TIMEOUT, |calls| {
            calls
                .iter()
                .filter(|c| c.method == "sendMessage" && c.int("chat_id") == Some(user))
                .filter(|c| c.str("text").is_some_and(|t| t.contains(CARD)))
                .count()
                >= n
        });
        if let Err(calls) = found {
            let stderr = self.bot.as_ref().map(BotProcess::stderr_text).unwrap_or_default();
            panic!("user {user} did not get card {n}\ncalls:\n{}bot stderr:\n{stderr}", self.tg.dump(&calls));
        }
        self.cards_to(user)
    }
}

/// Writes the test clock atomically (the bot never reads half a number).
fn set_clock(path: &Path, ms: u64) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, ms.to_string()).expect("write the clock");
    std::fs::rename(&tmp, path).expect("move the clock");
}

fn texts(calls: &[Call], chat: i64) -> String {
    calls.iter().filter(|c| c.int("chat_id") == Some(chat)).filter_map(|c| c.str("text")).collect::<Vec<_>>().join("\n")
}

fn button(calls: &[Call], label: &str) -> String {
    calls
        .iter()
        .flat_map(buttons)
        .find(|(text, _)| text == label)
        .map_or_else(|| panic!("a button {label:?}: {calls:#?}"), |(_, data)| data)
}

#[test]
fn a_card_arrives_once_a_day_at_the_chosen_hour_across_restarts_until_stopped() {
    let mut day = Day::start("");
    day.register(A);
    day.register(B);

    // A opts in with buttons: the zone, then the hour.
    let calls = day.send(A, "/daily");
    let asked = texts(&calls, A);
    assert!(asked.contains("Card of the day") && asked.contains("time zone"), "{asked}");
    let calls = day.press(A, &button(&calls, "UTC"));
    let asked = texts(&calls, A);
    assert!(asked.contains("Time zone: <b>UTC</b> (it is 05:00 there now)"), "{asked}");
    let calls = day.press(A, &button(&calls, "07:00"));
    let done = texts(&calls, A);
    assert!(done.contains("every morning at <b>07:00</b> (UTC), starting today"), "{done}");

    // B types a city and the hour: 11:00 in Moscow is 08:00 UTC.
    let done = texts(&day.send(B, "/daily Moscow 11"), B);
    assert!(done.contains("at <b>11:00</b> (Europe/Moscow), starting today"), "{done}");
    assert!(day.cards_to(A).is_empty() && day.cards_to(B).is_empty(), "nothing before the hour");

    // 07:00 UTC: A's card, with its full entry and the two buttons.
    day.at(MONDAY_5 + 2 * HOUR);
    let cards = day.wait_cards(A, 1);
    let card = cards[0].str("text").expect("text");
    assert!(card.contains("Upright") && card.contains("Reversed"), "the full entry: {card}");
    let labels: Vec<String> = buttons(&cards[0]).into_iter().map(|(label, _)| label).collect();
    assert_eq!(labels, ["🔮 Draw a full spread", "🔕 Stop the daily card"]);

    // Killed and started again the same morning: at 08:00 B gets theirs, A no second one.
    let (_, _) = day.bot.take().expect("the bot").kill9();
    day.spawn();
    day.at(MONDAY_5 + 3 * HOUR);
    day.wait_cards(B, 1);
    assert_eq!(day.cards_to(A).len(), 1, "one card a day, also across a restart");

    // The spread button draws a full reading.
    let spread = button(&cards, "🔮 Draw a full spread");
    let reading = texts(&day.press(A, &spread), A);
    assert!(reading.contains("<b>Three cards</b>"), "{reading}");

    // The next morning, again, once each.
    day.at(MONDAY_5 + 26 * HOUR);
    let cards = day.wait_cards(A, 2);
    day.at(MONDAY_5 + 27 * HOUR);
    day.wait_cards(B, 2);
    assert_eq!(day.cards_to(A).len(), 2);

    // A stops it with one tap on the card; the day after, only B's comes.
    let stopped = texts(&day.press(A, &button(&cards[1..], "🔕 Stop the daily card")), A);
    assert!(stopped.contains("The card of the day is off"), "{stopped}");
    day.at(MONDAY_5 + 51 * HOUR);
    day.wait_cards(B, 3);
    assert_eq!(day.cards_to(A).len(), 2, "no card after opting out");
    let status = texts(&day.send(A, "/daily"), A);
    assert!(status.contains("time zone"), "asked to subscribe again: {status}");

    // B's choice is part of their data export.
    let file = day.dir.path().join("export-12.json");
    let dir = day.dir.path().to_str().expect("UTF-8 path").to_owned();
    let output = run_cli(&["user", "export", "12", file.to_str().expect("UTF-8 path"), "--dir", &dir], &[]);
    assert!(output.status.success(), "{output:?}");
    let json: Value = serde_json::from_slice(&std::fs::read(&file).expect("export file")).expect("JSON");
    assert_eq!(json["card_of_the_day"]["time_zone"], "Europe/Moscow", "{json}");
    assert_eq!(json["card_of_the_day"]["hour"], 11, "{json}");
    assert_eq!(json["card_of_the_day"]["last_sent_day"], "2026-12-09", "{json}");

    let bot = day.bot.take().expect("the bot");
    stop_cleanly(bot);
}

#[test]
fn a_user_telegram_says_blocked_the_bot_gets_no_more_cards() {
    let mut day = Day::start("");
    day.register(A);
    day.register(B);
    assert!(texts(&day.send(A, "/daily UTC 7"), A).contains("starting today"));
    assert!(texts(&day.send(B, "/daily UTC 8"), B).contains("starting today"));

    // A blocked the bot without the bot hearing of it: Telegram refuses their card with a 403.
    day.tg.push_fault("sendMessage", Fault::BotBlocked);
    day.at(MONDAY_5 + 2 * HOUR);
    day.tg.wait_for(REPLY_TIMEOUT, "A's card refused", |calls| {
        calls.iter().any(|c| c.method == "sendMessage" && c.int("chat_id") == Some(A) && c.fault.is_some())
    });
    day.at(MONDAY_5 + 3 * HOUR);
    day.wait_cards(B, 1);
    // The next morning B's comes, A's is not even tried.
    day.at(MONDAY_5 + 27 * HOUR);
    day.wait_cards(B, 2);
    let tried = texts(&day.tg.calls_to("sendMessage"), A).matches(CARD).count();
    assert_eq!(tried, 1, "only the refused card was ever tried");
    let listing = cli_ok(&["blocked", "--dir", day.dir.path().to_str().expect("UTF-8 path")]);
    assert!(listing.lines().any(|l| l.starts_with(&format!("{A}\tblocked the bot since"))), "{listing}");
    let bot = day.bot.take().expect("the bot");
    stop_cleanly(bot);
}

#[test]
fn the_operator_can_turn_the_card_of_the_day_off() {
    let mut day = Day::start("\n[daily]\nenabled = false\n");
    day.register(A);
    let answer = texts(&day.send(A, "/daily Lisbon 7"), A);
    assert!(answer.contains("turned off on this bot"), "{answer}");
    let bot = day.bot.take().expect("the bot");
    stop_cleanly(bot);
}
