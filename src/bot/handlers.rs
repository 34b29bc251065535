//! Handlers: what the bot does with an update that passed the security layer.

use teloxide::{
    prelude::Requester,
    types::{ChatId, Message, Update, UpdateKind},
};

use crate::sentinel::sanitize::split_command;

use super::{admin, app::App, reply::send_html};

const WELCOME: &str = "🔮 <b>Welcome to arcana</b>, a tarot reading bot.\n\n\
Each reading draws from a full 78-card deck. Send /help to see what you can do.";

const HELP: &str = "<b>Commands</b>\n\
/start — welcome and what this bot does\n\
/help — this list";

/// Handles one update. Errors are logged here; nothing propagates to the polling loop.
pub(crate) async fn handle(app: &App, update: Update) {
    if let Some(user) = update.from().filter(|u| !u.is_bot)
        && let Err(e) = app.services.profiles.remember(user)
    {
        tracing::error!(error = %e, "cannot store a profile");
    }
    match update.kind {
        UpdateKind::Message(message) => on_message(app, &message).await,
        UpdateKind::CallbackQuery(query) => {
            // No buttons are handled yet; answer so the client's spinner stops.
            if let Err(e) = app.sender.answer_callback_query(query.id).await {
                tracing::debug!(error = %e, "cannot answer a callback query");
            }
        }
        other => tracing::debug!(update_id = update.id.0, kind = kind_name(&other), "ignored update"),
    }
}

async fn on_message(app: &App, message: &Message) {
    let Some(text) = message.text() else { return };
    let Some((command, args)) = split_command(text, &app.username) else {
        return;
    };
    let reply = match command.as_str() {
        "block" | "unblock" => return admin::handle(app, message, &command, &args).await,
        "start" => WELCOME,
        "help" => HELP,
        _ => return,
    };
    send_html(&app.sender, ChatId(message.chat.id.0), reply).await;
}

/// A short name of the update kind, for logs.
pub(crate) fn kind_name(kind: &UpdateKind) -> &'static str {
    match kind {
        UpdateKind::Message(_) => "message",
        UpdateKind::EditedMessage(_) => "edited_message",
        UpdateKind::ChannelPost(_) => "channel_post",
        UpdateKind::EditedChannelPost(_) => "edited_channel_post",
        UpdateKind::InlineQuery(_) => "inline_query",
        UpdateKind::ChosenInlineResult(_) => "chosen_inline_result",
        UpdateKind::CallbackQuery(_) => "callback_query",
        UpdateKind::PreCheckoutQuery(_) => "pre_checkout_query",
        UpdateKind::ShippingQuery(_) => "shipping_query",
        UpdateKind::MyChatMember(_) => "my_chat_member",
        UpdateKind::ChatMember(_) => "chat_member",
        UpdateKind::Error(_) => "unparsed",
        _ => "other",
    }
}
