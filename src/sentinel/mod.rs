//! The sentinel: the security layer every update passes before any handler or database work
//! (input sanitisers live in [`crate::sanitize`], below every other module).
//!
//! It reduces an update to an [`Inbound`] and decides a [`Verdict`], cheapest check first:
//! blocklist, escalating penalty, debounce, rate limit. The bot layer acts on the verdict —
//! handlers for `Allow`; at most one short notice per limited period; callback queries answered
//! so the spinner stops; silence for blocked users.
//!
//! Rate limits are exact sliding windows ("N per W" never admits more than N in any window of
//! length W; an event exactly W old has aged out), per user, user-in-chat, chat or globally, with
//! a default rule plus per-command and per-callback-action rules, each its own bucket. Updates
//! without a user count per chat. Denied events do not count, and `retry_after` is the exact time
//! until the next event would be accepted.
//!
//! The sentinel works in front of any teloxide handler tree:
//!
//! ```no_run
//! use std::sync::Arc;
//! use arcana::sentinel::{Inbound, Sentinel, Verdict};
//! use teloxide::{dispatching::UpdateHandler, dptree, prelude::*};
//!
//! fn guarded(sentinel: Arc<Sentinel>, bot_username: String) -> UpdateHandler<teloxide::RequestError> {
//!     dptree::filter_map(move |update: Update| {
//!         let verdict = sentinel.check(&Inbound::from_update(&update, &bot_username));
//!         // Only allowed updates go on; act on the other verdicts here (notices, callback answers).
//!         verdict.is_allowed().then_some(update)
//!     })
//!     .branch(Update::filter_message().endpoint(|bot: Bot, msg: Message| async move {
//!         bot.send_message(msg.chat.id, "hello").await?;
//!         Ok(())
//!     }))
//! }
//! ```

mod blocklist;
mod debounce;
mod engine;
mod glance;
mod inbound;
mod penalty;
mod shards;
mod siphash;
mod stats;
mod verdict;
mod window;

pub use blocklist::{AdminBlock, BlockRecord, Blocklist, REASON_MAX_CHARS};
pub use engine::{KEY_LABEL, Sentinel, UserRule, client_key};
pub use glance::{Glance, glance};
pub use inbound::{Inbound, InboundKind, Membership};
pub use penalty::{Mute, PenaltyRecord, forget_penalties, forget_penalty, penalty_of};
pub use stats::Stats;
pub use verdict::Verdict;
pub(crate) use window::{Admission, Window};

#[cfg(test)]
mod tests;
