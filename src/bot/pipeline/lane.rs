//! Which lane an update runs in: a chat's lane for its messages, one for its payment queries, one
//! per button press. The lanes ([`super::lanes`]) run them and the start gate ([`super::gate`])
//! ranks them by this key; it sits in a file of its own so that neither needs the other for it.

use teloxide::types::{Update, UpdateKind};

use crate::sentinel::{Inbound, InboundKind};

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

/// The lane of an update the sentinel's first look read whole ([`crate::sentinel::glance`]),
/// without decoding it: the same lane as [`lane_of`] gives the decoded update (the look reads the
/// same ids: a press's chat is its message's).
pub(crate) fn lane_of_inbound(inbound: &Inbound) -> LaneKey {
    match inbound.kind {
        InboundKind::CallbackQuery => (
            inbound.chat.unwrap_or_else(|| inbound.user.unwrap_or(i64::MAX)),
            Lane::Press(u32::try_from(inbound.update_id).unwrap_or(u32::MAX)),
        ),
        InboundKind::PreCheckoutQuery | InboundKind::InlineQuery => (inbound.user.unwrap_or(i64::MAX), Lane::Queries),
        _ => match (inbound.chat, inbound.user) {
            (Some(chat), _) => (chat, Lane::Messages),
            (None, Some(user)) => (user, Lane::Messages),
            (None, None) => (i64::MIN + inbound.update_id, Lane::Messages),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sentinel::{Glance, glance};

    #[test]
    fn the_first_look_puts_an_update_in_the_lane_its_decode_would() {
        let from = r#""from":{"id":5,"is_bot":false,"first_name":"Ann"}"#;
        let private = r#""chat":{"id":5,"type":"private","first_name":"Ann"}"#;
        let group = r#""chat":{"id":-100,"type":"group","title":"G"}"#;
        let samples = [
            format!(r#"{{"update_id":1,"message":{{"message_id":1,"date":1,{private},{from},"text":"/draw"}}}}"#),
            format!(r#"{{"update_id":2,"message":{{"message_id":1,"date":1,{group},{from},"text":"hello"}}}}"#),
            format!(
                r#"{{"update_id":3,"edited_message":{{"message_id":1,"date":1,"edit_date":2,{private},{from},"text":"x"}}}}"#
            ),
            format!(
                r#"{{"update_id":4,"callback_query":{{"id":"q","chat_instance":"c",{from},"data":"draw:1","message":{{"message_id":9,"date":1,{group},"text":"t"}}}}}}"#
            ),
            format!(r#"{{"update_id":5,"callback_query":{{"id":"q","chat_instance":"c",{from},"data":"x"}}}}"#),
            format!(r#"{{"update_id":6,"inline_query":{{"id":"i",{from},"query":"q","offset":""}}}}"#),
            format!(
                r#"{{"update_id":7,"pre_checkout_query":{{"id":"p",{from},"currency":"XTR","total_amount":5,"invoice_payload":"x"}}}}"#
            ),
        ];
        let mut decided = 0;
        for json in &samples {
            let update: Update = serde_json::from_str(json).expect(json);
            if let Glance::Decided(inbound) = glance(json, "arcana_bot") {
                assert_eq!(lane_of_inbound(&inbound), lane_of(&update), "{json}");
                decided += 1;
            }
        }
        assert!(decided >= 5, "the look decides the common kinds itself ({decided} of {})", samples.len());
    }
}
