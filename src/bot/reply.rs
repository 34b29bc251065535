//! Sending replies: transient failures (network, 5xx, malformed responses) are retried a few
//! times with backoff; permanent ones (the user blocked the bot, chat not found) are logged once.
//! Texts are built by handlers from fixed strings and escaped user input, never internals.

use std::time::Duration;

use teloxide::{
    RequestError,
    payloads::SendMessageSetters,
    prelude::Requester,
    types::{ChatId, InlineKeyboardMarkup, LinkPreviewOptions, ParseMode},
};

use super::{backoff::Backoff, client::Sender};

const ATTEMPTS: u32 = 4;

/// Whether a failed request may succeed if repeated.
pub(crate) fn is_transient(error: &RequestError) -> bool {
    match error {
        RequestError::Network(_)
        | RequestError::Io(_)
        | RequestError::InvalidJson { .. }
        | RequestError::RetryAfter(_) => true,
        RequestError::Api(teloxide::ApiError::Unknown(text)) => {
            let text = text.to_ascii_lowercase();
            ["internal server error", "bad gateway", "service unavailable", "gateway timeout", "too many requests"]
                .iter()
                .any(|t| text.contains(t))
        }
        _ => false,
    }
}

/// Sends an HTML-formatted message, retrying transient failures; a message that cannot be sent
/// is logged.
pub(crate) async fn send_html(bot: &Sender, chat: ChatId, html: &str) {
    send_html_with(bot, chat, html, None).await;
}

/// As [`send_html`], with an inline keyboard.
pub(crate) async fn send_html_with(bot: &Sender, chat: ChatId, html: &str, keyboard: Option<InlineKeyboardMarkup>) {
    let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(4));
    for attempt in 1..=ATTEMPTS {
        let mut request = bot.send_message(chat, html).parse_mode(ParseMode::Html).link_preview_options(no_preview());
        if let Some(keyboard) = &keyboard {
            request = request.reply_markup(keyboard.clone());
        }
        match request.await {
            Ok(_) => return,
            Err(e) if is_transient(&e) && attempt < ATTEMPTS => {
                let delay = match &e {
                    RequestError::RetryAfter(s) => s.duration(),
                    _ => backoff.next_delay(),
                };
                tracing::warn!(chat = chat.0, attempt, error = %e, "reply failed; retrying");
                tokio::time::sleep(delay).await;
            }
            Err(e) => {
                tracing::warn!(chat = chat.0, attempt, error = %e, "reply not sent");
                return;
            }
        }
    }
}

fn no_preview() -> LinkPreviewOptions {
    LinkPreviewOptions {
        is_disabled: true,
        url: None,
        prefer_small_media: false,
        prefer_large_media: false,
        show_above_text: false,
    }
}
