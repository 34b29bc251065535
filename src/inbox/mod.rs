//! The inbox: every update the sentinel lets through is *staged* here (in memory) and handed to
//! its lane at once; before the next `getUpdates` tells Telegram it may forget the batch, each of
//! its updates is either finished (its effects flushed) or written here (sealed, in one synced
//! batch of the inbox's log, `db/inbox.log` — see `log.rs` — together with the next offset).
//! Written entries are removed when their handling finishes; unfinished ones are handled again
//! on the next start. So nothing acknowledged to
//! Telegram is lost: at most an update in flight at the moment of a kill is handled twice.
//!
//! Why staging (issue 27, SD cards): Telegram keeps an update until its offset is confirmed, so
//! an update that finishes before the next poll needs no copy of ours at all. Writing every
//! update and its removal, each flushed, cost two sled flushes — each at least a 4 KiB page,
//! whatever it carries — per update: 16.2 MiB per 1,000 ordinary updates on a quiet bot. Now a
//! quiet bot writes only what its handlers change (one flush per poll, none when nothing
//! changed), and a busy one still writes one flushed batch per `getUpdates` answer. On an idle
//! bot the polling loop waits a little for a batch to finish (`bot.write_unfinished_after`)
//! before writing what is left of it. A finished staged update's offset is confirmed by the next poll; a kill between
//! its end and that poll makes Telegram send it again, and it runs again — as an update in
//! flight at a kill always could. A clean stop writes the position (`Inbox::save_position`),
//! so nothing finished runs again after it. A payment is credited once whatever runs twice (the
//! ledger keeps each charge id, flushed).
//!
//! Staged updates are kept as the JSON Telegram sent and written as they are (no decode, no
//! re-encode on the polling loop's path; a lane decodes its update when it runs it). A write
//! flushes the store only when a staged update finished unwritten since the last one (what its
//! handler changed must be durable before its offset is confirmed); under a flood the handlers
//! lag far behind the polling, and a batch's write is then the log's one synced append.
//!
//! Updates carry names and message texts, so they are sealed with the inbox's service key
//! ([`ServiceSealer`]), bound to the tree name `inbox` and the key `"u" ‖ update id (BE)` they had
//! when they lived in a sled tree; nothing of them is on disk in the clear. A user's deletion
//! removes their updates still waiting here and rewrites the log without them
//! (`Inbox::forget_user`): the service key outlives any user, so these would otherwise stay
//! readable to whoever holds the master key.
//!
//! Until issue 27 the inbox was the sled tree `inbox` (`"\0position"` → the position, `"u" ‖ id` →
//! a sealed update). Opening the inbox moves whatever that tree still holds into the log, once.
//!
//! Written by the bot's polling loop and lanes; below `control`, so that a deletion (from the
//! bot, the control socket or the offline command line) reaches it too.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicBool, Ordering},
    },
};

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use teloxide::types::Update;
use zeroize::Zeroizing;

use crate::{
    store::{Record, Store, StoreError, TypedTree},
    vault::{ServiceSealer, Vault, VaultError},
};

mod log;

pub use log::LogError;
use log::{Entry, InboxLog};

/// The log's file name, inside the data store's directory (`db/`): moved, restored and removed
/// with it.
const LOG_FILE: &str = "inbox.log";

/// One record of the inbox's former sled tree (read once, to move it into the log).
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
    /// The log failed.
    #[error(transparent)]
    Log(#[from] LogError),
}

/// An admitted update not written to disk: Telegram still holds it (its offset is unconfirmed).
/// Kept as the JSON Telegram sent (a few hundred bytes; a decoded `Update` is about 2 KiB plus
/// its strings), written as it is and decoded only when its lane runs it: the polling loop, which
/// every normal user's update waits behind during a flood, neither re-encodes nor keeps it.
struct Staged {
    json: Zeroizing<Box<str>>,
    /// Being written, because the next poll is due and it has not finished.
    writing: bool,
}

/// Where a finished update was when its lane finished it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Finish {
    /// Staged and never written: nothing to remove (its effects go with the next poll's flush).
    Unwritten,
    /// On disk: its entry must be removed.
    Written,
    /// Being written right now: ask again once [`Inbox::changed`] fires.
    Writing,
}

/// The inbox's log, its sealer, and the staged updates.
pub(crate) struct Inbox {
    log: InboxLog,
    sealer: ServiceSealer,
    store: Store,
    staged: Mutex<HashMap<i64, Staged>>,
    /// Whether a staged update finished (never written) since the last write of staged updates:
    /// what its handler changed must be flushed before the next poll confirms its offset. Set and
    /// taken under `staged`'s lock. While it is false — a flood, whose handlers lag far behind the
    /// polling — a write needs no flush of the store, only the log's own sync.
    finished_unflushed: AtomicBool,
    /// Held while staged updates are written, and by `forget_user`: a deletion sees each of its
    /// user's updates either staged or on disk, never between.
    writing: Mutex<()>,
    /// Fires when a staged update finishes or a write of staged updates ends.
    changed: tokio::sync::Notify,
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
        let inbox = Inbox {
            log: InboxLog::open(&store.path().join(LOG_FILE))?,
            sealer: ServiceSealer::new(vault, "inbox/v1")?,
            store: store.clone(),
            staged: Mutex::default(),
            finished_unflushed: AtomicBool::new(false),
            writing: Mutex::new(()),
            changed: tokio::sync::Notify::new(),
        };
        inbox.move_from_tree()?;
        Ok(inbox)
    }

    /// Moves what the inbox's former sled tree holds (and the first design's position) into the
    /// log, synced before the tree is emptied: a kill in between moves it again, harmlessly.
    fn move_from_tree(&self) -> Result<(), InboxError> {
        let tree: TypedTree<InboxRecord> = self.store.tree()?;
        let mut sealed = Vec::new();
        let mut position = None;
        let mut keys = Vec::new();
        for entry in tree.iter_at(std::time::SystemTime::now()) {
            let (key, record) = entry?;
            match (record, update_id(&key)) {
                (InboxRecord::Update(bytes), Some(id)) => sealed.push((id, bytes)),
                (InboxRecord::Position(next), _) => position = Some(next),
                _ => {}
            }
            keys.push(key);
        }
        if self.log.position().is_none() && position.is_none() {
            let legacy: TypedTree<LegacyPosition> = self.store.tree()?;
            position = legacy.get(LEGACY_POSITION_KEY)?.map(|p| p.next_offset);
        }
        if keys.is_empty() && position.is_none() {
            return Ok(());
        }
        let mut entries: Vec<Entry<'_>> = sealed.iter().map(|(id, bytes)| Entry::Update(*id, bytes)).collect();
        if self.log.position().is_none() {
            entries.extend(position.map(Entry::Position));
        }
        self.log.append(&entries, true)?;
        if !keys.is_empty() {
            tree.apply(&[], &keys)?;
            self.store.flush_blocking()?;
            tracing::info!(updates = sealed.len(), "moved the inbox from its sled tree into its log");
        }
        Ok(())
    }

    fn staged(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Staged>> {
        self.staged.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Keeps admitted `updates` in memory for their lanes (call before queueing them). Each must
    /// be finished or written ([`Inbox::write_staged_blocking`]) before its offset is confirmed.
    /// Each is `(update id, the update's JSON as Telegram sent it)`.
    pub(crate) fn stage(&self, updates: Vec<(i64, Box<RawValue>)>) {
        let mut staged = self.staged();
        for (id, json) in updates {
            staged.insert(id, Staged { json: Zeroizing::new(json.into()), writing: false });
        }
    }

    /// Staged updates not finished yet (being written or not).
    pub(crate) fn unfinished_staged(&self) -> usize {
        self.staged().len()
    }

    /// Resolves when a staged update finishes or a write of them ends. Create it, then check.
    pub(crate) fn changed(&self) -> tokio::sync::futures::Notified<'_> {
        self.changed.notified()
    }

    /// Update `id` finished: whether its inbox entry has to be removed (see [`Finish`]).
    pub(crate) fn finish(&self, id: i64) -> Finish {
        let mut staged = self.staged();
        match staged.get(&id) {
            Some(Staged { writing: false, .. }) => {
                staged.remove(&id);
                self.finished_unflushed.store(true, Ordering::Relaxed);
                drop(staged);
                self.changed.notify_waiters();
                Finish::Unwritten
            }
            Some(Staged { writing: true, .. }) => Finish::Writing,
            None => Finish::Written,
        }
    }

    /// Writes the staged updates not finished yet and `next_offset` as one batch, after flushing
    /// the store if a staged update finished since the last write (what its handler changed), so
    /// every update below `next_offset` is finished durably or on disk. Returns how many were
    /// written. On failure they stay staged (retry). Blocking: call from a blocking thread, or
    /// from the polling loop's thread, which has nothing else to run meanwhile.
    pub(crate) fn write_staged_blocking(&self, next_offset: i64) -> Result<usize, InboxError> {
        let _writing = self.writing.lock().unwrap_or_else(PoisonError::into_inner);
        let mut jsons = Vec::new();
        let flush = {
            let mut staged = self.staged();
            for (&id, entry) in staged.iter_mut() {
                jsons.push((id, Zeroizing::new(entry.json.as_bytes().to_vec())));
                entry.writing = true;
            }
            // From here on, a staged update's lane finds it being written (`Finish::Writing`), so
            // whatever finished unwritten did so before this point.
            self.finished_unflushed.swap(false, Ordering::Relaxed)
        };
        let ids: Vec<i64> = jsons.iter().map(|(id, _)| *id).collect();
        let result = self.write(jsons, next_offset, flush);
        {
            let mut staged = self.staged();
            for id in &ids {
                if result.is_ok() {
                    staged.remove(id);
                } else if let Some(entry) = staged.get_mut(id) {
                    entry.writing = false;
                }
            }
            if result.is_err() && flush {
                self.finished_unflushed.store(true, Ordering::Relaxed);
            }
        }
        self.changed.notify_waiters();
        result.map(|()| ids.len())
    }

    /// Flushes the store first when `flush` (what the finished updates changed is durable before
    /// the position that lets Telegram forget them), then appends the updates and the position.
    fn write(&self, jsons: Vec<(i64, Zeroizing<Vec<u8>>)>, next_offset: i64, flush: bool) -> Result<(), InboxError> {
        let mut sealed = Vec::with_capacity(jsons.len());
        for (id, json) in jsons {
            sealed.push((id, self.sealer.seal(InboxRecord::TREE, &update_key(id), &json)?));
        }
        if flush {
            self.store.flush_blocking()?;
        }
        if !sealed.is_empty() {
            let mut entries: Vec<Entry<'_>> = sealed.iter().map(|(id, bytes)| Entry::Update(*id, bytes)).collect();
            entries.push(Entry::Position(next_offset));
            self.log.append(&entries, true)?;
        }
        Ok(())
    }

    /// Writes the position alone, flushed: on a clean stop, so that the finished updates Telegram
    /// was not yet told to forget are skipped, not run again, when it sends them after the start.
    /// Call once nothing is staged any more. Blocking (see [`Inbox::write_staged_blocking`]).
    pub(crate) fn save_position_blocking(&self, next_offset: i64) -> Result<(), InboxError> {
        self.store.flush_blocking()?;
        self.log.append(&[Entry::Position(next_offset)], true)?;
        Ok(())
    }

    /// The next update id to ask Telegram for (0 if the bot never polled).
    pub(crate) fn position(&self) -> i64 {
        self.log.position().unwrap_or(0)
    }

    /// Ids of the unfinished updates, oldest first.
    pub(crate) fn pending(&self) -> Vec<i64> {
        self.log.ids()
    }

    /// The update stored under `id`; `None` if it is gone or can no longer be read (logged).
    pub(crate) fn load(&self, id: i64) -> Option<Update> {
        let staged = self.staged().get(&id).map(|entry| Zeroizing::new(entry.json.as_bytes().to_vec()));
        if let Some(json) = staged {
            // As Telegram sent it, read for the first time: an update teloxide cannot read is
            // skipped, as the polling loop skipped it when it decoded there.
            return serde_json::from_slice(&json)
                .inspect_err(
                    |e| tracing::warn!(update_id = id, error = %e, "skipping an update that could not be parsed"),
                )
                .ok();
        }
        let key = update_key(id);
        let sealed = match self.log.read(id) {
            Ok(Some(sealed)) => sealed,
            Ok(None) => return None,
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
        decode(id, &json)
    }

    /// Removes the updates of `user` waiting here — sent by them, or in their private chat —
    /// except `handling` (the update deleting them: its lane removes it when it is done).
    /// Their lanes then find them gone and finish them. Reads every entry (the inbox holds
    /// little unless the bot is flooded). When any was written, the log is rewritten without
    /// them (synced) so their sealed bytes leave the file. Returns how many were removed.
    pub(crate) fn forget_user(&self, user: i64, handling: Option<i64>) -> Result<usize, InboxError> {
        let _writing = self.writing.lock().unwrap_or_else(PoisonError::into_inner);
        let mut gone = Vec::new();
        for id in self.pending() {
            if Some(id) != handling && self.load(id).is_some_and(|update| concerns(&update, user)) {
                gone.push(id);
            }
        }
        if !gone.is_empty() {
            let removals: Vec<Entry<'_>> = gone.iter().map(|id| Entry::Removal(*id)).collect();
            self.log.append(&removals, true)?;
            self.log.compact()?;
        }
        let mut staged = self.staged();
        let before = staged.len();
        staged.retain(|&id, entry| {
            Some(id) == handling || !decode(id, entry.json.as_bytes()).is_some_and(|update| concerns(&update, user))
        });
        let unwritten = before - staged.len();
        drop(staged);
        if unwritten > 0 {
            self.changed.notify_waiters();
        }
        Ok(gone.len() + unwritten)
    }

    /// Removes finished updates in one batch; with `durable`, flushes it before returning
    /// (otherwise the background flush or the next flushed admission carries it). Blocking: call
    /// off the async runtime.
    pub(crate) fn remove_blocking(&self, ids: &[i64], durable: bool) -> Result<(), InboxError> {
        if durable {
            // What the finished updates changed is durable before their removal is.
            self.store.flush_blocking()?;
        }
        let removals: Vec<Entry<'_>> = ids.iter().map(|id| Entry::Removal(*id)).collect();
        self.log.append(&removals, durable)?;
        Ok(())
    }
}

/// An inbox entry's JSON read as an update; `None` (logged) if it cannot be.
fn decode(id: i64, json: &[u8]) -> Option<Update> {
    match serde_json::from_slice(json) {
        Ok(update) => Some(update),
        Err(e) => {
            tracing::error!(update_id = id, error = %e, "cannot parse an inbox entry");
            None
        }
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

    /// `updates` as the polling loop stages them: by id, as JSON.
    fn raw(updates: &[Update]) -> Vec<(i64, Box<RawValue>)> {
        updates.iter().map(|u| (i64::from(u.id.0), serde_json::value::to_raw_value(u).expect("json"))).collect()
    }

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
        assert_eq!(inbox.position(), 0);
        let (a, b) = (update(10, "a secret question"), update(11, "another"));
        inbox.stage(raw(&[a, b.clone()]));
        assert_eq!(inbox.write_staged_blocking(12).expect("write"), 2);
        assert_eq!(inbox.unfinished_staged(), 0, "written, no longer staged");
        assert_eq!(inbox.position(), 12);
        assert_eq!(inbox.pending(), [10, 11]);
        assert_eq!(inbox.load(11), Some(b));
        inbox.remove_blocking(&[10], true).expect("remove");
        assert_eq!(inbox.pending(), [11]);
        assert_eq!(inbox.load(10), None);
        inbox.save_position_blocking(40).expect("position only");
        assert_eq!(inbox.position(), 40);
        let on_disk = std::fs::read(t.data.path().join(LOG_FILE)).expect("the log");
        assert!(!on_disk.is_empty(), "written to the log in the store's directory");
        assert!(!on_disk.windows(7).any(|w| w == b"another"), "update text on disk in the clear");
        drop(inbox);
        let again = Inbox::open(&t.data, Arc::clone(&t.vault)).expect("reopened");
        assert_eq!((again.pending(), again.position()), (vec![11], 40));
        assert_eq!(again.load(11).map(|u| u.id.0), Some(11));
    }

    #[test]
    fn updates_left_in_the_former_sled_tree_move_into_the_log() {
        let t = temp_vault();
        let sealer = ServiceSealer::new(Arc::clone(&t.vault), "inbox/v1").expect("sealer");
        let waiting = update(30, "written by the previous version");
        let json = serde_json::to_vec(&waiting).expect("json");
        let bytes = sealer.seal(InboxRecord::TREE, &update_key(30), &json).expect("seal");
        let tree = t.data.tree::<InboxRecord>().expect("tree");
        tree.apply(
            &[(update_key(30), InboxRecord::Update(bytes)), (b"\0position".to_vec(), InboxRecord::Position(31))],
            &[],
        )
        .expect("the former layout");
        let inbox = Inbox::open(&t.data, Arc::clone(&t.vault)).expect("inbox");
        assert_eq!(inbox.pending(), [30]);
        assert_eq!(inbox.position(), 31);
        assert_eq!(inbox.load(30), Some(waiting));
        assert_eq!(tree.iter_at(std::time::SystemTime::now()).count(), 0, "the tree is emptied");
        drop(inbox);
        let again = Inbox::open(&t.data, Arc::clone(&t.vault)).expect("inbox");
        assert_eq!((again.pending(), again.position()), (vec![30], 31));
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
        inbox.stage(raw(&updates));
        inbox.write_staged_blocking(13).expect("write");
        let sealed_question = inbox.log.read(11).expect("read").expect("written");
        assert_eq!(inbox.forget_user(5, Some(10)).expect("forget"), 1);
        let on_disk = std::fs::read(t.data.path().join(LOG_FILE)).expect("the log");
        assert!(
            !on_disk.windows(sealed_question.len()).any(|w| w == sealed_question.as_slice()),
            "the deleted user's sealed update left the file"
        );
        assert!(
            inbox.log.read(12).expect("read").is_some_and(|s| on_disk.windows(s.len()).any(|w| w == s.as_slice())),
            "another user's is still there"
        );
        assert_eq!(inbox.pending(), [10, 12]);
        // Staged, not written yet: they go from memory, and the next write leaves them out.
        inbox.stage(raw(&[from(5, 14, "/draw"), from(6, 15, "hers")]));
        assert_eq!(inbox.forget_user(5, None).expect("forget"), 2, "the written /delete_me and the staged /draw");
        assert_eq!(inbox.load(14), None);
        assert_eq!(inbox.finish(14), Finish::Written, "gone: its lane asks for a (harmless) removal");
        inbox.write_staged_blocking(16).expect("write");
        assert_eq!(inbox.pending(), [12, 15]);
    }

    #[test]
    fn a_staged_update_finished_before_the_write_never_reaches_the_disk() {
        let t = temp_vault();
        let inbox = Inbox::open(&t.data, Arc::clone(&t.vault)).expect("inbox");
        inbox.stage(raw(&[update(20, "quick"), update(21, "slow")]));
        assert_eq!(inbox.load(20).map(|u| u.id.0), Some(20), "lanes read it from memory");
        assert_eq!(inbox.finish(20), Finish::Unwritten);
        assert_eq!(inbox.unfinished_staged(), 1);
        assert_eq!(inbox.write_staged_blocking(22).expect("write"), 1, "only the unfinished one is written");
        assert_eq!(inbox.pending(), [21]);
        assert_eq!(inbox.position(), 22, "written with it");
        assert_eq!(inbox.finish(21), Finish::Written, "on disk: its entry must be removed");
        assert_eq!(inbox.write_staged_blocking(23).expect("nothing staged"), 0);
        assert_eq!(inbox.position(), 22, "a flush alone leaves the position");
        // Another process's view (as after a kill): only the written update is there.
        let again = Inbox::open(&t.data, Arc::clone(&t.vault)).expect("inbox");
        assert_eq!(again.pending(), [21]);
        assert_eq!(again.load(20), None);
    }

    #[test]
    fn backups_leave_the_inbox_out() {
        assert!(crate::backup::WORK_IN_PROGRESS.contains(&InboxRecord::TREE));
        let t = temp_vault();
        let inbox = Inbox::open(&t.data, Arc::clone(&t.vault)).expect("inbox");
        inbox.stage(raw(&[update(10, "pending")]));
        inbox.write_staged_blocking(11).expect("write");
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
        assert_eq!(inbox.position(), 77);
    }
}
