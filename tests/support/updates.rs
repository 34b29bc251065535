//! Builders for realistic Telegram update bodies (without `update_id`; the fake server assigns
//! it in `FakeTelegram::push_update`), and the user/chat shapes the fake server reuses.
//!
//! Users are named after their id (`first_name` "User 42", `username` "user42"); message ids
//! come from a process-wide counter and dates are the current unix time.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

/// The bot's user id in these bodies (also the fake server's default, matching `TEST_TOKEN`).
pub const BOT_ID: i64 = 123_456_789;
/// The bot's username.
pub const BOT_USERNAME: &str = "arcana_test_bot";

static NEXT_ID: AtomicI64 = AtomicI64::new(1);

/// A fresh id, unique in this test process (message ids, query ids).
pub fn next_id() -> i64 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

/// Current unix time in seconds.
pub fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// A human user.
pub fn user(user_id: i64) -> Value {
    json!({
        "id": user_id,
        "is_bot": false,
        "first_name": format!("User {user_id}"),
        "username": format!("user{user_id}"),
        "language_code": "en",
    })
}

/// The bot as a `User`.
pub fn bot_user(bot_id: i64) -> Value {
    json!({
        "id": bot_id,
        "is_bot": true,
        "first_name": "Arcana Test",
        "username": BOT_USERNAME,
    })
}

/// The private chat with a user.
pub fn private_chat(user_id: i64) -> Value {
    json!({
        "id": user_id,
        "type": "private",
        "first_name": format!("User {user_id}"),
        "username": format!("user{user_id}"),
    })
}

/// A basic group.
pub fn group_chat(chat_id: i64) -> Value {
    json!({ "id": chat_id, "type": "group", "title": format!("Group {chat_id}") })
}

/// A channel.
pub fn channel_chat(chat_id: i64) -> Value {
    json!({ "id": chat_id, "type": "channel", "title": format!("Channel {chat_id}") })
}

/// The chat a message from `user_id` in `chat_id` belongs to: private when they are equal.
pub fn chat_for(user_id: i64, chat_id: i64) -> Value {
    if chat_id == user_id { private_chat(user_id) } else { group_chat(chat_id) }
}

/// A `Message` object (not an update) with text from a user.
pub fn message_object(user_id: i64, chat_id: i64, text: &str) -> Value {
    json!({
        "message_id": next_id(),
        "from": user(user_id),
        "chat": chat_for(user_id, chat_id),
        "date": unix_now(),
        "text": text,
    })
}

/// A text message update (`"message"`).
pub fn message(user_id: i64, chat_id: i64, text: &str) -> Value {
    json!({ "message": message_object(user_id, chat_id, text) })
}

/// A private-chat message whose leading `/word` (with an optional `@bot`) is a `bot_command`.
pub fn command(user_id: i64, text: &str) -> Value {
    let mut msg = message_object(user_id, user_id, text);
    if text.starts_with('/') {
        let word = text.split_whitespace().next().unwrap_or(text);
        let length = word.encode_utf16().count();
        msg["entities"] = json!([{ "type": "bot_command", "offset": 0, "length": length }]);
    }
    json!({ "message": msg })
}

/// An `edited_message` update.
pub fn edited_message(user_id: i64, chat_id: i64, text: &str) -> Value {
    let mut msg = message_object(user_id, chat_id, text);
    msg["edit_date"] = json!(unix_now());
    json!({ "edited_message": msg })
}

/// A `callback_query` from a button under a bot message in the user's private chat.
pub fn callback_query(user_id: i64, data: &str) -> Value {
    let id = next_id();
    json!({
        "callback_query": {
            "id": format!("cbq{id}"),
            "from": user(user_id),
            "message": {
                "message_id": next_id(),
                "from": bot_user(BOT_ID),
                "chat": private_chat(user_id),
                "date": unix_now(),
                "text": "Pick a card",
                "reply_markup": {
                    "inline_keyboard": [[{ "text": "Draw", "callback_data": data }]],
                },
            },
            "chat_instance": format!("ci{user_id}"),
            "data": data,
        }
    })
}

/// A `callback_query`: `user_id` pressed the one button (`button_text`, carrying `data`) under a
/// bot message reading `text` in their private chat.
pub fn button_press(user_id: i64, text: &str, button_text: &str, data: &str) -> Value {
    let mut update = callback_query(user_id, data);
    let message = &mut update["callback_query"]["message"];
    message["text"] = json!(text);
    message["reply_markup"] = json!({ "inline_keyboard": [[{ "text": button_text, "callback_data": data }]] });
    update
}

/// A `pre_checkout_query` from `user_id` for an invoice carrying `payload`.
pub fn pre_checkout_query(user_id: i64, payload: &str, currency: &str, total_amount: i64) -> Value {
    json!({
        "pre_checkout_query": {
            "id": format!("pcq{}", next_id()),
            "from": user(user_id),
            "currency": currency,
            "total_amount": total_amount,
            "invoice_payload": payload,
        }
    })
}

/// A `successful_payment` service message in `user_id`'s private chat.
pub fn successful_payment(user_id: i64, payload: &str, total_amount: i64, charge_id: &str) -> Value {
    let mut payment = payment_fields(payload, total_amount, charge_id);
    payment["provider_payment_charge_id"] = json!("");
    payment_message(user_id, "successful_payment", payment)
}

/// A `refunded_payment` service message in `user_id`'s private chat (a refund made outside the
/// bot's own `/refund`).
pub fn refunded_payment(user_id: i64, payload: &str, total_amount: i64, charge_id: &str) -> Value {
    payment_message(user_id, "refunded_payment", payment_fields(payload, total_amount, charge_id))
}

fn payment_fields(payload: &str, total_amount: i64, charge_id: &str) -> Value {
    json!({
        "currency": "XTR",
        "total_amount": total_amount,
        "invoice_payload": payload,
        "telegram_payment_charge_id": charge_id,
    })
}

fn payment_message(user_id: i64, field: &str, payment: Value) -> Value {
    let mut message = json!({
        "message_id": next_id(),
        "from": user(user_id),
        "chat": private_chat(user_id),
        "date": unix_now(),
    });
    message[field] = payment;
    json!({ "message": message })
}

/// An `inline_query`.
pub fn inline_query(user_id: i64, query: &str) -> Value {
    json!({
        "inline_query": {
            "id": format!("iq{}", next_id()),
            "from": user(user_id),
            "query": query,
            "offset": "",
            "chat_type": "sender",
        }
    })
}

/// A `my_chat_member` update for the bot in the user's private chat.
///
/// Statuses: `"member"`, `"left"`, `"kicked"` (the user blocked the bot).
pub fn my_chat_member(user_id: i64, old_status: &str, new_status: &str) -> Value {
    json!({
        "my_chat_member": {
            "chat": private_chat(user_id),
            "from": user(user_id),
            "date": unix_now(),
            "old_chat_member": chat_member(old_status),
            "new_chat_member": chat_member(new_status),
        }
    })
}

fn chat_member(status: &str) -> Value {
    let mut member = json!({ "user": bot_user(BOT_ID), "status": status });
    if status == "kicked" {
        member["until_date"] = json!(0);
    }
    member
}

/// A private message carrying a sticker.
pub fn sticker(user_id: i64, file_unique_id: &str) -> Value {
    let mut msg = media_message(user_id);
    msg["sticker"] = json!({
        "file_id": format!("CAACAgIAAx{file_unique_id}"),
        "file_unique_id": file_unique_id,
        "file_size": 18_290,
        "width": 512,
        "height": 512,
        "type": "regular",
        "is_animated": false,
        "is_video": false,
        "emoji": "🔮",
        "set_name": "tarot_cards",
    });
    json!({ "message": msg })
}

/// A private message carrying a photo (two sizes), with an optional caption.
pub fn photo(user_id: i64, file_unique_id: &str, caption: Option<&str>) -> Value {
    let mut msg = media_message(user_id);
    msg["photo"] = photo_sizes(file_unique_id);
    if let Some(caption) = caption {
        msg["caption"] = json!(caption);
    }
    json!({ "message": msg })
}

/// The `photo` array of a message: a thumbnail and a full size.
pub fn photo_sizes(file_unique_id: &str) -> Value {
    json!([
        {
            "file_id": format!("AgACAgIAAxs{file_unique_id}"),
            "file_unique_id": format!("{file_unique_id}s"),
            "file_size": 1_234,
            "width": 90,
            "height": 90,
        },
        {
            "file_id": format!("AgACAgIAAxm{file_unique_id}"),
            "file_unique_id": file_unique_id,
            "file_size": 54_321,
            "width": 800,
            "height": 800,
        },
    ])
}

/// A `channel_post` (no `from`; the sender is the channel).
pub fn channel_post(chat_id: i64, text: &str) -> Value {
    json!({
        "channel_post": {
            "message_id": next_id(),
            "sender_chat": channel_chat(chat_id),
            "chat": channel_chat(chat_id),
            "date": unix_now(),
            "text": text,
        }
    })
}

fn media_message(user_id: i64) -> Value {
    json!({
        "message_id": next_id(),
        "from": user(user_id),
        "chat": private_chat(user_id),
        "date": unix_now(),
    })
}
