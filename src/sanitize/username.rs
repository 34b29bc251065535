//! Telegram usernames (`@name`), reduced to the characters Telegram allows.

/// The shortest username kept, in characters.
pub const USERNAME_MIN_CHARS: usize = 5;
/// The longest username kept, in characters.
pub const USERNAME_MAX_CHARS: usize = 32;

/// Whether `c` may appear in a Telegram username: ASCII letters, digits and underscore.
#[must_use]
pub const fn is_username_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Sanitises a Telegram username, as typed by a person or sent by Telegram.
///
/// The rules, exactly:
/// 1. one leading `@`, if present, is dropped;
/// 2. every character outside `[A-Za-z0-9_]` is dropped (so invisible characters, spaces and
///    punctuation around or inside the name vanish: `"@ali\u{200B}ce_bot."` → `"alice_bot"`);
/// 3. if what remains is not 5 to 32 characters long, the answer is `None` — a name is never
///    truncated, because a truncated name may be somebody else's.
///
/// Case is kept as given (Telegram shows it that way); usernames are case-insensitive, so
/// compare them with `eq_ignore_ascii_case` or after `to_ascii_lowercase`. Telegram's further
/// rules for *registering* a name (starting with a letter, no trailing underscore) are not
/// enforced: this is a sanitiser, not a registrar, and the result is always safe to show.
/// Idempotent: a result fed back in comes out unchanged.
#[must_use]
pub fn username(raw: &str) -> Option<String> {
    let body = raw.strip_prefix('@').unwrap_or(raw);
    let mut out = String::with_capacity(USERNAME_MAX_CHARS);
    for c in body.chars().filter(|&c| is_username_char(c)) {
        if out.len() == USERNAME_MAX_CHARS {
            return None;
        }
        out.push(c);
    }
    (out.len() >= USERNAME_MIN_CHARS).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sanitize::chars::is_clean;
    use proptest::prelude::*;

    #[test]
    fn plain_and_at_prefixed_names_are_kept() {
        assert_eq!(username("alice").as_deref(), Some("alice"));
        assert_eq!(username("@Alice_Bot").as_deref(), Some("Alice_Bot"));
    }

    #[test]
    fn disallowed_characters_are_dropped() {
        assert_eq!(username("@ali\u{200B}ce_bot.").as_deref(), Some("alice_bot"));
        assert_eq!(username(" @alice \n").as_deref(), Some("alice"));
        assert_eq!(username("a\u{202E}dmin1").as_deref(), Some("admin1"));
    }

    #[test]
    fn too_short_is_refused() {
        assert_eq!(username(""), None);
        assert_eq!(username("@"), None);
        assert_eq!(username("abcd"), None);
        assert_eq!(username("@ab!!cd"), None);
        assert_eq!(username("абвгдеж"), None);
    }

    #[test]
    fn length_limits_are_inclusive() {
        assert_eq!(username("abcde").as_deref(), Some("abcde"));
        let max = "a".repeat(USERNAME_MAX_CHARS);
        assert_eq!(username(&max).as_deref(), Some(max.as_str()));
    }

    #[test]
    fn too_long_is_refused_not_truncated() {
        assert_eq!(username(&"a".repeat(USERNAME_MAX_CHARS + 1)), None);
    }

    #[test]
    fn only_one_at_is_stripped_and_others_dropped() {
        assert_eq!(username("@@alice").as_deref(), Some("alice"));
    }

    proptest! {
        #[test]
        fn properties_hold(s in any::<String>()) {
            if let Some(once) = username(&s) {
                prop_assert!((USERNAME_MIN_CHARS..=USERNAME_MAX_CHARS).contains(&once.len()));
                prop_assert!(once.chars().all(is_username_char));
                prop_assert!(is_clean(&once));
                prop_assert_eq!(username(&once), Some(once.clone()));
                let with_at = format!("@{once}");
                prop_assert_eq!(username(&with_at), Some(once));
            }
        }

        #[test]
        fn valid_names_round_trip(s in "@?[A-Za-z0-9_]{5,32}") {
            let expected = s.trim_start_matches('@').to_owned();
            prop_assert_eq!(username(&s), Some(expected));
        }
    }
}
