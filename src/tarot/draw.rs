//! Drawing cards: a partial Fisher–Yates shuffle over the 78 ids, fed by a cryptographically
//! secure RNG.
//!
//! [`draw`] wraps ring's [`SecureRandom`]; the shuffle itself, [`draw_with`], takes any source
//! of uniformly random `u32`s so it can be tested deterministically (ring's trait is sealed).
//! Indices are drawn without modulo bias by rejection sampling, and each card is independently
//! reversed with probability one half (the low bit of a fresh `u32`) — unless the reader asked
//! for a deck without reversals ([`DrawOptions::reversals`]), when every card comes upright and
//! no orientation sample is taken.

use ring::rand::SecureRandom;

use crate::locale::Locale;

use super::deck::{Card, DECK_SIZE, deck};

/// How many consecutive rejected samples make [`draw_with`] give up on its source. An honest
/// source is rejected with probability below 2⁻²⁵ per sample, so this only trips on a broken
/// (for example constant) source instead of looping forever.
const MAX_REJECTIONS: u32 = 64;

/// One drawn card and its orientation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drawn {
    /// The card.
    pub card: &'static Card,
    /// Whether it came up reversed.
    pub reversed: bool,
}

impl Drawn {
    /// The English meaning that applies to this orientation.
    #[must_use]
    pub fn meaning(&self) -> &'static str {
        self.card.meaning(self.reversed)
    }

    /// The meaning that applies to this orientation, in `locale`.
    #[must_use]
    pub fn meaning_in(&self, locale: Locale) -> &'static str {
        self.card.text(locale).meaning(self.reversed)
    }
}

/// How cards are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrawOptions {
    /// Whether a card may come up reversed (with probability one half). Some readers read
    /// upright only; with `false` every card is upright.
    pub reversals: bool,
}

impl Default for DrawOptions {
    /// Reversals on, as the deck is usually read.
    fn default() -> Self {
        DrawOptions { reversals: true }
    }
}

/// Why a draw failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DrawError {
    /// More cards were asked for than the deck holds.
    #[error("cannot draw {requested} cards from a deck of 78")]
    TooMany {
        /// The number asked for.
        requested: usize,
    },
    /// The random source failed (or kept producing unusable values).
    #[error("the random number generator failed")]
    Rng,
}

/// Draws `n` distinct cards (`n <= 78`) using `rng`, each reversed with probability ½.
///
/// In production pass a [`ring::rand::SystemRandom`].
pub fn draw(n: usize, rng: &dyn SecureRandom) -> Result<Vec<Drawn>, DrawError> {
    draw_with_options(n, DrawOptions::default(), rng)
}

/// Draws `n` distinct cards (`n <= 78`) using `rng`, as `options` say.
pub fn draw_with_options(n: usize, options: DrawOptions, rng: &dyn SecureRandom) -> Result<Vec<Drawn>, DrawError> {
    shuffle(n, options, || {
        let mut bytes = [0u8; 4];
        rng.fill(&mut bytes).map_err(|_| DrawError::Rng)?;
        Ok(u32::from_le_bytes(bytes))
    })
}

/// Draws `n` distinct cards (`n <= 78`) from a source of uniformly random `u32`s, each
/// reversed with probability ½.
pub fn draw_with(n: usize, next_u32: impl FnMut() -> Result<u32, DrawError>) -> Result<Vec<Drawn>, DrawError> {
    shuffle(n, DrawOptions::default(), next_u32)
}

/// Draws `n` distinct cards (`n <= 78`) from a source of uniformly random `u32`s, as
/// `options` say.
///
/// A partial Fisher–Yates shuffle: position `i` is swapped with a uniformly chosen position in
/// `i..78`, then, with reversals on, one more sample decides the orientation. Errors from
/// `next_u32` are passed through; a source that keeps producing rejected values fails with
/// [`DrawError::Rng`].
pub fn shuffle(
    n: usize,
    options: DrawOptions,
    mut next_u32: impl FnMut() -> Result<u32, DrawError>,
) -> Result<Vec<Drawn>, DrawError> {
    if n > DECK_SIZE {
        return Err(DrawError::TooMany { requested: n });
    }
    let cards = deck();
    let mut order: [u8; DECK_SIZE] = std::array::from_fn(|i| cards[i].id);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let j = i + uniform_below(DECK_SIZE - i, &mut next_u32)?;
        order.swap(i, j);
        let reversed = options.reversals && next_u32()? & 1 == 1;
        out.push(Drawn { card: &cards[usize::from(order[i])], reversed });
    }
    Ok(out)
}

/// A uniform value in `0..bound` (`1 <= bound <= 78`), rejecting the top `2³² mod bound`
/// samples so that every result is equally likely.
fn uniform_below(bound: usize, next_u32: &mut impl FnMut() -> Result<u32, DrawError>) -> Result<usize, DrawError> {
    let bound = u64::try_from(bound).map_err(|_| DrawError::Rng)?;
    if bound == 0 {
        return Err(DrawError::Rng);
    }
    let span = 1u64 << 32;
    let limit = span - span % bound;
    for _ in 0..MAX_REJECTIONS {
        let x = u64::from(next_u32()?);
        if x < limit {
            return usize::try_from(x % bound).map_err(|_| DrawError::Rng);
        }
    }
    Err(DrawError::Rng)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use proptest::prelude::*;
    use ring::rand::SystemRandom;
    use std::collections::HashSet;

    /// A deterministic splitmix64 generator for tests: not secure, only reproducible.
    pub(in crate::tarot) fn seeded(seed: u64) -> impl FnMut() -> Result<u32, DrawError> {
        let mut state = seed;
        move || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            Ok(u32::try_from(z >> 32).expect("32 bits"))
        }
    }

    fn ids(drawn: &[Drawn]) -> Vec<u8> {
        drawn.iter().map(|d| d.card.id).collect()
    }

    #[test]
    fn three_card_draws_never_repeat_with_system_random() {
        let rng = SystemRandom::new();
        for _ in 0..2_000 {
            let drawn = draw(3, &rng).expect("draw");
            let unique: HashSet<u8> = ids(&drawn).into_iter().collect();
            assert_eq!(unique.len(), 3);
        }
    }

    #[test]
    fn drawing_the_whole_deck_is_a_permutation() {
        let rng = SystemRandom::new();
        let mut all = ids(&draw(DECK_SIZE, &rng).expect("draw"));
        all.sort_unstable();
        let expected: Vec<u8> = deck().iter().map(|c| c.id).collect();
        assert_eq!(all, expected);
    }

    #[test]
    fn zero_and_too_many() {
        let rng = SystemRandom::new();
        assert_eq!(draw(0, &rng), Ok(Vec::new()));
        assert_eq!(draw(79, &rng), Err(DrawError::TooMany { requested: 79 }));
        assert_eq!(draw_with(usize::MAX, seeded(1)), Err(DrawError::TooMany { requested: usize::MAX }));
    }

    #[test]
    fn rejection_sampling_skips_the_biased_tail() {
        // 2^32 mod 78 == 22, so the 22 largest u32 values must be rejected.
        let mut values = [u32::MAX, u32::MAX - 21, u32::MAX - 22].into_iter();
        let mut src = || values.next().ok_or(DrawError::Rng);
        let got = uniform_below(78, &mut src).expect("accepted");
        assert_eq!(got, usize::try_from((u32::MAX - 22) % 78).expect("small"));
        assert_eq!(got, 77);
    }

    #[test]
    fn broken_sources_fail_instead_of_looping() {
        assert_eq!(draw_with(3, || Ok(u32::MAX)), Err(DrawError::Rng));
        assert_eq!(draw_with(3, || Err(DrawError::Rng)), Err(DrawError::Rng));
        // A constant zero is accepted (and useless), but still yields distinct cards.
        let drawn = draw_with(DECK_SIZE, || Ok(0)).expect("draw");
        assert_eq!(ids(&drawn).into_iter().collect::<HashSet<_>>().len(), DECK_SIZE);
    }

    #[test]
    fn roughly_uniform_and_half_reversed() {
        let mut src = seeded(42);
        let rounds = 78_000;
        let mut counts = [0u32; DECK_SIZE];
        let mut reversed = 0u32;
        for _ in 0..rounds {
            let d = draw_with(1, &mut src).expect("draw")[0];
            counts[usize::from(d.card.id)] += 1;
            reversed += u32::from(d.reversed);
        }
        // Expected 1000 per card; a fair shuffle stays well inside ±20 %.
        assert!(counts.iter().all(|&c| (800..1200).contains(&c)), "{counts:?}");
        assert!((37_000..41_000).contains(&reversed), "{reversed}");
    }

    #[test]
    fn without_reversals_every_card_is_upright() {
        let upright = DrawOptions { reversals: false };
        assert!(DrawOptions::default().reversals);
        let rng = SystemRandom::new();
        for _ in 0..200 {
            let drawn = draw_with_options(10, upright, &rng).expect("draw");
            assert_eq!(drawn.len(), 10);
            assert!(drawn.iter().all(|d| !d.reversed));
            assert_eq!(ids(&drawn).into_iter().collect::<HashSet<_>>().len(), 10);
        }
        // One sample per card instead of two: the same seed lays out other cards, all upright.
        let mut calls = 0;
        let mut src = seeded(3);
        let counting = || {
            calls += 1;
            src()
        };
        let drawn = shuffle(DECK_SIZE, upright, counting).expect("draw");
        assert_eq!(calls, DECK_SIZE);
        let mut all = ids(&drawn);
        all.sort_unstable();
        assert_eq!(all, (0..78).collect::<Vec<u8>>());
        // With reversals on, about half come up reversed over many draws.
        let reversed = (0..200).flat_map(|_| draw(10, &rng).expect("draw")).filter(|d| d.reversed).count();
        assert!((700..1300).contains(&reversed), "{reversed}");
    }

    #[test]
    fn meanings_follow_orientation_and_locale() {
        let fool = &deck()[0];
        let up = Drawn { card: fool, reversed: false };
        let down = Drawn { card: fool, reversed: true };
        assert_eq!(up.meaning(), fool.text(Locale::En).upright);
        assert_eq!(down.meaning(), fool.text(Locale::En).reversed);
        assert_eq!(down.meaning_in(Locale::Ru), fool.text(Locale::Ru).reversed);
        assert_ne!(up.meaning_in(Locale::Es), up.meaning());
    }

    proptest! {
        #[test]
        fn draws_are_distinct_valid_and_reproducible(seed in any::<u64>(), n in 0usize..=DECK_SIZE) {
            let drawn = draw_with(n, seeded(seed)).expect("draw");
            prop_assert_eq!(drawn.len(), n);
            let unique: HashSet<u8> = ids(&drawn).into_iter().collect();
            prop_assert_eq!(unique.len(), n);
            prop_assert!(drawn.iter().all(|d| usize::from(d.card.id) < DECK_SIZE));
            prop_assert_eq!(draw_with(n, seeded(seed)).expect("draw"), drawn);
        }
    }
}
