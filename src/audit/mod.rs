//! The audit trail: security events — blocks, penalties, access denied, forged buttons, 2FA
//! failures and changes, consent, deletions, tier changes, refunds, key rotations, backups,
//! restores — persisted as they happen, each entry chained to the one before by an HMAC under a
//! key derived from the vault, so an entry changed, removed, reordered or inserted, or a trail cut
//! short, is detected ([`AuditTrail::verify`]).
//!
//! Events are emitted as ordinary `tracing` events of target `arcana::audit` and reach the
//! trail through [`crate::audit_tap`]; the running bot appends them in batches and records the
//! chain's head in the key store every few seconds ([`AuditTrail::checkpoint`]), the offline
//! CLI once per command. Entries carry ids and reasons, never names or questions; a user's id is
//! blanked when the user is deleted (the keyed hash stays, so the chain still verifies and the
//! operator can still find the entries by id). Entries older than `audit.retention` are dropped
//! from the front and the anchor moves with them, so what is kept stays verifiable.
//!
//! - [`entry`] — the entry, the chain state and the MAC;
//! - `trail` — appending, checkpoints, forgetting a user, retention;
//! - `verify` — checking the chain;
//! - `query` — reading it.

pub mod entry;
mod query;
mod trail;
mod verify;

pub use entry::{ChainState, Entry};
pub use query::{Filter, json, line};
pub use trail::{AuditTrail, ChainProblem};
pub use verify::Verdict;

#[cfg(test)]
mod tests;
