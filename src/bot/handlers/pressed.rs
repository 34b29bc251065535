//! A pressed inline button, as the handlers of presses see it: who pressed, where its message
//! is, and when; and the edit of that message a press answers with. A file of its own so that
//! the button handlers (`history`, `payments`, `deletion`, `card`, `language`) need not import
//! the callback router (`callbacks`) that calls them. Buttons themselves are built here too,
//! their data signed for the user and chat ([`signed_button`]).

use teloxide::{
    payloads::EditMessageTextSetters,
    prelude::Requester,
    types::{ChatId, InlineKeyboardButton, InlineKeyboardMarkup, MessageId, ParseMode},
};

use crate::sanitize::CallbackData;

use crate::bot::{
    app::App,
    send::{Redacted, send_html_with},
};

/// Where a pressed button's message is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pressed {
    /// The user who pressed.
    pub user: i64,
    /// The chat of the message.
    pub chat: ChatId,
    /// The message carrying the button, if Telegram still has it.
    pub message: Option<MessageId>,
    /// The press's place in time (its update id): of two presses editing one message, only the
    /// later one's edit goes out.
    pub order: i64,
}

impl Pressed {
    /// Edits the pressed button's message to `text` (HTML) with `keyboard`; sends it anew when
    /// Telegram no longer has the message. Of two presses editing one message, only the later
    /// one's edit is sent.
    pub(crate) async fn edit(self, app: &App, text: &str, keyboard: Option<InlineKeyboardMarkup>) {
        let Some(message) = self.message else {
            return send_html_with(&app.sender, self.chat, text, keyboard).await;
        };
        if !app.sender.edit_slot(self.chat, message, self.order).await {
            return;
        }
        let mut request = app.sender.bot().edit_message_text(self.chat, message, text).parse_mode(ParseMode::Html);
        if let Some(keyboard) = keyboard {
            request = request.reply_markup(keyboard);
        }
        if let Err(e) = request.await {
            // "message is not modified" (a double press) lands here too.
            tracing::debug!(error = %Redacted(&e), "cannot edit a pressed button's message");
        }
    }

    /// [`Pressed::edit`] without waiting for the send slot: the edit waits in a task of its own,
    /// so the handler ends and its start permit goes back at once (a chat pressing faster than
    /// Telegram lets the bot edit holds no permit). For edits nothing else waits on — a kill
    /// before the slot comes loses the edit, never something the user was told is done. When too
    /// many edits already wait this way, the handler waits itself.
    pub(crate) async fn edit_detached(self, app: &App, text: &str, keyboard: Option<InlineKeyboardMarkup>) {
        let Some(message) = self.message else {
            return send_html_with(&app.sender, self.chat, text, keyboard).await;
        };
        let mut request = app.sender.bot().edit_message_text(self.chat, message, text).parse_mode(ParseMode::Html);
        if let Some(keyboard) = keyboard {
            request = request.reply_markup(keyboard);
        }
        let edit = async move {
            if let Err(e) = request.await {
                // "message is not modified" (a double press) lands here too.
                tracing::debug!(error = %Redacted(&e), "cannot edit a pressed button's message");
            }
        };
        if let Err(edit) = app.sender.edit_detached(self.chat, message, self.order, edit)
            && app.sender.edit_slot(self.chat, message, self.order).await
        {
            edit.await;
        }
    }
}

/// A button labelled `label` whose data (`action` and `args`) is signed for `user` in `chat`;
/// `None` (logged) when the data cannot be built.
pub(crate) fn signed_button(
    app: &App,
    user: i64,
    chat: ChatId,
    label: &str,
    action: &str,
    args: &[String],
) -> Option<InlineKeyboardButton> {
    let data = CallbackData::new(action, args.iter().cloned()).and_then(|d| app.signer.sign(user, chat.0, &d));
    match data {
        Ok(data) => Some(InlineKeyboardButton::callback(label, data)),
        Err(e) => {
            tracing::error!(error = %e, action, "cannot build a button");
            None
        }
    }
}
