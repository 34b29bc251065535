//! One audit entry, the chain's state, and the MAC that links each entry to the one before.
//!
//! ```text
//! mac(n) = HMAC-SHA256(audit key, mac(n-1) ‖ seq ‖ at ‖ event ‖ user tag ‖ fields)
//! ```
//!
//! Every variable-length part is length-prefixed, so no two entries encode alike. The user's id
//! is *not* covered: a deletion blanks it in the user's entries without breaking the chain. Its
//! keyed hash (the user tag) is covered, and the verifier checks that a present id matches it, so
//! an id cannot be swapped for another either.

use ring::hmac;
use serde::{Deserialize, Serialize};

use crate::store::Record;

/// The MAC of the entry before the first one.
pub const GENESIS: [u8; 32] = [0; 32];

/// A keyed hash of a user id (the first 128 bits of an HMAC under the vault's audit tag key).
pub type UserTag = [u8; 16];

/// One audit entry (`audit` tree, key: `seq` big-endian).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Position in the chain, from 1, without gaps.
    pub seq: u64,
    /// When the event happened (Unix ms).
    pub at_ms: u64,
    /// What happened (`block`, `2fa_failure`, ...).
    pub event: String,
    /// The keyed hash of the user it concerns, if any.
    pub user_tag: Option<UserTag>,
    /// The user's id, until the user is deleted (not covered by the MAC; checked against the tag).
    pub user: Option<i64>,
    /// Ids, reasons and counts, as emitted (no names, no questions).
    pub fields: Vec<(String, String)>,
    /// The chain MAC.
    pub mac: [u8; 32],
}

impl Record for Entry {
    const TREE: &'static str = "audit";
    const VERSION: u8 = 1;
}

/// Index of a user's entries (`audit_by_user` tree, key: tag ‖ seq), so a deletion finds them.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct UserIndex;

impl Record for UserIndex {
    const TREE: &'static str = "audit_by_user";
    const VERSION: u8 = 1;
}

/// Where the chain starts and how far it is known to reach, kept in the **key store**
/// (`DIR/keys/`), apart from the entries in `DIR/db/`, and authenticated by its own MAC under the
/// audit key: an attacker who edits or rolls back `db/` (or `keys/`) cannot move it to match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainState {
    /// The first entry kept (older ones were dropped by retention).
    pub anchor_seq: u64,
    /// The MAC of the entry before it.
    pub anchor_prev_mac: [u8; 32],
    /// The last entry known durable (0 for none).
    pub head_seq: u64,
    /// Its MAC.
    pub head_mac: [u8; 32],
    /// The state's own MAC ([`state_mac`]).
    pub mac: [u8; 32],
}

impl Default for ChainState {
    fn default() -> Self {
        ChainState { anchor_seq: 1, anchor_prev_mac: GENESIS, head_seq: 0, head_mac: GENESIS, mac: GENESIS }
    }
}

/// The MAC of a chain state's fields.
#[must_use]
pub fn state_mac(key: &hmac::Key, state: &ChainState) -> [u8; 32] {
    let mut ctx = hmac::Context::with_key(key);
    ctx.update(b"arcana/audit-chain-state/v1");
    ctx.update(&state.anchor_seq.to_be_bytes());
    ctx.update(&state.anchor_prev_mac);
    ctx.update(&state.head_seq.to_be_bytes());
    ctx.update(&state.head_mac);
    let mut out = [0; 32];
    out.copy_from_slice(ctx.sign().as_ref());
    out
}

impl Record for ChainState {
    const TREE: &'static str = "audit_chain";
    const VERSION: u8 = 1;
}

/// The chain MAC of `entry` after `prev`.
#[must_use]
pub fn chain_mac(key: &hmac::Key, prev: &[u8; 32], entry: &Entry) -> [u8; 32] {
    let mut ctx = hmac::Context::with_key(key);
    ctx.update(prev);
    ctx.update(&entry.seq.to_be_bytes());
    ctx.update(&entry.at_ms.to_be_bytes());
    put(&mut ctx, entry.event.as_bytes());
    match &entry.user_tag {
        Some(tag) => {
            ctx.update(&[1]);
            ctx.update(tag);
        }
        None => ctx.update(&[0]),
    }
    ctx.update(&u32::try_from(entry.fields.len()).unwrap_or(u32::MAX).to_be_bytes());
    for (name, value) in &entry.fields {
        put(&mut ctx, name.as_bytes());
        put(&mut ctx, value.as_bytes());
    }
    let mut out = [0; 32];
    out.copy_from_slice(ctx.sign().as_ref());
    out
}

fn put(ctx: &mut hmac::Context, bytes: &[u8]) {
    ctx.update(&u32::try_from(bytes.len()).unwrap_or(u32::MAX).to_be_bytes());
    ctx.update(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        Entry {
            seq: 1,
            at_ms: 5,
            event: String::from("block"),
            user_tag: Some([7; 16]),
            user: Some(42),
            fields: vec![(String::from("reason"), String::from("spam"))],
            mac: GENESIS,
        }
    }

    #[test]
    fn every_covered_part_changes_the_mac_and_the_id_does_not() {
        let key = hmac::Key::new(hmac::HMAC_SHA256, &[1; 32]);
        let base = chain_mac(&key, &GENESIS, &entry());
        let changed: Vec<Entry> = vec![
            Entry { seq: 2, ..entry() },
            Entry { at_ms: 6, ..entry() },
            Entry { event: String::from("unblock"), ..entry() },
            Entry { user_tag: None, ..entry() },
            Entry { fields: vec![(String::from("reason"), String::from("spam "))], ..entry() },
            Entry { fields: vec![(String::from("reasons"), String::from("pam"))], ..entry() },
        ];
        for other in &changed {
            assert_ne!(chain_mac(&key, &GENESIS, other), base, "{other:?}");
        }
        assert_ne!(chain_mac(&key, &[1; 32], &entry()), base, "the previous MAC is covered");
        assert_eq!(chain_mac(&key, &GENESIS, &Entry { user: None, ..entry() }), base, "the id is not");
    }
}
