//! Billing in Telegram Stars (`XTR`): credit packs and premium periods sold by invoice, checked
//! at checkout, credited exactly once per charge id, and reversible by an admin refund.
//!
//! Telegram takes the payment; arcana only ever sees the charge id, the amount and its own
//! signed invoice payload — there is no card data anywhere in it.
//!
//! - [`product`] — offers and their signed invoice payloads;
//! - [`wallet`] — credits, premium and payments inside the sealed account record (kept in
//!   `accounts`, whose record holds it; re-exported here);
//! - [`ledger`] — the [`Billing`] service;
//! - [`accounting`] — what stays for the books after a user is deleted.

pub mod accounting;
pub mod ledger;
pub mod product;
pub use crate::accounts::wallet;

pub use accounting::{Accounting, AccountingEntry, accounting_records};
pub use ledger::{Billing, BillingError, ChargeOwner, Invoice, Received, Recorded, forget_charges};
pub use product::{CheckoutError, Offer, ProductKind, STARS};
pub use wallet::{Payment, Premium, Purchase, ReverseError, Wallet};
