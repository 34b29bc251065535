//! Two facts about every card beyond its place in the deck: its element and its yes/no
//! leaning. Both are judgements of the tradition, fixed here in code (not in the texts), so
//! every language gives the same answer.
//!
//! **Elements.** A suit's element is the usual one: Wands fire, Cups water, Swords air,
//! Pentacles earth. The major arcana take the element of their astrological attribution in the
//! Golden Dawn tradition (the one the Rider–Waite–Smith deck follows): a sign gives its own
//! element (The Emperor, Aries: fire); a planet the element it is usually read with (Mercury
//! air, the Moon water, Venus earth, Jupiter, Mars and the Sun fire, Saturn earth); and the
//! three "elemental" trumps their element directly (The Fool air, The Hanged Man water,
//! Judgement fire). See [`MAJOR_ELEMENTS`] for the table with each card's attribution.
//!
//! **Leanings.** For a yes/no question a card leans [`Leaning::Yes`], [`Leaning::No`] or
//! [`Leaning::Maybe`] when upright; [`LEANINGS`] holds one judgement per card. Cards of
//! success, union, momentum and fulfilment say yes; cards of loss, conflict, deceit, burden or
//! an ending say no; cards that counsel waiting, weighing, patience or that hide the answer say
//! maybe. Reversed, a card's answer moves one step towards no ([`Leaning::reversed`]):
//! yes becomes maybe (possible, once what blocks it is dealt with), maybe becomes no, and no
//! stays no.

/// One of the four classical elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Element {
    /// Will, energy, drive (Wands).
    Fire,
    /// Feeling, relationships, intuition (Cups).
    Water,
    /// Thought, words, conflict and truth (Swords).
    Air,
    /// Body, money, work, what is built (Pentacles).
    Earth,
}

impl Element {
    /// All elements, in suit order (Wands, Cups, Swords, Pentacles).
    pub const ALL: [Element; 4] = [Element::Fire, Element::Water, Element::Air, Element::Earth];
}

/// How a card answers a yes/no question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Leaning {
    /// The card says yes.
    Yes,
    /// The card says no.
    No,
    /// The card does not settle it: wait, weigh, or look closer.
    Maybe,
}

impl Leaning {
    /// The answer when the card comes up reversed: one step towards no (yes → maybe,
    /// maybe → no, no → no).
    #[must_use]
    pub const fn reversed(self) -> Leaning {
        match self {
            Leaning::Yes => Leaning::Maybe,
            Leaning::Maybe | Leaning::No => Leaning::No,
        }
    }

    /// The answer for the given orientation.
    #[must_use]
    pub const fn oriented(self, reversed: bool) -> Leaning {
        if reversed { self.reversed() } else { self }
    }
}

use Element::{Air, Earth, Fire, Water};
use Leaning::{Maybe, No, Yes};

/// The element of each major arcana card, by number, from its Golden Dawn attribution.
pub(super) const MAJOR_ELEMENTS: [Element; 22] = [
    Air,   // 0 The Fool: elemental air (Aleph)
    Air,   // 1 The Magician: Mercury
    Water, // 2 The High Priestess: the Moon
    Earth, // 3 The Empress: Venus
    Fire,  // 4 The Emperor: Aries
    Earth, // 5 The Hierophant: Taurus
    Air,   // 6 The Lovers: Gemini
    Water, // 7 The Chariot: Cancer
    Fire,  // 8 Strength: Leo
    Earth, // 9 The Hermit: Virgo
    Fire,  // 10 Wheel of Fortune: Jupiter
    Air,   // 11 Justice: Libra
    Water, // 12 The Hanged Man: elemental water (Mem)
    Water, // 13 Death: Scorpio
    Fire,  // 14 Temperance: Sagittarius
    Earth, // 15 The Devil: Capricorn
    Fire,  // 16 The Tower: Mars
    Air,   // 17 The Star: Aquarius
    Water, // 18 The Moon: Pisces
    Fire,  // 19 The Sun: the Sun
    Fire,  // 20 Judgement: elemental fire (Shin)
    Earth, // 21 The World: Saturn
];

/// Each card's upright yes/no leaning, by card id (see the module docs for the reasoning).
pub(super) const LEANINGS: [Leaning; 78] = [
    // Major arcana 0–21.
    Yes,   // The Fool: a leap worth taking
    Yes,   // The Magician: you have what it takes
    Maybe, // The High Priestess: the answer is still hidden
    Yes,   // The Empress: growth and abundance
    Yes,   // The Emperor: a firm, structured yes
    Maybe, // The Hierophant: yes if it follows the accepted way
    Yes,   // The Lovers: union, a choice of the heart
    Yes,   // The Chariot: victory through will
    Yes,   // Strength: you can do it
    Maybe, // The Hermit: not before you have thought it through
    Yes,   // Wheel of Fortune: luck turns your way
    Maybe, // Justice: it depends on what is fair
    Maybe, // The Hanged Man: wait, look from another side
    No,    // Death: this chapter ends
    Yes,   // Temperance: yes, with patience and measure
    No,    // The Devil: a trap
    No,    // The Tower: collapse
    Yes,   // The Star: hope is justified
    Maybe, // The Moon: things are not what they seem
    Yes,   // The Sun: the clearest yes
    Yes,   // Judgement: a call to answer
    Yes,   // The World: completion
    // Wands 22–35: Ace … Ten, Page, Knight, Queen, King.
    Yes,   // Ace: a spark
    Maybe, // Two: plans not yet made
    Yes,   // Three: expansion
    Yes,   // Four: celebration
    No,    // Five: strife
    Yes,   // Six: victory
    Maybe, // Seven: only if you hold your ground
    Yes,   // Eight: swift progress
    Maybe, // Nine: one more push
    No,    // Ten: too heavy a load
    Yes,   // Page: good news
    Yes,   // Knight: go
    Yes,   // Queen: confidence
    Yes,   // King: leadership
    // Cups 36–49.
    Yes,   // Ace: new feeling
    Yes,   // Two: partnership
    Yes,   // Three: celebration
    No,    // Four: apathy, the offer passed over
    No,    // Five: loss and regret
    Yes,   // Six: kindness, a happy return
    Maybe, // Seven: illusions, too many options
    No,    // Eight: walking away
    Yes,   // Nine: the wish card
    Yes,   // Ten: happiness
    Yes,   // Page: a tender message
    Yes,   // Knight: an offer
    Yes,   // Queen: compassion
    Yes,   // King: emotional balance
    // Swords 50–63.
    Yes,   // Ace: clarity and truth
    Maybe, // Two: stalemate
    No,    // Three: heartbreak
    Maybe, // Four: rest first
    No,    // Five: a hollow win
    Yes,   // Six: towards calmer waters
    No,    // Seven: deceit
    No,    // Eight: feeling trapped
    No,    // Nine: anxiety
    No,    // Ten: an ending
    Maybe, // Page: watch and learn more
    Yes,   // Knight: decisive action
    Maybe, // Queen: only with a clear head
    Maybe, // King: only if it stands to reason
    // Pentacles 64–77.
    Yes,   // Ace: a real opportunity
    Maybe, // Two: juggling
    Yes,   // Three: teamwork
    Maybe, // Four: holding on
    No,    // Five: hardship
    Yes,   // Six: generosity
    Maybe, // Seven: not yet, the harvest needs time
    Yes,   // Eight: diligent work pays
    Yes,   // Nine: self-made comfort
    Yes,   // Ten: lasting security
    Yes,   // Page: a promising start
    Yes,   // Knight: slowly but surely
    Yes,   // Queen: nurturing abundance
    Yes,   // King: material success
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reversal_moves_one_step_towards_no() {
        assert_eq!(Yes.reversed(), Maybe);
        assert_eq!(Maybe.reversed(), No);
        assert_eq!(No.reversed(), No);
        for l in [Yes, No, Maybe] {
            assert_eq!(l.oriented(false), l);
            assert_eq!(l.oriented(true), l.reversed());
        }
    }

    #[test]
    fn every_answer_is_possible_and_the_deck_leans_no_way_too_far() {
        let count = |want: Leaning| LEANINGS.iter().filter(|&&l| l == want).count();
        let (yes, no, maybe) = (count(Yes), count(No), count(Maybe));
        assert_eq!(yes + no + maybe, 78);
        // Upright the deck is generous, as tarot tradition is; reversed about half of yes turns maybe.
        assert!((35..=50).contains(&yes), "{yes}");
        assert!((10..=25).contains(&no), "{no}");
        assert!((10..=25).contains(&maybe), "{maybe}");
    }

    #[test]
    fn each_element_rules_some_majors() {
        for e in Element::ALL {
            assert!(MAJOR_ELEMENTS.iter().filter(|&&x| x == e).count() >= 4, "{e:?}");
        }
    }
}
