//! `/daily`: subscribing to the card of the day (the sending is `jobs::daily`). With no
//! subscription it asks for the time zone (buttons of common UTC offsets, or a city or offset
//! typed after the command), then the hour (buttons); subscribed, it shows the time with buttons
//! to change it or stop. `/daily off` stops; `/daily Lisbon 7` does it all at once. Every choice
//! is stored sealed and flushed before it is confirmed. Buttons are signed for the user and chat.

use teloxide::types::{ChatId, InlineKeyboardButton, InlineKeyboardMarkup};

use crate::{
    accounts::{DailyPlan, DailyPlans, DailyZone},
    i18n,
    locale::Locale,
    sanitize::CallbackData,
};

use crate::bot::{
    app::App,
    jobs::daily::{self as job, OFF, SPREAD},
    send::{send_html, send_html_with},
};

use super::{
    pressed::{Pressed, signed_button},
    readings,
};

/// Button action: this time zone (arguments: its kind and value, see `DailyZone::button_args`).
pub(crate) const ZONE: &str = "daily_zone";
/// Button action: this hour in this zone (arguments: the hour, then the zone's two).
pub(crate) const HOUR: &str = "daily_at";
/// Button action: choose the zone and hour again.
pub(crate) const CHANGE: &str = "daily_change";

/// The offsets offered as buttons, in minutes east of UTC (the text invites any other).
const OFFSETS: [i32; 12] = [-480, -360, -300, -180, 0, 60, 120, 180, 330, 420, 480, 540];
/// The hours offered as buttons (`/daily ZONE HOUR` takes any).
const HOURS: [u8; 8] = [5, 6, 7, 8, 9, 10, 11, 12];
/// Buttons per row.
const PER_ROW: usize = 4;

/// `/daily` with `args`.
pub(crate) async fn show(app: &App, user: i64, chat: ChatId, args: &str, locale: Locale) {
    if !app.config.daily.enabled {
        return send_html(&app.sender, chat, i18n::text(locale, "daily_disabled")).await;
    }
    let Some(plans) = plans(app) else {
        return send_html(&app.sender, chat, i18n::text(locale, "try_again")).await;
    };
    let args = args.trim();
    if args.is_empty() {
        let (text, keyboard) = match plans.get(user) {
            Ok(Some(plan)) => status(app, user, chat, &plan, locale),
            Ok(None) => zone_picker(app, user, chat, i18n::text(locale, "daily_pick_zone").to_owned()),
            Err(e) => {
                tracing::error!(error = %e, "cannot open a card-of-the-day plan");
                return send_html(&app.sender, chat, i18n::text(locale, "try_again")).await;
            }
        };
        return send_html_with(&app.sender, chat, &text, Some(keyboard)).await;
    }
    if args.eq_ignore_ascii_case("off") {
        return send_html(&app.sender, chat, &stop(app, &plans, user, locale).await).await;
    }
    // `ZONE HOUR`: the last word an hour from 0 to 23.
    let split = args.rsplit_once(char::is_whitespace).and_then(|(zone, hour)| {
        let hour = hour.parse::<u8>().ok().filter(|h| *h < 24)?;
        Some((DailyZone::parse(zone)?, hour))
    });
    if let Some((zone, hour)) = split {
        let text = subscribe(app, &plans, user, zone, hour, locale).await;
        let keyboard = status_keyboard(app, user, chat, locale);
        return send_html_with(&app.sender, chat, &text, Some(keyboard)).await;
    }
    let (text, keyboard) = if let Some(zone) = DailyZone::parse(args) {
        hour_picker(app, user, chat, &zone, locale)
    } else {
        let shown: String = args.chars().take(40).collect();
        let text = i18n::format(locale, "daily_zone_unknown", &[("zone_html", &teloxide::utils::html::escape(&shown))]);
        zone_picker(app, user, chat, text)
    };
    send_html_with(&app.sender, chat, &text, Some(keyboard)).await;
}

/// A `/daily` button pressed (the spread button included).
pub(crate) async fn on_press(app: &App, pressed: Pressed, data: &CallbackData, locale: Locale) {
    let user = pressed.user;
    if data.action() == SPREAD {
        let is_admin = app.services.sentinel.is_admin(user);
        return Box::pin(readings::draw(app, user, pressed.chat, is_admin, "three", None, locale)).await;
    }
    let Some(plans) = plans(app) else { return };
    if data.action() == OFF {
        // Stopping works even when the operator turned the feature off.
        return send_html(&app.sender, pressed.chat, &stop(app, &plans, user, locale).await).await;
    }
    if !app.config.daily.enabled {
        return pressed.edit(app, i18n::text(locale, "daily_disabled"), None).await;
    }
    let zone_at = |first: usize| DailyZone::from_button(data.arg(first)?, data.arg(first + 1)?);
    match data.action() {
        ZONE => {
            let Some(zone) = zone_at(0) else { return tracing::debug!("a zone button names no zone") };
            let (text, keyboard) = hour_picker(app, user, pressed.chat, &zone, locale);
            pressed.edit(app, &text, Some(keyboard)).await;
        }
        HOUR => {
            let hour = data.arg(0).and_then(|h| h.parse::<u8>().ok()).filter(|h| *h < 24);
            let (Some(hour), Some(zone)) = (hour, zone_at(1)) else {
                return tracing::debug!("an hour button names no hour or zone");
            };
            let text = subscribe(app, &plans, user, zone, hour, locale).await;
            pressed.edit(app, &text, Some(status_keyboard(app, user, pressed.chat, locale))).await;
        }
        _ => {
            let text = i18n::text(locale, "daily_pick_zone").to_owned();
            let (text, keyboard) = zone_picker(app, user, pressed.chat, text);
            pressed.edit(app, &text, Some(keyboard)).await;
        }
    }
}

fn plans(app: &App) -> Option<DailyPlans> {
    DailyPlans::new(&app.services.data, std::sync::Arc::clone(&app.services.vault))
        .map_err(|e| tracing::error!(error = %e, "cannot open the card-of-the-day plans"))
        .ok()
}

/// Stores the plan, durably, and says when the first card comes.
async fn subscribe(app: &App, plans: &DailyPlans, user: i64, zone: DailyZone, hour: u8, locale: Locale) -> String {
    let now = job::clock(&app.config).unix_ms();
    let plan = match plans.set(user, zone, hour, now) {
        Ok(plan) => plan,
        Err(e) => {
            tracing::error!(error = %e, "cannot store a card-of-the-day plan");
            return i18n::text(locale, "try_again").to_owned();
        }
    };
    app.make_durable().await;
    let (today, _) = plan.zone.local_day_hour(now);
    let key = if plan.last_day.is_some_and(|d| d >= today) { "daily_on_tomorrow" } else { "daily_on_today" };
    i18n::format(locale, key, &[("time", &time(plan.hour)), ("zone", &plan.zone.label())])
}

/// Removes the plan, durably; the answer.
async fn stop(app: &App, plans: &DailyPlans, user: i64, locale: Locale) -> String {
    match plans.remove(user) {
        Ok(true) => {
            app.make_durable().await;
            i18n::text(locale, "daily_off_done").to_owned()
        }
        Ok(false) => i18n::text(locale, "daily_off_already").to_owned(),
        Err(e) => {
            tracing::error!(error = %e, "cannot remove a card-of-the-day plan");
            i18n::text(locale, "try_again").to_owned()
        }
    }
}

/// `08:00`.
fn time(hour: u8) -> String {
    format!("{hour:02}:00")
}

/// The subscribed user's screen: their time, with buttons to change it or stop.
fn status(app: &App, user: i64, chat: ChatId, plan: &DailyPlan, locale: Locale) -> (String, InlineKeyboardMarkup) {
    let text = i18n::format(locale, "daily_status", &[("time", &time(plan.hour)), ("zone", &plan.zone.label())]);
    (text, status_keyboard(app, user, chat, locale))
}

fn status_keyboard(app: &App, user: i64, chat: ChatId, locale: Locale) -> InlineKeyboardMarkup {
    let buttons = [(CHANGE, "daily_change_button"), (OFF, "daily_off_button")]
        .into_iter()
        .filter_map(|(action, label)| signed_button(app, user, chat, i18n::text(locale, label), action, &[]))
        .collect::<Vec<_>>();
    InlineKeyboardMarkup::new(vec![buttons])
}

/// `text` with the offset buttons.
fn zone_picker(app: &App, user: i64, chat: ChatId, text: String) -> (String, InlineKeyboardMarkup) {
    let buttons: Vec<InlineKeyboardButton> = OFFSETS
        .iter()
        .filter_map(|&minutes| DailyZone::fixed(minutes))
        .filter_map(|zone| signed_button(app, user, chat, &zone.label(), ZONE, &zone.button_args()))
        .collect();
    (text, rows(&buttons))
}

/// The hour question for `zone`, with the hour buttons.
fn hour_picker(app: &App, user: i64, chat: ChatId, zone: &DailyZone, locale: Locale) -> (String, InlineKeyboardMarkup) {
    let now = job::clock(&app.config).unix_ms();
    let label = zone.label();
    let text = i18n::format(locale, "daily_pick_hour", &[("zone", &label), ("now", &zone.local_time(now))]);
    let [kind, value] = zone.button_args();
    let buttons: Vec<InlineKeyboardButton> = HOURS
        .iter()
        .filter_map(|&hour| {
            signed_button(app, user, chat, &time(hour), HOUR, &[hour.to_string(), kind.clone(), value.clone()])
        })
        .collect();
    (text, rows(&buttons))
}

fn rows(buttons: &[InlineKeyboardButton]) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(buttons.chunks(PER_ROW).map(<[_]>::to_vec).collect::<Vec<_>>())
}
