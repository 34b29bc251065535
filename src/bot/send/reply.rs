//! Sending replies: each attempt waits for a slot in the fair schedule; transient failures
//! (network, 5xx) are retried a few times with backoff, a 429 holds the chat
//! back for its `retry_after`; permanent failures (the user blocked the bot, chat not found) are
//! logged once. Texts are built by handlers from fixed strings and escaped user input, never
//! internals.

use std::time::Duration;

use teloxide::{
    RequestError,
    payloads::SendMessageSetters,
    prelude::Requester,
    types::{ChatId, InlineKeyboardMarkup, LinkPreviewOptions, MessageId, ParseMode, ReplyParameters},
};

use super::{backoff::Backoff, redact::Redacted, schedule::Class, sender::Sender};

const ATTEMPTS: u32 = 4;

/// Whether a failed request may succeed if repeated. A response that is not valid JSON is not
/// such a failure: the request reached Telegram and was most likely carried out, so sending it
/// again would post the message twice.
pub(super) fn is_transient(error: &RequestError) -> bool {
    match error {
        RequestError::Network(_) | RequestError::Io(_) | RequestError::RetryAfter(_) => true,
        RequestError::Api(teloxide::ApiError::Unknown(text)) => {
            let text = text.to_ascii_lowercase();
            ["internal server error", "bad gateway", "service unavailable", "gateway timeout", "too many requests"]
                .iter()
                .any(|t| text.contains(t))
        }
        _ => false,
    }
}

/// Sends an HTML-formatted reply, retrying transient failures; a message that cannot be sent
/// is logged.
pub(crate) async fn send_html(sender: &Sender, chat: ChatId, html: &str) {
    Box::pin(send_classed(sender, chat, html, None, None, Class::Reply)).await;
}

/// As [`send_html_with`], as a reply to message `to` (in a group, so everyone sees whose
/// request it answers); sent anyway if that message is gone.
pub(crate) async fn send_html_reply(
    sender: &Sender,
    chat: ChatId,
    html: &str,
    keyboard: Option<InlineKeyboardMarkup>,
    to: Option<MessageId>,
) {
    Box::pin(send_classed(sender, chat, html, keyboard, to, Class::Reply)).await;
}

/// As [`send_html`], returning the sent message's id (to delete it later), if it was sent.
pub(crate) async fn send_html_id(sender: &Sender, chat: ChatId, html: &str) -> Option<MessageId> {
    Box::pin(send_classed(sender, chat, html, None, None, Class::Reply)).await
}

/// As [`send_html`], with an inline keyboard.
pub(crate) async fn send_html_with(sender: &Sender, chat: ChatId, html: &str, keyboard: Option<InlineKeyboardMarkup>) {
    Box::pin(send_classed(sender, chat, html, keyboard, None, Class::Reply)).await;
}

/// Sends a limit notice: after the chat's replies, and not at all once `stale_at` has passed.
pub(crate) async fn send_notice(sender: &Sender, chat: ChatId, html: &str, stale_at: std::time::Instant) {
    Box::pin(send_classed(sender, chat, html, None, None, Class::Notice { stale_at })).await;
}

/// Waits for a reply slot in `chat` (for a photo, document, invoice or edit).
pub(crate) async fn reply_slot(sender: &Sender, chat: ChatId) -> bool {
    sender.slot(chat, Class::Reply).await
}

/// Waits for a background slot in `chat` (a broadcast): granted only when no reply or notice
/// that may go now is waiting, and never from the bucket's last token.
pub(crate) async fn background_slot(sender: &Sender, chat: ChatId) -> bool {
    sender.slot(chat, Class::Background).await
}

/// Boxed by its callers: a handler's future then holds a pointer, not the whole HTTP request,
/// at each of its sends (under a flood thousands of handlers wait for a slot at once).
async fn send_classed(
    sender: &Sender,
    chat: ChatId,
    html: &str,
    keyboard: Option<InlineKeyboardMarkup>,
    reply_to: Option<MessageId>,
    class: Class,
) -> Option<MessageId> {
    let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(4));
    for attempt in 1..=ATTEMPTS {
        if !sender.slot(chat, class).await {
            tracing::debug!(chat = chat.0, "stale notice dropped");
            return None;
        }
        let mut request =
            sender.bot().send_message(chat, html).parse_mode(ParseMode::Html).link_preview_options(no_preview());
        if let Some(keyboard) = &keyboard {
            request = request.reply_markup(keyboard.clone());
        }
        if let Some(to) = reply_to {
            request = request.reply_parameters(ReplyParameters::new(to).allow_sending_without_reply());
        }
        match request.await {
            Ok(message) => {
                count_reply(true);
                return Some(message.id);
            }
            Err(e) if is_transient(&e) && attempt < ATTEMPTS => {
                tracing::warn!(chat = chat.0, attempt, error = %Redacted(&e), "reply failed; retrying");
                match &e {
                    // The schedule holds the chat back; the next slot comes after the wait.
                    RequestError::RetryAfter(s) => {
                        if let Some(metrics) = crate::bot::metrics::get() {
                            metrics.too_many_requests();
                        }
                        sender.pause_chat(chat, s.duration());
                    }
                    _ => tokio::time::sleep(backoff.next_delay()).await,
                }
            }
            Err(e) => {
                tracing::warn!(chat = chat.0, attempt, error = %Redacted(&e), "reply not sent");
                count_reply(false);
                return None;
            }
        }
    }
    None
}

fn count_reply(sent: bool) {
    if let Some(metrics) = crate::bot::metrics::get() {
        metrics.reply(sent);
    }
}

/// Link previews off: arcana's messages carry no links worth a preview.
pub(crate) fn no_preview() -> LinkPreviewOptions {
    LinkPreviewOptions {
        is_disabled: true,
        url: None,
        prefer_small_media: false,
        prefer_large_media: false,
        show_above_text: false,
    }
}
