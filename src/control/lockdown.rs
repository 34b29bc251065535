//! Lockdown: an incident control. While it is on, only admins and already registered users are
//! served; new registrations and purchases pause, and everyone else gets one short notice per
//! lockdown. The state is one small record in the data store, flushed before a change is
//! acknowledged, so it survives a restart; the running bot reads it from memory on every update.

use std::{
    collections::HashSet,
    sync::{Mutex, PoisonError, RwLock},
};

use serde::{Deserialize, Serialize};

use crate::{
    clock::rfc3339,
    store::{Record, Store, StoreError, TypedTree},
};

/// The longest reason kept, in characters.
pub const REASON_MAX_CHARS: usize = 200;

/// Users noticed at most per lockdown; beyond it the rest are left in silence (a flood of new
/// accounts cannot grow memory without bound).
const MAX_NOTICED: usize = 100_000;

const KEY: &[u8] = b"state";

/// The persisted lockdown state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockdownRecord {
    /// Whether lockdown is on.
    pub on: bool,
    /// Why (single line, bounded).
    pub reason: Option<String>,
    /// When it was last switched (Unix ms).
    pub since_ms: u64,
    /// The admin who switched it from Telegram, if so.
    pub by: Option<i64>,
}

impl Record for LockdownRecord {
    const TREE: &'static str = "lockdown";
    const VERSION: u8 = 1;
}

/// The lockdown switch, in memory and in the store.
pub struct Lockdown {
    tree: TypedTree<LockdownRecord>,
    state: RwLock<LockdownRecord>,
    /// Users already told about the lockdown in force.
    noticed: Mutex<HashSet<i64>>,
}

impl std::fmt::Debug for Lockdown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lockdown").field("state", &self.current()).finish_non_exhaustive()
    }
}

impl Lockdown {
    /// The lockdown state stored in `store` (off if none was ever set).
    pub fn load(store: &Store) -> Result<Lockdown, StoreError> {
        let tree = store.tree::<LockdownRecord>()?;
        let state = tree.get(KEY)?.unwrap_or_default();
        Ok(Lockdown { tree, state: RwLock::new(state), noticed: Mutex::new(HashSet::new()) })
    }

    /// The state now.
    #[must_use]
    pub fn current(&self) -> LockdownRecord {
        self.state.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Whether lockdown is on.
    #[must_use]
    pub fn is_on(&self) -> bool {
        self.state.read().unwrap_or_else(PoisonError::into_inner).on
    }

    /// Switches lockdown on or off and writes it to the store (the caller flushes before
    /// acknowledging). Returns the previous state. Everyone may be noticed again afterwards.
    pub fn set(
        &self,
        on: bool,
        reason: Option<&str>,
        by: Option<i64>,
        now_ms: u64,
    ) -> Result<LockdownRecord, StoreError> {
        let reason = reason.map(|r| crate::sanitize::single_line(r, REASON_MAX_CHARS)).filter(|r| !r.is_empty());
        let record = LockdownRecord { on, reason: if on { reason } else { None }, since_ms: now_ms, by };
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        self.tree.insert(KEY, &record)?;
        let previous = std::mem::replace(&mut *state, record);
        self.noticed.lock().unwrap_or_else(PoisonError::into_inner).clear();
        Ok(previous)
    }

    /// Whether `user` should get the lockdown notice now: true once per user per lockdown.
    #[must_use]
    pub fn first_notice(&self, user: i64) -> bool {
        let mut noticed = self.noticed.lock().unwrap_or_else(PoisonError::into_inner);
        noticed.len() < MAX_NOTICED && noticed.insert(user)
    }

    /// The state as `name<TAB>value` lines, for `arcana status`.
    #[must_use]
    pub fn status_lines(&self) -> Vec<String> {
        let state = self.current();
        let mut lines = vec![format!("lockdown\t{}", if state.on { "on" } else { "off" })];
        if state.on {
            lines.push(format!("lockdown_since\t{}", rfc3339(state.since_ms)));
            if let Some(reason) = &state.reason {
                lines.push(format!("lockdown_reason\t{reason}"));
            }
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_switch_persists_and_notices_once_per_lockdown() {
        let tmp = crate::layout::private_tempdir();
        let store = Store::open_temporary(tmp.path()).expect("open");
        let lockdown = Lockdown::load(&store).expect("load");
        assert!(!lockdown.is_on(), "off until switched on");
        lockdown.set(true, Some("spam\nwave"), Some(1), 1_000).expect("on");
        assert!(lockdown.first_notice(5));
        assert!(!lockdown.first_notice(5), "one notice per user");
        let reloaded = Lockdown::load(&store).expect("reload");
        assert_eq!(
            reloaded.current(),
            LockdownRecord { on: true, reason: Some("spam wave".into()), since_ms: 1_000, by: Some(1) }
        );
        assert_eq!(reloaded.status_lines()[0], "lockdown\ton");
        lockdown.set(false, Some("ignored"), None, 2_000).expect("off");
        lockdown.set(true, None, None, 3_000).expect("on again");
        assert!(lockdown.first_notice(5), "a new lockdown notices again");
        assert_eq!(Lockdown::load(&store).expect("reload").current().reason, None);
    }
}
