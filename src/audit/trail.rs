//! The audit trail: appending entries to the chain, recording how far it reaches, forgetting a
//! deleted user's id, and dropping entries past retention while the rest stays verifiable.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use ring::hmac;

use crate::{
    audit_tap::AuditRecord,
    store::{Store, StoreError, TypedTree},
    vault::Vault,
};

use super::entry::{ChainState, Entry, GENESIS, UserIndex, UserTag, chain_mac};

/// The key of the one [`ChainState`] record.
const CHAIN_KEY: &[u8] = b"chain";
/// Entries a retention sweep drops at most at once.
const SWEEP_BATCH: usize = 10_000;

/// The audit trail over a data store (entries) and a key store (the chain's state).
pub struct AuditTrail {
    pub(super) entries: TypedTree<Entry>,
    index: TypedTree<UserIndex>,
    pub(super) chain: TypedTree<ChainState>,
    data: Store,
    keys: Store,
    pub(super) mac_key: hmac::Key,
    tag_key: hmac::Key,
    /// The last entry's sequence number and MAC.
    last: Mutex<(u64, [u8; 32])>,
}

impl std::fmt::Debug for AuditTrail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditTrail").finish_non_exhaustive()
    }
}

impl AuditTrail {
    /// The trail in `data`, keyed from `vault`, with its chain state in the vault's key store.
    pub fn open(data: &Store, vault: &Arc<Vault>) -> Result<AuditTrail, StoreError> {
        let entries = data.tree::<Entry>()?;
        let keys = vault.keys_store.clone();
        let chain = keys.tree::<ChainState>()?;
        let last = if let Some((_, entry)) = entries.last()? {
            (entry.seq, entry.mac)
        } else {
            let state = chain.get(CHAIN_KEY)?.unwrap_or_default();
            (state.anchor_seq.saturating_sub(1), state.anchor_prev_mac)
        };
        Ok(AuditTrail {
            entries,
            index: data.tree()?,
            chain,
            data: data.clone(),
            keys,
            mac_key: hmac::Key::new(hmac::HMAC_SHA256, vault.subkey("audit/chain/v1").as_slice()),
            tag_key: hmac::Key::new(hmac::HMAC_SHA256, vault.subkey("audit/user-tag/v1").as_slice()),
            last: Mutex::new(last),
        })
    }

    fn last(&self) -> MutexGuard<'_, (u64, [u8; 32])> {
        // Updated only after an entry is stored: consistent at every statement.
        self.last.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The keyed hash of `user` that entries carry.
    #[must_use]
    pub fn user_tag(&self, user: i64) -> UserTag {
        let tag = hmac::sign(&self.tag_key, &user.to_be_bytes());
        let mut out = [0; 16];
        out.copy_from_slice(&tag.as_ref()[..16]);
        out
    }

    /// Appends `records` in order; returns the last sequence number. Not yet durable: see
    /// [`AuditTrail::checkpoint`].
    pub fn append(&self, records: Vec<AuditRecord>) -> Result<u64, StoreError> {
        let mut last = self.last();
        for record in records {
            let (user, fields) = split_user(record.fields);
            let mut entry = Entry {
                seq: last.0 + 1,
                at_ms: record.at_ms,
                event: record.event,
                user_tag: user.map(|u| self.user_tag(u)),
                user,
                fields,
                mac: GENESIS,
            };
            entry.mac = chain_mac(&self.mac_key, &last.1, &entry);
            if let Some(tag) = entry.user_tag {
                self.index.insert(&index_key(&tag, entry.seq), &UserIndex)?;
            }
            self.entries.insert(&entry.seq.to_be_bytes(), &entry)?;
            *last = (entry.seq, entry.mac);
        }
        Ok(last.0)
    }

    /// Makes the entries so far durable, then records the chain's head in the key store: the head
    /// never claims more than the data store holds, and an entry removed from the end of `db/`
    /// afterwards is detected.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        let (seq, mac) = *self.last();
        self.data.flush_blocking()?;
        let mut state = self.chain.get(CHAIN_KEY)?.unwrap_or_default();
        if state.head_seq != seq {
            state.head_seq = seq;
            state.head_mac = mac;
            self.chain.insert(CHAIN_KEY, &state)?;
            self.keys.flush_blocking()?;
        }
        Ok(())
    }

    /// Blanks `user`'s id in every entry about them (their deletion): the entries stay, under the
    /// keyed hash only, and the chain still verifies. Returns how many.
    pub fn forget_user(&self, user: i64) -> Result<usize, StoreError> {
        let tag = self.user_tag(user);
        let mut forgotten = 0;
        for raw in self.index.keys_with_prefix_at(&tag, std::time::UNIX_EPOCH)? {
            if let Some(seq) = raw.get(16..24).and_then(|s| <[u8; 8]>::try_from(s).ok())
                && let Some(mut entry) = self.entries.get(&seq)?
                && entry.user.is_some()
            {
                entry.user = None;
                self.entries.insert(&seq, &entry)?;
                forgotten += 1;
            }
            self.index.remove(&raw)?;
        }
        Ok(forgotten)
    }

    /// Drops entries older than `cutoff_ms` from the front (at most 10,000 at once); the anchor
    /// moves first (in the key store, flushed), so the chain verifies from the first entry kept.
    /// Returns how many were dropped.
    pub fn drop_before(&self, cutoff_ms: u64) -> Result<usize, StoreError> {
        let mut state = self.chain.get(CHAIN_KEY)?.unwrap_or_default();
        let mut dropped = Vec::new();
        let mut prev_mac = state.anchor_prev_mac;
        for item in self.entries.iter_from(&state.anchor_seq.to_be_bytes()) {
            let (_, entry) = item?;
            if entry.at_ms >= cutoff_ms || dropped.len() >= SWEEP_BATCH || entry.seq >= self.last().0 {
                break;
            }
            prev_mac = entry.mac;
            dropped.push(entry);
        }
        let Some(newest) = dropped.last() else { return Ok(0) };
        state.anchor_seq = newest.seq + 1;
        state.anchor_prev_mac = prev_mac;
        self.chain.insert(CHAIN_KEY, &state)?;
        self.keys.flush_blocking()?;
        for entry in &dropped {
            if let Some(tag) = entry.user_tag {
                self.index.remove(&index_key(&tag, entry.seq))?;
            }
            self.entries.remove(&entry.seq.to_be_bytes())?;
        }
        Ok(dropped.len())
    }

    /// After a restore from a backup (authenticated as a whole, so nobody edited it): the key store
    /// was copied after the data store, so its head may name entries written between the two
    /// copies, which the data copy lacks. Re-records the head at the chain's end; returns by how
    /// many entries it moved back.
    pub fn settle_after_restore(&self) -> Result<u64, StoreError> {
        let (seq, mac) = *self.last();
        let mut state = self.chain.get(CHAIN_KEY)?.unwrap_or_default();
        let behind = state.head_seq.saturating_sub(seq);
        if behind > 0 {
            state.head_seq = seq;
            state.head_mac = mac;
            self.chain.insert(CHAIN_KEY, &state)?;
            self.keys.flush_blocking()?;
        }
        Ok(behind)
    }

    /// The chain's state as the key store records it.
    pub fn state(&self) -> Result<ChainState, StoreError> {
        Ok(self.chain.get(CHAIN_KEY)?.unwrap_or_default())
    }
}

fn index_key(tag: &UserTag, seq: u64) -> [u8; 24] {
    let mut key = [0; 24];
    key[..16].copy_from_slice(tag);
    key[16..].copy_from_slice(&seq.to_be_bytes());
    key
}

/// Takes the user an event concerns out of its fields: `user` (or `owner`), else a private
/// `chat` (whose id is the user's).
fn split_user(fields: Vec<(String, String)>) -> (Option<i64>, Vec<(String, String)>) {
    let mut user = None;
    let mut chat = None;
    let mut rest = Vec::with_capacity(fields.len());
    for (name, value) in fields {
        match (name.as_str(), value.parse::<i64>()) {
            ("user" | "owner", Ok(id)) if user.is_none() => user = Some(id),
            ("chat", Ok(id)) if id > 0 => chat = Some(id),
            _ => rest.push((name, value)),
        }
    }
    (user.or(chat), rest)
}
