//! The expiry index: sled has no TTL, so expiring records are also listed in the `__expiry` tree
//! under `[expires_at u64 BE][tree name length u8][tree name][record key]`. Reads already treat
//! expired records as absent (the stamp is in the record header); the sweep reclaims their space.

use std::time::SystemTime;

use crate::clock::unix_ms;

use super::{StoreError, Watchdog, gate::Gate, record};

/// Name of the index tree.
pub(super) const INDEX_TREE: &str = "__expiry";

/// The index key for a record of `tree` at `key` expiring at `at_ms`.
pub(super) fn index_key(at_ms: u64, tree: &str, key: &[u8]) -> Vec<u8> {
    let name = tree.as_bytes();
    let mut out = Vec::with_capacity(9 + name.len() + key.len());
    out.extend_from_slice(&at_ms.to_be_bytes());
    out.push(u8::try_from(name.len()).unwrap_or(u8::MAX));
    out.extend_from_slice(&name[..name.len().min(255)]);
    out.extend_from_slice(key);
    out
}

fn parse_index_key(raw: &[u8]) -> Option<(u64, &[u8], &[u8])> {
    let at = u64::from_be_bytes(raw.get(..8)?.try_into().ok()?);
    let len = usize::from(*raw.get(8)?);
    let tree = raw.get(9..9 + len)?;
    let key = raw.get(9 + len..)?;
    Some((at, tree, key))
}

/// Removes every record whose expiry is at or before `now`; returns how many were removed. Each
/// removal (the record and its index entry) holds the write gate, so snapshots may run between
/// removals but never see half of one.
pub(super) fn sweep(db: &sled::Db, gate: &Gate, watchdog: &Watchdog, now: SystemTime) -> Result<usize, StoreError> {
    let index = {
        let _watch = watchdog.guard("sweep_open");
        db.open_tree(INDEX_TREE)?
    };
    let now_ms = unix_ms(now);
    let mut removed = 0;
    let mut entries = index.range(..(now_ms.saturating_add(1)).to_be_bytes());
    loop {
        let _gate = gate.mutation();
        let _watch = watchdog.guard("sweep_step");
        let Some(entry) = entries.next() else { break };
        let (raw, _) = entry?;
        if let Some((at, tree, key)) = parse_index_key(&raw) {
            let tree = db.open_tree(tree)?;
            if let Some(current) = tree.get(key)? {
                // Only remove the record this entry was made for: a later write may have given
                // the key a new expiry (or none), leaving this entry stale.
                if record::expires_at_ms(&current) == Some(at)
                    && tree.compare_and_swap(key, Some(current), None::<&[u8]>)?.is_ok()
                {
                    removed += 1;
                }
            }
        }
        index.remove(raw)?;
    }
    Ok(removed)
}
