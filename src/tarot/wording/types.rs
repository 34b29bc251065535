//! The shape of one locale's wording, and the placeholder filling its templates use.

use crate::locale::{Locale, Plural};

use crate::tarot::deck::Suit;
use crate::tarot::nature::{Element, Leaning};

/// Everything a locale says around the cards.
#[derive(Debug)]
pub struct Wording {
    /// The word shown in parentheses after a reversed card's name ("reversed").
    pub reversed: &'static str,
    /// The spreads' names, positions and framing phrases.
    pub spreads: Spreads,
    /// The sentences of a reading's summary.
    pub summary: SummaryWording,
    /// The yes/no spread's answers.
    pub answer: AnswerWording,
    /// The labels of a card's own page (`/card`).
    pub card: CardWording,
}

impl Wording {
    /// The wording of one suit.
    #[must_use]
    pub const fn suit(&self, suit: Suit) -> &SuitWording {
        &self.summary.suits[suit as usize]
    }
}

/// One entry per spread.
#[derive(Debug)]
pub struct Spreads {
    /// One card.
    pub one: SpreadWording,
    /// Past, present, future.
    pub three: SpreadWording,
    /// The Celtic Cross.
    pub celtic_cross: SpreadWording,
    /// Love and relationships.
    pub love: SpreadWording,
    /// Work and career.
    pub career: SpreadWording,
    /// A choice between two paths.
    pub decision: SpreadWording,
    /// One card for a yes/no question.
    pub yes_no: SpreadWording,
}

/// A spread's name, and per position its name and the phrase that introduces its card.
#[derive(Debug)]
pub struct SpreadWording {
    /// The spread's name, e.g. "Celtic Cross".
    pub name: &'static str,
    /// Each position's name, in laying-out order.
    pub positions: &'static [&'static str],
    /// Each position's framing phrase, ending in a colon: it leads into the card's meaning
    /// ("What lies behind you:").
    pub framings: &'static [&'static str],
}

/// A counted phrase, one form per CLDR plural category; `{n}` is the count (and `{total}`
/// the number of cards, where a phrase has it). Forms a locale never selects repeat another.
#[derive(Debug)]
pub struct Counted {
    /// [`Plural::One`].
    pub one: &'static str,
    /// [`Plural::Few`].
    pub few: &'static str,
    /// [`Plural::Many`].
    pub many: &'static str,
    /// [`Plural::Other`].
    pub other: &'static str,
}

impl Counted {
    /// The form for `n` in `locale`, with `{n}` and `{total}` filled in.
    #[must_use]
    pub fn format(&self, locale: Locale, n: usize, total: usize) -> String {
        let form = match locale.plural(u64::try_from(n).unwrap_or(u64::MAX)) {
            Plural::One => self.one,
            Plural::Few => self.few,
            Plural::Many => self.many,
            Plural::Other => self.other,
        };
        fill(form, &[("n", &n.to_string()), ("total", &total.to_string())])
    }

    /// Every form, for checks.
    #[cfg(test)]
    #[must_use]
    pub const fn forms(&self) -> [&'static str; 4] {
        [self.one, self.few, self.many, self.other]
    }
}

/// The sentences a summary is made of; the reading picks one per topic.
#[derive(Debug)]
pub struct SummaryWording {
    /// The summary's heading.
    pub heading: &'static str,
    /// Two or more cards, none of them major arcana.
    pub only_minors: &'static str,
    /// Two or more cards, all major arcana.
    pub all_majors: &'static str,
    /// Half or more of the cards (but not all) are major arcana: `{n}` of `{total}`.
    pub mostly_majors: Counted,
    /// Fewer than half are major arcana (but some): `{n}` of them.
    pub some_majors: Counted,
    /// A single card of the major arcana.
    pub single_major: &'static str,
    /// Per suit, in [`Suit::ALL`] order.
    pub suits: [SuitWording; 4],
    /// Two or more cards, all upright.
    pub none_reversed: &'static str,
    /// Up to half of the cards reversed: `{n}` of them.
    pub some_reversed: Counted,
    /// More than half of the cards reversed: `{n}` of `{total}`.
    pub mostly_reversed: Counted,
    /// A single card, upright.
    pub single_upright: &'static str,
    /// A single card, reversed.
    pub single_reversed: &'static str,
}

/// How a locale speaks of one suit.
#[derive(Debug)]
pub struct SuitWording {
    /// The phrase naming the suit after "minor arcana", e.g. "suit of Cups".
    pub suit_of: &'static str,
    /// The summary's sentence when this suit leads a spread.
    pub dominant: &'static str,
    /// The summary's sentence for a single card of this suit.
    pub single: &'static str,
}

/// The yes/no spread's answer words and reasons.
#[derive(Debug)]
pub struct AnswerWording {
    /// The heading before the answer ("Answer").
    pub heading: &'static str,
    /// "yes", lower case.
    pub yes: &'static str,
    /// "no", lower case.
    pub no: &'static str,
    /// "maybe", lower case.
    pub maybe: &'static str,
    /// A yes-card, upright: the answer is yes.
    pub yes_upright: &'static str,
    /// A yes-card, reversed: the answer is maybe.
    pub yes_reversed: &'static str,
    /// A maybe-card, upright: the answer is maybe.
    pub maybe_upright: &'static str,
    /// A maybe-card, reversed: the answer is no.
    pub maybe_reversed: &'static str,
    /// A no-card, upright: the answer is no.
    pub no_upright: &'static str,
    /// A no-card, reversed: still no.
    pub no_reversed: &'static str,
}

impl AnswerWording {
    /// The answer word for `leaning`, lower case.
    #[must_use]
    pub const fn word(&self, leaning: Leaning) -> &'static str {
        match leaning {
            Leaning::Yes => self.yes,
            Leaning::No => self.no,
            Leaning::Maybe => self.maybe,
        }
    }

    /// Why a card of upright `leaning`, in this orientation, answers as it does.
    #[must_use]
    pub const fn reason(&self, leaning: Leaning, reversed: bool) -> &'static str {
        match (leaning, reversed) {
            (Leaning::Yes, false) => self.yes_upright,
            (Leaning::Yes, true) => self.yes_reversed,
            (Leaning::Maybe, false) => self.maybe_upright,
            (Leaning::Maybe, true) => self.maybe_reversed,
            (Leaning::No, false) => self.no_upright,
            (Leaning::No, true) => self.no_reversed,
        }
    }
}

/// The labels of a card's page.
#[derive(Debug)]
pub struct CardWording {
    /// A major arcana card's line: `{n}` is its number.
    pub major: &'static str,
    /// A minor arcana card's line: `{suit}` is the suit's [`SuitWording::suit_of`].
    pub minor: &'static str,
    /// The element line: `{element}` is one of [`CardWording::elements`].
    pub element: &'static str,
    /// Fire, water, air, earth (in [`Element::ALL`] order).
    pub elements: [&'static str; 4],
    /// The heading of the upright meaning.
    pub upright: &'static str,
    /// The heading of the reversed meaning.
    pub reversed: &'static str,
    /// The yes/no line: `{up}` and `{rev}` are the answer words upright and reversed.
    pub yes_no: &'static str,
}

impl CardWording {
    /// The name of `element`.
    #[must_use]
    pub const fn element_name(&self, element: Element) -> &'static str {
        self.elements[element as usize]
    }
}

/// Replaces each `{key}` in `template` by its value; unknown keys stay as written.
#[must_use]
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let key = &after[..close];
            args.iter().find(|(k, _)| *k == key).map(|(_, v)| (*v, close))
        });
        if let Some((v, close)) = value {
            out.push_str(v);
            rest = &after[close + 1..];
        } else {
            out.push('{');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_known_keys_only() {
        assert_eq!(fill("{n} of {total}", &[("n", "3"), ("total", "10")]), "3 of 10");
        assert_eq!(fill("{x} {n}", &[("n", "1")]), "{x} 1");
        assert_eq!(fill("a { b } {", &[("n", "1")]), "a { b } {");
        assert_eq!(fill("", &[]), "");
        assert_eq!(fill("{n}{n}", &[("n", "é")]), "éé");
    }

    #[test]
    fn counted_picks_the_plural_form() {
        let c = Counted { one: "{n} one", few: "{n} few", many: "{n} many of {total}", other: "{n} other" };
        assert_eq!(c.format(Locale::Ru, 21, 30), "21 one");
        assert_eq!(c.format(Locale::Ru, 22, 30), "22 few");
        assert_eq!(c.format(Locale::Ru, 25, 30), "25 many of 30");
        assert_eq!(c.format(Locale::En, 1, 3), "1 one");
        assert_eq!(c.format(Locale::En, 2, 3), "2 other");
        assert_eq!(c.format(Locale::Es, 2, 3), "2 other");
    }
}
