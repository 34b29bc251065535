//! End-to-end tests: the real `arcana` binary against a fake Telegram Bot API server.
//!
//! - `demo` — `arcana demo`: the terminal chat, buttons by number, the Mini App with `--web`;
//! - `fake_server` — self-tests of the fake server (runnable without a working bot);
//! - `builders` — the update builders produce bodies teloxide parses;
//! - `run_basic` — `/start`, `/help`, SIGTERM, restart without re-answering;
//! - `run_resilience` — API faults, unhandled update types, hostile updates;
//! - `cli` — `init`, `doctor`, configuration errors;
//! - `sentinel` — rate limits, notices, debounce, the blocklist, penalties across restarts;
//! - `accounts` — consent, tiers and roles, sessions, two-factor enrolment and step-up;
//! - `pipeline` — floods: fairness between chats, the configured limit, a kill mid-flood;
//! - `operator` — the audit trail and its verification, alerts to the admins;
//! - `console` — `arcana user show` and `arcana users`;
//! - `incident` — lockdown, unmute and reset-limits, broadcasts;
//! - `paths` — `/delete_me`'s confirmation, hints for unknown commands and free text, readings
//!   and newcomers in groups;
//! - `daily` — the card of the day on a test clock: opt in, once a day across a kill, opt out;
//! - `language` — the user's language, `/language`, `/card`, themed spreads, upright-only
//!   draws, the menu per language;
//! - `privacy` — secrets leave the chat, rights, deletion traces, retention, local hardening.
//! - `web` — the Mini App, the API and its tokens, Telegram Login, in a real browser too;
//! - `spread_picture` — the PNG of the spread sent with a reading, and turning it off;
//! - `web_faces` — the card faces in the Mini App, measured in a real browser, and screenshots;
//! - `systemd` — `sd_notify`, the token as a credential, journald and JSON logs, `--version`,
//!   `service install --print`.

#[path = "../support/mod.rs"]
mod support;

mod accounts;
mod builders;
mod cli;
mod console;
mod crash;
mod daily;
mod demo;
mod fake_server;
mod harness;
mod incident;
mod language;
mod operator;
mod paths;
mod pipeline;
mod privacy;
mod raw_http;
mod run_basic;
mod run_resilience;
mod sentinel;
mod spread_picture;
mod systemd;
mod tarot;
mod vault;
mod web;
mod web_client;
mod web_faces;
mod web_tls;
