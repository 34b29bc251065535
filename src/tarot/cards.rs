//! The cards' texts in each language: name, aliases, keywords and the upright and reversed
//! meanings, written for arcana by its writers (format and rules: `content/SPEC.md`).
//!
//! The texts are content, not code: one TOML file per locale (`cards/en.toml`, `ru.toml`,
//! `es.toml`), compiled into the binary deflated ([`embedded`](crate::embedded)) and parsed once, at first use,
//! into 78 typed entries per locale. Parsing checks what the renderer relies on: 78 cards in
//! id order, 3–5 keywords, meanings of [`MEANING_MIN_CHARS`]–[`MEANING_MAX_CHARS`] characters,
//! bounded names, and no markup or line breaks (texts go into Telegram HTML unescaped).
//!
//! The unit tests prove the files embedded in this build pass, so the fallback below never runs
//! in a tested binary; it exists because library code here does not panic. If a locale's file
//! failed the checks, that locale would show the English texts (and log an error); if English
//! failed, every card would show as `#id` without meanings. [`check_texts`] reports any such
//! failure, for a startup or `doctor` check.
//!
//! This file also gives [`Card`] its text methods ([`Card::text`], [`Card::name`],
//! [`Card::name_in`], [`Card::meaning`]), so the deck's facts ([`deck`](super::deck)) need not
//! import the texts.

use std::sync::LazyLock;

use serde::Deserialize;

use crate::embedded;
use crate::locale::Locale;

use super::deck::{Card, DECK_SIZE};

/// Upper bound on a meaning's length, in characters (the writers' limit).
pub const MEANING_MAX_CHARS: usize = 380;
/// Lower bound on a meaning's length, in characters.
pub const MEANING_MIN_CHARS: usize = 140;
/// Upper bound on a card's name or alias, in characters.
pub const NAME_MAX_CHARS: usize = 40;
/// Upper bound on one keyword, in characters.
pub const KEYWORD_MAX_CHARS: usize = 32;
/// The fewest and most keywords a card has.
pub const KEYWORDS: std::ops::RangeInclusive<usize> = 3..=5;
/// Upper bound on a card's aliases in one language.
pub const ALIASES_MAX: usize = 8;

/// One card's texts in one language.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardText {
    /// The card's usual name, e.g. `"The Fool"`, `"Шут"`, `"El Loco"`.
    pub name: String,
    /// Other names a reader might type (without article, older or regional names).
    pub aliases: Vec<String>,
    /// Three to five short, lower-case keywords.
    pub keywords: Vec<String>,
    /// Two or three sentences for the card upright, addressed to the reader.
    pub upright: String,
    /// Two or three sentences for the card reversed.
    pub reversed: String,
}

impl CardText {
    /// The meaning for the given orientation.
    #[must_use]
    pub fn meaning(&self, reversed: bool) -> &str {
        if reversed { &self.reversed } else { &self.upright }
    }
}

/// Why a locale's card texts were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextsError {
    /// The file is not valid TOML of the expected shape.
    #[error("{locale} card texts: {message}")]
    Syntax {
        /// The file's locale code.
        locale: &'static str,
        /// The parser's message.
        message: String,
    },
    /// Not exactly 78 cards.
    #[error("{locale} card texts: {found} cards instead of 78")]
    Count {
        /// The file's locale code.
        locale: &'static str,
        /// How many `[[card]]` tables there are.
        found: usize,
    },
    /// The embedded file does not read back (a broken build).
    #[error("{locale} card texts: {message}")]
    Embedded {
        /// The file's locale code.
        locale: &'static str,
        /// Why it does not read back.
        message: String,
    },
    /// A card is out of id order.
    #[error("{locale} card texts: card number {position} has id {id}")]
    Order {
        /// The file's locale code.
        locale: &'static str,
        /// Its place in the file, from 0.
        position: usize,
        /// The id it carries.
        id: u16,
    },
    /// A field breaks a rule.
    #[error("{locale} card texts: card {id}: {field} {problem}")]
    Field {
        /// The file's locale code.
        locale: &'static str,
        /// The card's id.
        id: u16,
        /// The field's name.
        field: &'static str,
        /// What is wrong with it.
        problem: &'static str,
    },
}

/// A `[[card]]` table as written in the file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCard {
    id: u16,
    name: String,
    aliases: Vec<String>,
    keywords: Vec<String>,
    upright: String,
    reversed: String,
}

/// A whole file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    card: Vec<RawCard>,
}

/// The embedded file of a locale.
fn source(locale: Locale) -> Result<String, TextsError> {
    let deflated: &[u8] = match locale {
        Locale::En => embedded::deflated!("tarot/cards/en.toml"),
        Locale::Ru => embedded::deflated!("tarot/cards/ru.toml"),
        Locale::Es => embedded::deflated!("tarot/cards/es.toml"),
    };
    embedded::inflate(deflated).map_err(|e| TextsError::Embedded { locale: locale.code(), message: e.to_string() })
}

/// The embedded file of `locale`, parsed.
fn load_locale(locale: Locale) -> Result<Box<[CardText]>, TextsError> {
    parse(locale, &source(locale)?)
}

/// The 78 entries of each locale, in [`Locale::ALL`] order, parsed at first use.
static TEXTS: LazyLock<[Box<[CardText]>; 3]> = LazyLock::new(load);

/// What a card without texts shows (only for an id outside the deck).
static BLANK: CardText = CardText {
    name: String::new(),
    aliases: Vec::new(),
    keywords: Vec::new(),
    upright: String::new(),
    reversed: String::new(),
};

/// Parses every locale, falling back as the module docs describe.
fn load() -> [Box<[CardText]>; 3] {
    let en = load_locale(Locale::En).unwrap_or_else(|e| {
        tracing::error!(error = %e, "the English card texts are broken; cards show as numbers");
        (0..DECK_SIZE)
            .map(|id| CardText { name: format!("#{id}"), ..BLANK.clone() })
            .collect::<Vec<_>>()
            .into_boxed_slice()
    });
    let or_english = |locale: Locale| {
        load_locale(locale).unwrap_or_else(|e| {
            tracing::error!(error = %e, locale = locale.code(), "card texts are broken; using the English ones");
            en.clone()
        })
    };
    let (ru, es) = (or_english(Locale::Ru), or_english(Locale::Es));
    [en, ru, es]
}

/// Checks every embedded file; the first problem found, if any.
pub fn check_texts() -> Result<(), TextsError> {
    for locale in Locale::ALL {
        load_locale(locale)?;
    }
    Ok(())
}

/// All 78 entries of `locale`, indexed by card id.
#[must_use]
pub fn texts(locale: Locale) -> &'static [CardText] {
    let [en, ru, es] = &*TEXTS;
    match locale {
        Locale::En => en,
        Locale::Ru => ru,
        Locale::Es => es,
    }
}

impl Card {
    /// This card's texts in `locale`.
    #[must_use]
    pub fn text(&self, locale: Locale) -> &'static CardText {
        texts(locale).get(usize::from(self.id)).unwrap_or(&BLANK)
    }

    /// The card's English name, e.g. `"The Fool"` or `"Queen of Cups"`.
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.name_in(Locale::En)
    }

    /// The card's name in `locale`.
    #[must_use]
    pub fn name_in(&self, locale: Locale) -> &'static str {
        &self.text(locale).name
    }

    /// The English meaning for the given orientation.
    #[must_use]
    pub fn meaning(&self, reversed: bool) -> &'static str {
        self.text(Locale::En).meaning(reversed)
    }
}

/// Parses and checks one locale's file.
fn parse(locale: Locale, toml_text: &str) -> Result<Box<[CardText]>, TextsError> {
    let code = locale.code();
    let file: RawFile =
        toml::from_str(toml_text).map_err(|e| TextsError::Syntax { locale: code, message: e.message().to_owned() })?;
    if file.card.len() != DECK_SIZE {
        return Err(TextsError::Count { locale: code, found: file.card.len() });
    }
    let mut out = Vec::with_capacity(DECK_SIZE);
    for (position, raw) in file.card.into_iter().enumerate() {
        if usize::from(raw.id) != position {
            return Err(TextsError::Order { locale: code, position, id: raw.id });
        }
        let field = |field, problem| TextsError::Field { locale: code, id: raw.id, field, problem };
        check_line(&raw.name, 1, NAME_MAX_CHARS).map_err(|p| field("name", p))?;
        if raw.aliases.len() > ALIASES_MAX {
            return Err(field("aliases", "are too many"));
        }
        for alias in &raw.aliases {
            check_line(alias, 1, NAME_MAX_CHARS).map_err(|p| field("aliases", p))?;
        }
        if !KEYWORDS.contains(&raw.keywords.len()) {
            return Err(field("keywords", "are not 3 to 5"));
        }
        for keyword in &raw.keywords {
            check_line(keyword, 1, KEYWORD_MAX_CHARS).map_err(|p| field("keywords", p))?;
        }
        check_line(&raw.upright, MEANING_MIN_CHARS, MEANING_MAX_CHARS).map_err(|p| field("upright", p))?;
        check_line(&raw.reversed, MEANING_MIN_CHARS, MEANING_MAX_CHARS).map_err(|p| field("reversed", p))?;
        out.push(CardText {
            name: raw.name,
            aliases: raw.aliases,
            keywords: raw.keywords,
            upright: raw.upright,
            reversed: raw.reversed,
        });
    }
    Ok(out.into_boxed_slice())
}

/// One trimmed line of `min..=max` characters, without markup or control characters.
fn check_line(text: &str, min: usize, max: usize) -> Result<(), &'static str> {
    let chars = text.chars().count();
    if chars < min {
        return Err("is too short");
    }
    if chars > max {
        return Err("is too long");
    }
    if text.trim() != text || text.contains("  ") {
        return Err("has stray spaces");
    }
    if text.contains(['<', '>', '&']) || text.chars().any(char::is_control) {
        return Err("holds markup or control characters");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tarot::deck::{Arcana, Rank, deck};
    use std::collections::HashSet;

    #[test]
    fn every_embedded_file_passes() {
        assert_eq!(check_texts(), Ok(()));
        for locale in Locale::ALL {
            let parsed = load_locale(locale).expect("valid");
            assert_eq!(parsed.len(), DECK_SIZE);
            assert_eq!(texts(locale), &*parsed, "{locale:?} is not the fallback");
        }
    }

    #[test]
    fn every_locale_has_78_cards_within_bounds() {
        for locale in Locale::ALL {
            let mut meanings = HashSet::new();
            let mut names = HashSet::new();
            for c in deck() {
                let t = c.text(locale);
                assert!(names.insert(&t.name), "{locale:?}: {} twice", t.name);
                assert!(KEYWORDS.contains(&t.keywords.len()), "{locale:?} {}", t.name);
                for m in [&t.upright, &t.reversed] {
                    let n = m.chars().count();
                    assert!((MEANING_MIN_CHARS..=MEANING_MAX_CHARS).contains(&n), "{locale:?} {}: {n}", t.name);
                    assert!(meanings.insert(m), "{locale:?}: duplicate meaning {m}");
                }
                assert_eq!(c.name_in(locale), t.name);
                assert_eq!(t.meaning(false), t.upright);
                assert_eq!(t.meaning(true), t.reversed);
            }
        }
    }

    #[test]
    fn english_names_follow_the_deck() {
        let majors = [
            "The Fool",
            "The Magician",
            "The High Priestess",
            "The Empress",
            "The Emperor",
            "The Hierophant",
            "The Lovers",
            "The Chariot",
            "Strength",
            "The Hermit",
            "Wheel of Fortune",
            "Justice",
            "The Hanged Man",
            "Death",
            "Temperance",
            "The Devil",
            "The Tower",
            "The Star",
            "The Moon",
            "The Sun",
            "Judgement",
            "The World",
        ];
        let ranks = [
            "Ace", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Page", "Knight", "Queen",
            "King",
        ];
        for c in deck() {
            let want = match c.arcana {
                Arcana::Major(n) => majors[usize::from(n)].to_owned(),
                Arcana::Minor { suit, rank } => {
                    let r = Rank::ALL.iter().position(|x| *x == rank).expect("rank");
                    format!("{} of {}", ranks[r], suit.name())
                }
            };
            assert_eq!(c.name(), want);
            assert_eq!(c.meaning(true), c.text(Locale::En).reversed);
        }
    }

    #[test]
    fn broken_files_are_refused_with_a_reason() {
        let en = source(Locale::En).expect("inflates");
        let syntax = parse(Locale::Ru, "[[card]\n");
        assert!(matches!(syntax, Err(TextsError::Syntax { locale: "ru", .. })), "{syntax:?}");
        let cut = en.rfind("[[card]]").expect("a card");
        assert_eq!(parse(Locale::En, &en[..cut]), Err(TextsError::Count { locale: "en", found: 77 }));
        let swapped = en.replacen("id = 1\n", "id = 7\n", 1);
        assert_eq!(parse(Locale::En, &swapped), Err(TextsError::Order { locale: "en", position: 1, id: 7 }));
        let marked = en.replacen("name = \"The Fool\"", "name = \"The <b>Fool</b>\"", 1);
        assert_eq!(
            parse(Locale::En, &marked),
            Err(TextsError::Field {
                locale: "en",
                id: 0,
                field: "name",
                problem: "holds markup or control characters"
            })
        );
        let extra = en.replacen("id = 0\n", "id = 0\nsecret = 1\n", 1);
        assert!(matches!(parse(Locale::En, &extra), Err(TextsError::Syntax { .. })));
        let upright = deck()[0].text(Locale::En).upright.clone();
        let short = en.replacen(&upright, "Too short.", 1);
        assert!(matches!(
            parse(Locale::En, &short),
            Err(TextsError::Field { field: "upright", problem: "is too short", .. })
        ));
        assert_eq!(check_line("a\u{7}b", 1, 5), Err("holds markup or control characters"));
        assert_eq!(check_line(" ab", 1, 5), Err("has stray spaces"));
    }

    #[test]
    fn a_card_outside_the_deck_has_blank_texts() {
        let stray = Card { id: 200, ..deck()[0] };
        assert_eq!(stray.name(), "");
        assert_eq!(stray.meaning(false), "");
    }
}
