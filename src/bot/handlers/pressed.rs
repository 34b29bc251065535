//! A pressed inline button, as the handlers of presses see it: who pressed, where its message
//! is, and when. A file of its own so that the button handlers (`history`, `payments`) need not
//! import the callback router (`callbacks`) that calls them.

use teloxide::types::{ChatId, MessageId};

/// Where a pressed button's message is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pressed {
    /// The user who pressed.
    pub user: i64,
    /// The chat of the message.
    pub chat: ChatId,
    /// The message carrying the button, if Telegram still has it.
    pub message: Option<MessageId>,
    /// The press's place in time (its update id): of two presses editing one message, only the
    /// later one's edit goes out.
    pub order: i64,
}
