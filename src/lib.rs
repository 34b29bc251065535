//! # arcana
//!
//! A tarot-reading Telegram bot in one binary. Every update passes a security layer (the
//! *sentinel*) before any handler runs, and what the bot knows about its users lives in an
//! embedded [sled] store.
//!
//! The crate is laid out as the data flow runs:
//!
//! - [`config`] — the typed configuration read from `DIR/arcana.toml`;
//! - [`layout`] — the data directory (`arcana.toml`, `master.key`, `db/`);
//! - [`store`] — the sled store: typed, versioned records, expiry, durability, watchdog;
//! - [`sentinel`] — rate limits, debouncing, blocklist, penalties and input sanitisers;
//! - [`vault`] — encryption at rest: key hierarchy, envelopes, rotation, crypto-shredding;
//! - [`backup`] — encrypted, integrity-checked backups of the store;
//! - [`accounts`] — profiles, consent, roles and tiers, sessions, two-factor step-up;
//! - [`control`] — admin operations, over the control socket or directly on the store;
//! - [`tarot`] — the deck, spreads and rendered readings (pure);
//! - [`readings`] — daily allowances, draws and the sealed reading history;
//! - [`billing`] — Telegram Stars invoices, payments credited exactly once, refunds;
//! - [`bot`] — long polling into a durable inbox, per-chat lanes, handlers, fair sending;
//! - [`cli`] — the `arcana` command line, the only place that reads the environment.
//!
//! Library code never reads environment variables and never prints: configuration is parsed
//! once at the edge into types that make invalid settings unrepresentable.

#![forbid(unsafe_code)]

pub mod accounts;
pub mod backup;
pub mod billing;
pub mod bot;
pub mod cli;
pub mod config;
pub mod control;
pub mod error;
mod fsutil;
pub mod layout;
pub mod logging;
pub mod readings;
pub mod secret;
pub mod sentinel;
pub mod shutdown;
pub mod store;
pub mod tarot;
pub mod vault;

pub use error::{Error, Result};
