//! Character classes shared by the sanitisers.
//!
//! One question is answered here: *may this character reach another user's screen?* A
//! character is **control-like** when it is invisible or changes how the text around it is laid
//! out rather than being text itself. Such characters let a user fake an empty or identical
//! name, reverse the rest of a line (the "Trojan Source" bidi trick), smuggle hidden text
//! (tag characters) or break a reply onto several lines. They are removed, never escaped.
//!
//! The table is hand-written (no Unicode data dependency) and deliberately conservative: it
//! names every code point of the general categories *Cc* and *Zl*/*Zp*, the *Cf* code points
//! that have a visible effect or are commonly abused, and the blank "filler" letters Telegram
//! users employ for invisible names. Variation selectors (U+FE00–U+FE0F, U+E0100–U+E01EF) are
//! kept: emoji need them and they cannot reorder or hide text.

/// Whether `c` is control-like: invisible or layout-changing, and so removed by every sanitiser.
///
/// The set, exactly:
///
/// | Range | What |
/// |---|---|
/// | U+0000–U+001F, U+007F–U+009F | C0 and C1 controls (*Cc*, includes tab, CR and LF) |
/// | U+00AD | soft hyphen |
/// | U+034F | combining grapheme joiner |
/// | U+061C | Arabic letter mark |
/// | U+115F, U+1160, U+3164, U+FFA0 | Hangul fillers (blank "letters") |
/// | U+17B4, U+17B5 | Khmer inherent vowels (invisible) |
/// | U+180E | Mongolian vowel separator |
/// | U+200B–U+200F | zero-width space, non-joiner, joiner; LTR and RTL marks |
/// | U+2028, U+2029 | line and paragraph separators |
/// | U+202A–U+202E | bidi embeddings and overrides |
/// | U+2060–U+206F | word joiner, invisible operators, bidi isolates, deprecated format controls |
/// | U+FEFF | zero-width no-break space (byte-order mark) |
/// | U+FFF9–U+FFFB | interlinear annotation controls |
/// | U+E0000–U+E007F | tag characters |
///
/// Note that the zero-width joiner is in the set, so an emoji ZWJ sequence (👨‍👩‍👧) falls apart
/// into its visible parts; that is the price of refusing invisible characters wholesale.
#[must_use]
pub const fn is_control_like(c: char) -> bool {
    matches!(
        c,
        '\u{0000}'..='\u{001F}'
            | '\u{007F}'..='\u{009F}'
            | '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

/// Whether `s` contains no control-like character (see [`is_control_like`]).
#[must_use]
pub fn is_clean(s: &str) -> bool {
    !s.chars().any(is_control_like)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ascii_controls_are_control_like() {
        for c in ['\0', '\t', '\n', '\r', '\u{1B}', '\u{7F}', '\u{85}', '\u{9F}'] {
            assert!(is_control_like(c), "{c:?}");
        }
    }

    #[test]
    fn bidi_and_zero_width_are_control_like() {
        for c in [
            '\u{202A}',
            '\u{202B}',
            '\u{202C}',
            '\u{202D}',
            '\u{202E}',
            '\u{2066}',
            '\u{2067}',
            '\u{2068}',
            '\u{2069}',
            '\u{200E}',
            '\u{200F}',
            '\u{061C}',
            '\u{200B}',
            '\u{200C}',
            '\u{200D}',
            '\u{2060}',
            '\u{2064}',
            '\u{FEFF}',
            '\u{00AD}',
            '\u{180E}',
            '\u{E0000}',
            '\u{E0041}',
            '\u{E007F}',
            '\u{FFF9}',
            '\u{FFFB}',
            '\u{2028}',
            '\u{2029}',
            '\u{3164}',
        ] {
            assert!(is_control_like(c), "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn ordinary_text_is_not_control_like() {
        for c in "Aa zé€ßЖ中😀 -_@./\u{00A0}\u{3000}".chars() {
            assert!(!is_control_like(c), "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn variation_selectors_are_kept() {
        for c in ['\u{FE00}', '\u{FE0F}', '\u{E0100}', '\u{E01EF}'] {
            assert!(!is_control_like(c), "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn range_edges_are_exact() {
        assert!(!is_control_like('\u{0020}'));
        assert!(!is_control_like('\u{00A0}'));
        assert!(!is_control_like('\u{200A}'));
        assert!(!is_control_like('\u{2027}'));
        assert!(!is_control_like('\u{202F}'));
        assert!(!is_control_like('\u{205F}'));
        assert!(!is_control_like('\u{2070}'));
        assert!(!is_control_like('\u{FFF8}'));
        assert!(!is_control_like('\u{FFFC}'));
        assert!(!is_control_like('\u{E0080}'));
    }

    #[test]
    fn is_clean_detects_one_bad_char() {
        assert!(is_clean("plain text"));
        assert!(is_clean(""));
        assert!(!is_clean("evil\u{202E}txt.exe"));
    }

    proptest! {
        #[test]
        fn every_cc_char_is_control_like(c in any::<char>()) {
            if c.is_control() {
                prop_assert!(is_control_like(c));
            }
        }

        #[test]
        fn is_clean_agrees_with_is_control_like(s in any::<String>()) {
            prop_assert_eq!(is_clean(&s), s.chars().all(|c| !is_control_like(c)));
        }
    }
}
