//! The update builders in `tests/support/updates.rs` produce bodies teloxide parses into the
//! intended update kinds (teloxide turns an unparsable update into `UpdateKind::Error`).

use serde_json::Value;
use teloxide::types::{MediaKind, MessageKind, Update, UpdateKind};

use crate::support::updates;

/// Parses from text, as teloxide does: its `UpdateKind` deserializer wants borrowed keys, so
/// `serde_json::from_value` would turn every update into `UpdateKind::Error`.
fn parse(mut body: Value) -> Update {
    body["update_id"] = Value::from(1);
    let text = body.to_string();
    let update: Update = serde_json::from_str(&text).expect("parses as an Update");
    assert!(!matches!(update.kind, UpdateKind::Error(_)), "teloxide could not parse: {text}");
    update
}

fn media(update: &Update) -> &MediaKind {
    let UpdateKind::Message(msg) = &update.kind else {
        panic!("not a message: {update:?}");
    };
    let MessageKind::Common(common) = &msg.kind else {
        panic!("not a common message: {msg:?}");
    };
    &common.media_kind
}

#[test]
fn support_builders_parse_as_teloxide_updates() {
    let private = parse(updates::message(7, 7, "hello"));
    let UpdateKind::Message(msg) = &private.kind else { panic!("message") };
    assert!(msg.chat.is_private());
    assert_eq!(msg.text(), Some("hello"));
    assert_eq!(msg.from.as_ref().map(|u| u.id.0), Some(7));

    let group = parse(updates::message(7, -100, "hi all"));
    let UpdateKind::Message(msg) = &group.kind else { panic!("message") };
    assert!(msg.chat.is_group());

    let command = parse(updates::command(7, "/start@arcana_test_bot now"));
    let UpdateKind::Message(msg) = &command.kind else { panic!("message") };
    let entities = msg.entities().expect("entities");
    assert_eq!((entities[0].offset, entities[0].length), (0, 22));

    assert!(matches!(parse(updates::edited_message(7, 7, "e")).kind, UpdateKind::EditedMessage(_)));
    let UpdateKind::CallbackQuery(query) = parse(updates::callback_query(7, "draw:1")).kind else {
        panic!("callback_query");
    };
    assert_eq!(query.data.as_deref(), Some("draw:1"));
    assert!(query.message.is_some());
    assert!(matches!(parse(updates::inline_query(7, "tarot")).kind, UpdateKind::InlineQuery(_)));
    let UpdateKind::MyChatMember(member) = parse(updates::my_chat_member(7, "member", "kicked")).kind else {
        panic!("my_chat_member");
    };
    assert!(member.new_chat_member.is_banned());
    assert!(member.old_chat_member.is_present());
    assert!(matches!(media(&parse(updates::sticker(7, "AgADst"))), MediaKind::Sticker(_)));
    let photo = parse(updates::photo(7, "AgADph", Some("a card")));
    let MediaKind::Photo(photo) = media(&photo) else { panic!("photo") };
    assert_eq!(photo.caption.as_deref(), Some("a card"));
    let UpdateKind::ChannelPost(post) = parse(updates::channel_post(-1_001_234, "news")).kind else {
        panic!("channel_post");
    };
    assert!(post.chat.is_channel() && post.from.is_none());
}
