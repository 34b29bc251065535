//! The audit trail: appending entries to the chain, recording how far it reaches, forgetting a
//! deleted user's id, and dropping entries past retention while the rest stays verifiable.
//!
//! The recorded head only ever moves forward, and only after the entry it names is checked to
//! still be there with its MAC: a trail cut short in `db/` stays detectably short whatever runs
//! next. Retention drops only entries it has checked link by link.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
};

use ring::hmac;

use crate::{
    audit_tap::AuditRecord,
    store::{Store, StoreError, TypedTree},
    vault::Vault,
};

use super::entry::{ChainState, Entry, GENESIS, UserIndex, UserTag, chain_mac, state_mac};

/// The key of the one [`ChainState`] record.
const CHAIN_KEY: &[u8] = b"chain";
/// Entries one retention batch drops at most.
const SWEEP_BATCH: usize = 10_000;
/// Users whose ids are blanked in entries appended after their deletion, at most (events of a
/// deletion may still wait in the tap's queue when it happens).
const FORGOTTEN_MAX: usize = 10_000;

/// Why the chain state cannot be trusted or moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainProblem {
    /// The key store's record of the chain does not match its MAC.
    StateForged,
    /// The entry the recorded head names is missing or changed: the trail was cut short or edited.
    HeadMissing {
        /// The head's sequence number.
        head_seq: u64,
    },
    /// The key store holds no chain state, though it vouches that a trail existed: the state was
    /// removed (and most likely the trail with it).
    StateMissing,
}

impl std::fmt::Display for ChainProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainProblem::StateForged => f.write_str("the chain state in the key store does not match its MAC"),
            ChainProblem::HeadMissing { head_seq } => {
                write!(f, "the entry #{head_seq} the key store recorded as the head is missing or changed")
            }
            ChainProblem::StateMissing => f.write_str(
                "the chain state is gone from the key store, which records that a trail existed: the trail was removed",
            ),
        }
    }
}

/// The audit trail over a data store (entries) and a key store (the chain's state).
pub struct AuditTrail {
    pub(super) entries: TypedTree<Entry>,
    index: TypedTree<UserIndex>,
    data: Store,
    /// Keeps the chain state in its key store.
    vault: Arc<Vault>,
    pub(super) mac_key: hmac::Key,
    tag_key: hmac::Key,
    /// The last entry's sequence number and MAC; held while appending or forgetting.
    last: Mutex<(u64, [u8; 32])>,
    /// Tags of users deleted by this process: their ids are blanked in entries appended later.
    forgotten: Mutex<HashSet<UserTag>>,
    /// Held by verification and retention, which must not see each other half done.
    pub(super) sweep: Mutex<()>,
}

impl std::fmt::Debug for AuditTrail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditTrail").finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every guarded value is consistent between statements.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl AuditTrail {
    /// The trail in `data`, keyed from `vault`, with its chain state in the vault's key store.
    pub fn open(data: &Store, vault: &Arc<Vault>) -> Result<AuditTrail, StoreError> {
        let entries = data.tree::<Entry>()?;
        let mac_key = hmac::Key::new(hmac::HMAC_SHA256, vault.subkey("audit/chain/v1").as_slice());
        let last = match entries.last() {
            Ok(Some((_, entry))) => (entry.seq, entry.mac),
            // A garbled last entry must not stop the bot: the chain goes on after it, and
            // `verify` reports the break there.
            Err(StoreError::Decode { .. } | StoreError::Version { .. }) => {
                let key = entries.last_key()?.unwrap_or_default();
                (key.get(..8).and_then(|k| <[u8; 8]>::try_from(k).ok()).map_or(0, u64::from_be_bytes), GENESIS)
            }
            Err(e) => return Err(e),
            Ok(None) => {
                let state = vault.key_store_record::<ChainState>(CHAIN_KEY).ok().flatten().unwrap_or_default();
                (state.anchor_seq.saturating_sub(1), state.anchor_prev_mac)
            }
        };
        // A key store from before the trail mark: its trail has existed if it has a valid state.
        if !vault.trail_started()
            && let Ok(Some(state)) = vault.key_store_record::<ChainState>(CHAIN_KEY)
            && state.mac == state_mac(&mac_key, &state)
        {
            vault.mark_trail_started().map_err(store_error)?;
        }
        Ok(AuditTrail {
            entries,
            index: data.tree()?,
            data: data.clone(),
            vault: Arc::clone(vault),
            mac_key,
            tag_key: hmac::Key::new(hmac::HMAC_SHA256, vault.subkey("audit/user-tag/v1").as_slice()),
            last: Mutex::new(last),
            forgotten: Mutex::new(HashSet::new()),
            sweep: Mutex::new(()),
        })
    }

    /// The keyed hash of `user` that entries carry.
    #[must_use]
    pub fn user_tag(&self, user: i64) -> UserTag {
        let tag = hmac::sign(&self.tag_key, &user.to_be_bytes());
        let mut out = [0; 16];
        out.copy_from_slice(&tag.as_ref()[..16]);
        out
    }

    /// The chain's state as the key store records it, checked against its MAC.
    /// A record that does not even decode is as forged as one whose MAC does not match; a
    /// missing one is a fresh start only until a trail has existed (the key store vouches for
    /// that under the master key: `Vault::trail_started`).
    pub fn state(&self) -> Result<Result<ChainState, ChainProblem>, StoreError> {
        Ok(match self.vault.key_store_record::<ChainState>(CHAIN_KEY) {
            Ok(None) if self.vault.trail_started() => Err(ChainProblem::StateMissing),
            Ok(None) => Ok(ChainState::default()),
            Ok(Some(state)) if state.mac == state_mac(&self.mac_key, &state) => Ok(state),
            Ok(Some(_)) | Err(StoreError::Decode { .. } | StoreError::Version { .. }) => Err(ChainProblem::StateForged),
            Err(e) => return Err(e),
        })
    }

    fn write_state(&self, mut state: ChainState) -> Result<(), StoreError> {
        state.mac = state_mac(&self.mac_key, &state);
        self.vault.put_key_store_record(CHAIN_KEY, &state)?;
        // After the state is durable: a kill between the two leaves a state and no mark, which
        // the next open marks.
        self.vault.mark_trail_started().map_err(store_error)
    }

    /// Appends `records` in order; returns the last sequence number. Not yet durable: see
    /// [`AuditTrail::checkpoint`].
    pub fn append(&self, records: Vec<AuditRecord>) -> Result<u64, StoreError> {
        let mut last = lock(&self.last);
        for record in records {
            let (user, fields) = split_user(record.fields);
            let tag = user.map(|u| self.user_tag(u));
            let forgotten = tag.is_some_and(|t| lock(&self.forgotten).contains(&t));
            let mut entry = Entry {
                seq: last.0 + 1,
                at_ms: record.at_ms,
                event: record.event,
                user_tag: tag,
                user: user.filter(|_| !forgotten),
                fields,
                mac: GENESIS,
            };
            entry.mac = chain_mac(&self.mac_key, &last.1, &entry);
            self.entries.insert(&entry.seq.to_be_bytes(), &entry)?;
            if let Some(tag) = entry.user_tag.filter(|_| entry.user.is_some()) {
                self.index.insert(&index_key(&tag, entry.seq), &UserIndex)?;
            }
            *last = (entry.seq, entry.mac);
        }
        Ok(last.0)
    }

    /// Makes the entries so far durable, then moves the recorded head in the key store up to
    /// them — forward only, and only if the entry at the old head is still there with its MAC.
    /// Returns the problem instead of moving it when the trail was cut short or edited.
    pub fn checkpoint(&self) -> Result<Result<(), ChainProblem>, StoreError> {
        let (seq, mac) = *lock(&self.last);
        let state = match self.state()? {
            Ok(state) => state,
            Err(problem) => return Ok(Err(problem)),
        };
        if seq <= state.head_seq {
            return Ok(if seq == state.head_seq {
                Ok(())
            } else {
                Err(ChainProblem::HeadMissing { head_seq: state.head_seq })
            });
        }
        if state.head_seq > 0 && self.entries.get(&state.head_seq.to_be_bytes())?.map(|e| e.mac) != Some(state.head_mac)
        {
            return Ok(Err(ChainProblem::HeadMissing { head_seq: state.head_seq }));
        }
        self.data.flush_blocking()?;
        self.write_state(ChainState { head_seq: seq, head_mac: mac, ..state })?;
        Ok(Ok(()))
    }

    /// Blanks `user`'s id in every entry about them (their deletion), and in entries appended
    /// later by this process: the entries stay, under the keyed hash only, and the chain still
    /// verifies. Returns how many were blanked.
    pub fn forget_user(&self, user: i64) -> Result<usize, StoreError> {
        let tag = self.user_tag(user);
        // No append runs meanwhile: none can index an entry this pass would miss.
        let _appending = lock(&self.last);
        {
            let mut forgotten = lock(&self.forgotten);
            if forgotten.len() >= FORGOTTEN_MAX {
                forgotten.clear();
            }
            forgotten.insert(tag);
        }
        let mut blanked = 0;
        for raw in self.index.keys_with_prefix_at(&tag, std::time::UNIX_EPOCH)? {
            if let Some(seq) = raw.get(16..24).and_then(|s| <[u8; 8]>::try_from(s).ok())
                && let Some(mut entry) = self.entries.get(&seq)?
                && entry.user.is_some()
            {
                entry.user = None;
                self.entries.insert(&seq, &entry)?;
                blanked += 1;
            }
            self.index.remove(&raw)?;
        }
        Ok(blanked)
    }

    /// Drops entries older than `cutoff_ms` from the front, each checked link by link from the
    /// anchor first (an entry that does not verify stops the sweep: nothing unverified is ever
    /// dropped). The anchor moves first (in the key store, flushed), then the entries go; leftovers
    /// of an interrupted sweep below the anchor go too. Returns how many were dropped, or the
    /// problem that stopped it.
    pub fn drop_before(&self, cutoff_ms: u64) -> Result<Result<usize, ChainProblem>, StoreError> {
        let _sweeping = lock(&self.sweep);
        let mut state = match self.state()? {
            Ok(state) => state,
            Err(problem) => return Ok(Err(problem)),
        };
        let newest = lock(&self.last).0;
        let mut dropped = Vec::new();
        let mut prev_mac = state.anchor_prev_mac;
        let entries = self.entries.iter_from(&state.anchor_seq.to_be_bytes());
        for (expected, item) in (state.anchor_seq..).zip(entries) {
            let (_, entry) = item?;
            let links = entry.seq == expected && chain_mac(&self.mac_key, &prev_mac, &entry) == entry.mac;
            if !links || entry.at_ms >= cutoff_ms || dropped.len() >= SWEEP_BATCH || entry.seq >= newest {
                break;
            }
            prev_mac = entry.mac;
            dropped.push(entry);
        }
        let below: Vec<Vec<u8>> = self
            .entries
            .iter_from(&0u64.to_be_bytes())
            .map_while(|item| item.ok().filter(|(_, e)| e.seq < state.anchor_seq).map(|(k, _)| k))
            .collect();
        if let Some(last_dropped) = dropped.last() {
            state.anchor_seq = last_dropped.seq + 1;
            state.anchor_prev_mac = prev_mac;
            self.write_state(state)?;
        }
        for entry in &dropped {
            self.entries.remove(&entry.seq.to_be_bytes())?;
            if let Some(tag) = entry.user_tag {
                self.index.remove(&index_key(&tag, entry.seq))?;
            }
        }
        for key in &below {
            self.entries.remove(key)?;
        }
        Ok(Ok(dropped.len() + below.len()))
    }

    /// After a restore from a backup (authenticated as a whole, so nobody edited it): the key store
    /// was copied after the data store, so its head may name entries written between the two
    /// copies, which the data copy lacks. Re-records the head at the chain's end; returns by how
    /// many entries it moved back.
    pub fn settle_after_restore(&self) -> Result<u64, StoreError> {
        let (seq, mac) = *lock(&self.last);
        let state = self.state()?.unwrap_or_default();
        let behind = state.head_seq.saturating_sub(seq);
        if behind > 0 || state.mac != state_mac(&self.mac_key, &state) {
            self.write_state(ChainState { head_seq: seq, head_mac: mac, ..state })?;
        }
        Ok(behind)
    }
}

/// A vault failure where the trail reports store errors.
fn store_error(e: crate::vault::VaultError) -> StoreError {
    match e {
        crate::vault::VaultError::Store(e) => e,
        other => StoreError::Task(other.to_string()),
    }
}

fn index_key(tag: &UserTag, seq: u64) -> [u8; 24] {
    let mut key = [0; 24];
    key[..16].copy_from_slice(tag);
    key[16..].copy_from_slice(&seq.to_be_bytes());
    key
}

/// Takes the user an event concerns out of its fields: `user` (or `owner`), else a private
/// `chat` (whose id is the user's). Accepts `42` and `Some(42)` (a field logged with `?`).
fn split_user(fields: Vec<(String, String)>) -> (Option<i64>, Vec<(String, String)>) {
    let id = |value: &str| {
        let inner = value.strip_prefix("Some(").and_then(|v| v.strip_suffix(')')).unwrap_or(value);
        inner.parse::<i64>().ok()
    };
    let mut user = None;
    let mut chat = None;
    let mut rest = Vec::with_capacity(fields.len());
    for (name, value) in fields {
        match (name.as_str(), id(&value)) {
            ("user" | "owner", Some(found)) if user.is_none() => user = Some(found),
            ("chat", Some(found)) if found > 0 => chat = Some(found),
            _ => rest.push((name, value)),
        }
    }
    (user.or(chat), rest)
}
