//! The `result` of each Bot API method the bot calls, in the shapes Telegram returns (and
//! teloxide parses): the full `Me`, `Message` objects for the send and edit methods, `[]` for
//! `getMyCommands`, `true` for everything else.

use serde_json::{Value, json};

use super::state::{Shared, State};

/// The `result` of `method` called with `params`.
pub(super) fn result(shared: &Shared, state: &mut State, method: &str, params: &Value) -> Value {
    match method {
        "getMe" => json!({
            "id": shared.bot_id,
            "is_bot": true,
            "first_name": "arcana (demo)",
            "username": shared.bot_username,
            "can_join_groups": false,
            "can_read_all_group_messages": false,
            "supports_inline_queries": false,
            "can_connect_to_business": false,
            "has_main_web_app": false,
        }),
        "sendMessage" | "sendPhoto" | "sendDocument" | "sendInvoice" => {
            let id = state.next_message_id();
            let mut message = shell(shared, id, params);
            match method {
                "sendMessage" => message["text"] = json!(text(params, "text")),
                "sendPhoto" => {
                    message["photo"] = json!([{ "file_id": format!("photo{id}"), "file_unique_id": format!("p{id}"),
                        "width": 512, "height": 512 }]);
                }
                "sendDocument" => {
                    message["document"] = json!({ "file_id": format!("doc{id}"), "file_unique_id": format!("d{id}") });
                }
                _ => {
                    message["invoice"] = json!({ "title": text(params, "title"), "description": text(params, "description"),
                        "start_parameter": "", "currency": "XTR", "total_amount": 0 });
                }
            }
            if let Some(caption) = params.get("caption").and_then(Value::as_str) {
                message["caption"] = json!(caption);
            }
            message
        }
        "editMessageText" | "editMessageReplyMarkup" | "editMessageCaption" => {
            let id = params.get("message_id").and_then(as_int).unwrap_or(0);
            let mut message = shell(shared, id, params);
            message["text"] = json!(text(params, "text"));
            message["edit_date"] = json!(now_s());
            message
        }
        "getMyCommands" => json!([]),
        "getWebhookInfo" => json!({ "url": "", "has_custom_certificate": false, "pending_update_count": 0 }),
        _ => json!(true),
    }
}

/// The bot as a Telegram `User`.
pub(super) fn bot_user(shared: &Shared) -> Value {
    json!({ "id": shared.bot_id, "is_bot": true, "first_name": "arcana (demo)", "username": shared.bot_username })
}

/// A message from the bot in the chat `params` address, with the inline keyboard it carries.
fn shell(shared: &Shared, message_id: i64, params: &Value) -> Value {
    let chat_id = params.get("chat_id").and_then(as_int).unwrap_or(0);
    let mut message = json!({
        "message_id": message_id,
        "from": bot_user(shared),
        "chat": { "id": chat_id, "type": "private", "first_name": "You" },
        "date": now_s(),
    });
    let markup = match params.get("reply_markup") {
        Some(Value::String(s)) => serde_json::from_str(s).ok(),
        other => other.cloned(),
    };
    if let Some(markup) = markup.filter(|m| m.get("inline_keyboard").is_some()) {
        message["reply_markup"] = markup;
    }
    message
}

fn text(params: &Value, key: &str) -> String {
    params.get(key).and_then(Value::as_str).unwrap_or_default().to_owned()
}

/// An integer sent as a JSON number or as a decimal string (forms send strings).
pub(super) fn as_int(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn now_s() -> u64 {
    crate::clock::unix_ms(std::time::SystemTime::now()) / 1000
}
