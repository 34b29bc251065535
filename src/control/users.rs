//! User management for the operator: `arcana user show USER` (one user's standing) and `arcana
//! users` (every account, filtered, one line each). Never a secret: no TOTP secret, no backup
//! codes, no session ids — counts and on/off only. Viewing a user is audited (`user_viewed`),
//! listing too (`users_listed`).

use serde_json::json;

use crate::{accounts::Account, audit_tap::Event, clock::rfc3339, sentinel::PenaltyRecord};

use super::{Admin, OpsError, Response, UserFilter};

/// What is known about one user, without secrets.
struct Standing {
    user: i64,
    account: Account,
    tier: String,
    registered: bool,
    blocked: Option<String>,
    muted: Option<String>,
}

impl Standing {
    fn of(admin: &Admin<'_>, user: i64, now_ms: u64) -> Result<Standing, OpsError> {
        let account = admin.accounts.get(user)?;
        let tier = admin.accounts.tier(&account);
        let registered = admin.accounts.is_member(&account);
        let blocked = admin.blocklist.get(user).filter(|r| r.blocks_at(now_ms)).map(|record| {
            let mut why = Vec::new();
            if let Some(block) = record.admin_block_at(now_ms) {
                let until = block.until_ms.map_or_else(|| String::from("unblocked"), rfc3339);
                let reason = block.reason.as_ref().map(|r| format!(" (reason: {r})")).unwrap_or_default();
                why.push(format!("by an admin since {} until {until}{reason}", rfc3339(block.since_ms)));
            }
            if let Some(since) = record.blocked_bot_since_ms {
                why.push(format!("blocked the bot since {}", rfc3339(since)));
            }
            why.join("; ")
        });
        let muted = crate::sentinel::penalty_of(admin.data, user)?.filter(|p| p.muted_until_ms > now_ms).map(
            |PenaltyRecord { level, muted_until_ms, .. }| {
                format!("until {} for repeatedly hitting rate limits (level {level})", rfc3339(muted_until_ms))
            },
        );
        Ok(Standing { user, account, tier, registered, blocked, muted })
    }

    fn matches(&self, filter: &UserFilter) -> bool {
        filter.tier.as_ref().is_none_or(|t| *t == self.tier)
            && (!filter.blocked || self.blocked.is_some())
            && (!filter.muted || self.muted.is_some())
            && (!filter.two_factor || self.account.two_factor_on())
    }

    fn summary_json(&self) -> serde_json::Value {
        json!({
            "user": self.user,
            "tier": self.tier,
            "registered": self.registered,
            "two_factor": self.account.two_factor_on(),
            "blocked": self.blocked.is_some(),
            "muted": self.muted.is_some(),
        })
    }

    fn summary_line(&self) -> String {
        let yes_no = |b: bool| if b { "yes" } else { "no" };
        format!(
            "{}\t{}\t{}\t{}\t{}\t{}",
            self.user,
            self.tier,
            yes_no(self.registered),
            if self.account.two_factor_on() { "on" } else { "off" },
            yes_no(self.blocked.is_some()),
            yes_no(self.muted.is_some()),
        )
    }
}

/// `arcana user show USER [--json]`.
pub(super) fn show(admin: &Admin<'_>, user: i64, as_json: bool, now_ms: u64) -> Result<Response, OpsError> {
    if !admin.accounts.ids()?.contains(&user) {
        return Ok(Response::error(format!("user {user} has no account")));
    }
    let s = Standing::of(admin, user, now_ms)?;
    let readings = admin.history.count(user, now_ms)?;
    let a = &s.account;
    tracing::warn!(target: "arcana::audit", event = Event::UserViewed.name(), user,
        "an operator viewed a user's standing");
    let premium = a.wallet.premium.as_ref().filter(|p| p.until_ms > now_ms).map(|p| rfc3339(p.until_ms));
    if as_json {
        let value = json!({
            "user": user,
            "tier": s.tier,
            "registered": s.registered,
            "premium_until": premium,
            "consent": a.consent.map(|c| json!({"notice_version": c.version, "at": rfc3339(c.at_ms)})),
            "two_factor": a.two_factor_on(),
            "sessions": a.sessions.len(),
            "credits": a.wallet.credits,
            "readings": readings,
            "last_active": a.last_active().map(rfc3339),
            "blocked": s.blocked,
            "muted": s.muted,
        });
        return Ok(Response::ok(vec![value.to_string()]));
    }
    let none = || String::from("-");
    Ok(Response::ok(vec![
        format!("user\t{user}"),
        format!("tier\t{}", s.tier),
        format!("registered\t{}", if s.registered { "yes" } else { "no" }),
        format!("premium_until\t{}", premium.unwrap_or_else(none)),
        format!(
            "consent\t{}",
            a.consent.map_or_else(none, |c| format!("version {} at {}", c.version, rfc3339(c.at_ms)))
        ),
        format!("two_factor\t{}", if a.two_factor_on() { "on" } else { "off" }),
        format!("sessions\t{}", a.sessions.len()),
        format!("credits\t{}", a.wallet.credits),
        format!("readings\t{readings}"),
        format!("last_active\t{}", a.last_active().map_or_else(none, rfc3339)),
        format!("blocked\t{}", s.blocked.unwrap_or_else(|| String::from("no"))),
        format!("muted\t{}", s.muted.unwrap_or_else(|| String::from("no"))),
    ]))
}

/// `arcana users [filters] [--json]`.
pub(super) fn list(admin: &Admin<'_>, filter: &UserFilter, as_json: bool, now_ms: u64) -> Result<Response, OpsError> {
    let ids = admin.accounts.ids()?;
    let mut listed = Vec::new();
    for &user in &ids {
        let standing = Standing::of(admin, user, now_ms)?;
        if standing.matches(filter) {
            listed.push(standing);
        }
    }
    tracing::info!(target: "arcana::audit", event = Event::UsersListed.name(), listed = listed.len(),
        "an operator listed accounts");
    if as_json {
        let users: Vec<_> = listed.iter().map(Standing::summary_json).collect();
        return Ok(Response::ok(vec![
            json!({"users": users, "listed": listed.len(), "accounts": ids.len()}).to_string(),
        ]));
    }
    let mut lines = vec![String::from("user\ttier\tregistered\t2fa\tblocked\tmuted")];
    lines.extend(listed.iter().map(Standing::summary_line));
    lines.push(format!("{} of {} accounts listed", listed.len(), ids.len()));
    Ok(Response::ok(lines))
}
