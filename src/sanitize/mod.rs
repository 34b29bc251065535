//! Input sanitisers: pure functions that make untrusted Telegram input safe to store, show or
//! act upon.
//!
//! Every sanitiser is idempotent (`f(f(x)) == f(x)`), bounds its output, never lets a
//! [control-like](is_control_like) character (controls, bidi overrides, zero-width and other
//! invisible characters) through, and never panics. Each has unit tests, proptest properties and
//! a cargo-fuzz target in `fuzz/`.
//!
//! - [`username`]: `@name` reduced to `[A-Za-z0-9_]{5,32}`, or refused;
//! - [`display_name`]: first/last names and titles, one clean line of at most 64 characters;
//! - [`user_id`]: a Telegram user id as the store keys it;
//! - [`split_command`] and [`command_args`]: `/cmd@bot args` for this bot, and its free text;
//! - [`deep_link_payload`]: `/start` payloads `[A-Za-z0-9_-]{1,64}`, refused rather than repaired;
//! - [`CallbackSigner`] and [`CallbackData`]: inline-button data parsed against a grammar and
//!   MAC-bound to one user in one chat, at most 64 bytes on the wire.

pub(crate) mod base64url;
mod callback;
mod chars;
mod command_args;
mod deep_link;
mod display_name;
mod ids;
mod line;
mod username;

pub use callback::{CallbackData, CallbackError, CallbackSigner, MAX_ACTION_LEN, MAX_ARG_LEN, MAX_ARGS, MAX_WIRE_LEN};
pub use chars::{is_clean, is_control_like};
pub use command_args::{COMMAND_MAX_CHARS, command_args, is_command_char, split_command};
pub use deep_link::{DEEP_LINK_MAX_CHARS, deep_link_payload, is_deep_link_char};
pub use display_name::{DISPLAY_NAME_MAX_CHARS, display_name};
pub use ids::{hex_id, parse_hex, parse_lower_hex, user_id};
pub use line::single_line;
pub use username::{USERNAME_MAX_CHARS, USERNAME_MIN_CHARS, is_username_char, username};
