//! `Inbound`: an update reduced to what the sentinel decides on — who, where, which bucket, and
//! the content that identifies a duplicate. Built for every update type, including ones arcana
//! never handles, so nothing reaches a handler unchecked.

use teloxide::types::{Message, MessageKind, Update, UpdateKind};

use crate::sanitize::split_command;

/// The kind of update, for counting and for how a denial is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboundKind {
    /// A new message.
    Message,
    /// An edited message.
    EditedMessage,
    /// An inline-button press (must always be answered).
    CallbackQuery,
    /// An inline query.
    InlineQuery,
    /// The bot's own membership in a chat changed (a private-chat block or unblock).
    MyChatMember,
    /// A payment pre-checkout query.
    PreCheckoutQuery,
    /// A payment service message (`successful_payment`, `refunded_payment`): sent by Telegram,
    /// never by the user, and never dropped — the money has already moved.
    Payment,
    /// Anything else (channel posts, polls, reactions, unparsed updates).
    Other,
}

/// A change of the bot's membership in a private chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    /// The user blocked the bot (kicked or left).
    BlockedBot,
    /// The user is back (member again).
    Returned,
}

/// What the sentinel needs to know about an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    /// The Telegram update id.
    pub update_id: i64,
    /// Its kind.
    pub kind: InboundKind,
    /// The sending user, if any.
    pub user: Option<i64>,
    /// Whether the sender is a bot.
    pub from_bot: bool,
    /// The chat, if any.
    pub chat: Option<i64>,
    /// The command name (lower case, no slash) for a command message addressed to this bot.
    pub command: Option<String>,
    /// The callback action (the part before the first `:` or `.` of the callback data).
    pub callback_action: Option<String>,
    /// What makes two events identical for debouncing: text, caption, callback data, inline
    /// query, or a media file's `file_unique_id`. Hashed with a key, never stored.
    pub content: Option<String>,
    /// A membership change in a private chat.
    pub membership: Option<Membership>,
}

impl Inbound {
    /// Reduces `update`; `bot_username` decides whether `/cmd@name` is addressed to this bot.
    #[must_use]
    pub fn from_update(update: &Update, bot_username: &str) -> Inbound {
        let mut inbound = Inbound {
            update_id: i64::from(update.id.0),
            kind: InboundKind::Other,
            user: update.from().map(|u| crate::sanitize::user_id(u.id)),
            from_bot: update.from().is_some_and(|u| u.is_bot),
            chat: update.chat().map(|c| c.id.0),
            command: None,
            callback_action: None,
            content: None,
            membership: None,
        };
        match &update.kind {
            UpdateKind::Message(m) if is_payment(m) => inbound.kind = InboundKind::Payment,
            UpdateKind::Message(m) => {
                inbound.kind = InboundKind::Message;
                inbound.read_message(m, bot_username);
            }
            UpdateKind::EditedMessage(m) => {
                inbound.kind = InboundKind::EditedMessage;
                inbound.read_message(m, bot_username);
            }
            UpdateKind::CallbackQuery(q) => {
                inbound.kind = InboundKind::CallbackQuery;
                inbound.chat = q.message.as_ref().map(|m| m.chat().id.0);
                inbound.callback_action = q.data.as_deref().map(callback_action);
                inbound.content = q.data.clone().or_else(|| q.game_short_name.clone());
            }
            UpdateKind::InlineQuery(q) => {
                inbound.kind = InboundKind::InlineQuery;
                inbound.content = Some(q.query.clone());
            }
            UpdateKind::MyChatMember(change) => {
                inbound.kind = InboundKind::MyChatMember;
                if change.chat.is_private() {
                    inbound.membership = Some(if change.new_chat_member.kind.is_present() {
                        Membership::Returned
                    } else {
                        Membership::BlockedBot
                    });
                }
            }
            UpdateKind::PreCheckoutQuery(_) => inbound.kind = InboundKind::PreCheckoutQuery,
            _ => {}
        }
        inbound
    }

    fn read_message(&mut self, message: &Message, bot_username: &str) {
        if let Some(text) = message.text() {
            self.command = split_command(text, bot_username).map(|(name, _)| name);
            self.content = Some(text.to_owned());
        } else if let Some(caption) = message.caption() {
            self.content = Some(caption.to_owned());
        } else {
            self.content = media_unique_id(message).map(|id| format!("file:{id}"));
        }
    }
}

fn is_payment(message: &Message) -> bool {
    matches!(message.kind, MessageKind::SuccessfulPayment(_) | MessageKind::RefundedPayment(_))
}

/// The action of callback data `action:args.mac`: the prefix before the first `:` or `.`,
/// bounded, so a forged button still lands in a bounded set of buckets.
pub(super) fn callback_action(data: &str) -> String {
    let end = data.find([':', '.']).unwrap_or(data.len());
    let action = &data[..end];
    if (1..=16).contains(&action.len())
        && action.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        action.to_owned()
    } else {
        String::from("?")
    }
}

fn media_unique_id(message: &Message) -> Option<&str> {
    let id = if let Some(s) = message.sticker() {
        &s.file.unique_id
    } else if let Some(p) = message.photo().and_then(<[_]>::last) {
        &p.file.unique_id
    } else if let Some(d) = message.document() {
        &d.file.unique_id
    } else if let Some(v) = message.video() {
        &v.file.unique_id
    } else if let Some(a) = message.animation() {
        &a.file.unique_id
    } else if let Some(v) = message.voice() {
        &v.file.unique_id
    } else if let Some(a) = message.audio() {
        &a.file.unique_id
    } else if let Some(v) = message.video_note() {
        &v.file.unique_id
    } else {
        return None;
    };
    Some(&id.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(json: &str) -> Update {
        serde_json::from_str(json).expect("update parses")
    }

    const FROM: &str = r#""from":{"id":7,"is_bot":false,"first_name":"A"}"#;
    const CHAT: &str = r#""chat":{"id":7,"type":"private","first_name":"A"}"#;

    #[test]
    fn a_command_message() {
        let u = update(&format!(
            r#"{{"update_id":1,"message":{{"message_id":1,"date":0,{CHAT},{FROM},"text":"/Draw@arcana_bot three"}}}}"#
        ));
        let i = Inbound::from_update(&u, "arcana_bot");
        assert_eq!((i.kind, i.user, i.chat), (InboundKind::Message, Some(7), Some(7)));
        assert_eq!(i.command.as_deref(), Some("draw"));
    }

    #[test]
    fn a_successful_payment_is_a_payment() {
        let u = update(&format!(
            r#"{{"update_id":9,"message":{{"message_id":1,"date":0,{CHAT},{FROM},"successful_payment":{{"currency":"XTR","total_amount":50,"invoice_payload":"p","telegram_payment_charge_id":"c","provider_payment_charge_id":""}}}}}}"#
        ));
        let i = Inbound::from_update(&u, "b");
        assert_eq!((i.kind, i.user, i.content), (InboundKind::Payment, Some(7), None));
    }

    #[test]
    fn a_sticker_is_identified_by_its_unique_id() {
        let u = update(&format!(
            r#"{{"update_id":2,"message":{{"message_id":1,"date":0,{CHAT},{FROM},"sticker":{{"file_id":"f","file_unique_id":"U1","type":"regular","width":1,"height":1,"is_animated":false,"is_video":false}}}}}}"#
        ));
        assert_eq!(Inbound::from_update(&u, "b").content.as_deref(), Some("file:U1"));
    }

    #[test]
    fn a_callback_has_its_action_and_chat() {
        let u = update(&format!(
            r#"{{"update_id":3,"callback_query":{{"id":"q",{FROM},"chat_instance":"c","data":"page:2.abc","message":{{"message_id":5,"date":0,{CHAT},"text":"x"}}}}}}"#
        ));
        let i = Inbound::from_update(&u, "b");
        assert_eq!((i.kind, i.chat, i.callback_action.as_deref()), (InboundKind::CallbackQuery, Some(7), Some("page")));
        assert_eq!(callback_action("EVIL:x"), "?");
    }

    #[test]
    fn my_chat_member_in_private_is_a_membership_change() {
        let u = update(&format!(
            r#"{{"update_id":4,"my_chat_member":{{{CHAT},{FROM},"date":0,"old_chat_member":{{"user":{{"id":1,"is_bot":true,"first_name":"B"}},"status":"member"}},"new_chat_member":{{"user":{{"id":1,"is_bot":true,"first_name":"B"}},"status":"kicked","until_date":0}}}}}}"#
        ));
        let i = Inbound::from_update(&u, "b");
        assert_eq!(i.membership, Some(Membership::BlockedBot));
    }

    #[test]
    fn a_channel_post_has_no_user() {
        let u = update(
            r#"{"update_id":5,"channel_post":{"message_id":1,"date":0,"chat":{"id":-100,"type":"channel","title":"c"},"text":"x"}}"#,
        );
        let i = Inbound::from_update(&u, "b");
        assert_eq!((i.user, i.chat), (None, Some(-100)));
    }
}
