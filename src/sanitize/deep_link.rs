//! Deep-link payloads: the `payload` of `https://t.me/<bot>?start=<payload>`.

/// The longest deep-link payload Telegram sends, in characters.
pub const DEEP_LINK_MAX_CHARS: usize = 64;

/// Whether `c` may appear in a deep-link payload: ASCII letters, digits, `_` and `-`.
#[must_use]
pub const fn is_deep_link_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Validates a `/start` deep-link payload.
///
/// Telegram passes a payload of 1 to 64 characters from `[A-Za-z0-9_-]` (base64url's
/// alphabet). Anything else — empty, longer, any other character including surrounding
/// whitespace — is refused with `None` rather than repaired: a payload is a token, and a repaired
/// token is a different token. Treat `None` as a plain `/start`. Idempotent.
#[must_use]
pub fn deep_link_payload(raw: &str) -> Option<String> {
    let ok = !raw.is_empty() && raw.len() <= DEEP_LINK_MAX_CHARS && raw.chars().all(is_deep_link_char);
    ok.then(|| raw.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sanitize::chars::is_clean;
    use proptest::prelude::*;

    #[test]
    fn valid_payloads_are_kept() {
        assert_eq!(deep_link_payload("ref_abc-123").as_deref(), Some("ref_abc-123"));
        let max = "Z".repeat(DEEP_LINK_MAX_CHARS);
        assert_eq!(deep_link_payload(&max).as_deref(), Some(max.as_str()));
    }

    #[test]
    fn empty_is_refused() {
        assert_eq!(deep_link_payload(""), None);
    }

    #[test]
    fn over_long_is_refused() {
        assert_eq!(deep_link_payload(&"a".repeat(DEEP_LINK_MAX_CHARS + 1)), None);
    }

    #[test]
    fn anything_else_is_refused_not_repaired() {
        for bad in [" abc", "abc ", "a b", "a+b", "a/b=", "ab\u{200B}c", "ré", "a\nb", "a.b"] {
            assert_eq!(deep_link_payload(bad), None, "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn properties_hold(s in any::<String>()) {
            if let Some(once) = deep_link_payload(&s) {
                prop_assert_eq!(&once, &s);
                prop_assert!(!once.is_empty() && once.len() <= DEEP_LINK_MAX_CHARS);
                prop_assert!(is_clean(&once));
                prop_assert_eq!(deep_link_payload(&once), Some(once.clone()));
            }
        }

        #[test]
        fn grammar_matches_are_accepted(s in "[A-Za-z0-9_-]{1,64}") {
            prop_assert_eq!(deep_link_payload(&s), Some(s.clone()));
        }
    }
}
