//! Sessions: each account holds up to `max_sessions`, each with an idle timeout and an absolute
//! lifetime. A Telegram user's updates keep their current session alive or start a new one; the
//! HTTP API to come will bind its tokens to these session ids. Pure functions over the list,
//! so the rules are tested with plain numbers.

use serde::{Deserialize, Serialize};

/// One session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Random id (32 hex digits).
    pub id: String,
    /// Started (Unix ms).
    pub created_ms: u64,
    /// Last used (Unix ms).
    pub last_seen_ms: u64,
    /// Elevated by a fresh two-factor code until (Unix ms; 0 for not elevated).
    pub elevated_until_ms: u64,
    /// A web session's first name, as Telegram signed it when the session was opened (shown
    /// so a user sees whose account the browser is in); sealed with the account like the rest.
    #[serde(default)]
    pub name: Option<String>,
}

/// The session rules, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Idle timeout.
    pub idle_ms: u64,
    /// Absolute lifetime.
    pub lifetime_ms: u64,
    /// Most sessions at once.
    pub max: usize,
}

impl Session {
    /// Whether this session is still valid at `now`.
    #[must_use]
    pub fn is_live(&self, now: u64, policy: SessionPolicy) -> bool {
        now < self.last_seen_ms.saturating_add(policy.idle_ms)
            && now < self.created_ms.saturating_add(policy.lifetime_ms)
    }
}

/// Drops sessions that have ended at `now`; returns how many.
pub fn prune(sessions: &mut Vec<Session>, now: u64, policy: SessionPolicy) -> usize {
    let before = sessions.len();
    sessions.retain(|s| s.is_live(now, policy));
    before - sessions.len()
}

/// Opens a new session `id` at `now`, ending the oldest ones beyond the limit.
pub fn open(sessions: &mut Vec<Session>, id: String, now: u64, policy: SessionPolicy) {
    prune(sessions, now, policy);
    sessions.push(Session { id, created_ms: now, last_seen_ms: now, elevated_until_ms: 0, name: None });
    sessions.sort_by_key(|s| s.created_ms);
    while sessions.len() > policy.max.max(1) {
        sessions.remove(0);
    }
}

/// Keeps the most recently used live session alive, or opens one with `new_id`; returns the
/// current session's index.
pub fn touch(sessions: &mut Vec<Session>, now: u64, policy: SessionPolicy, new_id: impl FnOnce() -> String) -> usize {
    prune(sessions, now, policy);
    if let Some((index, _)) = sessions.iter().enumerate().max_by_key(|(_, s)| s.last_seen_ms) {
        sessions[index].last_seen_ms = now;
        return index;
    }
    open(sessions, new_id(), now, policy);
    sessions.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: u64 = 60_000;
    const POLICY: SessionPolicy = SessionPolicy { idle_ms: 30 * MIN, lifetime_ms: 24 * 60 * MIN, max: 3 };

    fn ids(sessions: &[Session]) -> Vec<&str> {
        sessions.iter().map(|s| s.id.as_str()).collect()
    }

    #[test]
    fn idle_expiry() {
        let mut s = Vec::new();
        touch(&mut s, 0, POLICY, || "a".into());
        touch(&mut s, 29 * MIN, POLICY, || "b".into());
        assert_eq!(ids(&s), ["a"], "used within the idle window: same session");
        touch(&mut s, 29 * MIN + 30 * MIN, POLICY, || "c".into());
        assert_eq!(ids(&s), ["c"], "idle for 30 min: a new session");
    }

    #[test]
    fn absolute_expiry_even_when_used() {
        let mut s = Vec::new();
        touch(&mut s, 0, POLICY, || "a".into());
        let mut t = 0;
        while t < 24 * 60 * MIN - 10 * MIN {
            t += 10 * MIN;
            touch(&mut s, t, POLICY, || "x".into());
        }
        assert_eq!(ids(&s), ["a"]);
        touch(&mut s, 24 * 60 * MIN, POLICY, || "b".into());
        assert_eq!(ids(&s), ["b"], "the lifetime ends it however busy");
    }

    #[test]
    fn the_concurrent_limit_ends_the_oldest() {
        let mut s = Vec::new();
        for (i, id) in ["a", "b", "c", "d"].iter().enumerate() {
            open(&mut s, (*id).to_owned(), i as u64, POLICY);
        }
        assert_eq!(ids(&s), ["b", "c", "d"]);
    }
}
