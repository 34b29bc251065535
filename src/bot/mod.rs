//! The Telegram side: long polling, per-chat ordered dispatch, handlers and replies.
//!
//! arcana runs its own `getUpdates` loop rather than teloxide's `Dispatcher`: it needs to know
//! when each update has been *handled* (to persist the offset so a restart does not answer an
//! update twice), to survive a Bot API that is down at boot, and to stop cleanly on a signal.
//! Replies go through teloxide's `Throttle` adaptor, which honours Telegram's limits and 429s.

mod account_commands;
mod admin;
mod app;
mod backoff;
mod callbacks;
mod chat_queue;
mod client;
mod consent;
mod error;
mod handlers;
mod history_view;
mod notice;
mod offset;
mod payments;
mod polling;
mod reading_commands;
mod refund;
mod reply;
mod run;
mod startup;
mod texts;

pub use client::Sender;
pub use error::BotError;
pub(crate) use refund::refund;
pub use run::{RunContext, run};
