//! The language a handler answers in, for the texts already read from `i18n` (the everyday
//! paths: `/delete_me`'s confirmation, hints, the group pointer). One function, so that the
//! stored locale of the user's profile can replace Telegram's `language_code` in one place.

use teloxide::types::User;

use crate::locale::Locale;

/// The locale to answer `from` in: their Telegram `language_code`, English when absent.
pub(crate) fn locale(from: Option<&User>) -> Locale {
    from.and_then(|user| user.language_code.as_deref()).map_or(Locale::En, Locale::from_language_code)
}
