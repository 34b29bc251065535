//! Verifying the chain: from the anchor the key store records, every entry must follow the one
//! before (its sequence number and its MAC), an id must match its keyed hash, and the chain must
//! reach at least the head the key store records. Catches an entry changed, removed, reordered
//! or inserted, and a trail cut short — by anyone without the vault's audit key.

use super::{AuditTrail, entry::chain_mac};
use crate::store::StoreError;

/// What verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The chain is whole.
    Intact {
        /// Entries checked.
        entries: u64,
        /// The first and last sequence numbers (0, 0 for an empty trail).
        range: (u64, u64),
    },
    /// The first problem found.
    Broken {
        /// The sequence number where it shows.
        at_seq: u64,
        /// What is wrong, in words.
        problem: String,
    },
}

impl AuditTrail {
    /// Checks the whole chain (see the module docs).
    pub fn verify(&self) -> Result<Verdict, StoreError> {
        let _sweeping = self.sweep.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let state = match self.state()? {
            Ok(state) => state,
            Err(problem) => return Ok(Verdict::Broken { at_seq: 0, problem: problem.to_string() }),
        };
        let mut prev = state.anchor_prev_mac;
        let mut expected = state.anchor_seq;
        let mut entries = 0;
        let broken = |at_seq, problem: &str| Ok(Verdict::Broken { at_seq, problem: problem.to_owned() });
        for item in self.entries.iter_from(&state.anchor_seq.to_be_bytes()) {
            let (key, entry) = match item {
                Ok(item) => item,
                Err(StoreError::Decode { .. } | StoreError::Version { .. }) => {
                    return broken(expected, "an entry does not decode (altered bytes)");
                }
                Err(e) => return Err(e),
            };
            if key.as_slice() != entry.seq.to_be_bytes() {
                return broken(expected, "an entry sits at another entry's position (moved or reordered)");
            }
            if entry.seq != expected {
                return broken(expected, "an entry is missing or out of order");
            }
            if chain_mac(&self.mac_key, &prev, &entry) != entry.mac {
                return broken(entry.seq, "the entry does not match its MAC (changed, inserted or reordered)");
            }
            if entry.user.is_some_and(|user| Some(self.user_tag(user)) != entry.user_tag) {
                return broken(entry.seq, "the entry's user id was changed");
            }
            if entry.seq == state.head_seq && entry.mac != state.head_mac {
                return broken(entry.seq, "the entry is not the one the key store recorded as the head");
            }
            prev = entry.mac;
            expected += 1;
            entries += 1;
        }
        let last = expected - 1;
        if state.head_seq > last {
            return broken(
                last + 1,
                &format!("the trail is cut short: it ends at #{last}, the key store recorded #{}", state.head_seq),
            );
        }
        let range = if entries == 0 { (0, 0) } else { (state.anchor_seq, last) };
        Ok(Verdict::Intact { entries, range })
    }
}
