//! The inbox's bounds: `bot.inbox_capacity` updates and `bot.inbox_max_bytes` bytes (of the
//! updates' JSON). A flooder shaping updates to tens of kilobytes must not fill the disk, and must
//! not stop everyone else's updates either — so a full inbox refuses the chats that hold most of
//! it, not the polling:
//!
//! - below both bounds every admitted update gets in;
//! - at a bound, an update from a chat holding at least its share of what is waiting (the
//!   average per chat, in the bound that is reached) is refused: dropped, counted, audited;
//!   a chat holding less still gets in;
//! - polling pauses only past an eighth beyond a bound — reached only when many chats each hold
//!   little, an overload of the whole bot — until handling catches up.
//!
//! In memory, per update (its chat and size) and per chat; rebuilt from the inbox at start.

use std::{
    collections::HashMap,
    sync::{Mutex, MutexGuard, PoisonError},
};

/// Whether an update gets into the inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admission {
    /// It gets in (and is counted).
    Admit,
    /// The inbox is full and its chat holds at least its share: dropped.
    Refuse,
}

/// What waits in the inbox, by update and by chat.
pub(crate) struct InboxBound {
    capacity: u64,
    max_bytes: u64,
    held: Mutex<Held>,
}

#[derive(Default)]
struct Held {
    updates: HashMap<i64, (i64, u64)>,
    chats: HashMap<i64, (u64, u64)>,
    bytes: u64,
}

impl Held {
    fn count(&self) -> u64 {
        u64::try_from(self.updates.len()).unwrap_or(u64::MAX)
    }

    fn add(&mut self, id: i64, chat: i64, bytes: u64) {
        if self.updates.insert(id, (chat, bytes)).is_some() {
            return;
        }
        let entry = self.chats.entry(chat).or_default();
        entry.0 += 1;
        entry.1 += bytes;
        self.bytes += bytes;
    }
}

impl InboxBound {
    /// Bounds of `capacity` updates and `max_bytes` bytes.
    pub(crate) fn new(capacity: u64, max_bytes: u64) -> InboxBound {
        InboxBound { capacity, max_bytes, held: Mutex::default() }
    }

    fn held(&self) -> MutexGuard<'_, Held> {
        // Every update of the maps keeps them consistent.
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Decides whether update `id` of `bytes` bytes from `chat` gets in, and counts it if so.
    pub(crate) fn admit(&self, id: i64, chat: i64, bytes: u64) -> Admission {
        let mut held = self.held();
        let (count, total) = (held.count(), held.bytes);
        let full_by_count = count >= self.capacity;
        let full_by_bytes = total.saturating_add(bytes) > self.max_bytes;
        if full_by_count || full_by_bytes {
            let chats = u64::try_from(held.chats.len()).unwrap_or(u64::MAX).max(1);
            let (chat_count, chat_bytes) = held.chats.get(&chat).copied().unwrap_or_default();
            // At or above the average per chat (compared without dividing).
            let heavy = (full_by_count
                && chat_count > 0
                && u128::from(chat_count) * u128::from(chats) >= u128::from(count))
                || (full_by_bytes && chat_bytes > 0 && u128::from(chat_bytes) * u128::from(chats) >= u128::from(total));
            if heavy {
                return Admission::Refuse;
            }
        }
        held.add(id, chat, bytes);
        Admission::Admit
    }

    /// Counts update `id` found in the inbox at start (admitted by an earlier run).
    pub(crate) fn recovered(&self, id: i64, chat: i64, bytes: u64) {
        self.held().add(id, chat, bytes);
    }

    /// Update `id` is finished and out of the inbox.
    pub(crate) fn finish(&self, id: i64) {
        let mut held = self.held();
        let Some((chat, bytes)) = held.updates.remove(&id) else { return };
        held.bytes = held.bytes.saturating_sub(bytes);
        if let Some(entry) = held.chats.get_mut(&chat) {
            entry.0 = entry.0.saturating_sub(1);
            entry.1 = entry.1.saturating_sub(bytes);
            if entry.0 == 0 {
                held.chats.remove(&chat);
            }
        }
    }

    /// Whether polling may fetch more: below both bounds plus an eighth.
    pub(crate) fn has_room(&self) -> bool {
        let held = self.held();
        held.count() < self.capacity.saturating_add(self.capacity / 8)
            && held.bytes < self.max_bytes.saturating_add(self.max_bytes / 8)
    }

    /// Bytes waiting.
    pub(crate) fn bytes(&self) -> u64 {
        self.held().bytes
    }
}

/// The size of `update` as the inbox stores it (its JSON), without keeping the text.
pub(crate) fn json_size(update: &teloxide::types::Update) -> u64 {
    struct Count(u64);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += u64::try_from(buf.len()).unwrap_or(u64::MAX);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing to a counter cannot fail; an update that does not encode is refused by the inbox.
    let _ = serde_json::to_writer(&mut count, update);
    count.0
}

#[cfg(test)]
mod tests {
    use super::{Admission, InboxBound};

    #[test]
    fn a_full_inbox_refuses_the_chats_holding_most_of_it_and_lets_the_others_in() {
        let bound = InboxBound::new(1_000, 100_000);
        // A flooder's 30 kB updates: three fit, the fourth would pass the bound.
        for id in 1..=3 {
            assert_eq!(bound.admit(id, 666, 30_000), Admission::Admit);
        }
        assert_eq!(bound.admit(4, 666, 30_000), Admission::Refuse, "the flooder holds all of it");
        // Another user gets in, past the bound: they hold nothing.
        assert_eq!(bound.admit(5, 7, 20_000), Admission::Admit);
        assert_eq!(bound.bytes(), 110_000);
        assert!(bound.has_room(), "polling goes on up to an eighth beyond the bound");
        // The user holds less than the average (55 kB a chat): in again; the flooder not.
        assert_eq!(bound.admit(6, 7, 1_000), Admission::Admit);
        assert_eq!(bound.admit(7, 666, 100), Admission::Refuse);
        // Many light chats: past an eighth beyond the bound polling pauses.
        assert_eq!(bound.admit(8, 9, 5_000), Admission::Admit);
        assert!(!bound.has_room());
        for id in 1..=3 {
            bound.finish(id);
        }
        assert_eq!(bound.bytes(), 26_000);
        assert_eq!(bound.admit(10, 666, 30_000), Admission::Admit, "room again");
    }

    #[test]
    fn the_count_bound_works_the_same_way() {
        let bound = InboxBound::new(4, u64::MAX);
        for id in 1..=4 {
            assert_eq!(bound.admit(id, 666, 10), Admission::Admit);
        }
        assert_eq!(bound.admit(5, 666, 10), Admission::Refuse);
        assert_eq!(bound.admit(6, 7, 10), Admission::Admit);
        bound.recovered(9, 8, 10);
        bound.finish(9);
        bound.finish(42);
        assert!(!bound.has_room(), "4 + 4/8 = 4: no room past the bound");
    }
}
