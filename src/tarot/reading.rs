//! A drawn reading, its stored form for history, and its Telegram HTML message.

use std::collections::HashSet;
use std::fmt::Write as _;

use ring::rand::SecureRandom;
use serde::{Deserialize, Serialize};

use super::deck::card;
use super::draw::{DrawError, Drawn, draw};
use super::question::question;
use super::spread::Spread;

/// Telegram's limit on a message's text length.
pub const MESSAGE_MAX_CHARS: usize = 4096;

/// A reading: a spread, the user's question and the cards that came up, in position order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// The spread the cards were laid out in.
    pub spread: Spread,
    /// The sanitised question (see [`question()`](super::question)), if any.
    pub question: Option<String>,
    /// One card per position of the spread.
    pub cards: Vec<Drawn>,
}

impl Reading {
    /// Draws a fresh reading for `spread`; the question is sanitised here.
    pub fn draw(spread: Spread, raw_question: Option<&str>, rng: &dyn SecureRandom) -> Result<Reading, DrawError> {
        Ok(Reading { spread, question: raw_question.and_then(question), cards: draw(spread.card_count(), rng)? })
    }

    /// The serialisable form of this reading, stamped with `at_ms` (milliseconds since the
    /// Unix epoch).
    #[must_use]
    pub fn to_stored(&self, at_ms: u64) -> StoredReading {
        StoredReading {
            spread: self.spread.key().to_owned(),
            question: self.question.clone(),
            cards: self.cards.iter().map(|d| (d.card.id, d.reversed)).collect(),
            at_ms,
        }
    }
}

/// A reading as kept in history: plain data, serialisable with serde.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredReading {
    /// The spread's [key](Spread::key).
    pub spread: String,
    /// The sanitised question, if any.
    pub question: Option<String>,
    /// `(card id, reversed)` per position.
    pub cards: Vec<(u8, bool)>,
    /// When the reading was drawn, in milliseconds since the Unix epoch.
    pub at_ms: u64,
}

/// Why a [`StoredReading`] could not be turned back into a [`Reading`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoredReadingError {
    /// The spread key is not one this version knows.
    #[error("unknown spread")]
    UnknownSpread,
    /// A card id is not below 78.
    #[error("unknown card id {0}")]
    UnknownCard(u8),
    /// The same card appears twice.
    #[error("card {0} appears more than once")]
    DuplicateCard(u8),
    /// The number of cards does not match the spread.
    #[error("expected {expected} cards, found {found}")]
    WrongCount {
        /// Cards the spread needs.
        expected: usize,
        /// Cards stored.
        found: usize,
    },
    /// The question is not in sanitised form (empty, too long or containing control-like or
    /// line-breaking characters).
    #[error("the stored question is not sanitised")]
    Question,
}

impl StoredReading {
    /// Rebuilds the reading, rejecting unknown spreads and card ids, repeated cards, a card
    /// count that does not fit the spread, and a question that is not in sanitised form.
    pub fn to_reading(&self) -> Result<Reading, StoredReadingError> {
        let spread = Spread::parse(&self.spread).ok_or(StoredReadingError::UnknownSpread)?;
        if self.cards.len() != spread.card_count() {
            return Err(StoredReadingError::WrongCount { expected: spread.card_count(), found: self.cards.len() });
        }
        if let Some(q) = &self.question
            && question(q).as_deref() != Some(q.as_str())
        {
            return Err(StoredReadingError::Question);
        }
        let mut seen = HashSet::with_capacity(self.cards.len());
        let mut cards = Vec::with_capacity(self.cards.len());
        for &(id, reversed) in &self.cards {
            let card = card(id).ok_or(StoredReadingError::UnknownCard(id))?;
            if !seen.insert(id) {
                return Err(StoredReadingError::DuplicateCard(id));
            }
            cards.push(Drawn { card, reversed });
        }
        Ok(Reading { spread, question: self.question.clone(), cards })
    }
}

impl TryFrom<&StoredReading> for Reading {
    type Error = StoredReadingError;

    fn try_from(stored: &StoredReading) -> Result<Self, Self::Error> {
        stored.to_reading()
    }
}

/// Escapes text for Telegram's HTML parse mode: `&`, `<` and `>` become entities.
#[must_use]
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// Renders the reading as a Telegram message in HTML parse mode.
///
/// A title with the spread's name, the question (re-sanitised and escaped), then per position
/// its name in bold, the card's name (with " (reversed)" when it is) and the meaning in
/// italics. For the spreads defined here the result stays under [`MESSAGE_MAX_CHARS`] even
/// with a full-length question made entirely of characters that need escaping.
#[must_use]
pub fn render_html(reading: &Reading) -> String {
    let mut out = String::with_capacity(2048);
    out.push_str("🔮 <b>");
    out.push_str(&escape(reading.spread.name()));
    out.push_str("</b>\n");
    if let Some(q) = reading.question.as_deref().and_then(question) {
        out.push_str("❓ <i>");
        out.push_str(&escape(&q));
        out.push_str("</i>\n");
    }
    let positions = reading.spread.positions();
    let numbered = reading.cards.len() > 1;
    for (i, drawn) in reading.cards.iter().enumerate() {
        out.push('\n');
        out.push_str("<b>");
        if numbered {
            // Writing to a String cannot fail.
            let _ = write!(out, "{}. ", i + 1);
        }
        out.push_str(&escape(positions.get(i).copied().unwrap_or("Card")));
        out.push_str("</b>: ");
        out.push_str(&escape(drawn.card.name));
        if drawn.reversed {
            out.push_str(" (reversed)");
        }
        out.push_str("\n<i>");
        out.push_str(&escape(drawn.meaning()));
        out.push_str("</i>\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tarot::deck::{DECK_SIZE, deck};
    use crate::tarot::draw::draw_with;
    use crate::tarot::draw::tests::seeded;
    use crate::tarot::question::QUESTION_MAX_CHARS;
    use proptest::prelude::*;
    use ring::rand::SystemRandom;

    fn reading(spread: Spread, q: Option<&str>, seed: u64) -> Reading {
        Reading {
            spread,
            question: q.and_then(question),
            cards: draw_with(spread.card_count(), seeded(seed)).expect("draw"),
        }
    }

    /// Removes the tags `render_html` itself emits.
    fn strip_own_tags(html: &str) -> String {
        html.replace("<b>", "").replace("</b>", "").replace("<i>", "").replace("</i>", "")
    }

    #[test]
    fn draws_with_system_random() {
        let rng = SystemRandom::new();
        for spread in Spread::ALL {
            let r = Reading::draw(spread, Some("  Will it work?\n"), &rng).expect("draw");
            assert_eq!(r.cards.len(), spread.card_count());
            assert_eq!(r.question.as_deref(), Some("Will it work?"));
        }
        let r = Reading::draw(Spread::One, Some("\u{200B}"), &rng).expect("draw");
        assert_eq!(r.question, None);
    }

    #[test]
    fn renders_positions_cards_and_meanings() {
        let r = reading(Spread::Three, Some("What should I focus on?"), 7);
        let html = render_html(&r);
        assert!(html.starts_with("🔮 <b>Three cards</b>\n❓ <i>What should I focus on?</i>\n"));
        for (i, (pos, d)) in Spread::Three.positions().iter().zip(&r.cards).enumerate() {
            assert!(html.contains(&format!("<b>{}. {pos}</b>: {}", i + 1, d.card.name)));
            assert!(html.contains(d.meaning()));
            assert_eq!(html.contains(&format!("{} (reversed)", d.card.name)), d.reversed);
        }
    }

    #[test]
    fn one_card_has_no_number_and_shows_orientation() {
        let fool = &deck()[0];
        let r = Reading { spread: Spread::One, question: None, cards: vec![Drawn { card: fool, reversed: true }] };
        let html = render_html(&r);
        assert_eq!(
            html,
            format!("🔮 <b>One card</b>\n\n<b>The card</b>: The Fool (reversed)\n<i>{}</i>\n", fool.reversed)
        );
    }

    #[test]
    fn question_markup_is_escaped() {
        let r = reading(Spread::One, Some("<b>bold</b> & <a href=\"x\">link</a>"), 1);
        let html = render_html(&r);
        assert!(html.contains("&lt;b&gt;bold&lt;/b&gt; &amp; &lt;a href=\"x\"&gt;link&lt;/a&gt;"));
        assert!(!strip_own_tags(&html).contains(['<', '>']));
    }

    #[test]
    fn unsanitised_question_field_is_cleaned_when_rendering() {
        let mut r = reading(Spread::One, None, 3);
        r.question = Some(format!("a\u{202E}\nb{}", "c".repeat(1_000)));
        let html = render_html(&r);
        assert!(!html.contains('\u{202E}'));
        assert!(html.contains(&format!("a b{}</i>", "c".repeat(QUESTION_MAX_CHARS - 3))));
    }

    #[test]
    fn celtic_cross_worst_case_fits_in_one_message() {
        // The ten cards with the longest name + meaning, all reversed or all upright, under a
        // full-length question that is all '&' (five bytes each once escaped).
        for reversed in [false, true] {
            let mut cards: Vec<&'static crate::tarot::Card> = deck().iter().collect();
            cards.sort_by_key(|c| std::cmp::Reverse(c.name.len() + c.meaning(reversed).len()));
            let r = Reading {
                spread: Spread::CelticCross,
                question: question(&"&".repeat(QUESTION_MAX_CHARS)),
                cards: cards[..10].iter().map(|&card| Drawn { card, reversed }).collect(),
            };
            let html = render_html(&r);
            // Bytes bound UTF-16 units and characters from above.
            assert!(html.len() <= MESSAGE_MAX_CHARS, "{} bytes", html.len());
        }
    }

    #[test]
    fn stored_round_trip() {
        for (i, spread) in Spread::ALL.into_iter().enumerate() {
            let r = reading(spread, Some("Where next?"), u64::try_from(i).expect("small"));
            let stored = r.to_stored(1_700_000_000_000);
            assert_eq!(stored.spread, spread.key());
            assert_eq!(stored.at_ms, 1_700_000_000_000);
            assert_eq!(stored.to_reading(), Ok(r.clone()));
            assert_eq!(Reading::try_from(&stored), Ok(r));
        }
        let none = reading(Spread::Three, None, 9);
        assert_eq!(none.to_stored(0).to_reading(), Ok(none));
    }

    #[test]
    fn stored_round_trip_through_msgpack() {
        let r = reading(Spread::CelticCross, Some("Wie geht's?"), 11);
        let stored = r.to_stored(5);
        let bytes = rmp_serde::to_vec(&stored).expect("encode");
        let back: StoredReading = rmp_serde::from_slice(&bytes).expect("decode");
        assert_eq!(back, stored);
        assert_eq!(back.to_reading(), Ok(r));
    }

    #[test]
    fn stored_rejects_bad_data() {
        let good = reading(Spread::Three, Some("ok"), 5).to_stored(0);

        let mut s = good.clone();
        s.spread = "five".into();
        assert_eq!(s.to_reading(), Err(StoredReadingError::UnknownSpread));

        let mut s = good.clone();
        s.cards[1].0 = 78;
        assert_eq!(s.to_reading(), Err(StoredReadingError::UnknownCard(78)));

        let mut s = good.clone();
        s.cards[2].0 = s.cards[0].0;
        assert_eq!(s.to_reading(), Err(StoredReadingError::DuplicateCard(s.cards[0].0)));

        let mut s = good.clone();
        s.cards.pop();
        assert_eq!(s.to_reading(), Err(StoredReadingError::WrongCount { expected: 3, found: 2 }));

        for bad in ["", " ok", "a\nb", "x\u{202E}", &"y".repeat(QUESTION_MAX_CHARS + 1)] {
            let mut s = good.clone();
            s.question = Some(bad.to_owned());
            assert_eq!(s.to_reading(), Err(StoredReadingError::Question), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn rendering_never_leaks_markup(raw in any::<String>(), seed in any::<u64>(), which in 0usize..3) {
            let spread = Spread::ALL[which];
            let r = reading(spread, Some(&raw), seed);
            let html = render_html(&r);
            prop_assert!(html.len() <= MESSAGE_MAX_CHARS);
            prop_assert!(!strip_own_tags(&html).contains(['<', '>']));
            if let Some(q) = &r.question {
                prop_assert!(html.contains(&escape(q)));
            }
            let back = r.to_stored(0).to_reading();
            prop_assert_eq!(back, Ok(r));
        }

        #[test]
        fn stored_readings_never_panic(spread in "[a-z_0-9]{0,14}", ids in proptest::collection::vec((any::<u8>(), any::<bool>()), 0..12)) {
            let s = StoredReading { spread, question: None, cards: ids, at_ms: 0 };
            if let Ok(r) = s.to_reading() {
                prop_assert!(r.cards.iter().all(|d| usize::from(d.card.id) < DECK_SIZE));
                prop_assert_eq!(r.to_stored(0), s);
            }
        }
    }
}
