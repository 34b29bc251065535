//! The durable inbox: every update the sentinel lets through is written here (sealed, in one
//! flushed batch per `getUpdates` answer, together with the next offset) *before* Telegram is
//! told it may forget it, and removed when its handling finishes. Unfinished entries are handled
//! again on the next start. So polling never waits for handling, and nothing acknowledged to
//! Telegram is lost: at most an update in flight at the moment of a kill is handled twice.
//!
//! ```text
//! inbox tree:  "\0position"         → Position(next offset to ask for)
//!              "u" ‖ update id (BE)  → Update(sealed JSON of the update)
//! ```
//! Updates carry names and message texts, so they are sealed with the inbox's service key
//! ([`ServiceSealer`]), bound to their key; nothing of them is on disk in the clear. A user's
//! deletion removes their updates still waiting here (`Inbox::forget_user`): the service key
//! outlives any user, so these would otherwise stay readable to whoever holds the master key.
//!
//! Written by the bot's polling loop and lanes; below `control`, so that a deletion (from the
//! bot, the control socket or the offline command line) reaches it too.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use teloxide::types::Update;

use crate::{
    store::{Record, Store, StoreError, TypedTree},
    vault::{ServiceSealer, Vault, VaultError},
};

/// One inbox record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) enum InboxRecord {
    /// The next update id to ask Telegram for.
    Position(i64),
    /// An admitted update: its JSON, sealed.
    Update(#[serde(with = "serde_bytes")] Vec<u8>),
}

impl Record for InboxRecord {
    const TREE: &'static str = "inbox";
    const VERSION: u8 = 1;
}

/// Where the first design kept the polling position (read once, for an upgrade).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct LegacyPosition {
    next_offset: i64,
}

impl Record for LegacyPosition {
    const TREE: &'static str = "meta";
    const VERSION: u8 = 1;
}

const POSITION_KEY: &[u8] = b"\0position";
const LEGACY_POSITION_KEY: &[u8] = b"poll_position";
const UPDATE_PREFIX: u8 = b'u';

/// Why the inbox failed.
#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Sealing failed.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// An update could not be written as JSON.
    #[error("cannot encode an update: {0}")]
    Encode(String),
}

/// The inbox tree and its sealer.
pub(crate) struct Inbox {
    tree: TypedTree<InboxRecord>,
    legacy: TypedTree<LegacyPosition>,
    sealer: ServiceSealer,
    store: Store,
}

fn update_key(id: i64) -> Vec<u8> {
    let mut key = Vec::with_capacity(9);
    key.push(UPDATE_PREFIX);
    key.extend_from_slice(&id.to_be_bytes());
    key
}

fn update_id(key: &[u8]) -> Option<i64> {
    let (&prefix, id) = key.split_first()?;
    (prefix == UPDATE_PREFIX).then_some(i64::from_be_bytes(id.try_into().ok()?))
}

impl Inbox {
    /// Opens the inbox of `store`.
    pub(crate) fn open(store: &Store, vault: Arc<Vault>) -> Result<Inbox, InboxError> {
        Ok(Inbox {
            tree: store.tree()?,
            legacy: store.tree()?,
            sealer: ServiceSealer::new(vault, "inbox/v1")?,
            store: store.clone(),
        })
    }

    /// The next update id to ask Telegram for (0 if the bot never polled).
    pub(crate) fn position(&self) -> Result<i64, InboxError> {
        if let Some(InboxRecord::Position(next)) = self.tree.get(POSITION_KEY)? {
            return Ok(next);
        }
        Ok(self.legacy.get(LEGACY_POSITION_KEY)?.map_or(0, |p| p.next_offset))
    }

    /// Ids of the unfinished updates, oldest first.
    pub(crate) fn pending(&self) -> Result<Vec<i64>, InboxError> {
        let keys = self.tree.keys_with_prefix_at(&[UPDATE_PREFIX], std::time::SystemTime::now())?;
        Ok(keys.iter().filter_map(|k| update_id(k)).collect())
    }

    /// Writes `updates` and the new `next_offset` as one batch; with `durable`, flushes it before
    /// returning (do so whenever `updates` is not empty: their offset is confirmed next).
    /// Blocking: call off the async runtime.
    pub(crate) fn admit_blocking(&self, updates: &[Update], next_offset: i64, durable: bool) -> Result<(), InboxError> {
        let mut inserts = Vec::with_capacity(updates.len() + 1);
        for update in updates {
            let key = update_key(i64::from(update.id.0));
            let json =
                zeroize::Zeroizing::new(serde_json::to_vec(update).map_err(|e| InboxError::Encode(e.to_string()))?);
            let sealed = self.sealer.seal(InboxRecord::TREE, &key, &json)?;
            inserts.push((key, InboxRecord::Update(sealed)));
        }
        inserts.push((POSITION_KEY.to_vec(), InboxRecord::Position(next_offset)));
        self.tree.apply(&inserts, &[])?;
        if durable {
            self.store.flush_blocking()?;
        }
        Ok(())
    }

    /// The update stored under `id`; `None` if it is gone or can no longer be read (logged).
    pub(crate) fn load(&self, id: i64) -> Option<Update> {
        let key = update_key(id);
        let sealed = match self.tree.get(&key) {
            Ok(Some(InboxRecord::Update(sealed))) => sealed,
            Ok(_) => return None,
            Err(e) => {
                tracing::error!(update_id = id, error = %e, "cannot read an inbox entry");
                return None;
            }
        };
        let json = match self.sealer.open(InboxRecord::TREE, &key, &sealed) {
            Ok(json) => json,
            Err(e) => {
                tracing::error!(update_id = id, error = %e, "cannot open an inbox entry");
                return None;
            }
        };
        match serde_json::from_slice(&json) {
            Ok(update) => Some(update),
            Err(e) => {
                tracing::error!(update_id = id, error = %e, "cannot parse an inbox entry");
                None
            }
        }
    }

    /// Removes the updates of `user` waiting here — sent by them, or in their private chat —
    /// except `handling` (the update deleting them: its lane removes it when it is done).
    /// Their lanes then find them gone and finish them. Reads every entry (the inbox holds
    /// little unless the bot is flooded). Not flushed: the caller's flush carries it. Returns
    /// how many were removed.
    pub(crate) fn forget_user(&self, user: i64, handling: Option<i64>) -> Result<usize, InboxError> {
        let mut gone = Vec::new();
        for id in self.pending()? {
            if Some(id) != handling && self.load(id).is_some_and(|update| concerns(&update, user)) {
                gone.push(update_key(id));
            }
        }
        self.tree.apply(&[], &gone)?;
        Ok(gone.len())
    }

    /// Removes finished updates in one batch; with `durable`, flushes it before returning
    /// (otherwise the background flush or the next flushed admission carries it). Blocking: call
    /// off the async runtime.
    pub(crate) fn remove_blocking(&self, ids: &[i64], durable: bool) -> Result<(), InboxError> {
        let keys: Vec<Vec<u8>> = ids.iter().map(|&id| update_key(id)).collect();
        self.tree.apply(&[], &keys)?;
        if durable {
            self.store.flush_blocking()?;
        }
        Ok(())
    }
}

/// Whether `update` is `user`'s: sent by them, or in their private chat (whose id is theirs).
fn concerns(update: &Update, user: i64) -> bool {
    update.from().is_some_and(|from| crate::sanitize::user_id(from.id) == user)
        || update.chat().is_some_and(|chat| chat.id.0 == user)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::testing::temp_vault;

    fn update(id: i64, text: &str) -> Update {
        serde_json::from_value(serde_json::json!({
            "update_id": id,
            "message": {"message_id": 1, "date": 0, "text": text,
                "chat": {"id": 5, "type": "private", "first_name": "Ann"},
                "from": {"id": 5, "is_bot": false, "first_name": "Ann"}}
        }))
        .expect("an update")
    }

    #[test]
    fn admitted_updates_come_back_sealed_until_removed() {
        let t = temp_vault();
        let inbox = Inbox::open(&t.data, Arc::clone(&t.vault)).expect("inbox");
        assert_eq!(inbox.position().expect("position"), 0);
        let (a, b) = (update(10, "a secret question"), update(11, "another"));
        inbox.admit_blocking(&[a, b.clone()], 12, true).expect("admit");
        assert_eq!(inbox.position().expect("position"), 12);
        assert_eq!(inbox.pending().expect("pending"), [10, 11]);
        assert_eq!(inbox.load(11), Some(b));
        inbox.remove_blocking(&[10], true).expect("remove");
        assert_eq!(inbox.pending().expect("pending"), [11]);
        assert_eq!(inbox.load(10), None);
        inbox.admit_blocking(&[], 40, false).expect("position only");
        assert_eq!(inbox.position().expect("position"), 40);
        let raw = t.data.tree::<InboxRecord>().expect("tree");
        for entry in raw.iter_at(std::time::SystemTime::now()) {
            let (_, record) = entry.expect("decodes");
            if let InboxRecord::Update(sealed) = record {
                assert!(!sealed.windows(7).any(|w| w == b"another"), "update text on disk in the clear");
            }
        }
    }

    #[test]
    fn a_deleted_user_s_waiting_updates_go_but_the_one_deleting_them_and_others_stay() {
        let t = temp_vault();
        let inbox = Inbox::open(&t.data, Arc::clone(&t.vault)).expect("inbox");
        let from = |user: i64, id: i64, text: &str| -> Update {
            let json = serde_json::json!({
                "update_id": id,
                "message": {"message_id": id, "date": 1_700_000_000, "text": text,
                    "chat": {"id": user, "type": "private", "first_name": "Ann"},
                    "from": {"id": user, "is_bot": false, "first_name": "Ann"}}
            });
            // From text, as `getUpdates` answers are read (teloxide reads a `Value` as an
            // unknown update kind).
            serde_json::from_str(&json.to_string()).expect("an update")
        };
        let updates = [from(5, 10, "/delete_me"), from(5, 11, "a question"), from(6, 12, "mine")];
        assert!(updates.iter().all(|u| u.from().is_some()), "updates teloxide reads as messages");
        inbox.admit_blocking(&updates, 13, true).expect("admit");
        assert_eq!(inbox.forget_user(5, Some(10)).expect("forget"), 1);
        assert_eq!(inbox.pending().expect("pending"), [10, 12]);
    }

    #[test]
    fn backups_leave_the_inbox_out() {
        assert!(crate::backup::WORK_IN_PROGRESS.contains(&InboxRecord::TREE));
        let t = temp_vault();
        let inbox = Inbox::open(&t.data, Arc::clone(&t.vault)).expect("inbox");
        inbox.admit_blocking(&[update(10, "pending")], 11, true).expect("admit");
        let contents = crate::backup::take(&t.data, &t.vault).expect("take");
        assert!(contents.data.trees.iter().all(|(name, _)| name.as_slice() != InboxRecord::TREE.as_bytes()));
        assert!(contents.keys.entry_count() > 0, "the key store is in the backup");
    }

    #[test]
    fn the_first_design_s_position_is_picked_up() {
        let t = temp_vault();
        t.data
            .tree::<LegacyPosition>()
            .expect("tree")
            .insert(LEGACY_POSITION_KEY, &LegacyPosition { next_offset: 77 })
            .expect("insert");
        let inbox = Inbox::open(&t.data, Arc::clone(&t.vault)).expect("inbox");
        assert_eq!(inbox.position().expect("position"), 77);
    }
}
