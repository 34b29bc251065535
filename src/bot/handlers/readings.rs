//! `/draw [spread] [question]` and `/credits`: a reading paid by the daily allowance or a
//! credit, and where the user stands today.

use std::time::Duration;

use teloxide::types::ChatId;

use crate::{
    clock::rfc3339,
    readings::{Coverage, DrawOutcome, Refusal, ResetZone},
    tarot::{DrawRequest, Reading, Spread, escape, render_html, telegram_len},
};

use crate::bot::{
    app::App,
    send::{CAPTION_MAX_CHARS, send_html, send_png},
    texts::{self, CREDITS_BUY_HINT, CREDITS_NO_LIMIT, DRAW_LAST_TODAY, DRAW_ONE_LEFT, TRY_AGAIN, human_wait},
};

/// `/draw`: draws, sends the reading, and says what is left.
pub(crate) async fn draw(app: &App, user: i64, chat: ChatId, is_admin: bool, args: &str) {
    let request = DrawRequest::parse(args);
    let services = &app.services;
    let outcome = services.readings.draw(&services.accounts, user, is_admin, &request);
    let mut picture = None;
    let text = match outcome {
        Ok(DrawOutcome::Drawn { reading, coverage }) => {
            if app.config.readings.spread_picture {
                picture = Some(reading.clone());
            }
            let footer = match coverage {
                Coverage::Allowance { left: 0 } => DRAW_LAST_TODAY.to_owned(),
                Coverage::Allowance { left: 1 } => DRAW_ONE_LEFT.to_owned(),
                Coverage::Allowance { left } => texts::draw_left(left),
                Coverage::Credit { left } => texts::draw_paid_credit(left),
                Coverage::Unlimited => String::new(),
            };
            format!("{}{footer}", render_html(&reading))
        }
        Ok(DrawOutcome::Refused { refusal: Refusal::DailyLimitReached { allowance }, resets_at_ms }) => {
            texts::daily_limit(
                allowance,
                &reset_time(app.services.readings.zone(), resets_at_ms, app.services.accounts.now()),
            )
        }
        Ok(DrawOutcome::Refused { refusal: Refusal::SpreadNotIncluded, .. }) => {
            texts::spread_not_included(&escape(request.spread.name()))
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot draw a reading");
            TRY_AGAIN.to_owned()
        }
    };
    match picture {
        Some(reading) => send_with_picture(app, chat, reading, &text).await,
        None => send_html(&app.sender, chat, &text).await,
    }
}

/// The reading as one picture of the spread with its text as the caption when it fits, else
/// the picture then the text; the text alone if the picture cannot be drawn or sent.
async fn send_with_picture(app: &App, chat: ChatId, reading: Reading, text: &str) {
    let png = match tokio::task::spawn_blocking(move || crate::art::spread_png(&reading)).await {
        Ok(Ok(png)) => png,
        Ok(Err(e)) => {
            tracing::error!(error = %e, "cannot draw the spread picture");
            return send_html(&app.sender, chat, text).await;
        }
        Err(e) => {
            tracing::error!(error = %e, "the spread picture's task failed");
            return send_html(&app.sender, chat, text).await;
        }
    };
    let fits = telegram_len(text) <= CAPTION_MAX_CHARS;
    let sent = send_png(&app.sender, chat, &png, "spread.png", fits.then_some(text)).await;
    if !(sent && fits) {
        send_html(&app.sender, chat, text).await;
    }
}

/// "2026-11-24 00:00 UTC (in 5 h)".
fn reset_time(zone: &ResetZone, resets_at_ms: u64, now_ms: u64) -> String {
    let wait = human_wait(Duration::from_millis(resets_at_ms.saturating_sub(now_ms)));
    texts::reset_time(&zone.local_minute(resets_at_ms), &escape(zone.label()), &wait)
}

/// `/credits`: plan, today's allowance, credits, premium.
pub(crate) async fn credits(app: &App, user: i64, chat: ChatId, is_admin: bool) {
    let services = &app.services;
    let standing = match services.readings.standing(&services.accounts, user, is_admin) {
        Ok(standing) => standing,
        Err(e) => {
            tracing::error!(error = %e, "cannot read an allowance");
            return send_html(&app.sender, chat, TRY_AGAIN).await;
        }
    };
    let now = services.accounts.now();
    let mut text = texts::credits_heading(&escape(&standing.tier));
    match standing.allowance {
        Some(allowance) => {
            let left = allowance.saturating_sub(standing.used);
            text.push_str(&texts::credits_today(
                left,
                allowance,
                &reset_time(services.readings.zone(), standing.resets_at_ms, now),
            ));
        }
        None => text.push_str(CREDITS_NO_LIMIT),
    }
    let spreads: Vec<&str> = Spread::ALL
        .iter()
        .filter(|s| standing.spreads.as_ref().is_none_or(|list| list.iter().any(|k| k == s.key())))
        .map(|s| s.name())
        .collect();
    text.push_str(&texts::credits_spreads(&escape(&spreads.join(", "))));
    text.push_str(&texts::credits_credits(standing.credits));
    if let Some(until) = standing.premium_until_ms {
        text.push_str(&texts::credits_premium(&rfc3339(until)));
    }
    if services.billing.config().enabled {
        text.push_str(CREDITS_BUY_HINT);
    }
    send_html(&app.sender, chat, &text).await;
}
