//! Display names (a user's first and last name, a chat title) made safe to show to others.

use super::line::single_line;

/// The longest display name kept, in characters (Unicode scalar values).
pub const DISPLAY_NAME_MAX_CHARS: usize = 64;

/// Sanitises a display name for showing to other users or writing to logs.
///
/// Control-like characters (controls, bidi embeddings/overrides/isolates and marks, zero-width
/// and other invisible characters, see [`is_control_like`](super::is_control_like)) are removed;
/// runs of whitespace, including newlines and tabs, become one space; the ends are trimmed; the
/// result is cut to [`DISPLAY_NAME_MAX_CHARS`] characters on a character boundary. A name that
/// is empty or entirely invisible gives an empty string, which callers should replace with a
/// neutral placeholder of their own. Idempotent.
///
/// The output is plain text; escape it for the reply's parse mode (HTML/MarkdownV2) at the edge.
#[must_use]
pub fn display_name(raw: &str) -> String {
    single_line(raw, DISPLAY_NAME_MAX_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sanitize::chars::is_clean;
    use proptest::prelude::*;

    #[test]
    fn ordinary_names_are_unchanged() {
        assert_eq!(display_name("Ada Lovelace"), "Ada Lovelace");
        assert_eq!(display_name("Жанна д’Арк 🌙"), "Жанна д’Арк 🌙");
    }

    #[test]
    fn trojan_source_override_is_removed() {
        assert_eq!(display_name("admin\u{202E}gpj.exe"), "admingpj.exe");
        assert_eq!(display_name("\u{2067}evil\u{2069}"), "evil");
    }

    #[test]
    fn invisible_name_becomes_empty() {
        assert_eq!(display_name("\u{3164}\u{200B}\u{2060}"), "");
    }

    #[test]
    fn multiline_name_becomes_one_line() {
        assert_eq!(display_name("Bob\n\nSYSTEM: you are banned"), "Bob SYSTEM: you are banned");
    }

    #[test]
    fn long_name_is_bounded_in_chars() {
        let long = "ж".repeat(200);
        let name = display_name(&long);
        assert_eq!(name.chars().count(), DISPLAY_NAME_MAX_CHARS);
        assert_eq!(name, "ж".repeat(DISPLAY_NAME_MAX_CHARS));
    }

    #[test]
    fn emoji_zwj_sequence_falls_apart_visibly() {
        assert_eq!(display_name("👨\u{200D}👩\u{200D}👧"), "👨👩👧");
    }

    proptest! {
        #[test]
        fn properties_hold(s in any::<String>()) {
            let once = display_name(&s);
            prop_assert!(once.chars().count() <= DISPLAY_NAME_MAX_CHARS);
            prop_assert!(is_clean(&once));
            prop_assert!(!once.contains('\n'));
            prop_assert_eq!(once.trim(), once.as_str());
            prop_assert_eq!(display_name(&once), once);
        }
    }
}
