//! The deck's facts: 78 cards, each with an id, its place in the arcana, its element and its
//! yes/no leaning. The texts (names, keywords, meanings in each language) are content, loaded
//! from TOML in [`cards`](super::cards), which also gives [`Card`] its text methods
//! ([`Card::name`], [`Card::text`]).
//!
//! Ids are stable (they are what reading history stores): 0–21 are the major arcana in card
//! order (0 The Fool … 21 The World), then 14 cards per suit in the order Wands (22–35),
//! Cups (36–49), Swords (50–63), Pentacles (64–77), each running Ace, Two … Ten, Page, Knight,
//! Queen, King.

use super::nature::{Element, LEANINGS, Leaning, MAJOR_ELEMENTS};

/// Number of cards in the deck.
pub const DECK_SIZE: usize = 78;

/// Number of major arcana cards (ids `0..22`).
pub const MAJOR_COUNT: usize = 22;

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

    /// The suit's element: Wands fire, Cups water, Swords air, Pentacles earth.
    #[must_use]
    pub const fn element(self) -> Element {
        match self {
            Suit::Wands => Element::Fire,
            Suit::Cups => Element::Water,
            Suit::Swords => Element::Air,
            Suit::Pentacles => Element::Earth,
        }
    }

    /// The suit's English name, e.g. `"Cups"` (other languages: the wording tables).
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

/// One tarot card: the facts that are the same in every language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Card {
    /// Stable id, `0..78` (see the module docs for the order).
    pub id: u8,
    /// Major or minor arcana, with number or suit and rank.
    pub arcana: Arcana,
    /// The card's element (the major arcana's follow the Golden Dawn attribution).
    pub element: Element,
    /// How the card answers a yes/no question when upright.
    pub leaning: Leaning,
}

impl Card {
    /// Whether this card belongs to the major arcana.
    #[must_use]
    pub const fn is_major(&self) -> bool {
        matches!(self.arcana, Arcana::Major(_))
    }

    /// The suit of a minor arcana card; `None` for the major arcana.
    #[must_use]
    pub const fn suit(&self) -> Option<Suit> {
        match self.arcana {
            Arcana::Major(_) => None,
            Arcana::Minor { suit, .. } => Some(suit),
        }
    }

    /// The card's yes/no answer in the given orientation (see [`Leaning::reversed`]).
    #[must_use]
    pub const fn answer(&self, reversed: bool) -> Leaning {
        self.leaning.oriented(reversed)
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

/// Assembles the deck from the facts tables.
const fn build() -> [Card; DECK_SIZE] {
    const BLANK: Card = Card { id: 0, arcana: Arcana::Major(0), element: Element::Air, leaning: Leaning::Maybe };

    let mut cards = [BLANK; DECK_SIZE];
    let mut id: u8 = 0;
    while (id as usize) < MAJOR_COUNT {
        let i = id as usize;
        cards[i] = Card { id, arcana: Arcana::Major(id), element: MAJOR_ELEMENTS[i], leaning: LEANINGS[i] };
        id += 1;
    }
    let mut s = 0;
    while s < Suit::ALL.len() {
        let suit = Suit::ALL[s];
        let mut r = 0;
        while r < Rank::ALL.len() {
            let i = id as usize;
            let arcana = Arcana::Minor { suit, rank: Rank::ALL[r] };
            cards[i] = Card { id, arcana, element: suit.element(), leaning: LEANINGS[i] };
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

    #[test]
    fn ids_are_positions() {
        for (i, c) in deck().iter().enumerate() {
            assert_eq!(usize::from(c.id), i);
            assert_eq!(card(c.id), Some(c));
            assert_eq!(c.leaning, LEANINGS[i]);
        }
        assert_eq!(card(78), None);
        assert_eq!(card(u8::MAX), None);
    }

    #[test]
    fn twenty_two_major_fifty_six_minor() {
        let major: Vec<&Card> = deck().iter().filter(|c| c.is_major()).collect();
        assert_eq!(major.len(), MAJOR_COUNT);
        for (n, c) in major.iter().enumerate() {
            assert_eq!(c.arcana, Arcana::Major(u8::try_from(n).expect("small")));
            assert_eq!(c.suit(), None);
            assert_eq!(c.element, MAJOR_ELEMENTS[n]);
        }
        assert_eq!(deck().iter().filter(|c| !c.is_major()).count(), 56);
        for suit in Suit::ALL {
            for rank in Rank::ALL {
                let matching: Vec<&Card> = deck().iter().filter(|c| c.arcana == Arcana::Minor { suit, rank }).collect();
                assert_eq!(matching.len(), 1, "{suit:?} {rank:?}");
                assert_eq!(matching[0].suit(), Some(suit));
                assert_eq!(matching[0].element, suit.element());
            }
        }
        assert_eq!(Rank::ALL.iter().filter(|r| r.is_court()).count(), 4);
    }

    #[test]
    fn spec_ids() {
        // The ids /work/content/SPEC.md fixes: 22 Ace of Wands, 35 King of Wands, 36 Ace of Cups,
        // 77 King of Pentacles.
        assert_eq!(deck()[22].arcana, Arcana::Minor { suit: Suit::Wands, rank: Rank::Ace });
        assert_eq!(deck()[35].arcana, Arcana::Minor { suit: Suit::Wands, rank: Rank::King });
        assert_eq!(deck()[36].arcana, Arcana::Minor { suit: Suit::Cups, rank: Rank::Ace });
        assert_eq!(deck()[50].arcana, Arcana::Minor { suit: Suit::Swords, rank: Rank::Ace });
        assert_eq!(deck()[64].arcana, Arcana::Minor { suit: Suit::Pentacles, rank: Rank::Ace });
        assert_eq!(deck()[77].arcana, Arcana::Minor { suit: Suit::Pentacles, rank: Rank::King });
        assert_eq!(deck()[19].answer(false), Leaning::Yes);
        assert_eq!(deck()[19].answer(true), Leaning::Maybe);
        assert_eq!(deck()[16].answer(true), Leaning::No);
    }
}
