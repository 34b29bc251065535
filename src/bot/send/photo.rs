//! Sending a picture: a PNG uploaded with `sendPhoto` (multipart), optionally with an HTML
//! caption, through the same fair schedule as every reply (one reply slot per attempt), with the
//! same retries: transient failures a few times with backoff, a 429 holding the chat back.

use std::time::Duration;

use teloxide::{
    RequestError,
    payloads::SendPhotoSetters,
    prelude::Requester,
    types::{ChatId, InputFile, ParseMode},
};

use super::{backoff::Backoff, redact::Redacted, reply::is_transient, schedule::Class, sender::Sender};

const ATTEMPTS: u32 = 4;

/// The longest caption Telegram takes, in characters as it counts them.
pub(crate) const CAPTION_MAX_CHARS: usize = 1024;

/// Sends `png` to `chat` (named `file_name`), with `caption_html` if given. Returns whether it
/// was sent; a failure is logged.
pub(crate) async fn send_png(
    sender: &Sender,
    chat: ChatId,
    png: &[u8],
    file_name: &'static str,
    caption_html: Option<&str>,
) -> bool {
    let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(4));
    for attempt in 1..=ATTEMPTS {
        if !sender.slot(chat, Class::Reply).await {
            return false;
        }
        let photo = InputFile::memory(png.to_vec()).file_name(file_name);
        let mut request = sender.bot().send_photo(chat, photo);
        if let Some(caption) = caption_html {
            request = request.caption(caption).parse_mode(ParseMode::Html);
        }
        match request.await {
            Ok(_) => {
                count_reply(true);
                return true;
            }
            Err(e) if is_transient(&e) && attempt < ATTEMPTS => {
                tracing::warn!(chat = chat.0, attempt, error = %Redacted(&e), "photo failed; retrying");
                match &e {
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
                tracing::warn!(chat = chat.0, attempt, error = %Redacted(&e), "photo not sent");
                count_reply(false);
                return false;
            }
        }
    }
    false
}

fn count_reply(sent: bool) {
    if let Some(metrics) = crate::bot::metrics::get() {
        metrics.reply(sent);
    }
}
