//! The single-line normaliser behind [`display_name`](super::display_name) and
//! [`command_args`](super::command_args): free text squeezed onto one clean, bounded line.

use super::chars::is_control_like;

/// Normalises free text to one clean line of at most `max_chars` characters.
///
/// The rules, applied in one pass:
/// 1. every whitespace character (`char::is_whitespace`: space, tab, CR, LF, NEL, no-break
///    space, the U+2000 family, U+2028/U+2029, ideographic space, …) is a word break;
/// 2. every other [control-like](super::is_control_like) character is removed without leaving a
///    break, so `"ad\u{200B}min"` becomes `"admin"`;
/// 3. runs of word breaks become a single ASCII space; leading and trailing breaks vanish;
/// 4. the result is cut to at most `max_chars` Unicode scalar values (characters, not bytes),
///    always on a character boundary and never leaving a trailing space.
///
/// Empty (or all-invisible) input gives an empty string. The function is idempotent, and it
/// stops reading once the bound is reached, so a huge input costs no more than a short one
/// beyond the scan. The output is plain text: escape it for the reply's parse mode at the edge.
#[must_use]
pub fn single_line(raw: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(raw.len().min(max_chars.saturating_mul(4)));
    let mut count = 0usize;
    let mut pending_space = false;
    for c in raw.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if is_control_like(c) {
            continue;
        }
        let needed = if pending_space { 2 } else { 1 };
        if count + needed > max_chars {
            break;
        }
        if pending_space {
            out.push(' ');
            count += 1;
            pending_space = false;
        }
        out.push(c);
        count += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sanitize::chars::is_clean;
    use proptest::prelude::*;

    #[test]
    fn collapses_and_trims_whitespace() {
        assert_eq!(single_line("  a \t\n b\r\n\u{2028}c  ", 100), "a b c");
    }

    #[test]
    fn removes_invisible_without_breaking_words() {
        assert_eq!(single_line("ad\u{200B}min", 100), "admin");
        assert_eq!(single_line("a \u{202E} b", 100), "a b");
    }

    #[test]
    fn all_invisible_becomes_empty() {
        assert_eq!(single_line("\u{200B}\u{3164} \u{FEFF}\n", 100), "");
        assert_eq!(single_line("", 100), "");
    }

    #[test]
    fn bound_counts_chars_not_bytes() {
        assert_eq!(single_line("ééééé", 3), "ééé");
        assert_eq!(single_line("😀😀😀", 2), "😀😀");
    }

    #[test]
    fn bound_never_leaves_trailing_space() {
        assert_eq!(single_line("abc def", 4), "abc");
        assert_eq!(single_line("abc def", 5), "abc d");
    }

    #[test]
    fn zero_bound_is_empty() {
        assert_eq!(single_line("abc", 0), "");
    }

    proptest! {
        #[test]
        fn properties_hold(s in any::<String>(), max in 0usize..80) {
            let once = single_line(&s, max);
            prop_assert!(once.chars().count() <= max);
            prop_assert!(is_clean(&once));
            prop_assert!(!once.starts_with(' ') && !once.ends_with(' '));
            prop_assert!(!once.contains("  "));
            prop_assert!(once.chars().all(|c| c == ' ' || !c.is_whitespace()));
            prop_assert_eq!(single_line(&once, max), once);
        }

        #[test]
        fn clean_short_text_is_unchanged(s in "[a-zA-Z0-9é😀]{1,10}( [a-zA-Z0-9é😀]{1,10}){0,3}") {
            prop_assert_eq!(single_line(&s, 100), s);
        }
    }
}
