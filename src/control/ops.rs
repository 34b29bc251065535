//! Executing control requests against the blocklist, shared by the socket server, the offline
//! CLI path and the admin commands in Telegram.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::{
    sentinel::{BlockRecord, Blocklist},
    store::StoreError,
};

use super::{Request, Response};

/// Runs `request` at `now_ms` (Unix ms). The caller flushes the store before showing a success.
pub fn execute(blocklist: &Blocklist, request: &Request, now_ms: u64) -> Result<Response, StoreError> {
    Ok(match request {
        Request::Block { user, for_ms, reason, by } => {
            let until = for_ms.map(|d| now_ms.saturating_add(d));
            let block = blocklist.block(*user, until, reason.as_deref(), *by, now_ms)?;
            let line = format!("blocked user {user}{}", block_terms(until, block.reason.as_deref()));
            tracing::warn!(target: "arcana::audit", event = "block", user, by = ?by, until_ms = ?until, "user blocked");
            Response::ok(vec![line])
        }
        Request::Unblock { user } => {
            if blocklist.unblock(*user)? {
                tracing::warn!(target: "arcana::audit", event = "unblock", user, "user unblocked");
                Response::ok(vec![format!("unblocked user {user}")])
            } else {
                Response::ok(vec![format!("user {user} was not blocked")])
            }
        }
        Request::Blocked => {
            let lines: Vec<String> = blocklist
                .list()
                .iter()
                .filter(|(_, r)| r.blocks_at(now_ms))
                .map(|(u, r)| describe(*u, r, now_ms))
                .collect();
            if lines.is_empty() { Response::ok(vec!["no blocked users".into()]) } else { Response::ok(lines) }
        }
    })
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

fn rfc3339(unix_ms: u64) -> String {
    humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_millis(unix_ms)).to_string()
}

/// Milliseconds since the Unix epoch, now.
#[must_use]
pub(crate) fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
