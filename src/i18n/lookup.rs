//! Looking a text up: in the user's locale, else in English, else the key itself (logged at
//! debug level; never a panic). A plural text is chosen by the rules of the locale it was found
//! in, so an English fallback still reads "1 day", "2 days".

use crate::locale::Locale;

use super::{
    catalog::{Entry, catalog},
    fill::fill,
};

/// The entry for `key` in `locale`, else in English, with the locale it was found in.
pub(super) fn resolve(locale: Locale, key: &str) -> Option<(Locale, &'static Entry)> {
    if let Some(entry) = catalog(locale).get(key) {
        return Some((locale, entry));
    }
    if locale != Locale::En {
        tracing::debug!(locale = locale.code(), key, "a text is missing: English stands in");
    }
    let found = catalog(Locale::En).get(key).map(|entry| (Locale::En, entry));
    if found.is_none() {
        tracing::debug!(key, "no locale has this text: its key stands in");
    }
    found
}

/// A text with no placeholders, looked up by a key built at run time (see [`text`]).
pub(super) fn text_of(locale: Locale, key: &str) -> Option<&'static str> {
    resolve(locale, key).map(|(found_in, entry)| match entry {
        Entry::Text(text) => text.as_str(),
        Entry::Plural(forms) => {
            tracing::debug!(key, "a plural text was asked for without a number");
            forms.pick(found_in.plural(2))
        }
    })
}

/// The text `key` in `locale`, for texts without placeholders: `i18n::text(locale, "try_again")`.
#[must_use]
pub fn text(locale: Locale, key: &'static str) -> &'static str {
    text_of(locale, key).unwrap_or(key)
}

/// The text `key` in `locale` with its `{name}` placeholders filled from `args`:
/// `i18n::format(locale, "notice_limited", &[("wait", &wait)])`. A placeholder without an
/// argument stays visible and is logged at debug level.
#[must_use]
pub fn format(locale: Locale, key: &'static str, args: &[(&str, &str)]) -> String {
    fill(key, text(locale, key), args)
}

/// The plural text `key` in `locale`, in the form `n` takes there, with `{n}` filled with `n`
/// and the other placeholders from `args`: `i18n::plural(locale, "draw_left", left, &[])`.
#[must_use]
pub fn plural(locale: Locale, key: &'static str, n: u64, args: &[(&str, &str)]) -> String {
    let template = match resolve(locale, key) {
        Some((found_in, Entry::Plural(forms))) => forms.pick(found_in.plural(n)),
        Some((_, Entry::Text(text))) => {
            tracing::debug!(key, "a text without plural forms was asked for with a number");
            text.as_str()
        }
        None => key,
    };
    let count = n.to_string();
    let mut all = Vec::with_capacity(args.len() + 1);
    all.push(("n", count.as_str()));
    all.extend_from_slice(args);
    fill(key, template, &all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_come_in_the_asked_locale() {
        assert_eq!(text(Locale::En, "try_again"), "⚠️ Something went wrong; please try again.");
        for locale in [Locale::Ru, Locale::Es] {
            assert_ne!(text(locale, "try_again"), text(Locale::En, "try_again"), "{locale:?}");
            assert!(text(locale, "try_again").starts_with("⚠️ "));
        }
    }

    #[test]
    fn an_unknown_key_is_itself() {
        for locale in Locale::ALL {
            assert_eq!(text(locale, "no.such.key"), "no.such.key");
            assert_eq!(format(locale, "no.such.key", &[("a", "b")]), "no.such.key");
            assert_eq!(plural(locale, "no.such.key", 3, &[]), "no.such.key");
        }
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(format(Locale::En, "notice_limited", &[("wait", "7 s")]), "⏳ Please wait 7 s before sending more.");
        assert_eq!(format(Locale::En, "notice_limited", &[]), "⏳ Please wait {wait} before sending more.");
        assert!(format(Locale::Ru, "notice_limited", &[("wait", "7 сек")]).contains("7 сек"));
    }

    #[test]
    fn plurals_follow_the_locale() {
        assert_eq!(plural(Locale::En, "duration.days", 1, &[]), "1 day");
        assert_eq!(plural(Locale::En, "duration.days", 90, &[]), "90 days");
        assert_eq!(plural(Locale::Ru, "duration.days", 1, &[]), "1 день");
        assert_eq!(plural(Locale::Ru, "duration.days", 3, &[]), "3 дня");
        assert_eq!(plural(Locale::Ru, "duration.days", 90, &[]), "90 дней");
        assert_eq!(plural(Locale::Ru, "duration.days", 21, &[]), "21 день");
        assert_eq!(plural(Locale::Es, "duration.days", 1, &[]), "1 día");
        assert_eq!(plural(Locale::Es, "duration.days", 90, &[]), "90 días");
    }

    #[test]
    fn kinds_mismatched_still_give_a_text() {
        assert_eq!(text(Locale::En, "duration.days"), "{n} days");
        assert_eq!(plural(Locale::En, "try_again", 2, &[]), text(Locale::En, "try_again"));
    }
}
