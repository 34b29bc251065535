//! Messages in a user's chat that show an account secret — the two-factor key and its QR code,
//! the backup codes, an export — and when the bot must delete them. Someone who later holds the
//! user's Telegram session must not be able to scroll up and read them.
//!
//! Persisted (`secret_messages` tree, key `[chat i64 BE][message id i32 BE]`), so a restart
//! still deletes what was due; the bot's deleter reads [`SecretMessages::due`] and calls
//! `deleteMessage`. Entries live minutes; a deletion of the user makes theirs due at once.

use serde::{Deserialize, Serialize};

use crate::store::{Record, Store, StoreError, TypedTree};

/// What a secret message shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SecretKind {
    /// The two-factor key or its QR code (deleted once enrolment is confirmed, too).
    TwoFactorKey,
    /// The backup codes.
    BackupCodes,
    /// An export of the user's data.
    Export,
}

/// A message to delete at `due_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretMessage {
    /// When to delete it (Unix ms).
    pub due_ms: u64,
    /// What it shows.
    pub kind: SecretKind,
}

impl Record for SecretMessage {
    const TREE: &'static str = "secret_messages";
    const VERSION: u8 = 1;
}

/// A message to delete: chat and message id.
pub type MessageRef = (i64, i32);

/// The deletion schedule.
#[derive(Clone)]
pub struct SecretMessages {
    tree: TypedTree<SecretMessage>,
}

impl std::fmt::Debug for SecretMessages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretMessages").finish_non_exhaustive()
    }
}

fn key((chat, message): MessageRef) -> [u8; 12] {
    let mut key = [0; 12];
    key[..8].copy_from_slice(&chat.to_be_bytes());
    key[8..].copy_from_slice(&message.to_be_bytes());
    key
}

fn parse_key(key: &[u8]) -> Option<MessageRef> {
    let chat = i64::from_be_bytes(key.get(..8)?.try_into().ok()?);
    let message = i32::from_be_bytes(key.get(8..12)?.try_into().ok()?);
    Some((chat, message))
}

impl SecretMessages {
    /// The schedule in `store`.
    pub fn new(store: &Store) -> Result<SecretMessages, StoreError> {
        Ok(SecretMessages { tree: store.tree()? })
    }

    /// Schedules `message` for deletion at `due_ms`.
    pub fn schedule(&self, message: MessageRef, kind: SecretKind, due_ms: u64) -> Result<(), StoreError> {
        self.tree.insert(&key(message), &SecretMessage { due_ms, kind })
    }

    /// Makes `chat`'s messages of `kind` (every kind if `None`) due at `now_ms`; returns how
    /// many were due later.
    pub fn expedite(&self, chat: i64, kind: Option<SecretKind>, now_ms: u64) -> Result<usize, StoreError> {
        let mut count = 0;
        for raw in self.tree.keys_with_prefix_at(&chat.to_be_bytes(), std::time::UNIX_EPOCH)? {
            if let Some(entry) = self.tree.get(&raw)?
                && kind.is_none_or(|k| k == entry.kind)
                && entry.due_ms > now_ms
            {
                self.tree.insert(&raw, &SecretMessage { due_ms: now_ms, ..entry })?;
                count += 1;
            }
        }
        Ok(count)
    }

    /// Messages due at `now_ms` with the time each fell due, at most `max`.
    pub fn due(&self, now_ms: u64, max: usize) -> Result<Vec<(MessageRef, u64)>, StoreError> {
        let mut due = Vec::new();
        for entry in self.tree.iter_at(std::time::UNIX_EPOCH) {
            let (raw, message) = entry?;
            if message.due_ms <= now_ms
                && let Some(reference) = parse_key(&raw)
            {
                due.push((reference, message.due_ms));
                if due.len() >= max {
                    break;
                }
            }
        }
        Ok(due)
    }

    /// Forgets `message` (deleted, or past saving).
    pub fn done(&self, message: MessageRef) -> Result<(), StoreError> {
        self.tree.remove(&key(message)).map(|_| ())
    }

    /// Messages scheduled.
    #[must_use]
    pub fn len(&self) -> usize {
        self.tree.raw_len()
    }

    /// Whether nothing is scheduled.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_messages_come_out_and_a_chat_can_be_made_due_at_once() {
        let tmp = crate::layout::private_tempdir();
        let store = Store::open_temporary(tmp.path()).expect("open");
        let messages = SecretMessages::new(&store).expect("tree");
        messages.schedule((5, 10), SecretKind::TwoFactorKey, 1_000).expect("schedule");
        messages.schedule((5, 11), SecretKind::BackupCodes, 2_000).expect("schedule");
        messages.schedule((-7, 3), SecretKind::Export, 2_000).expect("schedule");
        assert_eq!(messages.due(999, 10).expect("due"), []);
        assert_eq!(messages.due(1_000, 10).expect("due"), [((5, 10), 1_000)]);
        assert_eq!(messages.expedite(5, Some(SecretKind::BackupCodes), 1).expect("expedite"), 1);
        assert_eq!(messages.due(1, 10).expect("due"), [((5, 11), 1)], "only the kind asked for");
        messages.done((5, 11)).expect("done");
        assert_eq!(messages.expedite(-7, None, 2).expect("expedite"), 1);
        assert_eq!(messages.due(2, 10).expect("due"), [((-7, 3), 2)]);
        assert_eq!(messages.len(), 2);
    }
}
