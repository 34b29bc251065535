//! Incident controls from the operator's side: lockdown on and off, lifting a user's mute, and
//! resetting rate limits. In the running bot they act on the sentinel's memory at once; offline
//! they change what the store keeps (penalties and the lockdown record; rate windows live only
//! in the running bot's memory). Every change is flushed before it is acknowledged.

use crate::audit_tap::Event;

use super::{Admin, OpsError, Response};

/// Switches lockdown on or off, flushed.
pub(super) fn lockdown(
    admin: &Admin<'_>,
    on: bool,
    reason: Option<&str>,
    by: Option<i64>,
    now_ms: u64,
) -> Result<Response, OpsError> {
    let previous = admin.lockdown.set(on, reason, by, now_ms)?;
    admin.data.flush_blocking()?;
    let state = admin.lockdown.current();
    if on {
        tracing::warn!(target: "arcana::audit", event = Event::LockdownOn.name(),
            by = ?by, reason = state.reason.as_deref(),
            "lockdown on: only admins and registered users are served");
    } else {
        tracing::warn!(target: "arcana::audit", event = Event::LockdownOff.name(), by = ?by, "lockdown off");
    }
    let line = match (on, previous.on) {
        (true, true) => String::from("lockdown was already on (reason updated)"),
        (true, false) => {
            String::from("lockdown on: only admins and registered users are served; registrations and purchases pause")
        }
        (false, true) => String::from("lockdown off: everyone is served again"),
        (false, false) => String::from("lockdown was not on"),
    };
    let mut lines = vec![line];
    if !admin.online {
        lines.push(String::from("(the bot is not running: it applies at its next start)"));
    }
    Ok(Response::ok(lines))
}

/// Lifts `user`'s mute and escalation at once (offline: the persisted penalty), flushed.
pub(super) fn unmute(admin: &Admin<'_>, user: i64, by: Option<i64>, now_ms: u64) -> Result<Response, OpsError> {
    let lifted = if let Some(sentinel) = admin.sentinel {
        sentinel.unmute(user)?
    } else {
        let muted = crate::sentinel::penalty_of(admin.data, user)?.is_some_and(|p| p.muted_until_ms > now_ms);
        crate::sentinel::forget_penalty(admin.data, user)?;
        muted
    };
    admin.data.flush_blocking()?;
    tracing::warn!(target: "arcana::audit", event = Event::Unmute.name(), user, by = ?by, was_muted = lifted,
        "user unmuted");
    Ok(Response::ok(vec![if lifted {
        format!("unmuted user {user}")
    } else {
        format!("user {user} was not muted (any escalation level is cleared)")
    }]))
}

/// Lifts penalties and empties rate windows of `user`, or of everyone, flushed.
pub(super) fn reset_limits(admin: &Admin<'_>, user: Option<i64>, by: Option<i64>) -> Result<Response, OpsError> {
    let (mutes, windows) = match (admin.sentinel, user) {
        (Some(sentinel), _) => {
            let (mutes, windows) = sentinel.reset_limits(user)?;
            (mutes, windows + admin.accounts.reset_tier_windows(user))
        }
        (None, Some(user)) => (usize::from(crate::sentinel::forget_penalty(admin.data, user)?), 0),
        (None, None) => (crate::sentinel::forget_penalties(admin.data)?, 0),
    };
    admin.data.flush_blocking()?;
    tracing::warn!(target: "arcana::audit", event = Event::LimitsReset.name(), user = ?user, by = ?by, mutes, windows,
        "rate limits reset");
    let whose = user.map_or_else(|| String::from("everyone"), |u| format!("user {u}"));
    let mut lines =
        vec![format!("reset the limits of {whose}: {mutes} penalties lifted, {windows} rate windows emptied")];
    if !admin.online {
        lines.push(String::from("(the bot is not running: rate windows live only in its memory and start empty)"));
    }
    Ok(Response::ok(lines))
}
