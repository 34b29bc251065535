//! The Telegram side: long polling, per-chat ordered dispatch, handlers and replies.
//!
//! arcana runs its own `getUpdates` loop rather than teloxide's `Dispatcher`: it keeps a durable
//! inbox so an update is confirmed to Telegram as soon as it is safely stored — never when its
//! reply has gone — survives a Bot API that is down at boot, and stops cleanly on a signal.
//!
//! ```text
//! getUpdates ─► sentinel (arrival order) ─► inbox (one flushed batch) ─► next getUpdates at once
//!                  │ denied: notice / query answer          │
//!                  ▼                                        ▼
//!               send schedule ◄── handlers ◄── chat lanes (backlog capped; start gate:
//!                                                           quietest chat first)
//!               (fair across chats, Telegram's limits)      │ finished: removed from the inbox
//! ```

mod account_commands;
mod admin;
mod alerts;
mod app;
mod audit_writer;
mod backoff;
mod backups;
mod broadcast;
mod callbacks;
mod client;
mod consent;
mod dispatch;
mod error;
mod gate;
mod handlers;
mod history_view;
mod inbox_bound;
mod lanes;
mod metrics;
mod metrics_server;
mod notice;
mod payments;
mod polling;
mod reading_commands;
mod redact;
mod refund;
mod retention;
mod run;
mod secret_messages;
mod send;
mod startup;
mod tasks;
mod texts;

pub use crate::inbox::InboxError;
pub use error::BotError;
pub use run::{RunContext, run};
pub use send::Sender;
