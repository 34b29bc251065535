//! Reading the trail: entries since a time, about a user, of an event, as lines for people or
//! JSON for tools.

use serde_json::{Map, Value, json};

use super::{AuditTrail, entry::Entry};
use crate::{clock::rfc3339, store::StoreError};

/// Which entries to show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// At or after this time (Unix ms).
    pub since_ms: Option<u64>,
    /// About this user (matched by keyed hash, so a deleted user's entries are found too).
    pub user: Option<i64>,
    /// Of this event.
    pub event: Option<String>,
    /// Only the newest this many (all if `None`).
    pub limit: Option<usize>,
}

impl AuditTrail {
    /// The entries matching `filter`, oldest first.
    /// Entries below the anchor (dropped by retention, or never part of the chain) are not shown.
    pub fn query(&self, filter: &Filter) -> Result<Vec<Entry>, StoreError> {
        let tag = filter.user.map(|u| self.user_tag(u));
        let anchor = self.state()?.map_or(1, |s| s.anchor_seq);
        let mut out = std::collections::VecDeque::new();
        for item in self.entries.iter_from(&anchor.to_be_bytes()) {
            let (_, entry) = item?;
            let keep = filter.since_ms.is_none_or(|since| entry.at_ms >= since)
                && tag.is_none_or(|tag| entry.user_tag == Some(tag))
                && filter.event.as_deref().is_none_or(|event| entry.event == event);
            if keep {
                out.push_back(entry);
                if filter.limit.is_some_and(|limit| out.len() > limit) {
                    out.pop_front();
                }
            }
        }
        Ok(out.into())
    }
}

/// `entry` as one line: time, number, event, user, then its fields.
#[must_use]
pub fn line(entry: &Entry) -> String {
    use std::fmt::Write as _;
    let mut out = format!("{}  #{}  {}", rfc3339(entry.at_ms), entry.seq, entry.event);
    match (entry.user, entry.user_tag) {
        (Some(user), _) => {
            let _ = write!(out, "  user={user}");
        }
        (None, Some(_)) => out.push_str("  user=(deleted)"),
        (None, None) => {}
    }
    for (name, value) in &entry.fields {
        let _ = if value.chars().any(char::is_whitespace) {
            write!(out, "  {name}={value:?}")
        } else {
            write!(out, "  {name}={value}")
        };
    }
    out
}

/// `entry` as one JSON object.
#[must_use]
pub fn json(entry: &Entry) -> Value {
    let fields: Map<String, Value> = entry.fields.iter().map(|(k, v)| (k.clone(), Value::from(v.as_str()))).collect();
    json!({
        "seq": entry.seq,
        "at": rfc3339(entry.at_ms),
        "event": entry.event,
        "user": entry.user,
        "user_deleted": entry.user.is_none() && entry.user_tag.is_some(),
        "fields": fields,
    })
}
