//! `/draw [spread] [question]` and `/credits`: a reading paid by the daily allowance or a
//! credit, in the reader's language and with their choice of reversed cards, and where the user
//! stands today.

use std::time::Duration;

use teloxide::types::{ChatId, MessageId};

use crate::{
    clock::rfc3339,
    i18n,
    locale::Locale,
    readings::{Coverage, DrawOutcome, Refusal, ResetZone},
    tarot::{DrawOptions, DrawRequest, Reading, Spread, escape, render_html_in, telegram_len},
};

use crate::bot::{
    app::App,
    send::{CAPTION_MAX_CHARS, send_html, send_html_reply, send_png},
};

/// `/draw`: draws (upright only if the user chose so), sends the reading in `locale` (as a reply
/// to `reply_to`, the asking message in a group), and says what is left.
pub(crate) async fn draw(
    app: &App,
    user: i64,
    chat: ChatId,
    is_admin: bool,
    args: &str,
    reply_to: Option<MessageId>,
    locale: Locale,
) {
    draw_request(app, user, chat, is_admin, &DrawRequest::parse(args), reply_to, locale).await;
}

/// Draws `request` (from `/draw`, or a hint's button), sends the reading in `locale` as a reply
/// to `reply_to` if given, and says what is left.
pub(crate) async fn draw_request(
    app: &App,
    user: i64,
    chat: ChatId,
    is_admin: bool,
    request: &DrawRequest,
    reply_to: Option<MessageId>,
    locale: Locale,
) {
    let services = &app.services;
    let upright_only = match services.profiles.get(user) {
        Ok(profile) => profile.is_some_and(|p| p.upright_only),
        Err(e) => {
            tracing::warn!(error = %e, "cannot open a profile for its reading settings");
            false
        }
    };
    let options = DrawOptions { reversals: !upright_only };
    let outcome = services.readings.draw_with_options(&services.accounts, user, is_admin, request, options);
    let mut picture = None;
    let text = match outcome {
        Ok(DrawOutcome::Drawn { reading, coverage }) => {
            if app.config.readings.spread_picture {
                picture = Some(reading.clone());
            }
            let footer = match coverage {
                Coverage::Allowance { left: 0 } => i18n::text(locale, "draw_last_today").to_owned(),
                Coverage::Allowance { left: 1 } => i18n::text(locale, "draw_one_left").to_owned(),
                Coverage::Allowance { left } => i18n::plural(locale, "draw_left", u64::from(left), &[]),
                Coverage::Credit { left } => i18n::format(locale, "draw_paid_credit", &[("left", &left.to_string())]),
                Coverage::Unlimited => String::new(),
            };
            format!("{}{footer}", render_html_in(&reading, locale))
        }
        Ok(DrawOutcome::Refused { refusal: Refusal::DailyLimitReached { allowance }, resets_at_ms }) => {
            let reset = reset_time(app.services.readings.zone(), resets_at_ms, app.services.accounts.now(), locale);
            i18n::plural(locale, "daily_limit", u64::from(allowance), &[("reset", &reset)])
        }
        Ok(DrawOutcome::Refused { refusal: Refusal::SpreadNotIncluded, .. }) => {
            let spread = escape(request.spread.name_in(locale));
            i18n::format(locale, "spread_not_included", &[("spread_html", &spread)])
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot draw a reading");
            i18n::text(locale, "try_again").to_owned()
        }
    };
    match picture {
        Some(reading) => send_with_picture(app, chat, reading, &text, reply_to).await,
        None => send_html_reply(&app.sender, chat, &text, None, reply_to).await,
    }
}

/// Spread pictures drawn at once. Each holds a pixmap of up to 1,100 × 1,100 pixels (4.6 MiB)
/// and its PNG while it is drawn: 300 users' readings drawn all at once took up to 316 blocking
/// threads and the bot's memory to 101–161 MiB for a moment (the flood bench's third phase,
/// issue 27; 38 MiB with this bound). Drawing is CPU work, so more at once than a small
/// board's cores would not finish sooner.
static DRAWING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// The reading as one picture of the spread with its text as the caption when it fits, else
/// the picture then the text; the text alone if the picture cannot be drawn or sent. In a group
/// (`reply_to`) the text goes on its own, as the reply to the asking message.
async fn send_with_picture(app: &App, chat: ChatId, reading: Reading, text: &str, reply_to: Option<MessageId>) {
    let Ok(drawing) = DRAWING.acquire().await else {
        return send_html_reply(&app.sender, chat, text, None, reply_to).await;
    };
    // The permit goes with the drawing: a handler that times out meanwhile does not free it early.
    let draw = move || {
        let _drawing = drawing;
        crate::art::spread_png(&reading)
    };
    let png = match tokio::task::spawn_blocking(draw).await {
        Ok(Ok(png)) => png,
        Ok(Err(e)) => {
            tracing::error!(error = %e, "cannot draw the spread picture");
            return send_html_reply(&app.sender, chat, text, None, reply_to).await;
        }
        Err(e) => {
            tracing::error!(error = %e, "the spread picture's task failed");
            return send_html_reply(&app.sender, chat, text, None, reply_to).await;
        }
    };
    let fits = reply_to.is_none() && telegram_len(text) <= CAPTION_MAX_CHARS;
    let sent = send_png(&app.sender, chat, &png, "spread.png", fits.then_some(text)).await;
    if !(sent && fits) {
        send_html_reply(&app.sender, chat, text, None, reply_to).await;
    }
}

/// "2026-11-24 00:00 UTC (in 5 h)".
fn reset_time(zone: &ResetZone, resets_at_ms: u64, now_ms: u64, locale: Locale) -> String {
    let wait = i18n::wait(locale, Duration::from_millis(resets_at_ms.saturating_sub(now_ms)));
    i18n::format(
        locale,
        "reset_time",
        &[("local_minute", &zone.local_minute(resets_at_ms)), ("zone_html", &escape(zone.label())), ("wait", &wait)],
    )
}

/// `/credits`: plan, today's allowance, credits, premium.
pub(crate) async fn credits(app: &App, user: i64, chat: ChatId, is_admin: bool, locale: Locale) {
    let services = &app.services;
    let standing = match services.readings.standing(&services.accounts, user, is_admin) {
        Ok(standing) => standing,
        Err(e) => {
            tracing::error!(error = %e, "cannot read an allowance");
            return send_html(&app.sender, chat, i18n::text(locale, "try_again")).await;
        }
    };
    let now = services.accounts.now();
    let mut text = i18n::format(locale, "credits_heading", &[("tier_html", &escape(&standing.tier))]);
    match standing.allowance {
        Some(allowance) => {
            let left = allowance.saturating_sub(standing.used);
            let reset = reset_time(services.readings.zone(), standing.resets_at_ms, now, locale);
            text.push_str(&i18n::format(
                locale,
                "credits_today",
                &[("left", &left.to_string()), ("allowance", &allowance.to_string()), ("reset", &reset)],
            ));
        }
        None => text.push_str(i18n::text(locale, "credits_no_limit")),
    }
    let spreads: Vec<&str> = Spread::ALL
        .iter()
        .filter(|s| standing.spreads.as_ref().is_none_or(|list| list.iter().any(|k| k == s.key())))
        .map(|s| s.name_in(locale))
        .collect();
    let spreads_html = escape(&spreads.join(", "));
    text.push_str(&i18n::format(locale, "credits_spreads", &[("spreads_html", &spreads_html)]));
    text.push_str(&i18n::format(locale, "credits_credits", &[("credits", &standing.credits.to_string())]));
    if let Some(until) = standing.premium_until_ms {
        text.push_str(&i18n::format(locale, "credits_premium", &[("until", &rfc3339(until))]));
    }
    if services.billing.config().enabled {
        text.push_str(i18n::text(locale, "credits_buy_hint"));
    }
    send_html(&app.sender, chat, &text).await;
}
