//! Sending the card of the day: every round, each subscriber whose local hour has come and who
//! has not had today's card gets one — a card drawn at random, its full entry in their language,
//! a button to draw a full spread and one to stop — through the fair send scheduler as
//! background work, so it never holds up a reply and stays within Telegram's limits. It costs
//! the user nothing (no allowance, credit or rate limit is touched).
//!
//! **At most once a day, also across kills.** The day is claimed in the user's sealed plan and
//! the store flushed *before* the message is sent (`accounts::DailyPlans::claim`): a kill after
//! the flush and before Telegram's answer loses that day's card; nothing sends it twice. A send
//! that fails for any reason other than Telegram's 429 (which means it was not sent) is not
//! tried again that day for the same reason.
//!
//! Passed over: users blocked by an admin or who blocked the bot (a 403 "bot was blocked" marks
//! them, as the `my_chat_member` update does), and users who are no longer members. Turned off
//! by `daily.enabled = false`.

use std::{sync::Arc, time::Duration};

use teloxide::{
    ApiError, RequestError,
    payloads::SendMessageSetters,
    prelude::Requester,
    types::{ChatId, InlineKeyboardButton, InlineKeyboardMarkup, ParseMode},
};
use tokio_util::sync::CancellationToken;

use crate::{
    accounts::DailyPlans,
    audit_tap::Event,
    clock::{Clock, FileClock, SystemClock},
    config::Config,
    i18n,
    locale::Locale,
    sanitize::CallbackData,
};

use crate::bot::{
    app::App,
    send::{Redacted, background_slot, no_preview},
};

/// Button action: draw a full spread (a normal reading: `/draw three`).
pub(crate) const SPREAD: &str = "daily_spread";
/// Button action: stop the card of the day.
pub(crate) const OFF: &str = "daily_off";

/// How often subscribers are looked at.
const CHECK: Duration = Duration::from_secs(30);
/// How often under the test clock (the end-to-end tests move it and wait for the card).
const TEST_CHECK: Duration = Duration::from_millis(200);
/// Attempts of one message answered 429 (Telegram did not send it, so trying again is safe).
const ATTEMPTS: u32 = 5;

/// The clock the card of the day follows: the system's, or the test clock of a debug build.
pub(crate) fn clock(config: &Config) -> Box<dyn Clock> {
    match &config.daily.test_clock {
        Some(path) => Box::new(FileClock::new(path.clone())),
        None => Box::new(SystemClock::default()),
    }
}

/// Sends the cards of the day until `shutdown` (returns at once when `daily.enabled` is off).
pub(crate) async fn run(app: Arc<App>, shutdown: CancellationToken) {
    if !app.config.daily.enabled {
        tracing::info!("the card of the day is turned off (daily.enabled)");
        return;
    }
    let plans = match DailyPlans::new(&app.services.data, Arc::clone(&app.services.vault)) {
        Ok(plans) => plans,
        Err(e) => return tracing::error!(error = %e, "cannot open the card-of-the-day plans; none is sent"),
    };
    let clock = clock(&app.config);
    let every = if app.config.daily.test_clock.is_some() { TEST_CHECK } else { CHECK };
    loop {
        if round(&app, &plans, &*clock, &shutdown).await {
            return;
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(every) => {}
        }
    }
}

/// Sends every card due now; true if shutting down.
async fn round(app: &App, plans: &DailyPlans, clock: &dyn Clock, shutdown: &CancellationToken) -> bool {
    let due = match plans.due(clock.unix_ms()) {
        Ok(due) => due,
        Err(e) => {
            tracing::error!(error = %e, "cannot read the card-of-the-day plans");
            return false;
        }
    };
    for (user, day) in due {
        if shutdown.is_cancelled() {
            return true;
        }
        if !recipient(app, user) {
            continue;
        }
        let chat = ChatId(user);
        let granted = tokio::select! {
            () = shutdown.cancelled() => false,
            granted = background_slot(&app.sender, chat) => granted,
        };
        if !granted {
            return true;
        }
        match plans.claim(user, day) {
            Ok(true) => {}
            Ok(false) => continue,
            Err(e) => {
                tracing::error!(error = %e, "cannot record a card of the day; not sent");
                continue;
            }
        }
        // Durable before it is sent: a kill from here on loses today's card, never doubles it.
        if let Err(e) = app.services.data.flush().await {
            tracing::error!(error = %e, "cannot flush a card of the day's record; not sent");
            continue;
        }
        send(app, user).await;
    }
    false
}

/// Whether `user` gets their card now: a member, not blocked by an admin, has not blocked the bot.
fn recipient(app: &App, user: i64) -> bool {
    let services = &app.services;
    let now = services.sentinel.clock().unix_ms();
    crate::control::broadcast::is_recipient(&services.accounts, services.sentinel.blocklist(), user, now)
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "cannot read an account for the card of the day; passed over");
            false
        })
}

/// The card of the day for `user` in `locale`: its text (HTML) and buttons, or `None` (logged)
/// when no card could be drawn.
pub(crate) fn message(app: &App, user: i64, locale: Locale) -> Option<(String, InlineKeyboardMarkup)> {
    let drawn = crate::tarot::draw(1, &ring::rand::SystemRandom::new())
        .map_err(|e| tracing::error!(error = %e, "cannot draw the card of the day"))
        .ok()?;
    let page = crate::tarot::render_card_html(drawn.first()?.card.id, locale)?;
    let text = format!("{}\n\n{page}", i18n::text(locale, "daily_header"));
    let buttons = [(SPREAD, "daily_spread_button"), (OFF, "daily_off_button")]
        .into_iter()
        .filter_map(|(action, label)| button(app, user, i18n::text(locale, label), action))
        .map(|b| vec![b])
        .collect::<Vec<_>>();
    Some((text, InlineKeyboardMarkup::new(buttons)))
}

/// A button signed for `user` in their private chat.
fn button(app: &App, user: i64, label: &str, action: &str) -> Option<InlineKeyboardButton> {
    let data = CallbackData::new(action, std::iter::empty::<String>()).and_then(|d| app.signer.sign(user, user, &d));
    data.map(|data| InlineKeyboardButton::callback(label, data))
        .map_err(|e| tracing::error!(error = %e, action, "cannot build a button"))
        .ok()
}

/// Sends `user` their card (a slot is held). Only a 429 is tried again.
async fn send(app: &App, user: i64) {
    let chat = ChatId(user);
    let locale = app.locale(user, None);
    let Some((text, keyboard)) = message(app, user, locale) else { return };
    for attempt in 1..=ATTEMPTS {
        let request = app
            .sender
            .bot()
            .send_message(chat, &text)
            .parse_mode(ParseMode::Html)
            .link_preview_options(no_preview())
            .reply_markup(keyboard.clone());
        match request.await {
            Ok(_) => return tracing::debug!(chat = user, "card of the day sent"),
            Err(RequestError::RetryAfter(wait)) if attempt < ATTEMPTS => {
                app.sender.pause_chat(chat, wait.duration());
                if !background_slot(&app.sender, chat).await {
                    return;
                }
            }
            Err(RequestError::Api(ApiError::BotBlocked | ApiError::UserDeactivated)) => {
                return blocked_the_bot(app, user);
            }
            Err(e) => return tracing::warn!(chat = user, error = %Redacted(&e), "card of the day not sent"),
        }
    }
}

/// Telegram says `user` blocked the bot: marked, so nothing more is sent until they return.
fn blocked_the_bot(app: &App, user: i64) {
    let sentinel = &app.services.sentinel;
    match sentinel.blocklist().set_blocked_bot(user, true, sentinel.clock().unix_ms()) {
        Ok(true) => {
            tracing::info!(target: "arcana::audit", event = Event::UserBlockedBot.name(), user, "user blocked the bot");
        }
        Ok(false) => {}
        Err(e) => tracing::error!(error = %e, user, "cannot record that a user blocked the bot"),
    }
}
