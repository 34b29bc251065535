//! A drawn reading and its stored form for history (the format on disk: a spread key, the
//! question, `(card id, reversed)` per position and a timestamp; unchanged by the locales,
//! since a reading is rendered in the reader's language when it is shown).

use std::collections::HashSet;

use ring::rand::SecureRandom;
use serde::{Deserialize, Serialize};

use super::deck::card;
use super::draw::{DrawError, DrawOptions, Drawn, draw_with_options};
use super::question::question;
use super::spread::Spread;

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
    /// Draws a fresh reading for `spread`, reversals on; the question is sanitised here.
    pub fn draw(spread: Spread, raw_question: Option<&str>, rng: &dyn SecureRandom) -> Result<Reading, DrawError> {
        Reading::draw_with_options(spread, raw_question, DrawOptions::default(), rng)
    }

    /// Draws a fresh reading for `spread` as `options` say (e.g. without reversals).
    pub fn draw_with_options(
        spread: Spread,
        raw_question: Option<&str>,
        options: DrawOptions,
        rng: &dyn SecureRandom,
    ) -> Result<Reading, DrawError> {
        let cards = draw_with_options(spread.card_count(), options, rng)?;
        Ok(Reading { spread, question: raw_question.and_then(question), cards })
    }

    /// How many of the cards are reversed.
    #[must_use]
    pub fn reversed_count(&self) -> usize {
        self.cards.iter().filter(|d| d.reversed).count()
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

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::tarot::deck::DECK_SIZE;
    use crate::tarot::draw::draw_with;
    use crate::tarot::draw::tests::seeded;
    use crate::tarot::question::QUESTION_MAX_CHARS;
    use proptest::prelude::*;
    use ring::rand::SystemRandom;

    /// A reading of `spread` drawn from `seed`, with question `q` sanitised.
    pub(in crate::tarot) fn reading(spread: Spread, q: Option<&str>, seed: u64) -> Reading {
        Reading {
            spread,
            question: q.and_then(question),
            cards: draw_with(spread.card_count(), seeded(seed)).expect("draw"),
        }
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
    fn draws_without_reversals() {
        let rng = SystemRandom::new();
        let upright = DrawOptions { reversals: false };
        for spread in Spread::ALL {
            for _ in 0..20 {
                let r = Reading::draw_with_options(spread, Some("q"), upright, &rng).expect("draw");
                assert_eq!(r.cards.len(), spread.card_count());
                assert_eq!(r.reversed_count(), 0);
                assert_eq!(r.to_stored(0).to_reading(), Ok(r));
            }
        }
        let reversed: usize = (0..100)
            .map(|_| Reading::draw_with_options(Spread::CelticCross, None, DrawOptions::default(), &rng))
            .map(|r| r.expect("draw").reversed_count())
            .sum();
        assert!((300..700).contains(&reversed), "{reversed}");
    }

    #[test]
    fn history_written_before_the_locales_still_reads() {
        // msgpack of StoredReading { spread: "three", question: Some("q"),
        // cards: [(0, false), (21, true), (77, false)], at_ms: 5 }, as earlier versions wrote it.
        let bytes = [
            0x94, 0xa5, b't', b'h', b'r', b'e', b'e', 0xa1, b'q', 0x93, 0x92, 0x00, 0xc2, 0x92, 0x15, 0xc3, 0x92, 0x4d,
            0xc2, 0x05,
        ];
        let stored: StoredReading = rmp_serde::from_slice(&bytes).expect("decode");
        assert_eq!(rmp_serde::to_vec(&stored).expect("encode"), bytes);
        let r = stored.to_reading().expect("a reading");
        assert_eq!(r.spread, Spread::Three);
        assert_eq!(r.question.as_deref(), Some("q"));
        let cards: Vec<(u8, bool)> = r.cards.iter().map(|d| (d.card.id, d.reversed)).collect();
        assert_eq!(cards, [(0, false), (21, true), (77, false)]);
        assert_eq!(r.cards[1].card.name(), "The World");
        assert_eq!(r.reversed_count(), 1);
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
        fn stored_readings_never_panic(spread in "[a-z_0-9]{0,14}", ids in proptest::collection::vec((any::<u8>(), any::<bool>()), 0..12)) {
            let s = StoredReading { spread, question: None, cards: ids, at_ms: 0 };
            if let Ok(r) = s.to_reading() {
                prop_assert!(r.cards.iter().all(|d| usize::from(d.card.id) < DECK_SIZE));
                prop_assert_eq!(r.to_stored(0), s);
            }
        }
    }
}
