//! Which lane an update runs in: a chat's lane for its messages, one for its payment queries, one
//! per button press. The lanes ([`super::lanes`]) run them and the start gate ([`super::gate`])
//! ranks them by this key; it sits in a file of its own so that neither needs the other for it.

use teloxide::types::{Update, UpdateKind};

/// Which of a chat's lanes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Lane {
    /// Messages and everything else, in order.
    Messages,
    /// Pre-checkout (and other non-button) queries: answered at once, ahead of everything.
    Queries,
    /// One button press (by its update id): it starts by its chat's demand, like messages, but
    /// never waits behind the chat's earlier presses, whose edits may wait for a send slot.
    Press(u32),
}

/// A lane: a chat (or the sender, or the update for chat-less updates) and which of its lanes.
pub(crate) type LaneKey = (i64, Lane);

/// The lane an update runs in: queries in their own lane of the chat (or of the user, for
/// pre-checkout queries, whose private chat has the user's id), everything else in order in the
/// chat's message lane; an update with neither chat nor user in a lane of its own.
pub(crate) fn lane_of(update: &Update) -> LaneKey {
    let user = update.from().map(|u| crate::sanitize::user_id(u.id));
    match &update.kind {
        UpdateKind::CallbackQuery(q) => {
            (q.message.as_ref().map_or_else(|| user.unwrap_or(i64::MAX), |m| m.chat().id.0), Lane::Press(update.id.0))
        }
        UpdateKind::PreCheckoutQuery(_) | UpdateKind::InlineQuery(_) | UpdateKind::ShippingQuery(_) => {
            (user.unwrap_or(i64::MAX), Lane::Queries)
        }
        _ => match (update.chat(), user) {
            (Some(chat), _) => (chat.id.0, Lane::Messages),
            (None, Some(user)) => (user, Lane::Messages),
            // Unique per update: below any chat id Telegram uses.
            (None, None) => (i64::MIN + i64::from(update.id.0), Lane::Messages),
        },
    }
}
