//! Every text a user reads, in each [`Locale`](crate::locale::Locale): one TOML file per language
//! (`src/i18n/locales/{en,ru,es}.toml`), embedded in the binary and parsed once, with a key per
//! text. English is the reference: every other file has exactly its keys, the same `{name}`
//! placeholders, HTML tags, emoji and `/commands` per key, and the plural forms its language
//! needs (`one`/`other` in English and Spanish; `one`/`few`/`many` in Russian) — the tests in
//! `tests.rs` name any key that strays. A lookup never fails: a text missing in a locale is
//! English, a key missing everywhere is the key itself (both logged at debug level).
//!
//! # Keys
//!
//! A key names its text in `snake_case` (`try_again`, `notice_limited` with the placeholder
//! `{wait}`); the handlers name them as literals. Texts chosen by a number are plural tables whose number is `{n}`:
//! `draw_left`, `daily_limit`, `paid_credits`, `credits_taken_back`, `duration.*`. The
//! command table's words are `command.<name>.help`, `command.<name>.usage` (where the command
//! takes arguments) and `command.<name>.menu` (where Telegram's menu lists it). `help` is the
//! heading of `/help`; `human_period` and `human_wait` are [`duration()`] and [`wait()`].
//!
//! # Using it from a handler
//!
//! (The values in the comments are checked by a unit test in `tests.rs`.)
//!
//! ```text
//! // Once per update: the user's locale — the one stored in their profile, or (before they
//! // have one) the one of Telegram's `from.language_code`.
//! let locale = Locale::from_language_code(language_code);          // "ru-RU" → Locale::Ru
//!
//! // A fixed text.
//! let sorry: &str = i18n::text(locale, "try_again");
//! // A text with values: every placeholder named; a value whose placeholder ends in `_html` is
//! // escaped by the caller first, as today.
//! let wait = i18n::wait(locale, retry_after);                         // "2 мин"
//! let notice = i18n::format(locale, "notice_limited", &[("wait", &wait)]);
//! // A text chosen by a number (`{n}` is filled with it).
//! let footer = i18n::plural(locale, "draw_left", u64::from(left), &[]); // "…осталось 5 раскладов."
//! // A configured period in words.
//! let kept = i18n::duration(locale, config.readings.retention);          // "90 дней"
//! ```
//!
//! - Call through the module path (`i18n::text(…, "key")`, `i18n::format`, `i18n::plural`) with
//!   the key as a literal and the arguments as a literal slice: a test reads every such call in
//!   `src/` and fails on a key that does not exist, a call of the wrong kind (`text` for a
//!   plural) or arguments that do not match the text's placeholders.
//! - `/help`: `i18n::text(locale, "help")`, then a line per command the user may see (the filter
//!   stays `command::TABLE`'s) from [`help_line()`]`(locale, spec.name)`.
//! - The menu: at startup, `setMyCommands` once without a language (English, the default for
//!   every language without its own list) and once per other locale with
//!   `language_code(locale.code())`, each listing `BotCommand::new(spec.name, i18n::menu(locale,
//!   spec.name)?)` for the table's rows with a menu entry.
//! - Durations: a configured period ([`duration()`]: retention, secret-message lifetime, the
//!   history's "kept for") reads in words; a wait before something ([`wait()`]: limits, codes,
//!   allowance resets) reads short and rounded up.
//! - Unchanged: escaping (callers escape user values, as today), the command names and the
//!   argument words the bot parses.

mod catalog;
mod commands;
mod duration;
mod fill;
mod lookup;
#[cfg(test)]
mod tests;

pub use commands::{help_line, menu};
pub use duration::{duration, wait};
pub use lookup::{format, plural, text};
