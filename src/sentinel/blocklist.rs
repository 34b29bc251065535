//! The blocklist: users blocked by an admin (optionally until a time, with a reason) and users
//! who blocked the bot (from `my_chat_member` in their private chat; cleared when they return).
//!
//! Persisted in the `blocklist` tree and mirrored in memory, so the check on every update is a
//! hash lookup. Writes go to the store first; callers flush before acknowledging a block.

use std::{
    collections::HashMap,
    sync::{PoisonError, RwLock},
};

use serde::{Deserialize, Serialize};

use crate::store::{Record, Store, StoreError, TypedTree};

use crate::sanitize::single_line;

/// Longest stored block reason, in characters.
pub const REASON_MAX_CHARS: usize = 200;

/// A user's block states. Both can hold at once; the record is removed when neither does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockRecord {
    /// Blocked by an admin.
    pub admin: Option<AdminBlock>,
    /// The user blocked the bot at this time (Unix ms).
    pub blocked_bot_since_ms: Option<u64>,
}

/// An admin's block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminBlock {
    /// When it was set (Unix ms).
    pub since_ms: u64,
    /// When it ends (Unix ms); `None` for never.
    pub until_ms: Option<u64>,
    /// Why, as the admin wrote it (sanitised, bounded).
    pub reason: Option<String>,
    /// The admin's user id, if it was set from Telegram.
    pub by: Option<i64>,
}

impl Record for BlockRecord {
    const TREE: &'static str = "blocklist";
    const VERSION: u8 = 1;
}

impl BlockRecord {
    /// Whether this record blocks at `now_ms`.
    #[must_use]
    pub fn blocks_at(&self, now_ms: u64) -> bool {
        self.blocked_bot_since_ms.is_some() || self.admin_block_at(now_ms).is_some()
    }

    /// The admin block in force at `now_ms`, if any.
    #[must_use]
    pub fn admin_block_at(&self, now_ms: u64) -> Option<&AdminBlock> {
        self.admin.as_ref().filter(|b| b.until_ms.is_none_or(|until| now_ms < until))
    }

    fn is_empty(&self) -> bool {
        self.admin.is_none() && self.blocked_bot_since_ms.is_none()
    }
}

/// The persisted blocklist with its in-memory mirror.
pub struct Blocklist {
    tree: TypedTree<BlockRecord>,
    cache: RwLock<HashMap<i64, BlockRecord>>,
}

impl std::fmt::Debug for Blocklist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Blocklist").finish_non_exhaustive()
    }
}

fn key(user: i64) -> [u8; 8] {
    user.to_be_bytes()
}

impl Blocklist {
    /// Loads the blocklist from `store`.
    pub fn load(store: &Store) -> Result<Blocklist, StoreError> {
        let tree = store.tree::<BlockRecord>()?;
        let mut cache = HashMap::new();
        for entry in tree.iter_at(std::time::SystemTime::now()) {
            let (k, record) = entry?;
            if let Ok(bytes) = <[u8; 8]>::try_from(k.as_slice()) {
                cache.insert(i64::from_be_bytes(bytes), record);
            }
        }
        Ok(Blocklist { tree, cache: RwLock::new(cache) })
    }

    /// Whether `user` is blocked at `now_ms`.
    #[must_use]
    pub fn is_blocked(&self, user: i64, now_ms: u64) -> bool {
        self.cache.read().unwrap_or_else(PoisonError::into_inner).get(&user).is_some_and(|r| r.blocks_at(now_ms))
    }

    /// The record of `user`, if any.
    #[must_use]
    pub fn get(&self, user: i64) -> Option<BlockRecord> {
        self.cache.read().unwrap_or_else(PoisonError::into_inner).get(&user).cloned()
    }

    /// Blocks `user` by an admin until `until_ms` (or for good); replaces an earlier admin block.
    pub fn block(
        &self,
        user: i64,
        until_ms: Option<u64>,
        reason: Option<&str>,
        by: Option<i64>,
        now_ms: u64,
    ) -> Result<AdminBlock, StoreError> {
        let reason = reason.map(|r| single_line(r, REASON_MAX_CHARS)).filter(|r| !r.is_empty());
        let block = AdminBlock { since_ms: now_ms, until_ms, reason, by };
        self.update(user, |r| r.admin = Some(block.clone()))?;
        Ok(block)
    }

    /// Lifts an admin block; returns whether there was one.
    pub fn unblock(&self, user: i64) -> Result<bool, StoreError> {
        let mut had = false;
        self.update(user, |r| had = r.admin.take().is_some())?;
        Ok(had)
    }

    /// Records that `user` blocked the bot (`true`) or came back (`false`); returns whether the
    /// state changed.
    pub fn set_blocked_bot(&self, user: i64, blocked: bool, now_ms: u64) -> Result<bool, StoreError> {
        let mut changed = false;
        self.update(user, |r| {
            changed = r.blocked_bot_since_ms.is_some() != blocked;
            if changed {
                r.blocked_bot_since_ms = blocked.then_some(now_ms);
            }
        })?;
        Ok(changed)
    }

    /// Every record, by user id.
    #[must_use]
    pub fn list(&self) -> Vec<(i64, BlockRecord)> {
        let mut all: Vec<_> =
            self.cache.read().unwrap_or_else(PoisonError::into_inner).iter().map(|(u, r)| (*u, r.clone())).collect();
        all.sort_by_key(|(u, _)| *u);
        all
    }

    /// Drops admin blocks that have ended at `now_ms`; returns how many.
    pub fn sweep(&self, now_ms: u64) -> Result<usize, StoreError> {
        let ended: Vec<i64> = self
            .cache
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter(|(_, r)| r.admin.is_some() && r.admin_block_at(now_ms).is_none())
            .map(|(u, _)| *u)
            .collect();
        for user in &ended {
            self.update(*user, |r| {
                if r.admin_block_at(now_ms).is_none() {
                    r.admin = None;
                }
            })?;
        }
        Ok(ended.len())
    }

    /// Applies `change` to the user's record, in the store first, then in memory.
    fn update(&self, user: i64, change: impl FnOnce(&mut BlockRecord)) -> Result<(), StoreError> {
        let mut cache = self.cache.write().unwrap_or_else(PoisonError::into_inner);
        let mut record = cache.get(&user).cloned().unwrap_or_default();
        change(&mut record);
        if record.is_empty() {
            self.tree.remove(&key(user))?;
            cache.remove(&user);
        } else {
            self.tree.insert(&key(user), &record)?;
            cache.insert(user, record);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_blocks_expire_and_persist() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let store = Store::open_temporary(tmp.path()).expect("open");
        let list = Blocklist::load(&store).expect("load");
        list.block(1, Some(2_000), Some("spam\u{202e}ming"), Some(9), 1_000).expect("block");
        list.block(2, None, None, None, 1_000).expect("block");
        assert!(list.is_blocked(1, 1_999) && !list.is_blocked(1, 2_000));
        assert_eq!(list.get(1).and_then(|r| r.admin).and_then(|a| a.reason).as_deref(), Some("spamming"));
        let reloaded = Blocklist::load(&store).expect("reload");
        assert!(reloaded.is_blocked(2, u64::MAX - 1));
        assert_eq!(reloaded.sweep(2_000).expect("sweep"), 1);
        assert!(reloaded.get(1).is_none());
        assert!(reloaded.unblock(2).expect("unblock"));
        assert!(!reloaded.unblock(2).expect("unblock"));
        assert!(Blocklist::load(&store).expect("reload").list().is_empty());
    }

    #[test]
    fn blocking_the_bot_is_cleared_on_return_without_touching_an_admin_block() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let store = Store::open_temporary(tmp.path()).expect("open");
        let list = Blocklist::load(&store).expect("load");
        assert!(list.set_blocked_bot(5, true, 10).expect("set"));
        assert!(!list.set_blocked_bot(5, true, 11).expect("set"), "no change");
        assert!(list.is_blocked(5, 12));
        list.block(5, None, None, None, 13).expect("block");
        assert!(list.set_blocked_bot(5, false, 14).expect("clear"));
        assert!(list.is_blocked(5, 15), "the admin block stays");
        list.unblock(5).expect("unblock");
        assert!(!list.is_blocked(5, 16));
    }
}
