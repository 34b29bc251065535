//! `/draw [spread] [question]` and `/credits`: a reading paid by the daily allowance or a
//! credit, and where the user stands today.

use std::{fmt::Write as _, time::Duration};

use teloxide::types::ChatId;

use crate::{
    clock::rfc3339,
    readings::{Coverage, DrawOutcome, Refusal, ResetZone},
    tarot::{DrawRequest, Spread, escape, render_html},
};

use super::{app::App, notice::human_wait, send::send_html, texts::TRY_AGAIN};

/// `/draw`: draws, sends the reading, and says what is left.
pub(crate) async fn draw(app: &App, user: i64, chat: ChatId, is_admin: bool, args: &str) {
    let request = DrawRequest::parse(args);
    let services = &app.services;
    let outcome = services.readings.draw(&services.accounts, user, is_admin, &request);
    let text = match outcome {
        Ok(DrawOutcome::Drawn { reading, coverage }) => {
            let footer = match coverage {
                Coverage::Allowance { left: 0 } => String::from("\n🎟 That was today's last reading."),
                Coverage::Allowance { left: 1 } => String::from("\n🎟 1 reading left today."),
                Coverage::Allowance { left } => format!("\n🎟 {left} readings left today."),
                Coverage::Credit { left } => format!("\n💳 Paid with a credit; {left} left."),
                Coverage::Unlimited => String::new(),
            };
            format!("{}{footer}", render_html(&reading))
        }
        Ok(DrawOutcome::Refused { refusal: Refusal::DailyLimitReached { allowance }, resets_at_ms }) => {
            let readings = if allowance == 1 { "reading" } else { "readings" };
            format!(
                "🌙 You have used today's {allowance} {readings}. Your allowance resets at {}.\n\
                 /buy credits for more readings now.",
                reset_time(app.services.readings.zone(), resets_at_ms, app.services.accounts.now())
            )
        }
        Ok(DrawOutcome::Refused { refusal: Refusal::SpreadNotIncluded, .. }) => format!(
            "✨ The {} is not part of your plan. Use a credit (/buy credits) or /buy premium.",
            escape(request.spread.name())
        ),
        Err(e) => {
            tracing::error!(error = %e, "cannot draw a reading");
            TRY_AGAIN.to_owned()
        }
    };
    send_html(&app.sender, chat, &text).await;
}

/// "2026-11-24 00:00 UTC (in 5 h)".
fn reset_time(zone: &ResetZone, resets_at_ms: u64, now_ms: u64) -> String {
    let wait = human_wait(Duration::from_millis(resets_at_ms.saturating_sub(now_ms)));
    format!("{} {} (in {wait})", zone.local_minute(resets_at_ms), escape(zone.label()))
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
    let mut text = format!("🎟 <b>Your readings</b>\nPlan: {}\n", escape(&standing.tier));
    match standing.allowance {
        Some(allowance) => {
            let left = allowance.saturating_sub(standing.used);
            let _ = writeln!(
                text,
                "Today: {left} of {allowance} left — resets at {}",
                reset_time(services.readings.zone(), standing.resets_at_ms, now)
            );
        }
        None => text.push_str("Today: no daily limit\n"),
    }
    let spreads: Vec<&str> = Spread::ALL
        .iter()
        .filter(|s| standing.spreads.as_ref().is_none_or(|list| list.iter().any(|k| k == s.key())))
        .map(|s| s.name())
        .collect();
    let _ = writeln!(text, "Spreads included: {}", escape(&spreads.join(", ")));
    let _ = writeln!(text, "Credits: {} (one reading each, any spread)", standing.credits);
    if let Some(until) = standing.premium_until_ms {
        let _ = writeln!(text, "Premium until {}", rfc3339(until));
    }
    if services.billing.config().enabled {
        text.push_str("\n/buy — more readings or premium, with Telegram Stars");
    }
    send_html(&app.sender, chat, &text).await;
}
