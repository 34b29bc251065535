//! Results of the Bot API methods other than `getUpdates`, in the JSON shapes Telegram returns
//! (and teloxide 0.17 parses): `getMe`'s full `Me`, `Message` objects for the send methods,
//! `true` for everything else.

use serde_json::{Value, json};

use super::super::updates::{BOT_USERNAME, bot_user, channel_chat, group_chat, photo_sizes, private_chat, unix_now};
use super::State;
use super::params::{int_param, json_param, str_param};

/// The `result` of a (non-faulted) call.
pub fn result(state: &mut State, bot_id: i64, method: &str, params: &Value) -> Value {
    match method {
        "getMe" => me(bot_id),
        "sendMessage" => {
            let mut msg = new_message(state, bot_id, params);
            msg["text"] = json!(str_param(params, "text").unwrap_or_default());
            msg
        }
        "sendPhoto" => {
            let mut msg = new_message(state, bot_id, params);
            msg["photo"] = photo_sizes(&format!("ph{}", msg["message_id"]));
            if let Some(caption) = str_param(params, "caption") {
                msg["caption"] = json!(caption);
            }
            msg
        }
        "sendDocument" => {
            let mut msg = new_message(state, bot_id, params);
            let id = msg["message_id"].clone();
            msg["document"] = json!({
                "file_id": format!("doc{id}"),
                "file_unique_id": format!("udoc{id}"),
                "file_name": "document",
            });
            if let Some(caption) = str_param(params, "caption") {
                msg["caption"] = json!(caption);
            }
            msg
        }
        "editMessageText" => {
            if params.get("inline_message_id").is_some() {
                return json!(true);
            }
            let mut msg = message_shell(int_param(params, "message_id").unwrap_or(0), bot_id, &chat(params), params);
            msg["text"] = json!(str_param(params, "text").unwrap_or_default());
            msg["edit_date"] = json!(unix_now());
            msg
        }
        "sendInvoice" => {
            let mut msg = new_message(state, bot_id, params);
            msg["invoice"] = invoice(params);
            msg
        }
        "getWebhookInfo" => json!({
            "url": "",
            "has_custom_certificate": false,
            "pending_update_count": state.updates.len(),
        }),
        "getMyCommands" => json!([]),
        // deleteWebhook, setMyCommands, deleteMyCommands, setMyDescription, answerCallbackQuery,
        // answerInlineQuery, answerPreCheckoutQuery, refundStarPayment, and anything unknown.
        _ => json!(true),
    }
}

/// The full `Me` object.
pub fn me(bot_id: i64) -> Value {
    json!({
        "id": bot_id,
        "is_bot": true,
        "first_name": "Arcana Test",
        "username": BOT_USERNAME,
        "can_join_groups": true,
        "can_read_all_group_messages": false,
        "supports_inline_queries": true,
        "can_connect_to_business": false,
        "has_main_web_app": false,
    })
}

fn new_message(state: &mut State, bot_id: i64, params: &Value) -> Value {
    state.next_message_id += 1;
    message_shell(state.next_message_id, bot_id, &chat(params), params)
}

fn message_shell(message_id: i64, bot_id: i64, chat: &Value, params: &Value) -> Value {
    let mut msg = json!({
        "message_id": message_id,
        "from": bot_user(bot_id),
        "chat": chat,
        "date": unix_now(),
    });
    // Telegram echoes inline keyboards (only those) back in the sent message.
    if let Some(markup) = json_param(params, "reply_markup")
        && markup.get("inline_keyboard").is_some()
    {
        msg["reply_markup"] = markup;
    }
    msg
}

/// The chat addressed by `chat_id`: a user id, a (super)group id, or a `@channel` username.
fn chat(params: &Value) -> Value {
    match int_param(params, "chat_id") {
        Some(id) if id > 0 => private_chat(id),
        Some(id) if id <= -1_000_000_000_000 => {
            json!({ "id": id, "type": "supergroup", "title": format!("Supergroup {id}") })
        }
        Some(id) => group_chat(id),
        None => {
            let mut chat = channel_chat(-1_001_000_000_001);
            if let Some(name) = str_param(params, "chat_id") {
                chat["username"] = json!(name.trim_start_matches('@'));
            }
            chat
        }
    }
}

fn invoice(params: &Value) -> Value {
    let total: i64 = json_param(params, "prices")
        .and_then(|prices| prices.as_array().map(|items| items.iter().filter_map(|p| p.get("amount")?.as_i64()).sum()))
        .unwrap_or(0);
    json!({
        "title": str_param(params, "title").unwrap_or_default(),
        "description": str_param(params, "description").unwrap_or_default(),
        "start_parameter": str_param(params, "start_parameter").unwrap_or_default(),
        "currency": str_param(params, "currency").unwrap_or_else(|| "XTR".to_owned()),
        "total_amount": total,
    })
}
