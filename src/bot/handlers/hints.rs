//! Hints for what is not a command the bot knows: an unknown `/command` gets a pointer to
//! `/help`; free text in a private chat gets an offer to draw a card with it as the question,
//! with a button.
//!
//! # How the button finds the question without the bot keeping it
//!
//! A question does not fit in a button: callback data is at most 64 bytes, and signed
//! arguments are short tokens. Instead of storing the text (sealed, with an expiry to clean
//! up) or asking the user to retype it, the hint is sent as a *reply to the user's own
//! message*, and its button carries only that message's id, signed for the user and chat.
//! Telegram hands a pressed button's message back with the press, and with it the message it
//! replies to: the question, as the user left it. So arcana stores nothing about a question
//! until the user chooses to draw (then it is kept with the reading, sealed, as for `/draw`),
//! and a user who deletes their message has withdrawn it. The press checks that the replied-to
//! message is the signed id and was written by the presser; when Telegram no longer shows it
//! (deleted, or the hint is too old), the answer says to send `/draw` with the question.
//! The question is sanitised as a `/draw` question is ([`crate::tarot::question`]); a
//! pressed hint draws one card, counted like `/draw`, and pressing it twice draws twice, as
//! sending `/draw` twice would.

use teloxide::types::{CallbackQuery, ChatId, InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageId};

use crate::{
    i18n,
    locale::Locale,
    sanitize::CallbackData,
    tarot::{DrawRequest, Spread, escape, question},
};

use crate::bot::{
    app::App,
    send::{send_html, send_html_reply},
};

use super::{pressed::Pressed, readings};

/// Button action: draw one card for the question in the message the hint replies to (argument:
/// that message's id).
pub(crate) const DRAW: &str = "ask_draw";

/// An unknown command: where to find the known ones.
pub(crate) async fn unknown_command(app: &App, chat: ChatId, name: &str, locale: Locale) {
    // `name` is a command name as `split_command` accepts it: ASCII letters, digits and `_`.
    send_html(&app.sender, chat, &i18n::format(locale, "hint.unknown_command", &[("command", &escape(name))])).await;
}

/// Free text in a private chat: offers to draw a card with it as the question.
pub(crate) async fn free_text(app: &App, user: i64, message: &Message, locale: Locale) {
    let chat = ChatId(message.chat.id.0);
    let Some(asked) = message.text().and_then(question) else {
        return send_html(&app.sender, chat, i18n::text(locale, "hint.no_question")).await;
    };
    let data = CallbackData::new(DRAW, [message.id.0.to_string()]).and_then(|d| app.signer.sign(user, chat.0, &d));
    let Ok(data) = data else {
        tracing::error!("cannot build the hint's button");
        return send_html(&app.sender, chat, i18n::text(locale, "hint.no_question")).await;
    };
    let keyboard =
        InlineKeyboardMarkup::new([[InlineKeyboardButton::callback(i18n::text(locale, "hint.draw_button"), data)]]);
    let text = i18n::format(locale, "hint.free_text", &[("question_html", &escape(&asked))]);
    send_html_reply(&app.sender, chat, &text, Some(keyboard), Some(message.id)).await;
}

/// The question a press of a hint's button (`data`, verified for `user`) asks, and the message
/// it is in; `None` when Telegram no longer shows it with the press.
pub(crate) fn question_of(query: &CallbackQuery, user: i64, data: &CallbackData) -> Option<(String, MessageId)> {
    let signed = data.arg(0).and_then(|v| v.parse::<i32>().ok())?;
    let asked = query.message.as_ref()?.regular_message()?.reply_to_message()?;
    let author = asked.from.as_ref().map(|from| crate::sanitize::user_id(from.id));
    if asked.id.0 != signed || author != Some(user) {
        return None;
    }
    Some((question(asked.text()?)?, asked.id))
}

/// Draws one card for `asked` (the question in message `to`), as a reply to it, in `locale`.
pub(crate) async fn draw(app: &App, pressed: Pressed, asked: String, to: MessageId, locale: Locale) {
    let is_admin = app.services.sentinel.is_admin(pressed.user);
    let request = DrawRequest { spread: Spread::One, question: Some(asked) };
    readings::draw_request(app, pressed.user, pressed.chat, is_admin, &request, Some(to), locale).await;
}
