//! The accounting record: what the law lets a business keep after a user is deleted. For each
//! payment, Telegram's charge id (the transaction reference on Telegram's side), the amount in
//! Stars, what it bought, when, and whether it was refunded — no user id, no name. It lives
//! outside the user's sealed account (so crypto-shredding does not take it) in the `accounting`
//! tree, under a blind index of the charge id, and expires `payments.accounting_retention`
//! after the payment (default ten years, the longest common statutory period for accounting
//! records), when the store's expiry sweep removes it.

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::store::{Record, StoreError, TypedTree};

/// One payment, for the books.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountingEntry {
    /// Telegram's charge id.
    pub charge_id: String,
    /// The amount in Stars.
    pub stars: u32,
    /// What it bought, in words.
    pub bought: String,
    /// When it was credited (Unix ms).
    pub at_ms: u64,
    /// When it was refunded (Unix ms), if it was.
    pub refunded_ms: Option<u64>,
}

impl Record for AccountingEntry {
    const TREE: &'static str = "accounting";
    const VERSION: u8 = 1;
}

/// The accounting records.
#[derive(Clone)]
pub struct Accounting {
    tree: TypedTree<AccountingEntry>,
    retention: Duration,
}

impl Accounting {
    /// The records in `tree`, each kept for `retention` after its payment.
    pub(crate) fn new(tree: TypedTree<AccountingEntry>, retention: Duration) -> Accounting {
        Accounting { tree, retention }
    }

    fn expiry(&self, entry: &AccountingEntry) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_millis(entry.at_ms) + self.retention
    }

    /// Records a payment under `key` unless it is recorded already (a redelivery).
    pub(crate) fn record(&self, key: &[u8], entry: &AccountingEntry) -> Result<(), StoreError> {
        if self.tree.get(key)?.is_none() {
            self.tree.insert_expiring(key, entry, self.expiry(entry))?;
        }
        Ok(())
    }

    /// Marks the payment under `key` refunded at `now_ms`.
    pub(crate) fn refunded(&self, key: &[u8], now_ms: u64) -> Result<(), StoreError> {
        if let Some(mut entry) = self.tree.get(key)? {
            entry.refunded_ms = Some(now_ms);
            self.tree.insert_expiring(key, &entry, self.expiry(&entry))?;
        }
        Ok(())
    }
}

/// Every accounting record in `store`, oldest payment first.
pub fn accounting_records(store: &crate::store::Store) -> Result<Vec<AccountingEntry>, StoreError> {
    let tree = store.tree::<AccountingEntry>()?;
    let mut all = tree.iter_at(SystemTime::now()).map(|e| e.map(|(_, entry)| entry)).collect::<Result<Vec<_>, _>>()?;
    all.sort_by_key(|e| e.at_ms);
    Ok(all)
}
