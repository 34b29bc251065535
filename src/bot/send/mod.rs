//! Everything that leaves the bot: the fair send schedule, the client that drives it, and the
//! reply helpers handlers use.

mod reply;
mod schedule;
mod sender;
mod start_permit;

pub(crate) use reply::{background_slot, no_preview, reply_slot, send_html, send_html_id, send_html_with, send_notice};
pub(crate) use schedule::SendLimits;
pub use sender::Sender;
pub(crate) use start_permit::{StartPermit, holding};
