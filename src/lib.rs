//! # arcana
//!
//! A tarot-reading Telegram bot in one binary. Every update passes a security layer (the
//! *sentinel*) before any handler runs, and what the bot knows about its users lives in an
//! embedded [sled] store.
//!
//! The crate is built in one-way layers, lowest first (`ARCHITECTURE.md` has the diagram;
//! a unit test in `layers.rs` fails on any import against the direction):
//!
//! - [`sanitize`] — pure input sanitisers (usernames, names, commands, signed button data);
//! - [`clock`] — monotonic and wall-clock milliseconds, RFC 3339 (a leaf);
//! - [`command`] — the command table: names, help, menu, access, step-up, private-only;
//! - [`embedded`] — the built-in texts, deflated at build time and inflated where parsed (a leaf);
//! - [`locale`] — the languages (English, Russian, Spanish) and their plural rules (a leaf);
//! - [`tarot`] — the deck and its texts in each language, card lookup, spreads, summaries and
//!   rendered readings (pure);
//! - [`zones`] — the IANA time zone database, built in (packed and deflated by `build.rs`);
//! - [`i18n`] — every text a user reads, per locale: one TOML file per language, durations in words;
//! - [`art`] — the card faces and the spread picture, drawn by code (SVG and PNG);
//! - [`config`] — the typed configuration read from `DIR/arcana.toml`;
//! - [`store`] — the sled store: typed, versioned records, expiry, durability, watchdog;
//! - [`layout`] — the data directory (`arcana.toml`, `master.key`, `db/`, `keys/`), staged restores;
//! - [`vault`] — encryption at rest: key hierarchy, envelopes, rotation, crypto-shredding;
//! - [`sentinel`] — rate limits, debouncing, blocklist, penalties;
//! - [`backup`] — self-contained, encrypted, integrity-checked backups of both stores;
//! - [`audit`] — the MAC-chained audit trail of security events (fed by [`audit_tap`]);
//! - [`inbox`] — the durable inbox of admitted, unhandled updates (sealed);
//! - [`accounts`] — profiles, consent, roles and tiers, sessions, two-factor step-up;
//! - [`readings`] — daily allowances, draws and the sealed reading history;
//! - [`billing`] — Telegram Stars invoices, payments credited exactly once, refunds;
//! - [`control`] — admin operations, over the control socket or directly on the store;
//! - [`web`] — the Mini App, the JSON API with tokens bound to sessions, Telegram Login (opt-in);
//! - [`bot`] — long polling into a durable inbox, per-chat lanes, handlers, fair sending;
//! - [`demo`] — `arcana demo`: a stand-in of the Bot API in the process, the terminal chat;
//! - [`supervisor`] — `sd_notify` to systemd: ready, watchdog pings, stopping (a leaf);
//! - [`unit`](mod@unit) — the hardened systemd unit `arcana service install` writes (a leaf);
//! - [`cli`] — the `arcana` command line, the only place that reads the environment.
//!
//! Library code never reads environment variables and never prints: configuration is parsed
//! once at the edge into types that make invalid settings unrepresentable.

#![forbid(unsafe_code)]

pub mod accept;
pub mod accounts;
pub mod art;
pub mod audit;
pub mod audit_tap;
pub mod backup;
pub mod billing;
pub mod bot;
pub mod cli;
pub mod clock;
pub mod command;
pub mod config;
pub mod control;
pub mod demo;
pub mod embedded;
pub mod error;
mod fsutil;
pub mod i18n;
pub mod inbox;
#[cfg(test)]
mod layers;
pub mod layout;
pub mod locale;
pub mod logging;
pub mod readings;
pub mod sanitize;
pub mod secret;
pub mod sentinel;
pub mod shutdown;
pub mod store;
pub mod supervisor;
pub mod tarot;
pub mod unit;
pub mod vault;
pub mod web;
pub mod zones;

pub use error::{Error, Result};
