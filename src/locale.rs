//! The languages arcana speaks, and how each counts: a [`Locale`] from a Telegram
//! `language_code` (an IETF tag such as `ru`, `ru-RU`, `es-419`) and the CLDR plural category
//! ([`Plural`]) a whole number takes in it. A leaf: no crate imports; the texts themselves live in
//! `i18n`.

use serde::{Deserialize, Serialize};

/// A language the bot's texts are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    /// English: the default, and the fallback for every other language.
    En,
    /// Russian.
    Ru,
    /// Spanish (neutral: Spain and Latin America).
    Es,
}

/// A CLDR plural category, as chosen for a whole number by [`Locale::plural`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Plural {
    /// `1` in English and Spanish; `1, 21, 31, 101…` in Russian.
    One,
    /// Russian `2–4, 22–24…` (but not `12–14`).
    Few,
    /// Russian `0, 5–20, 25–30, 111…`.
    Many,
    /// Everything else: English and Spanish `0, 2, 3…`.
    Other,
}

impl Locale {
    /// Every locale, English first.
    pub const ALL: [Locale; 3] = [Locale::En, Locale::Ru, Locale::Es];

    /// Its ISO 639-1 code: `en`, `ru`, `es` (also its serde form and Telegram's `language_code`).
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Ru => "ru",
            Locale::Es => "es",
        }
    }

    /// The locale for a user's IETF language tag (`ru`, `ru-RU`, `es_419`, `ES`): its primary
    /// subtag, ignoring case; an empty or unknown language is English.
    #[must_use]
    pub fn from_language_code(tag: &str) -> Locale {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        Locale::parse(primary).unwrap_or(Locale::En)
    }

    /// The locale whose [`code`](Locale::code) is `code` (ignoring ASCII case), if any.
    #[must_use]
    pub fn parse(code: &str) -> Option<Locale> {
        Locale::ALL.into_iter().find(|locale| locale.code().eq_ignore_ascii_case(code))
    }

    /// The plural category of `n` (CLDR's integer rules): English and Spanish have `One` for 1
    /// and `Other` for the rest; Russian has `One`, `Few` and `Many`.
    #[must_use]
    pub const fn plural(self, n: u64) -> Plural {
        match self {
            Locale::En | Locale::Es => {
                if n == 1 {
                    Plural::One
                } else {
                    Plural::Other
                }
            }
            Locale::Ru => match (n % 10, n % 100) {
                (1, last_two) if last_two != 11 => Plural::One,
                (2..=4, last_two) if last_two < 12 || last_two > 14 => Plural::Few,
                _ => Plural::Many,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_back() {
        for locale in Locale::ALL {
            assert_eq!(Locale::parse(locale.code()), Some(locale));
            assert_eq!(Locale::from_language_code(locale.code()), locale);
        }
        assert_eq!(Locale::parse("RU"), Some(Locale::Ru));
        assert_eq!(Locale::parse("de"), None);
        assert_eq!(Locale::parse(""), None);
        assert_eq!(Locale::parse("ru-RU"), None, "parse takes a code, not a tag");
    }

    #[test]
    fn language_tags_take_their_primary_subtag() {
        assert_eq!(Locale::from_language_code("ru-RU"), Locale::Ru);
        assert_eq!(Locale::from_language_code("es-419"), Locale::Es);
        assert_eq!(Locale::from_language_code("es_MX"), Locale::Es);
        assert_eq!(Locale::from_language_code("ES"), Locale::Es);
        assert_eq!(Locale::from_language_code("en-GB"), Locale::En);
        assert_eq!(Locale::from_language_code("de"), Locale::En);
        assert_eq!(Locale::from_language_code("uk"), Locale::En);
        assert_eq!(Locale::from_language_code(""), Locale::En);
        assert_eq!(Locale::from_language_code("-ru"), Locale::En);
        assert_eq!(Locale::from_language_code("rus"), Locale::En);
    }

    #[test]
    fn serde_uses_the_codes() {
        for locale in Locale::ALL {
            let json = serde_json::to_string(&locale).expect("serialise");
            assert_eq!(json, format!("\"{}\"", locale.code()));
            assert_eq!(serde_json::from_str::<Locale>(&json).expect("deserialise"), locale);
        }
        assert!(serde_json::from_str::<Locale>("\"de\"").is_err());
    }

    #[test]
    fn english_and_spanish_have_one_and_other() {
        for locale in [Locale::En, Locale::Es] {
            assert_eq!(locale.plural(1), Plural::One);
            for n in [0, 2, 5, 11, 21, 101, 1_000_000] {
                assert_eq!(locale.plural(n), Plural::Other, "{n}");
            }
        }
    }

    #[test]
    fn russian_has_one_few_and_many() {
        let ru = |n| Locale::Ru.plural(n);
        for n in [1, 21, 31, 101, 121, 1_001] {
            assert_eq!(ru(n), Plural::One, "{n}");
        }
        for n in [2, 3, 4, 22, 23, 24, 102, 1_004] {
            assert_eq!(ru(n), Plural::Few, "{n}");
        }
        for n in [0, 5, 9, 10, 11, 12, 13, 14, 15, 19, 20, 25, 100, 111, 112, 114, 1_000] {
            assert_eq!(ru(n), Plural::Many, "{n}");
        }
        assert_eq!(ru(u64::MAX), Plural::Many, "18…615: ends in 15");
    }
}
