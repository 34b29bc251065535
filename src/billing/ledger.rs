//! `Billing`: invoices, checkout checks, crediting payments exactly once, and refunds.
//!
//! A payment is credited inside the payer's account record (see [`Wallet`](crate::accounts::Wallet)) in one write, then
//! the store is flushed before the user is told: a redelivered `successful_payment` finds its
//! charge id and credits nothing. A blind index (HMAC of the charge id → user id) lets an admin
//! refund by charge id alone.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::{
    accounts::{Accounts, AccountsError},
    audit_tap::Event,
    config::PaymentsConfig,
    sanitize::CallbackSigner,
    store::{Record, Store, StoreError, TypedTree},
    vault::Vault,
};

use super::{
    product::{self, CheckoutError, Offer, ProductKind},
    wallet::{Payment, Purchase, ReverseError},
};

/// Why a billing operation failed.
#[derive(Debug, thiserror::Error)]
pub enum BillingError {
    /// The account could not be read or written.
    #[error(transparent)]
    Accounts(#[from] AccountsError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The payload could not be built.
    #[error("cannot build the invoice")]
    Invoice,
    /// A refund that cannot be made.
    #[error(transparent)]
    Reverse(#[from] ReverseError),
}

/// Which user a charge belongs to (under a blind index of the charge id).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct ChargeOwner {
    /// The paying user.
    pub user: i64,
}

impl Record for ChargeOwner {
    const TREE: &'static str = "charge_owners";
    const VERSION: u8 = 1;
}

/// An invoice to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    /// What it sells.
    pub offer: Offer,
    /// Title, 1–32 characters.
    pub title: String,
    /// Description, 1–255 characters.
    pub description: String,
    /// The signed payload.
    pub payload: String,
}

/// A `successful_payment` as Telegram reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// Telegram's charge id.
    pub charge_id: String,
    /// The invoice payload.
    pub payload: String,
    /// The currency (`XTR`).
    pub currency: String,
    /// The amount in Stars.
    pub amount: u32,
}

/// What recording a successful payment did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// Credited now.
    Credited(Purchase),
    /// Seen before: nothing changed.
    Duplicate,
}

/// The billing service.
pub struct Billing {
    config: PaymentsConfig,
    signer: CallbackSigner,
    owners: TypedTree<ChargeOwner>,
    accounting: super::Accounting,
    vault: Arc<Vault>,
    store: Store,
}

impl std::fmt::Debug for Billing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Billing").finish_non_exhaustive()
    }
}

impl Billing {
    /// Billing under `config`, with invoice payloads signed by a subkey of `vault`.
    pub fn new(store: &Store, vault: Arc<Vault>, config: PaymentsConfig) -> Result<Billing, BillingError> {
        Ok(Billing {
            signer: CallbackSigner::new(&vault.subkey("invoice/v1")),
            owners: store.tree()?,
            accounting: super::Accounting::new(store.tree()?, config.accounting_retention),
            vault,
            store: store.clone(),
            config,
        })
    }

    /// The settings.
    #[must_use]
    pub fn config(&self) -> &PaymentsConfig {
        &self.config
    }

    /// An invoice for `kind`, issued to `user` at `now_ms`.
    pub fn invoice(&self, kind: ProductKind, user: i64, now_ms: u64) -> Result<Invoice, BillingError> {
        let offer = Offer::current(kind, &self.config);
        Ok(Invoice {
            offer,
            title: offer.title(),
            description: offer.description(&self.config.premium_tier),
            payload: offer.payload(&self.signer, user, now_ms).map_err(|_| BillingError::Invoice)?,
        })
    }

    /// Checks a `pre_checkout_query` from `user`.
    pub fn checkout(
        &self,
        user: i64,
        payload: &str,
        currency: &str,
        amount: u32,
        now_ms: u64,
    ) -> Result<Offer, CheckoutError> {
        product::verify(&self.signer, user, payload, currency, amount, Some(now_ms))
    }

    /// Credits a `successful_payment` of `user` exactly once, and flushes before returning.
    /// A payload that does not verify is still recorded (as [`Purchase::Unrecognised`]) so the
    /// payment can be found and refunded.
    pub fn record(
        &self,
        accounts: &Accounts,
        user: i64,
        received: &Received,
        now_ms: u64,
    ) -> Result<Recorded, BillingError> {
        let Received { charge_id, payload, currency, amount } = received;
        let (charge_id, amount) = (charge_id.as_str(), *amount);
        let purchase = match product::verify(&self.signer, user, payload, currency, amount, None) {
            Ok(offer) => offer.purchase(),
            Err(e) => {
                tracing::error!(target: "arcana::audit", event = Event::PaymentUnrecognised.name(), user, error = %e,
                    "a payment arrived whose invoice does not verify; it is recorded for a refund");
                Purchase::Unrecognised
            }
        };
        // The owner index first: harmless if the account write below never happens.
        self.owners.insert(&self.owner_key(charge_id), &ChargeOwner { user })?;
        let payment =
            Payment { charge_id: charge_id.to_owned(), stars: amount, purchase, at_ms: now_ms, refunded_ms: None };
        let entry = super::AccountingEntry {
            charge_id: charge_id.to_owned(),
            stars: amount,
            bought: purchase.describe(),
            at_ms: now_ms,
            refunded_ms: None,
        };
        self.accounting.record(&self.owner_key(charge_id), &entry)?;
        let tier = self.config.premium_tier.clone();
        let new = accounts.update(user, |a| a.wallet.apply(payment, &tier))?;
        self.store.flush_blocking()?;
        if new {
            tracing::info!(target: "arcana::audit", event = Event::Payment.name(), user, stars = amount,
                "payment credited");
            Ok(Recorded::Credited(purchase))
        } else {
            tracing::info!(target: "arcana::audit", event = Event::PaymentDuplicate.name(), user,
                "payment seen before; not credited again");
            Ok(Recorded::Duplicate)
        }
    }

    fn owner_key(&self, charge_id: &str) -> [u8; 32] {
        charge_key(&self.vault, charge_id)
    }

    /// The user who made payment `charge_id`, if arcana recorded it.
    pub fn owner(&self, charge_id: &str) -> Result<Option<i64>, BillingError> {
        Ok(self.owners.get(&self.owner_key(charge_id))?.map(|o| o.user))
    }

    /// The payment `charge_id` of `user`, if recorded.
    pub fn payment(&self, accounts: &Accounts, user: i64, charge_id: &str) -> Result<Option<Payment>, BillingError> {
        Ok(accounts.get(user)?.wallet.payment(charge_id).cloned())
    }

    /// Reverses payment `charge_id` of `user` after Telegram refunded it; flushed.
    pub fn reverse(
        &self,
        accounts: &Accounts,
        user: i64,
        charge_id: &str,
        now_ms: u64,
    ) -> Result<Payment, BillingError> {
        let payment = accounts.update(user, |a| a.wallet.reverse(charge_id, now_ms))??;
        self.accounting.refunded(&self.owner_key(charge_id), now_ms)?;
        self.store.flush_blocking()?;
        tracing::warn!(target: "arcana::audit", event = Event::Refund.name(), user, stars = payment.stars,
            "payment refunded and reversed");
        Ok(payment)
    }
}

/// The owner index key of `charge_id`: a keyed blind index, so charge ids are not stored.
fn charge_key(vault: &Vault, charge_id: &str) -> [u8; 32] {
    vault.blind_index("charge", charge_id.as_bytes())
}

/// Removes every owner index entry naming `user` (when a user is deleted): by value, so it
/// neither needs their wallet to open nor misses a payment recorded while the deletion ran.
/// Returns how many.
pub fn forget_charges(store: &Store, user: i64) -> Result<usize, StoreError> {
    let owners = store.tree::<ChargeOwner>()?;
    let mut removed = 0;
    for entry in owners.iter_at(std::time::SystemTime::now()) {
        let (key, owner) = entry?;
        if owner.user == user && owners.remove(&key)? {
            removed += 1;
        }
    }
    Ok(removed)
}
