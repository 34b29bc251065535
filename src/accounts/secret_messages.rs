//! Messages in a user's chat that show an account secret — the two-factor key and its QR code,
//! the backup codes, an export — and when the bot must delete them. Someone who later holds the
//! user's Telegram session must not be able to scroll up and read them.
//!
//! Persisted (`secret_messages` tree, key `[chat i64 BE][message id i32 BE]`), so a restart
//! still deletes what was due; the bot's deleter reads [`SecretMessages::due`] and calls
//! `deleteMessage`. Entries live minutes; a deletion of the user makes theirs due at once.
//!
//! A message is scheduled (flushed) **before** it is sent, as a reservation without a message id
//! (key `[chat][0][boot id u32][sequence u32]`), and the id filled in once Telegram answers
//! ([`SecretMessages::sent`]). A reservation never filled in — the process was killed during the
//! send, or Telegram's answer was lost — is an [`Orphan`]: the message may be in the chat and
//! its id is unknown, so the user is told to delete it themselves, and the entry goes.

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
    /// For a reservation (a message being sent, its id not known yet): when it was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sending_since_ms: Option<u64>,
    /// A reservation whose send ended without an id (the message may be in the chat).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub lost: bool,
}

/// A secret message about to be sent: its entry in the schedule, without a message id yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    key: [u8; 20],
    kind: SecretKind,
    due_ms: u64,
}

/// A reservation never filled in: a message showing a secret of `kind` may be in `chat`, and
/// arcana cannot delete it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Orphan {
    /// The chat.
    pub chat: i64,
    /// What the message shows.
    pub kind: SecretKind,
    key: Vec<u8>,
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
    /// This process's id in reservation keys: one left by another process is an orphan at once.
    boot: u32,
    /// Numbers this process's reservations.
    sequence: std::sync::Arc<std::sync::atomic::AtomicU32>,
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

/// The message a key names; `None` for a reservation (or garbage).
fn parse_key(key: &[u8]) -> Option<MessageRef> {
    if key.len() != 12 {
        return None;
    }
    let chat = i64::from_be_bytes(key.get(..8)?.try_into().ok()?);
    let message = i32::from_be_bytes(key.get(8..12)?.try_into().ok()?);
    Some((chat, message))
}

/// The chat and boot id of a reservation's key.
fn parse_reservation(key: &[u8]) -> Option<(i64, u32)> {
    if key.len() != 20 {
        return None;
    }
    let chat = i64::from_be_bytes(key.get(..8)?.try_into().ok()?);
    let boot = u32::from_be_bytes(key.get(12..16)?.try_into().ok()?);
    Some((chat, boot))
}

impl SecretMessages {
    /// The schedule in `store`.
    pub fn new(store: &Store) -> Result<SecretMessages, StoreError> {
        let mut boot = [0u8; 4];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut boot)
            .map_err(|_| StoreError::Task(String::from("the system random generator failed")))?;
        Ok(SecretMessages { tree: store.tree()?, boot: u32::from_be_bytes(boot), sequence: std::sync::Arc::default() })
    }

    /// Schedules `message` for deletion at `due_ms`.
    pub fn schedule(&self, message: MessageRef, kind: SecretKind, due_ms: u64) -> Result<(), StoreError> {
        self.tree.insert(&key(message), &SecretMessage { due_ms, kind, sending_since_ms: None, lost: false })
    }

    /// Reserves the entry of a message showing a secret of `kind`, about to be sent to `chat`,
    /// to be deleted at `due_ms`. Make it durable before sending; then [`SecretMessages::sent`]
    /// or [`SecretMessages::not_sent`] or [`SecretMessages::lost`].
    pub fn reserve(&self, chat: i64, kind: SecretKind, due_ms: u64, now_ms: u64) -> Result<Reservation, StoreError> {
        let sequence = self.sequence.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut key = [0u8; 20];
        key[..8].copy_from_slice(&chat.to_be_bytes());
        key[12..16].copy_from_slice(&self.boot.to_be_bytes());
        key[16..].copy_from_slice(&sequence.to_be_bytes());
        let entry = SecretMessage { due_ms, kind, sending_since_ms: Some(now_ms), lost: false };
        self.tree.insert(&key, &entry)?;
        Ok(Reservation { key, kind, due_ms })
    }

    /// The reserved message was sent as `message`: its entry gets the id (and keeps its time,
    /// which a deletion of the user or a confirmed enrolment may have brought forward).
    pub fn sent(&self, reservation: &Reservation, message: i32) -> Result<(), StoreError> {
        let (due_ms, kind) = match self.tree.get(&reservation.key)? {
            Some(entry) => (entry.due_ms, entry.kind),
            // Reported as lost meanwhile (it took longer than a handler may run): delete it now.
            None => (0, reservation.kind),
        };
        let chat = i64::from_be_bytes(reservation.key[..8].try_into().unwrap_or_default());
        let entry = SecretMessage { due_ms: due_ms.min(reservation.due_ms), kind, sending_since_ms: None, lost: false };
        self.tree.apply(&[(key((chat, message)).to_vec(), entry)], &[reservation.key.to_vec()])
    }

    /// The reserved message was certainly not sent: the reservation goes.
    pub fn not_sent(&self, reservation: &Reservation) -> Result<(), StoreError> {
        self.tree.remove(&reservation.key).map(|_| ())
    }

    /// The send ended without an id, but the message may have been delivered: the reservation
    /// becomes an [`Orphan`] at once.
    pub fn lost(&self, reservation: &Reservation) -> Result<(), StoreError> {
        match self.tree.get(&reservation.key)? {
            Some(entry) => self.tree.insert(&reservation.key, &SecretMessage { lost: true, ..entry }),
            None => Ok(()),
        }
    }

    /// Reservations never filled in, at most `max`: left by another process (killed during a
    /// send), reported lost, or older than `stale_after_ms` (no send runs that long).
    pub fn orphans(&self, now_ms: u64, stale_after_ms: u64, max: usize) -> Result<Vec<Orphan>, StoreError> {
        let mut orphans = Vec::new();
        for entry in self.tree.iter_at(std::time::UNIX_EPOCH) {
            let (raw, message) = entry?;
            let (Some(since), Some((chat, boot))) = (message.sending_since_ms, parse_reservation(&raw)) else {
                continue;
            };
            if boot != self.boot || message.lost || now_ms.saturating_sub(since) > stale_after_ms {
                orphans.push(Orphan { chat, kind: message.kind, key: raw });
                if orphans.len() >= max {
                    break;
                }
            }
        }
        Ok(orphans)
    }

    /// Forgets an orphan (its user was told).
    pub fn forget_orphan(&self, orphan: &Orphan) -> Result<(), StoreError> {
        self.tree.remove(&orphan.key).map(|_| ())
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
            // A reservation has no message to delete yet (see `orphans`).
            if message.due_ms <= now_ms
                && message.sending_since_ms.is_none()
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

    #[test]
    fn a_reservation_is_filled_in_dropped_or_becomes_an_orphan() {
        let tmp = crate::layout::private_tempdir();
        let store = Store::open_temporary(tmp.path()).expect("open");
        let messages = SecretMessages::new(&store).expect("tree");
        let sent = messages.reserve(5, SecretKind::TwoFactorKey, 1_000, 0).expect("reserve");
        let never = messages.reserve(5, SecretKind::Export, 1_000, 0).expect("reserve");
        let unsure = messages.reserve(6, SecretKind::BackupCodes, 1_000, 0).expect("reserve");
        assert_eq!(messages.due(5_000, 10).expect("due"), [], "a reservation has no message to delete yet");
        assert_eq!(messages.orphans(10, 60_000, 10).expect("orphans"), [], "sends in flight are not orphans");
        // The user is deleted while the key is being sent: it is due at once when it arrives.
        assert_eq!(messages.expedite(5, None, 7).expect("expedite"), 2);
        messages.sent(&sent, 42).expect("sent");
        messages.not_sent(&never).expect("not sent");
        messages.lost(&unsure).expect("lost");
        assert_eq!(messages.due(7, 10).expect("due"), [((5, 42), 7)]);
        let orphans = messages.orphans(10, 60_000, 10).expect("orphans");
        assert_eq!(orphans.iter().map(|o| (o.chat, o.kind)).collect::<Vec<_>>(), [(6, SecretKind::BackupCodes)]);
        messages.forget_orphan(&orphans[0]).expect("forget");
        assert_eq!(messages.len(), 1);
        // Another process's reservation (this one was killed during its send) is an orphan at
        // once; one of this process only once no send can still be running.
        let killed = messages.reserve(8, SecretKind::Export, 1_000, 0).expect("reserve");
        let restarted = SecretMessages::new(&store).expect("tree");
        assert_eq!(restarted.orphans(1, 60_000, 10).expect("orphans").len(), 1);
        assert_eq!(messages.orphans(1, 60_000, 10).expect("orphans").len(), 0);
        assert_eq!(messages.orphans(60_001, 60_000, 10).expect("orphans").len(), 1);
        messages.sent(&killed, 9).expect("sent");
    }
}
