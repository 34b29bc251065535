//! The languages arcana speaks, and the plural rules its texts need.
//!
//! A [`Locale`] is English, Russian or Spanish. It is chosen from Telegram's `language_code`
//! (an IETF tag such as `ru`, `ru-RU`, `es-419` or `pt-BR`) with
//! [`Locale::from_language_code`]; a tag in any other language falls back to English. Stored
//! values round-trip through [`Locale::code`] and [`Locale::parse`] (and serde, as the same
//! lower-case codes).
//!
//! [`Locale::plural`] picks the CLDR plural category of a whole number, so a text can hold one
//! form per category: English has *one* and *other*; Russian *one* (1, 21, 101), *few* (2–4,
//! 22–24) and *many* (0, 5–20, 25–30, 111); Spanish *one* (1), *many* for non-zero multiples of
//! a million ("un millón **de** cartas") and *other*. Fractions are not needed (counts of cards
//! and readings), so CLDR's *other* never comes up for Russian whole numbers.
//!
//! A leaf: no crate imports.

use serde::{Deserialize, Serialize};

/// A language of the bot's texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    /// English, the fallback for every language the bot does not speak.
    #[default]
    En,
    /// Russian.
    Ru,
    /// Spanish (one text for Spain and Latin America).
    Es,
}

/// A CLDR plural category (see the module docs for which locale uses which).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Plural {
    /// 1 in English and Spanish; 1, 21, 31 … 101 (but not 11 or 111) in Russian.
    One,
    /// Russian 2–4, 22–24 … (not 12–14).
    Few,
    /// Russian 0, 5–20, 25–30 …; Spanish 1 000 000, 2 000 000 ….
    Many,
    /// Everything else.
    Other,
}

/// The longest tag [`Locale::from_language_code`] reads (BCP 47 tags in practice stay far
/// shorter); anything longer is not a language tag and gets the fallback.
const TAG_MAX_BYTES: usize = 64;

impl Locale {
    /// Every locale, English first.
    pub const ALL: [Locale; 3] = [Locale::En, Locale::Ru, Locale::Es];

    /// The ISO 639-1 code: `"en"`, `"ru"` or `"es"` (the form that is stored).
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Ru => "ru",
            Locale::Es => "es",
        }
    }

    /// The language's name in itself ("English", "Русский", "Español"): how a language is
    /// offered to someone who may not read the current one. The same in every locale, so not a
    /// translated text.
    #[must_use]
    pub const fn autonym(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::Ru => "Русский",
            Locale::Es => "Español",
        }
    }

    /// The locale for a Telegram user's `language_code`: its primary language subtag, ignoring
    /// case and region (`ru-RU`, `es-419`, `ES_mx`); English for any other language, an empty
    /// or over-long tag.
    #[must_use]
    pub fn from_language_code(tag: &str) -> Locale {
        if tag.len() > TAG_MAX_BYTES {
            return Locale::En;
        }
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        Locale::parse(primary).unwrap_or(Locale::En)
    }

    /// Parses a stored code (`en`, `ru`, `es`, ignoring ASCII case); `None` for anything else.
    #[must_use]
    pub fn parse(code: &str) -> Option<Locale> {
        Locale::ALL.into_iter().find(|l| l.code().eq_ignore_ascii_case(code))
    }

    /// The CLDR plural category of the whole number `n` in this locale.
    #[must_use]
    pub const fn plural(self, n: u64) -> Plural {
        match self {
            Locale::En => {
                if n == 1 {
                    Plural::One
                } else {
                    Plural::Other
                }
            }
            Locale::Ru => {
                let (ones, tens) = (n % 10, n % 100);
                if ones == 1 && tens != 11 {
                    Plural::One
                } else if ones >= 2 && ones <= 4 && !(tens >= 12 && tens <= 14) {
                    Plural::Few
                } else {
                    Plural::Many
                }
            }
            Locale::Es => {
                if n == 1 {
                    Plural::One
                } else if n != 0 && n.is_multiple_of(1_000_000) {
                    Plural::Many
                } else {
                    Plural::Other
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for l in Locale::ALL {
            assert_eq!(Locale::parse(l.code()), Some(l));
            assert_eq!(Locale::parse(&l.code().to_uppercase()), Some(l));
            assert_eq!(Locale::from_language_code(l.code()), l);
        }
        for bad in ["", "e", "eng", "english", "pt", " en", "en-US"] {
            assert_eq!(Locale::parse(bad), None, "{bad:?}");
        }
        assert_eq!(Locale::default(), Locale::En);
    }

    #[test]
    fn telegram_language_codes() {
        for (tag, want) in [
            ("ru", Locale::Ru),
            ("ru-RU", Locale::Ru),
            ("RU-ru", Locale::Ru),
            ("es", Locale::Es),
            ("es-419", Locale::Es),
            ("es_MX", Locale::Es),
            ("en", Locale::En),
            ("en-GB", Locale::En),
            ("pt-BR", Locale::En),
            ("uk", Locale::En),
            ("de", Locale::En),
            ("", Locale::En),
            ("-", Locale::En),
            ("ru\u{0}", Locale::En),
        ] {
            assert_eq!(Locale::from_language_code(tag), want, "{tag:?}");
        }
        assert_eq!(Locale::from_language_code(&format!("ru-{}", "x".repeat(100))), Locale::En);
    }

    #[test]
    fn serde_uses_the_lower_case_codes() {
        for l in Locale::ALL {
            let json = serde_json::to_string(&l).expect("encode");
            assert_eq!(json, format!("\"{}\"", l.code()));
            assert_eq!(serde_json::from_str::<Locale>(&json).expect("decode"), l);
        }
        assert!(serde_json::from_str::<Locale>("\"de\"").is_err());
        let bytes = rmp_serde::to_vec(&Locale::Ru).expect("msgpack");
        assert_eq!(rmp_serde::from_slice::<Locale>(&bytes).expect("msgpack"), Locale::Ru);
    }

    #[test]
    fn english_plurals() {
        assert_eq!(Locale::En.plural(1), Plural::One);
        for n in [0, 2, 5, 11, 21, 101, 1_000_000] {
            assert_eq!(Locale::En.plural(n), Plural::Other, "{n}");
        }
    }

    #[test]
    fn russian_plurals() {
        use Plural::{Few, Many, One};
        for (n, want) in [
            (0, Many),
            (1, One),
            (2, Few),
            (3, Few),
            (4, Few),
            (5, Many),
            (10, Many),
            (11, Many),
            (12, Many),
            (14, Many),
            (20, Many),
            (21, One),
            (22, Few),
            (24, Few),
            (25, Many),
            (101, One),
            (111, Many),
            (112, Many),
            (122, Few),
            (1_001, One),
            (u64::MAX, Many),
        ] {
            assert_eq!(Locale::Ru.plural(n), want, "{n}");
        }
    }

    #[test]
    fn spanish_plurals() {
        assert_eq!(Locale::Es.plural(1), Plural::One);
        for n in [0, 2, 5, 11, 21, 100, 1_000, 1_000_001] {
            assert_eq!(Locale::Es.plural(n), Plural::Other, "{n}");
        }
        for n in [1_000_000, 2_000_000, 1_000_000_000] {
            assert_eq!(Locale::Es.plural(n), Plural::Many, "{n}");
        }
    }
}
