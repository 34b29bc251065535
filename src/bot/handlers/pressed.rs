//! A pressed inline button, as the handlers of presses see it: who pressed, where its message
//! is, and when; and the edit of that message. A file of its own so that the button handlers
//! (`history`, `payments`, `deletion`) need not import the callback router (`callbacks`) that
//! calls them.

use teloxide::{
    payloads::EditMessageTextSetters,
    prelude::Requester,
    types::{ChatId, InlineKeyboardMarkup, MessageId, ParseMode},
};

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
    /// Edits the button's message to `html` with `keyboard` (none: its buttons go), or sends
    /// it anew when Telegram no longer has the message. Of several presses editing one message,
    /// only the latest one's edit is sent.
    pub(crate) async fn edit(self, app: &App, html: &str, keyboard: Option<InlineKeyboardMarkup>) {
        let Some(message) = self.message else {
            return send_html_with(&app.sender, self.chat, html, keyboard).await;
        };
        if !app.sender.edit_slot(self.chat, message, self.order).await {
            return;
        }
        let mut request = app.sender.bot().edit_message_text(self.chat, message, html).parse_mode(ParseMode::Html);
        if let Some(keyboard) = keyboard {
            request = request.reply_markup(keyboard);
        }
        if let Err(e) = request.await {
            // "message is not modified" (a double press) lands here too.
            tracing::debug!(error = %Redacted(&e), "cannot edit a button's message");
        }
    }
}
