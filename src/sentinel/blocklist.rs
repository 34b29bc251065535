//! The blocklist: users blocked by an admin (optionally until a time, with a reason) and users
//! who blocked the bot (from `my_chat_member` in their private chat; cleared when they return).
//!
//! Persisted in the `blocklist` tree and mirrored in memory, so the check on every update is a
//! hash lookup. Writes go to the store first; callers flush before acknowledging a block.
//!
//! When a user is deleted ([`Blocklist::forget`]) their record goes — id, reason, admin — but an
//! admin block still in force stays as a *pseudonymous ban*: a keyed hash of the id (SipHash-2-4
//! with a 128-bit tag, under a key derived from the sentinel's vault subkey) and the block's end,
//! in the `banned_ids` tree. Deleting one's data must not lift a ban, and the ban must not keep
//! the id: with the key in the vault, the hash cannot be turned back into an id.

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

/// An admin block that outlived the deletion of its user: no id, no reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PseudonymousBan {
    /// When it ends (Unix ms); `None` for never.
    pub until_ms: Option<u64>,
}

impl Record for PseudonymousBan {
    const TREE: &'static str = "banned_ids";
    const VERSION: u8 = 1;
}

impl PseudonymousBan {
    fn holds_at(self, now_ms: u64) -> bool {
        self.until_ms.is_none_or(|until| now_ms < until)
    }
}

/// The keyed hash a pseudonymous ban is stored under.
type BanId = [u8; 16];

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
    bans: TypedTree<PseudonymousBan>,
    ban_cache: RwLock<HashMap<BanId, PseudonymousBan>>,
    ban_key: (u64, u64),
}

impl std::fmt::Debug for Blocklist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Blocklist").finish_non_exhaustive()
    }
}

fn key(user: i64) -> [u8; 8] {
    user.to_be_bytes()
}

/// The `SipHash` key of pseudonymous bans: the first 128 bits of HMAC-SHA256 of a label under the
/// sentinel's key.
fn ban_key(sentinel_key: &[u8; 32]) -> (u64, u64) {
    let tag = ring::hmac::sign(&ring::hmac::Key::new(ring::hmac::HMAC_SHA256, sentinel_key), b"arcana/banned-id/v1");
    let bytes = tag.as_ref();
    let half = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or([0; 8]));
    (half(0), half(8))
}

impl Blocklist {
    /// Loads the blocklist from `store`; `sentinel_key` (the sentinel's vault subkey) keys the
    /// hashes of pseudonymous bans.
    pub fn load(store: &Store, sentinel_key: &[u8; 32]) -> Result<Blocklist, StoreError> {
        let tree = store.tree::<BlockRecord>()?;
        let mut cache = HashMap::new();
        for entry in tree.iter_at(std::time::SystemTime::now()) {
            let (k, record) = entry?;
            if let Ok(bytes) = <[u8; 8]>::try_from(k.as_slice()) {
                cache.insert(i64::from_be_bytes(bytes), record);
            }
        }
        let bans = store.tree::<PseudonymousBan>()?;
        let mut ban_cache = HashMap::new();
        for entry in bans.iter_at(std::time::SystemTime::now()) {
            let (k, ban) = entry?;
            if let Ok(id) = BanId::try_from(k.as_slice()) {
                ban_cache.insert(id, ban);
            }
        }
        Ok(Blocklist {
            tree,
            cache: RwLock::new(cache),
            bans,
            ban_cache: RwLock::new(ban_cache),
            ban_key: ban_key(sentinel_key),
        })
    }

    fn ban_id(&self, user: i64) -> BanId {
        use core::hash::Hasher as _;
        let mut hasher = siphasher::sip128::SipHasher24::new_with_keys(self.ban_key.0, self.ban_key.1);
        hasher.write(&user.to_be_bytes());
        siphasher::sip128::Hasher128::finish128(&hasher).as_bytes()
    }

    /// Whether a pseudonymous ban holds `user` at `now_ms`.
    fn banned(&self, user: i64, now_ms: u64) -> bool {
        let bans = self.ban_cache.read().unwrap_or_else(PoisonError::into_inner);
        !bans.is_empty() && bans.get(&self.ban_id(user)).is_some_and(|ban| ban.holds_at(now_ms))
    }

    /// Forgets `user` (their deletion): the record goes; an admin block in force at `now_ms`
    /// stays as a pseudonymous ban. Returns whether one was kept.
    pub fn forget(&self, user: i64, now_ms: u64) -> Result<bool, StoreError> {
        let mut cache = self.cache.write().unwrap_or_else(PoisonError::into_inner);
        let kept =
            cache.get(&user).and_then(|r| r.admin_block_at(now_ms)).map(|b| PseudonymousBan { until_ms: b.until_ms });
        if let Some(ban) = kept {
            let id = self.ban_id(user);
            self.bans.insert(&id, &ban)?;
            self.ban_cache.write().unwrap_or_else(PoisonError::into_inner).insert(id, ban);
        }
        self.tree.remove(&key(user))?;
        cache.remove(&user);
        Ok(kept.is_some())
    }

    /// Pseudonymous bans in force at `now_ms` (deleted users who stay blocked).
    #[must_use]
    pub fn pseudonymous_bans(&self, now_ms: u64) -> usize {
        self.ban_cache.read().unwrap_or_else(PoisonError::into_inner).values().filter(|b| b.holds_at(now_ms)).count()
    }

    /// Whether `user` is blocked at `now_ms`.
    #[must_use]
    pub fn is_blocked(&self, user: i64, now_ms: u64) -> bool {
        self.cache.read().unwrap_or_else(PoisonError::into_inner).get(&user).is_some_and(|r| r.blocks_at(now_ms))
            || self.banned(user, now_ms)
    }

    /// Whether an admin blocked `user` (or a pseudonymous ban holds their id) at `now_ms`; unlike
    /// [`Blocklist::is_blocked`], a user who merely blocked the bot is not refused (the web side
    /// does not need the chat).
    #[must_use]
    pub fn is_banned(&self, user: i64, now_ms: u64) -> bool {
        self.get(user).is_some_and(|r| r.admin_block_at(now_ms).is_some()) || self.banned(user, now_ms)
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

    /// Lifts an admin block (or the pseudonymous ban a deleted user left); returns whether there
    /// was one.
    pub fn unblock(&self, user: i64) -> Result<bool, StoreError> {
        let mut had = false;
        self.update(user, |r| had = r.admin.take().is_some())?;
        let id = self.ban_id(user);
        if self.ban_cache.write().unwrap_or_else(PoisonError::into_inner).remove(&id).is_some() {
            self.bans.remove(&id)?;
            had = true;
        }
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
        let ended_bans: Vec<BanId> = {
            let mut bans = self.ban_cache.write().unwrap_or_else(PoisonError::into_inner);
            let ended: Vec<BanId> = bans.iter().filter(|(_, b)| !b.holds_at(now_ms)).map(|(id, _)| *id).collect();
            for id in &ended {
                bans.remove(id);
            }
            ended
        };
        for id in &ended_bans {
            self.bans.remove(id)?;
        }
        Ok(ended.len() + ended_bans.len())
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
        let tmp = crate::layout::private_tempdir();
        let store = Store::open_temporary(tmp.path()).expect("open");
        let list = Blocklist::load(&store, &[1; 32]).expect("load");
        list.block(1, Some(2_000), Some("spam\u{202e}ming"), Some(9), 1_000).expect("block");
        list.block(2, None, None, None, 1_000).expect("block");
        assert!(list.is_blocked(1, 1_999) && !list.is_blocked(1, 2_000));
        assert_eq!(list.get(1).and_then(|r| r.admin).and_then(|a| a.reason).as_deref(), Some("spamming"));
        let reloaded = Blocklist::load(&store, &[1; 32]).expect("reload");
        assert!(reloaded.is_blocked(2, u64::MAX - 1));
        assert_eq!(reloaded.sweep(2_000).expect("sweep"), 1);
        assert!(reloaded.get(1).is_none());
        assert!(reloaded.unblock(2).expect("unblock"));
        assert!(!reloaded.unblock(2).expect("unblock"));
        assert!(Blocklist::load(&store, &[1; 32]).expect("reload").list().is_empty());
    }

    #[test]
    fn blocking_the_bot_is_cleared_on_return_without_touching_an_admin_block() {
        let tmp = crate::layout::private_tempdir();
        let store = Store::open_temporary(tmp.path()).expect("open");
        let list = Blocklist::load(&store, &[1; 32]).expect("load");
        assert!(list.set_blocked_bot(5, true, 10).expect("set"));
        assert!(!list.set_blocked_bot(5, true, 11).expect("set"), "no change");
        assert!(list.is_blocked(5, 12));
        list.block(5, None, None, None, 13).expect("block");
        assert!(list.set_blocked_bot(5, false, 14).expect("clear"));
        assert!(list.is_blocked(5, 15), "the admin block stays");
        list.unblock(5).expect("unblock");
        assert!(!list.is_blocked(5, 16));
    }

    #[test]
    fn a_deleted_user_stays_banned_without_their_id_or_reason_being_kept() {
        let tmp = crate::layout::private_tempdir();
        let store = Store::open_temporary(tmp.path()).expect("open");
        let list = Blocklist::load(&store, &[1; 32]).expect("load");
        list.block(7, Some(5_000), Some("abuse"), Some(9), 1_000).expect("block");
        list.set_blocked_bot(8, true, 1_000).expect("set");
        assert!(list.forget(7, 2_000).expect("forget"), "the admin block is kept");
        assert!(!list.forget(8, 2_000).expect("forget"), "blocking the bot is not a ban");
        assert!(list.get(7).is_none() && list.get(8).is_none(), "both records are gone");
        let reloaded = Blocklist::load(&store, &[1; 32]).expect("reload");
        assert!(reloaded.is_blocked(7, 4_999), "the ban survives a restart");
        assert!(!reloaded.is_blocked(8, 4_999));
        assert_eq!(reloaded.pseudonymous_bans(3_000), 1);
        assert!(!Blocklist::load(&store, &[2; 32]).expect("other key").is_blocked(7, 3_000), "keyed");
        for tree in store.tree_names() {
            for (key, value) in store.raw_entries(&tree) {
                for needle in [7i64.to_be_bytes().as_slice(), b"abuse".as_slice()] {
                    assert!(!key.windows(needle.len()).any(|w| w == needle), "{tree}: key holds {needle:?}");
                    assert!(!value.windows(needle.len()).any(|w| w == needle), "{tree}: value holds {needle:?}");
                }
            }
        }
        assert_eq!(reloaded.sweep(5_000).expect("sweep"), 1, "the ban ends with the block");
        assert!(!reloaded.is_blocked(7, 5_000));
        list.block(9, None, None, None, 1_000).expect("block");
        list.forget(9, 1_000).expect("forget");
        assert!(list.unblock(9).expect("unblock"), "an admin can lift it by the id they know");
        assert!(!list.is_blocked(9, 2_000));
    }
}
