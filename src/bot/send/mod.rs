//! Everything that leaves the bot: the fair send schedule, the client that drives it, the reply
//! helpers handlers use (texts, and pictures: `photo`), the backoff of retried requests, and Telegram errors as the log may show
//! them (redacted).

mod backoff;
mod photo;
mod redact;
mod reply;
mod schedule;
mod sender;
mod start_permit;

pub(crate) use backoff::Backoff;
pub(crate) use photo::{CAPTION_MAX_CHARS, send_png};
pub(crate) use redact::Redacted;
pub(crate) use reply::{
    background_slot, no_preview, reply_slot, send_html, send_html_id, send_html_reply, send_html_with, send_notice,
};
pub(crate) use schedule::SendLimits;
pub use sender::Sender;
pub(crate) use start_permit::{StartPermit, holding};
