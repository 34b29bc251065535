//! Which language the web side speaks to someone: the Mini App's and the login page's words, and
//! the card names, positions and meanings the API answers with.
//!
//! One rule, in [`choose`]: the locale the user chose and arcana stored in their sealed profile,
//! when there is one; else the language Telegram signed for them (`language_code` in the Mini
//! App's `initData`; the Login Widget sends none); else the browser's `Accept-Language` (the
//! only hint a page has before anyone signs in); else English. A language arcana does not speak
//! falls through to the next hint only when it is the browser's: a user whose Telegram is in
//! German reads English, as in the chat.
//!
//! A signed-in request knows its user's Telegram language from its token (the `lang` claim,
//! what [`choose`] made of the sign-in's hints), so the stored locale still comes first on every
//! request and a change of it shows at once.

use crate::locale::Locale;

use super::context::WebContext;

/// Hints at someone's language, strongest first.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Hints<'a> {
    /// The user, when signed in or signing in (their stored locale comes first).
    pub user: Option<i64>,
    /// Telegram's `language_code` from signed data (or a token's `lang` claim).
    pub telegram: Option<&'a str>,
    /// The request's `Accept-Language` header.
    pub browser: Option<&'a str>,
}

/// The locale to speak, from `hints` (see the module docs for the order).
pub(super) fn choose(ctx: &WebContext, hints: Hints<'_>) -> Locale {
    pick(hints.user.and_then(|user| stored_locale(ctx, user)), hints.telegram, hints.browser)
}

/// [`choose`] once the stored locale is read.
fn pick(stored: Option<Locale>, telegram: Option<&str>, browser: Option<&str>) -> Locale {
    if let Some(stored) = stored {
        return stored;
    }
    if let Some(code) = telegram.filter(|c| !c.trim().is_empty()) {
        return Locale::from_language_code(code);
    }
    browser.and_then(from_accept_language).unwrap_or_default()
}

/// The locale `user` chose (`/language`, or Telegram's at their consent), from their sealed
/// profile; `None` when they have no profile or it cannot be opened (logged), so that Telegram's
/// word decides.
fn stored_locale(ctx: &WebContext, user: i64) -> Option<Locale> {
    match ctx.services.profiles.get(user) {
        Ok(profile) => profile.and_then(|p| p.locale),
        Err(e) => {
            tracing::warn!(error = %e, "cannot open a profile for its locale");
            None
        }
    }
}

/// The request's `Accept-Language` header, if it is text.
pub(super) fn accept_language(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers.get(axum::http::header::ACCEPT_LANGUAGE)?.to_str().ok()
}

/// The first language of an `Accept-Language` header (by weight, then order) that arcana speaks,
/// English included; `None` when it names none of them.
pub(super) fn from_accept_language(header: &str) -> Option<Locale> {
    let mut ranked: Vec<(u16, usize, Locale)> = header
        .split(',')
        .take(32)
        .enumerate()
        .filter_map(|(order, item)| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let weight = parts.find_map(|p| p.trim().strip_prefix("q=")).map_or(Some(1000), quality)?;
            let primary = tag.split(['-', '_']).next()?;
            Locale::parse(primary).filter(|_| weight > 0).map(|locale| (weight, order, locale))
        })
        .collect();
    ranked.sort_by_key(|&(weight, order, _)| (std::cmp::Reverse(weight), order));
    ranked.first().map(|&(_, _, locale)| locale)
}

/// An HTTP quality value (`0` to `1`, up to three decimals) in thousandths.
fn quality(text: &str) -> Option<u16> {
    let value: f32 = text.trim().parse().ok()?;
    // Bounded to 0..=1 first, so the cast cannot truncate.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    (0.0..=1.0).contains(&value).then(|| (value * 1000.0).round() as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_then_telegram_then_browser_then_english() {
        assert_eq!(pick(Some(Locale::Es), Some("ru"), Some("en")), Locale::Es);
        assert_eq!(pick(None, Some("ru-RU"), Some("es")), Locale::Ru);
        assert_eq!(pick(None, Some("de"), Some("ru")), Locale::En, "Telegram in German reads English");
        assert_eq!(pick(None, Some(""), Some("es-MX,es;q=0.9")), Locale::Es, "an empty code is no hint");
        assert_eq!(pick(None, None, Some("fr")), Locale::En);
        assert_eq!(pick(None, None, None), Locale::En);
    }

    #[test]
    fn the_first_spoken_language_of_the_browser_by_weight() {
        assert_eq!(from_accept_language("ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7"), Some(Locale::Ru));
        assert_eq!(from_accept_language("es-419"), Some(Locale::Es));
        assert_eq!(
            from_accept_language("de-DE,de;q=0.9,en;q=0.8,ru;q=0.5"),
            Some(Locale::En),
            "English before Russian"
        );
        assert_eq!(from_accept_language("en;q=0.3, es;q=0.8"), Some(Locale::Es), "by weight, not order");
        assert_eq!(from_accept_language("ru;q=0, es;q=0.1"), Some(Locale::Es), "q=0 means not this one");
        for none in ["", "de, fr", "*", "ru;q=2", "ru;q=abc", ";;;,,,"] {
            assert_eq!(from_accept_language(none), None, "{none:?}");
        }
    }
}
