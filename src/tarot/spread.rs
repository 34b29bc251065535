//! Spreads: how many cards are laid out, and what each position means.
//!
//! The classic spreads (one card; past, present, future; the Celtic Cross) and the themed ones
//! (love, career, a decision between two paths, a yes/no question). Each has a stable key
//! stored in history and config (`one`, `three`, `celtic_cross`, `love`, `career`, `decision`,
//! `yes_no`), words a reader may type in English, Russian or Spanish ([`Spread::parse`]), and
//! per locale a name, position names and framing phrases (the texts are in
//! [`wording`](super::wording)).

use crate::locale::Locale;

use super::wording::{SpreadWording, wording};

/// A layout of cards, each position with its own meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Spread {
    /// A single card.
    One,
    /// Past, present, future.
    Three,
    /// The ten-card Celtic Cross.
    CelticCross,
    /// Love: you, the other person, the bond, what helps, where it is heading.
    Love,
    /// Career: the situation, strengths, the obstacle, advice, the outcome.
    Career,
    /// A decision between two paths: its heart, each path and where it leads, advice.
    Decision,
    /// One card answering a yes/no question from its [leaning](super::Leaning).
    YesNo,
}

/// The longest spread word [`Spread::parse`] accepts, in bytes (`кельтский_крест`, Cyrillic).
const WORD_MAX_BYTES: usize = 32;

impl Spread {
    /// Every spread: the classic ones first, then the themed ones.
    pub const ALL: [Spread; 7] = [
        Spread::One,
        Spread::Three,
        Spread::CelticCross,
        Spread::Love,
        Spread::Career,
        Spread::Decision,
        Spread::YesNo,
    ];

    /// How many cards the spread uses.
    #[must_use]
    pub const fn card_count(self) -> usize {
        match self {
            Spread::One | Spread::YesNo => 1,
            Spread::Three => 3,
            Spread::Love | Spread::Career => 5,
            Spread::Decision => 6,
            Spread::CelticCross => 10,
        }
    }

    /// A stable machine key (`one`, `three`, `celtic_cross`, `love`, `career`, `decision`,
    /// `yes_no`), used in stored history and config; always accepted by [`Spread::parse`].
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            Spread::One => "one",
            Spread::Three => "three",
            Spread::CelticCross => "celtic_cross",
            Spread::Love => "love",
            Spread::Career => "career",
            Spread::Decision => "decision",
            Spread::YesNo => "yes_no",
        }
    }

    /// Parses a spread word, ignoring case: the key, or a word in one of the three languages.
    ///
    /// - one card: `one`, `single`, `1`, `одна`, `una`;
    /// - three cards: `three`, `3`, `три`, `tres`;
    /// - Celtic Cross: `celtic`, `cross`, `10`, `кельтский`, `крест`, `кельтский_крест`,
    ///   `celta`, `cruz_celta`;
    /// - love: `love`, `любовь`, `отношения`, `amor`;
    /// - career: `career`, `work`, `job`, `карьера`, `работа`, `trabajo`, `carrera`;
    /// - decision: `decision`, `choice`, `решение`, `выбор`, `decisión`, `elección`
    ///   (and both without the accent);
    /// - yes/no: `yes_no`, `yesno`, `yes/no`, `да_нет`, `данет`, `да/нет`, `sí_no`, `sí/no`,
    ///   `si_no`, `si/no`.
    ///
    /// Bare "yes", "да", "uno" or "cruz" are left out: they start ordinary questions.
    #[must_use]
    pub fn parse(word: &str) -> Option<Spread> {
        if word.len() > WORD_MAX_BYTES {
            return None;
        }
        match word.to_lowercase().as_str() {
            "one" | "single" | "1" | "одна" | "una" => Some(Spread::One),
            "three" | "3" | "три" | "tres" => Some(Spread::Three),
            "celtic"
            | "cross"
            | "celtic_cross"
            | "10"
            | "кельтский"
            | "крест"
            | "кельтский_крест"
            | "celta"
            | "cruz_celta" => Some(Spread::CelticCross),
            "love" | "любовь" | "отношения" | "amor" => Some(Spread::Love),
            "career" | "work" | "job" | "карьера" | "работа" | "trabajo" | "carrera" => {
                Some(Spread::Career)
            }
            "decision" | "choice" | "решение" | "выбор" | "decisión" | "elección" | "eleccion" => {
                Some(Spread::Decision)
            }
            "yes_no" | "yesno" | "yes/no" | "да_нет" | "данет" | "да/нет" | "sí_no" | "sí/no" | "si_no" | "si/no" => {
                Some(Spread::YesNo)
            }
            _ => None,
        }
    }

    /// The spread's English name, e.g. `"Celtic Cross"`.
    #[must_use]
    pub fn name(self) -> &'static str {
        self.name_in(Locale::En)
    }

    /// The spread's name in `locale`.
    #[must_use]
    pub fn name_in(self, locale: Locale) -> &'static str {
        self.wording(locale).name
    }

    /// The English name of each position, in the order the cards are laid out.
    #[must_use]
    pub fn positions(self) -> &'static [&'static str] {
        self.positions_in(Locale::En)
    }

    /// The name of each position in `locale`.
    #[must_use]
    pub fn positions_in(self, locale: Locale) -> &'static [&'static str] {
        self.wording(locale).positions
    }

    /// The phrase that leads into each position's card meaning in `locale`, e.g. "What lies
    /// behind you:" for the past.
    #[must_use]
    pub fn framings_in(self, locale: Locale) -> &'static [&'static str] {
        self.wording(locale).framings
    }

    /// This spread's texts in `locale`.
    fn wording(self, locale: Locale) -> &'static SpreadWording {
        let spreads = &wording(locale).spreads;
        match self {
            Spread::One => &spreads.one,
            Spread::Three => &spreads.three,
            Spread::CelticCross => &spreads.celtic_cross,
            Spread::Love => &spreads.love,
            Spread::Career => &spreads.career,
            Spread::Decision => &spreads.decision,
            Spread::YesNo => &spreads.yes_no,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn positions_and_counts() {
        assert_eq!(Spread::One.positions(), ["The card"]);
        assert_eq!(Spread::Three.positions(), ["Past", "Present", "Future"]);
        assert_eq!(Spread::CelticCross.card_count(), 10);
        assert_eq!(Spread::Decision.card_count(), 6);
        let keys: HashSet<&str> = Spread::ALL.iter().map(|s| s.key()).collect();
        assert_eq!(keys.len(), Spread::ALL.len());
        for s in Spread::ALL {
            assert_eq!(Spread::parse(s.key()), Some(s));
            for locale in Locale::ALL {
                let positions = s.positions_in(locale);
                let framings = s.framings_in(locale);
                assert_eq!(positions.len(), s.card_count(), "{s:?} {locale:?}");
                assert_eq!(framings.len(), s.card_count(), "{s:?} {locale:?}");
                assert_eq!(positions.iter().collect::<HashSet<_>>().len(), s.card_count(), "{s:?} {locale:?}");
                assert_eq!(framings.iter().collect::<HashSet<_>>().len(), s.card_count(), "{s:?} {locale:?}");
                assert!(!s.name_in(locale).is_empty());
                for f in framings {
                    assert!(f.ends_with(':'), "{f}");
                }
            }
        }
        let names: HashSet<&str> = Spread::ALL.iter().map(|s| s.name_in(Locale::Ru)).collect();
        assert_eq!(names.len(), Spread::ALL.len());
    }

    #[test]
    fn english_names_are_the_ones_history_shows() {
        assert_eq!(Spread::One.name(), "One card");
        assert_eq!(Spread::Three.name(), "Three cards");
        assert_eq!(Spread::CelticCross.name(), "Celtic Cross");
        assert_eq!(Spread::CelticCross.positions()[0], "The heart of the matter");
    }

    #[test]
    fn parses_words_case_insensitively_in_three_languages() {
        for (words, want) in [
            (&["one", "ONE", "Single", "1", "Одна", "una"][..], Spread::One),
            (&["three", "Three", "3", "три", "TRES"], Spread::Three),
            (
                &["celtic", "CROSS", "Celtic_Cross", "10", "Кельтский", "крест", "celta", "Cruz_Celta"],
                Spread::CelticCross,
            ),
            (&["love", "Любовь", "ОТНОШЕНИЯ", "Amor"], Spread::Love),
            (&["career", "work", "job", "Карьера", "работа", "trabajo", "carrera"], Spread::Career),
            (&["decision", "choice", "решение", "Выбор", "Decisión", "elección", "eleccion"], Spread::Decision),
            (
                &["yes_no", "YesNo", "yes/no", "да_нет", "Да/Нет", "данет", "sí_no", "Sí/No", "si_no", "si/no"],
                Spread::YesNo,
            ),
        ] {
            for w in words {
                assert_eq!(Spread::parse(w), Some(want), "{w}");
            }
        }
        for w in [
            "",
            "two",
            "01",
            " one",
            "one ",
            "celtic cross",
            "ｏｎｅ",
            "celtic_crosss",
            "yes",
            "да",
            "uno",
            "cruz",
            &"love".repeat(9),
        ] {
            assert_eq!(Spread::parse(w), None, "{w:?}");
        }
    }
}
