//! The sentinel's decision: a value the bot layer matches on, never a string.

use std::time::Duration;

/// What to do with an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Verdict {
    /// Pass it to the handlers.
    Allow,
    /// The sender is blocked (by an admin, or they blocked the bot): drop it silently; no reply,
    /// not even a callback answer.
    Blocked,
    /// A duplicate within the debounce window: drop it (answer a callback silently).
    Debounced,
    /// Over a rate limit. `notify` is true for the first denial of a limited period only: send
    /// one short notice then; stay silent otherwise (answer callbacks silently).
    Limited {
        /// Exact time until the next event of this bucket would be accepted.
        retry_after: Duration,
        /// Whether to tell the user.
        notify: bool,
    },
    /// Muted by an escalating penalty; `notify` as for `Limited`.
    Penalised {
        /// Time left on the mute.
        retry_after: Duration,
        /// Whether to tell the user.
        notify: bool,
    },
    /// Nothing to attribute it to (no user, no chat) or sent by a bot: dropped silently.
    Ignored,
}

impl Verdict {
    /// Whether handlers should run.
    #[must_use]
    pub fn is_allowed(self) -> bool {
        matches!(self, Verdict::Allow)
    }

    /// The wait to tell the user about, if this verdict calls for a notice.
    #[must_use]
    pub fn notice(self) -> Option<Duration> {
        match self {
            Verdict::Limited { retry_after, notify: true } | Verdict::Penalised { retry_after, notify: true } => {
                Some(retry_after)
            }
            _ => None,
        }
    }
}
