//! The deck: 78 cards, each with an id, a name, its place in the arcana and two short meanings.
//!
//! Ids are stable (they are what reading history stores): 0–21 are the major arcana in card
//! order (0 The Fool … 21 The World), then 14 cards per suit in the order Wands (22–35),
//! Cups (36–49), Swords (50–63), Pentacles (64–77), each running Ace, Two … Ten, Page, Knight,
//! Queen, King. The meanings live in [`deck_major`](super::deck_major) and
//! [`deck_minor`](super::deck_minor).

use super::deck_major::MAJOR;
use super::deck_minor::{CUPS, PENTACLES, SWORDS, WANDS};

/// Number of cards in the deck.
pub const DECK_SIZE: usize = 78;

/// Upper bound on the length of any meaning, in characters.
pub const MEANING_MAX_CHARS: usize = 120;

/// One card's text in the data tables: `(name, upright, reversed)`.
pub(super) type Text = (&'static str, &'static str, &'static str);

/// The four suits of the minor arcana.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Suit {
    /// Energy, creativity, drive.
    Wands,
    /// Feelings, relationships, intuition.
    Cups,
    /// Thought, truth, conflict.
    Swords,
    /// Work, money, body, the material world.
    Pentacles,
}

impl Suit {
    /// All suits in deck order.
    pub const ALL: [Suit; 4] = [Suit::Wands, Suit::Cups, Suit::Swords, Suit::Pentacles];

    /// The suit's English name, e.g. `"Cups"`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Suit::Wands => "Wands",
            Suit::Cups => "Cups",
            Suit::Swords => "Swords",
            Suit::Pentacles => "Pentacles",
        }
    }
}

/// The fourteen ranks of a minor-arcana suit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rank {
    /// Ace (one).
    Ace,
    /// Two.
    Two,
    /// Three.
    Three,
    /// Four.
    Four,
    /// Five.
    Five,
    /// Six.
    Six,
    /// Seven.
    Seven,
    /// Eight.
    Eight,
    /// Nine.
    Nine,
    /// Ten.
    Ten,
    /// Page (first court card).
    Page,
    /// Knight.
    Knight,
    /// Queen.
    Queen,
    /// King.
    King,
}

impl Rank {
    /// All ranks in suit order.
    pub const ALL: [Rank; 14] = [
        Rank::Ace,
        Rank::Two,
        Rank::Three,
        Rank::Four,
        Rank::Five,
        Rank::Six,
        Rank::Seven,
        Rank::Eight,
        Rank::Nine,
        Rank::Ten,
        Rank::Page,
        Rank::Knight,
        Rank::Queen,
        Rank::King,
    ];

    /// Whether this is a court card (Page, Knight, Queen or King).
    #[must_use]
    pub const fn is_court(self) -> bool {
        matches!(self, Rank::Page | Rank::Knight | Rank::Queen | Rank::King)
    }
}

/// Where a card sits in the deck.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Arcana {
    /// A major arcana card with its number, 0 (The Fool) to 21 (The World).
    Major(u8),
    /// A minor arcana card.
    Minor {
        /// The card's suit.
        suit: Suit,
        /// The card's rank within the suit.
        rank: Rank,
    },
}

/// One tarot card with its meanings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Card {
    /// Stable id, `0..78` (see the module docs for the order).
    pub id: u8,
    /// The card's English name, e.g. `"The Fool"` or `"Queen of Cups"`.
    pub name: &'static str,
    /// Major or minor arcana, with number or suit and rank.
    pub arcana: Arcana,
    /// One-sentence meaning when the card is drawn upright.
    pub upright: &'static str,
    /// One-sentence meaning when the card is drawn reversed.
    pub reversed: &'static str,
}

impl Card {
    /// The meaning for the given orientation.
    #[must_use]
    pub const fn meaning(&self, reversed: bool) -> &'static str {
        if reversed { self.reversed } else { self.upright }
    }

    /// Whether this card belongs to the major arcana.
    #[must_use]
    pub const fn is_major(&self) -> bool {
        matches!(self.arcana, Arcana::Major(_))
    }
}

/// The whole deck, built at compile time.
static DECK: [Card; DECK_SIZE] = build();

/// The 78 cards, indexed by id (`deck()[id].id == id`).
#[must_use]
pub fn deck() -> &'static [Card; DECK_SIZE] {
    &DECK
}

/// The card with this id, or `None` if `id >= 78`.
#[must_use]
pub fn card(id: u8) -> Option<&'static Card> {
    DECK.get(usize::from(id))
}

/// Assembles the deck from the text tables.
const fn build() -> [Card; DECK_SIZE] {
    const BLANK: Card = Card { id: 0, name: "", arcana: Arcana::Major(0), upright: "", reversed: "" };
    const SUITS: [&[Text; 14]; 4] = [&WANDS, &CUPS, &SWORDS, &PENTACLES];

    let mut cards = [BLANK; DECK_SIZE];
    let mut id: u8 = 0;
    while (id as usize) < MAJOR.len() {
        let (name, upright, reversed) = MAJOR[id as usize];
        cards[id as usize] = Card { id, name, arcana: Arcana::Major(id), upright, reversed };
        id += 1;
    }
    let mut s = 0;
    while s < SUITS.len() {
        let mut r = 0;
        while r < Rank::ALL.len() {
            let (name, upright, reversed) = SUITS[s][r];
            cards[id as usize] =
                Card { id, name, arcana: Arcana::Minor { suit: Suit::ALL[s], rank: Rank::ALL[r] }, upright, reversed };
            id += 1;
            r += 1;
        }
        s += 1;
    }
    assert!(id as usize == DECK_SIZE);
    cards
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_positions_and_names_unique() {
        let names: HashSet<&str> = deck().iter().map(|c| c.name).collect();
        assert_eq!(names.len(), DECK_SIZE);
        for (i, c) in deck().iter().enumerate() {
            assert_eq!(usize::from(c.id), i);
            assert_eq!(card(c.id), Some(c));
        }
        assert_eq!(card(78), None);
        assert_eq!(card(u8::MAX), None);
    }

    #[test]
    fn twenty_two_major_fifty_six_minor() {
        let major: Vec<&Card> = deck().iter().filter(|c| c.is_major()).collect();
        assert_eq!(major.len(), 22);
        for (n, c) in major.iter().enumerate() {
            assert_eq!(c.arcana, Arcana::Major(u8::try_from(n).expect("small")));
        }
        assert_eq!(major[0].name, "The Fool");
        assert_eq!(major[21].name, "The World");
        assert_eq!(deck().iter().filter(|c| !c.is_major()).count(), 56);
        for suit in Suit::ALL {
            for rank in Rank::ALL {
                let matching: Vec<&Card> = deck().iter().filter(|c| c.arcana == Arcana::Minor { suit, rank }).collect();
                assert_eq!(matching.len(), 1, "{suit:?} {rank:?}");
                assert!(matching[0].name.ends_with(&format!(" of {}", suit.name())));
            }
        }
        assert_eq!(Rank::ALL.iter().filter(|r| r.is_court()).count(), 4);
    }

    #[test]
    fn minor_names_match_rank() {
        let words = [
            "Ace", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Page", "Knight", "Queen",
            "King",
        ];
        for c in deck() {
            if let Arcana::Minor { suit, rank } = c.arcana {
                let r = Rank::ALL.iter().position(|x| *x == rank).expect("rank");
                assert_eq!(c.name, format!("{} of {}", words[r], suit.name()));
            }
        }
    }

    #[test]
    fn meanings_are_short_plain_and_distinct() {
        let mut seen = HashSet::new();
        for c in deck() {
            for m in [c.upright, c.reversed] {
                assert!(!m.trim().is_empty(), "{}", c.name);
                assert!(m.chars().count() <= MEANING_MAX_CHARS, "{}: {m}", c.name);
                assert_eq!(m.trim(), m);
                assert!(!m.contains(['<', '>', '&', '\n']), "{}: {m}", c.name);
                assert!(seen.insert(m), "duplicate meaning: {m}");
            }
            assert!(!c.name.contains(['<', '>', '&']));
            assert_eq!(c.meaning(false), c.upright);
            assert_eq!(c.meaning(true), c.reversed);
        }
        assert_eq!(seen.len(), 2 * DECK_SIZE);
    }
}
