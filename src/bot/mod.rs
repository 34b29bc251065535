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
//!
//! The top row runs on a thread of its own (`pipeline/polling.rs`), so that no handler task
//! delays a round of it; everything below it runs on the bot's runtime.
//!
//! The code sits in rooms, each importing only the rooms below it (`src/layers.rs` checks it;
//! `ARCHITECTURE.md` walks an update through them):
//!
//! ```text
//! run.rs       start-up and teardown: opens everything, starts the rooms, drains, flushes
//! pipeline/    what happens to an update: polling, the sentinel's verdict, lanes, the start gate
//! handlers/    what the bot does with an admitted update: the router and one file per concern
//! jobs/        what the bot does on its own: alerts, broadcasts, backups, retention, metrics
//! app.rs       the state every room shares (the sending client, the services, the config)
//! send/        everything that leaves the bot: the fair schedule, replies, redacted errors
//! error.rs     the errors that stop the bot
//! metrics.rs  inbox_bound.rs   what the bot counts, the inbox's bounds (what it says: `crate::i18n`)
//! ```

mod app;
mod error;
mod handlers;
mod inbox_bound;
mod jobs;
mod metrics;
mod pipeline;
mod run;
mod send;

pub use crate::inbox::InboxError;
pub use error::BotError;
pub use run::{RunContext, run};
pub use send::Sender;
