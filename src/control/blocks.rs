//! Blocks from the operator's side: blocking, unblocking and listing, with their terms.

use crate::{audit_tap::Event, clock::rfc3339, sentinel::BlockRecord};

use super::{Admin, OpsError, Response};

/// Blocks `user` (for `for_ms`, else until unblocked), ends their sessions, flushes.
pub(super) fn block(
    admin: &Admin<'_>,
    user: i64,
    for_ms: Option<u64>,
    reason: Option<&str>,
    by: Option<i64>,
    now_ms: u64,
) -> Result<Response, OpsError> {
    let until = for_ms.map(|d| now_ms.saturating_add(d));
    let block = admin.blocklist.block(user, until, reason, by, now_ms)?;
    admin.accounts.end_sessions(user, "blocked")?;
    admin.data.flush_blocking()?;
    tracing::warn!(target: "arcana::audit", event = Event::Block.name(), user, by = ?by, until_ms = ?until,
        reason = block.reason.as_deref().unwrap_or(""), "user blocked");
    Ok(Response::ok(vec![format!("blocked user {user}{}", block_terms(until, block.reason.as_deref()))]))
}

/// Lifts an admin block of `user`, flushed.
pub(super) fn unblock(admin: &Admin<'_>, user: i64) -> Result<Response, OpsError> {
    if admin.blocklist.unblock(user)? {
        admin.data.flush_blocking()?;
        tracing::warn!(target: "arcana::audit", event = Event::Unblock.name(), user, "user unblocked");
        Ok(Response::ok(vec![format!("unblocked user {user}")]))
    } else {
        Ok(Response::ok(vec![format!("user {user} was not blocked")]))
    }
}

/// Everyone blocked at `now_ms`, one line each.
pub(super) fn blocked(admin: &Admin<'_>, now_ms: u64) -> Response {
    let lines: Vec<String> = admin
        .blocklist
        .list()
        .iter()
        .filter(|(_, r)| r.blocks_at(now_ms))
        .map(|(u, r)| describe(*u, r, now_ms))
        .collect();
    if lines.is_empty() { Response::ok(vec!["no blocked users".into()]) } else { Response::ok(lines) }
}

fn describe(user: i64, record: &BlockRecord, now_ms: u64) -> String {
    let mut parts = Vec::new();
    if let Some(block) = record.admin_block_at(now_ms) {
        parts.push(format!("blocked by an admin{}", block_terms(block.until_ms, block.reason.as_deref())));
    }
    if let Some(since) = record.blocked_bot_since_ms {
        parts.push(format!("blocked the bot since {}", rfc3339(since)));
    }
    format!("{user}\t{}", parts.join("; "))
}

/// " until <time> (reason: <reason>)" or " until unblocked".
fn block_terms(until_ms: Option<u64>, reason: Option<&str>) -> String {
    let until = until_ms.map_or_else(|| String::from("unblocked"), rfc3339);
    match reason {
        Some(reason) => format!(" until {until} (reason: {reason})"),
        None => format!(" until {until}"),
    }
}
