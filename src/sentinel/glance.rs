//! A first look at an update's JSON: the few fields the sentinel decides on, read without
//! decoding the rest. A flood is mostly updates the sentinel denies, and teloxide's full decode
//! of one (every field of every message type) costs about ten times this look; a denied update
//! should cost only what deciding it needs. The polling loop decodes an update fully only once
//! it is admitted, or when its denial must be answered (a button press, a checkout).
//!
//! The look reads the update the way teloxide's types do, so the verdict is the one
//! [`Inbound::from_update`] would give (a unit test holds the two side by side): which kind it
//! is, who sent it, in which chat, the command, the button's action, and what identifies a
//! duplicate. For a message that means teloxide's order of media kinds (a GIF carries both
//! `animation` and `document`: it is an animation; a `text` beside a photo is not the text).
//! Anything it does not model — other update kinds, a body its lean types refuse — it leaves to
//! the full decode ([`Glance::Unsure`]); an update without a readable `update_id` is
//! [`Glance::Unreadable`].

use std::borrow::Cow;

use serde::Deserialize;

use teloxide::types::UserId;

use crate::sanitize::{split_command, user_id};

use super::inbound::{Inbound, InboundKind, Membership, callback_action};

/// What a first look at one update found.
#[derive(Debug)]
pub enum Glance {
    /// The sentinel can decide on this.
    Decided(Inbound),
    /// Only the full decode can say (its id, for the offset).
    Unsure(i64),
    /// Not an update: no `update_id` to read.
    Unreadable,
}

impl Glance {
    /// The update's id, if it has one.
    #[must_use]
    pub fn update_id(&self) -> Option<i64> {
        match self {
            Glance::Decided(inbound) => Some(inbound.update_id),
            Glance::Unsure(id) => Some(*id),
            Glance::Unreadable => None,
        }
    }
}

/// Looks at the JSON of one update; `bot_username` decides whether `/cmd@name` is for this bot.
#[must_use]
pub fn glance(json: &str, bot_username: &str) -> Glance {
    // An update is an object; serde would read an array into the same structs by position.
    if !json.trim_start().starts_with('{') {
        return Glance::Unreadable;
    }
    match serde_json::from_str::<LeanUpdate<'_>>(json) {
        Ok(update) => update.inbound(bot_username).map_or(Glance::Unsure(update.update_id), Glance::Decided),
        Err(_) => match serde_json::from_str::<IdOnly>(json) {
            Ok(IdOnly { update_id }) => Glance::Unsure(update_id),
            // The slow way, for what a struct refuses (a repeated key): an id that is there
            // must move the offset past the update, or Telegram would send it forever.
            Err(_) => serde_json::from_str::<serde_json::Value>(json)
                .ok()
                .and_then(|value| value.get("update_id").and_then(serde_json::Value::as_i64))
                .map_or(Glance::Unreadable, Glance::Unsure),
        },
    }
}

#[derive(Deserialize)]
struct IdOnly {
    update_id: i64,
}

#[derive(Deserialize)]
struct LeanUpdate<'a> {
    update_id: i64,
    #[serde(borrow)]
    message: Option<LeanMessage<'a>>,
    #[serde(borrow)]
    edited_message: Option<LeanMessage<'a>>,
    #[serde(borrow)]
    callback_query: Option<LeanCallback<'a>>,
    #[serde(borrow)]
    inline_query: Option<LeanInline<'a>>,
    #[serde(borrow)]
    my_chat_member: Option<LeanMember<'a>>,
    pre_checkout_query: Option<LeanFromOnly>,
}

#[derive(Deserialize)]
struct LeanUser {
    id: u64,
    is_bot: bool,
}

#[derive(Deserialize)]
struct LeanChat<'a> {
    id: i64,
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
}

#[derive(Deserialize)]
struct LeanFile<'a> {
    #[serde(borrow)]
    file_unique_id: Cow<'a, str>,
}

/// Presence only: the value is skipped, not decoded.
#[derive(Deserialize)]
struct Present(serde::de::IgnoredAny);

#[derive(Deserialize)]
struct LeanMessage<'a> {
    from: Option<LeanUser>,
    #[serde(borrow)]
    chat: LeanChat<'a>,
    #[serde(borrow)]
    text: Option<Cow<'a, str>>,
    #[serde(borrow)]
    caption: Option<Cow<'a, str>>,
    // The media kinds, in teloxide's order (its `MediaKind`): the first present is the kind.
    #[serde(borrow)]
    animation: Option<LeanFile<'a>>,
    #[serde(borrow)]
    audio: Option<LeanFile<'a>>,
    contact: Option<Present>,
    #[serde(borrow)]
    document: Option<LeanFile<'a>>,
    paid_media: Option<Present>,
    game: Option<Present>,
    venue: Option<Present>,
    location: Option<Present>,
    #[serde(borrow)]
    photo: Option<Vec<LeanFile<'a>>>,
    poll: Option<Present>,
    checklist: Option<Present>,
    #[serde(borrow)]
    sticker: Option<LeanFile<'a>>,
    story: Option<Present>,
    // (text comes here in teloxide's order)
    #[serde(borrow)]
    video: Option<LeanFile<'a>>,
    #[serde(borrow)]
    video_note: Option<LeanFile<'a>>,
    #[serde(borrow)]
    voice: Option<LeanFile<'a>>,
    successful_payment: Option<Present>,
    refunded_payment: Option<Present>,
}

/// A message's kind of content as teloxide reads it.
enum Content<'m> {
    /// Text (and so maybe a command).
    Text(&'m str),
    /// Media: its caption (for the kinds that have one) and its file's unique id (for files).
    Media { caption: Option<&'m str>, file: Option<&'m str> },
    /// No content: a service message (a payment among them).
    Service,
}

impl LeanMessage<'_> {
    fn content(&self) -> Content<'_> {
        let caption = self.caption.as_deref();
        // Before the text in teloxide's order.
        let early: [(bool, Option<&str>, Option<&str>); 13] = [
            (self.animation.is_some(), caption, self.animation.as_ref().map(|f| &*f.file_unique_id)),
            (self.audio.is_some(), caption, self.audio.as_ref().map(|f| &*f.file_unique_id)),
            (self.contact.is_some(), None, None),
            (self.document.is_some(), caption, self.document.as_ref().map(|f| &*f.file_unique_id)),
            (self.paid_media.is_some(), None, None),
            (self.game.is_some(), None, None),
            (self.venue.is_some(), None, None),
            (self.location.is_some(), None, None),
            (
                self.photo.is_some(),
                caption,
                self.photo.as_ref().and_then(|sizes| sizes.last()).map(|f| &*f.file_unique_id),
            ),
            (self.poll.is_some(), None, None),
            (self.checklist.is_some(), None, None),
            (self.sticker.is_some(), None, self.sticker.as_ref().map(|f| &*f.file_unique_id)),
            (self.story.is_some(), None, None),
        ];
        if let Some(&(_, caption, file)) = early.iter().find(|(present, _, _)| *present) {
            return Content::Media { caption, file };
        }
        if let Some(text) = self.text.as_deref() {
            return Content::Text(text);
        }
        let late: [(bool, Option<&str>, Option<&str>); 3] = [
            (self.video.is_some(), caption, self.video.as_ref().map(|f| &*f.file_unique_id)),
            (self.video_note.is_some(), None, self.video_note.as_ref().map(|f| &*f.file_unique_id)),
            (self.voice.is_some(), caption, self.voice.as_ref().map(|f| &*f.file_unique_id)),
        ];
        match late.iter().find(|(present, _, _)| *present) {
            Some(&(_, caption, file)) => Content::Media { caption, file },
            None => Content::Service,
        }
    }

    fn is_payment(&self) -> bool {
        matches!(self.content(), Content::Service)
            && (self.successful_payment.is_some() || self.refunded_payment.is_some())
    }

    /// Fills what a message tells the sentinel (as `Inbound::read_message` does).
    fn read_into(&self, inbound: &mut Inbound, bot_username: &str) {
        match self.content() {
            Content::Text(text) => {
                inbound.command = split_command(text, bot_username).map(|(name, _)| name);
                inbound.content = Some(text.to_owned());
            }
            Content::Media { caption: Some(caption), .. } => inbound.content = Some(caption.to_owned()),
            Content::Media { caption: None, file } => inbound.content = file.map(|id| format!("file:{id}")),
            Content::Service => {}
        }
    }
}

/// A button's message: a whole message or an inaccessible one; both carry the chat.
#[derive(Deserialize)]
struct LeanButtonMessage<'a> {
    #[serde(borrow)]
    chat: LeanChat<'a>,
}

#[derive(Deserialize)]
struct LeanCallback<'a> {
    from: LeanUser,
    #[serde(borrow)]
    message: Option<LeanButtonMessage<'a>>,
    #[serde(borrow)]
    data: Option<Cow<'a, str>>,
    #[serde(borrow)]
    game_short_name: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct LeanInline<'a> {
    from: LeanUser,
    #[serde(borrow)]
    query: Cow<'a, str>,
}

#[derive(Deserialize)]
struct LeanMemberStatus<'a> {
    #[serde(borrow)]
    status: Cow<'a, str>,
    is_member: Option<bool>,
}

#[derive(Deserialize)]
struct LeanMember<'a> {
    from: LeanUser,
    #[serde(borrow)]
    chat: LeanChat<'a>,
    #[serde(borrow)]
    new_chat_member: LeanMemberStatus<'a>,
}

#[derive(Deserialize)]
struct LeanFromOnly {
    from: LeanUser,
}

impl LeanUpdate<'_> {
    /// The sentinel's view, or `None` if this is not one update of a kind modelled here.
    fn inbound(&self, bot_username: &str) -> Option<Inbound> {
        let kinds = [
            self.message.is_some(),
            self.edited_message.is_some(),
            self.callback_query.is_some(),
            self.inline_query.is_some(),
            self.my_chat_member.is_some(),
            self.pre_checkout_query.is_some(),
        ];
        if kinds.iter().filter(|present| **present).count() != 1 {
            return None;
        }
        let mut inbound = Inbound {
            update_id: self.update_id,
            kind: InboundKind::Other,
            user: None,
            from_bot: false,
            chat: None,
            command: None,
            callback_action: None,
            content: None,
            membership: None,
        };
        let from = |user: &LeanUser| (Some(user_id(UserId(user.id))), user.is_bot);
        if let Some(message) = self.message.as_ref().or(self.edited_message.as_ref()) {
            (inbound.user, inbound.from_bot) = message.from.as_ref().map_or((None, false), from);
            inbound.chat = Some(message.chat.id);
            if self.edited_message.is_some() {
                inbound.kind = InboundKind::EditedMessage;
                message.read_into(&mut inbound, bot_username);
            } else if message.is_payment() {
                inbound.kind = InboundKind::Payment;
            } else {
                inbound.kind = InboundKind::Message;
                message.read_into(&mut inbound, bot_username);
            }
        } else if let Some(query) = &self.callback_query {
            (inbound.user, inbound.from_bot) = from(&query.from);
            inbound.kind = InboundKind::CallbackQuery;
            inbound.chat = query.message.as_ref().map(|m| m.chat.id);
            inbound.callback_action = query.data.as_deref().map(callback_action);
            inbound.content = query.data.as_deref().or(query.game_short_name.as_deref()).map(str::to_owned);
        } else if let Some(query) = &self.inline_query {
            (inbound.user, inbound.from_bot) = from(&query.from);
            inbound.kind = InboundKind::InlineQuery;
            inbound.content = Some(query.query.clone().into_owned());
        } else if let Some(change) = &self.my_chat_member {
            (inbound.user, inbound.from_bot) = from(&change.from);
            inbound.kind = InboundKind::MyChatMember;
            inbound.chat = Some(change.chat.id);
            if change.chat.kind == "private" {
                let member = &change.new_chat_member;
                let present = match &*member.status {
                    "left" | "kicked" => false,
                    "restricted" => member.is_member == Some(true),
                    _ => true,
                };
                inbound.membership = Some(if present { Membership::Returned } else { Membership::BlockedBot });
            }
        } else if let Some(query) = &self.pre_checkout_query {
            (inbound.user, inbound.from_bot) = from(&query.from);
            inbound.kind = InboundKind::PreCheckoutQuery;
        }
        Some(inbound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use teloxide::types::Update;

    const FROM: &str = r#""from":{"id":7,"is_bot":false,"first_name":"A","language_code":"ru"}"#;
    const CHAT: &str = r#""chat":{"id":7,"type":"private","first_name":"A"}"#;
    const GROUP: &str = r#""chat":{"id":-100,"type":"supergroup","title":"G"}"#;

    fn file(id: &str) -> String {
        format!(r#"{{"file_id":"f{id}","file_unique_id":"{id}","file_size":10}}"#)
    }

    fn message(kind: &str, chat: &str, body: &str) -> String {
        format!(r#"{{"update_id":41,"{kind}":{{"message_id":1,"date":1700000000,{chat},{FROM},{body}}}}}"#)
    }

    /// Updates as Telegram sends them, and odd ones, each of which the look must read as the full
    /// decode does.
    fn corpus() -> Vec<String> {
        let photo = format!(r#""photo":[{},{}]"#, photo_size("small"), photo_size("big"));
        let sticker = r#""sticker":{"file_id":"s","file_unique_id":"S1","type":"regular","width":1,"height":1,"is_animated":false,"is_video":false}"#;
        let gif = format!(
            r#""animation":{{"file_id":"a","file_unique_id":"G1","width":1,"height":1,"duration":1,"mime_type":"video/mp4"}},"document":{}"#,
            file("G1")
        );
        let voice = r#""voice":{"file_id":"v","file_unique_id":"V1","duration":2,"mime_type":"audio/ogg"}"#;
        let video = r#""video":{"file_id":"v","file_unique_id":"M1","width":1,"height":1,"duration":2,"mime_type":"video/mp4"}"#;
        let payment = r#""successful_payment":{"currency":"XTR","total_amount":50,"invoice_payload":"p","telegram_payment_charge_id":"c","provider_payment_charge_id":""}"#;
        let refund = r#""refunded_payment":{"currency":"XTR","total_amount":50,"invoice_payload":"p","telegram_payment_charge_id":"c"}"#;
        let member = |status: &str, chat: &str| {
            format!(
                r#"{{"update_id":44,"my_chat_member":{{{chat},{FROM},"date":0,"old_chat_member":{{"user":{{"id":1,"is_bot":true,"first_name":"B"}},"status":"member"}},"new_chat_member":{{"user":{{"id":1,"is_bot":true,"first_name":"B"}},{status}}}}}}}"#
            )
        };
        vec![
            message("message", CHAT, r#""text":"/Draw@arcana_bot three Where next?""#),
            message("message", CHAT, r#""text":"/draw@other_bot""#),
            message("message", CHAT, r#""text":"just words \"quoted\" and \u00e9scaped""#),
            message("message", GROUP, r#""text":"/help""#),
            message("edited_message", CHAT, r#""edit_date":1,"text":"/draw""#),
            message("message", CHAT, &format!(r#"{photo},"caption":"my spread""#)),
            message("message", CHAT, &photo),
            message("message", CHAT, sticker),
            message("message", CHAT, &gif),
            message("message", CHAT, voice),
            message("message", CHAT, &format!(r#"{video},"caption":"v""#)),
            message("message", CHAT, &format!(r#""document":{},"caption":"doc""#, file("D1"))),
            message("message", CHAT, r#""contact":{"phone_number":"1","first_name":"C"}"#),
            message("message", CHAT, r#""location":{"latitude":1.0,"longitude":2.0}"#),
            message("message", CHAT, payment),
            message("message", CHAT, refund),
            message("message", CHAT, r#""new_chat_title":"t""#),
            // A text beside a photo is read as the photo; a text beside a video as the text.
            message("message", CHAT, &format!(r#"{photo},"text":"/draw""#)),
            message("message", CHAT, &format!(r#"{video},"text":"/draw""#)),
            // A message with no sender (sent on behalf of a channel).
            r#"{"update_id":45,"message":{"message_id":1,"date":0,"chat":{"id":-100,"type":"supergroup","title":"G"},"sender_chat":{"id":-200,"type":"channel","title":"C"},"text":"hi"}}"#.to_owned(),
            format!(
                r#"{{"update_id":42,"callback_query":{{"id":"q",{FROM},"chat_instance":"c","data":"page:2.abcdef","message":{{"message_id":5,"date":0,{CHAT},"text":"x"}}}}}}"#
            ),
            format!(
                r#"{{"update_id":42,"callback_query":{{"id":"q",{FROM},"chat_instance":"c","data":"EVIL DATA","message":{{"message_id":5,"date":0,{GROUP}}}}}}}"#
            ),
            format!(r#"{{"update_id":42,"callback_query":{{"id":"q",{FROM},"chat_instance":"c","game_short_name":"g"}}}}"#),
            format!(
                r#"{{"update_id":42,"callback_query":{{"id":"q",{FROM},"chat_instance":"c","inline_message_id":"i","data":"x"}}}}"#
            ),
            format!(r#"{{"update_id":43,"inline_query":{{"id":"i",{FROM},"query":"fool","offset":""}}}}"#),
            member(r#""status":"kicked","until_date":0"#, CHAT),
            member(r#""status":"member""#, CHAT),
            member(r#""status":"left""#, CHAT),
            member(r#""status":"restricted","is_member":true,"until_date":0,"can_send_messages":true,"can_send_audios":true,"can_send_documents":true,"can_send_photos":true,"can_send_videos":true,"can_send_video_notes":true,"can_send_voice_notes":true,"can_send_polls":true,"can_send_other_messages":true,"can_add_web_page_previews":true,"can_change_info":true,"can_invite_users":true,"can_pin_messages":true,"can_manage_topics":true"#, GROUP),
            member(r#""status":"member""#, GROUP),
            format!(
                r#"{{"update_id":46,"pre_checkout_query":{{"id":"p",{FROM},"currency":"XTR","total_amount":50,"invoice_payload":"x"}}}}"#
            ),
            // A bot as the sender, and an id past i64.
            r#"{"update_id":47,"message":{"message_id":1,"date":0,"chat":{"id":7,"type":"private","first_name":"A"},"from":{"id":18446744073709551615,"is_bot":true,"first_name":"B"},"text":"hi"}}"#.to_owned(),
        ]
    }

    fn photo_size(id: &str) -> String {
        format!(r#"{{"file_id":"p{id}","file_unique_id":"{id}","width":1,"height":1}}"#)
    }

    #[test]
    fn the_look_decides_as_the_full_decode_would() {
        for json in corpus() {
            let full: Update = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
            let expected = Inbound::from_update(&full, "arcana_bot");
            match glance(&json, "arcana_bot") {
                Glance::Decided(inbound) => assert_eq!(inbound, expected, "{json}"),
                other => panic!("{other:?} for {json}"),
            }
        }
    }

    #[test]
    fn the_look_reads_what_the_sentinel_needs() {
        let json = message("message", CHAT, r#""text":"/Draw@arcana_bot three""#);
        let Glance::Decided(inbound) = glance(&json, "arcana_bot") else { panic!("decided") };
        assert_eq!(
            (inbound.update_id, inbound.kind, inbound.user, inbound.chat),
            (41, InboundKind::Message, Some(7), Some(7))
        );
        assert_eq!(inbound.command.as_deref(), Some("draw"));
        let gif = format!(
            r#""animation":{{"file_id":"a","file_unique_id":"G1","width":1,"height":1,"duration":1,"mime_type":"video/mp4"}},"document":{}"#,
            file("D9")
        );
        let Glance::Decided(inbound) = glance(&message("message", CHAT, &gif), "b") else { panic!("decided") };
        assert_eq!(inbound.content.as_deref(), Some("file:G1"), "a GIF is its animation");
    }

    #[test]
    fn kinds_it_does_not_model_go_to_the_full_decode() {
        let unsure = [
            r#"{"update_id":5,"channel_post":{"message_id":1,"date":0,"chat":{"id":-100,"type":"channel","title":"c"},"text":"x"}}"#,
            r#"{"update_id":6,"message_reaction":{"chat":{"id":7,"type":"private","first_name":"A"},"message_id":1,"date":0,"old_reaction":[],"new_reaction":[]}}"#,
            r#"{"update_id":7}"#,
            // Two kinds in one update, a user id that is not a number, a negative user id.
            r#"{"update_id":8,"message":{"message_id":1,"date":0,"chat":{"id":7,"type":"private"},"text":"a"},"inline_query":{"id":"i","from":{"id":7,"is_bot":false,"first_name":"A"},"query":"q","offset":""}}"#,
            r#"{"update_id":9,"message":{"message_id":1,"date":0,"chat":{"id":7,"type":"private"},"from":{"id":"7","is_bot":false},"text":"a"}}"#,
            r#"{"update_id":10,"inline_query":{"id":"i","from":{"id":-7,"is_bot":false,"first_name":"A"},"query":"q","offset":""}}"#,
        ];
        for (json, id) in unsure.iter().zip(5..) {
            assert!(matches!(glance(json, "b"), Glance::Unsure(i) if i == id), "{json}");
        }
        let repeated = r#"{"update_id":11,"update_id":12,"message":{}}"#;
        assert!(matches!(glance(repeated, "b"), Glance::Unsure(12)), "the id JSON readers agree on");
        for json in
            ["", "[]", "[5]", r#"[5,{"message_id":1}]"#, "{}", r#"{"update_id":"5"}"#, "{\"update_id\":5", "null"]
        {
            assert!(matches!(glance(json, "b"), Glance::Unreadable), "{json}");
        }
    }
}
