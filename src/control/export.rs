//! Everything arcana stores about a user, without secrets, as JSON: what `/export` sends the user
//! and `arcana user export USER FILE` writes for the operator (a subject access request made
//! another way). Key material, TOTP secrets and backup-code hashes are never part of it.

use serde_json::{Value, json};

use crate::clock::rfc3339;

use super::{Admin, OpsError};

/// Security events about the user included at most (the newest).
const AUDIT_EVENTS: usize = 1_000;

/// The export of `user` at `now_ms`.
pub fn user_data(admin: &Admin<'_>, user: i64, now_ms: u64) -> Result<Value, OpsError> {
    let profile = admin.profiles.get(user)?;
    let account = admin.accounts.get(user)?;
    let readings = admin.history.all(user, now_ms)?;
    let daily = crate::accounts::DailyPlans::new(admin.data, std::sync::Arc::clone(admin.vault))?.get(user)?;
    let penalty = admin.data.tree::<crate::sentinel::PenaltyRecord>()?.get(&user.to_be_bytes())?;
    let audit_filter =
        crate::audit::Filter { user: Some(user), limit: Some(AUDIT_EVENTS), ..crate::audit::Filter::default() };
    let audit_events = admin.audit.query(&audit_filter)?;
    Ok(json!({
        "telegram_id": user,
        "profile": profile,
        "consent": account.consent.map(|c| json!({"notice_version": c.version, "at": rfc3339(c.at_ms)})),
        "tier": admin.accounts.tier(&account),
        "two_factor": account.two_factor_on(),
        "last_active": account.last_active().map(rfc3339),
        "sessions": account.sessions.iter().map(|s| json!({
            "started": rfc3339(s.created_ms), "last_active": rfc3339(s.last_seen_ms), "signed_in_as": s.name
        })).collect::<Vec<_>>(),
        "credits": account.wallet.credits,
        "premium_until": account.wallet.premium.as_ref().map(|p| rfc3339(p.until_ms)),
        "payments": account.wallet.payments.iter().map(|p| json!({
            "charge_id": p.charge_id, "stars": p.stars, "bought": p.purchase.describe(),
            "at": rfc3339(p.at_ms), "refunded": p.refunded_ms.map(rfc3339),
        })).collect::<Vec<_>>(),
        "card_of_the_day": daily.map(|d| json!({
            "time_zone": d.zone.label(), "hour": d.hour,
            "last_sent_day": d.last_day.and_then(|day| {
                jiff::civil::Date::constant(1970, 1, 1).checked_add(jiff::Span::new().days(day)).ok()
            }).map(|date| date.to_string()),
        })),
        "readings": readings.iter().map(|r| json!({
            "at": rfc3339(r.at_ms), "spread": r.spread, "question": r.question,
            "cards": r.cards.iter().map(|&(id, reversed)| {
                let name = crate::tarot::card(id).map_or("?", |c| c.name());
                if reversed { format!("{name} (reversed)") } else { name.to_owned() }
            }).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "mute": penalty.map(|p| json!({
            "level": p.level, "muted_until": (p.muted_until_ms > 0).then(|| rfc3339(p.muted_until_ms)),
        })),
        "security_events": audit_events.iter().map(|e| json!({
            "at": rfc3339(e.at_ms), "event": e.event,
            "details": e.fields.iter().filter(|(k, _)| k != "message").map(|(k, v)| json!({ k: v })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "blocked": admin.blocklist.get(user).map(|b| json!({
            "by_admin": b.admin.as_ref().map(|a| json!({
                "since": rfc3339(a.since_ms), "until": a.until_ms.map(rfc3339), "reason": a.reason,
            })),
            "you_blocked_the_bot_at": b.blocked_bot_since_ms.map(rfc3339),
        })),
    }))
}
