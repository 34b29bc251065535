//! A reading's summary: one short paragraph on the spread as a whole.
//!
//! Three observations, each one sentence with what it suggests: how many major arcana came up
//! (none: everyday matters in your hands; half or more: larger forces, a turning point; a few:
//! they mark the main themes), which suit leads if one clearly does (its element and theme),
//! and how many cards are reversed (none: free flow; up to half: points of resistance; more:
//! work on what blocks you first). A single card gets its arcana or suit and its orientation.
//! A suit leads when it has more cards than any other and at least two, and at least a quarter
//! of the spread (three in the Celtic Cross). Counts take the locale's plural forms.
//!
//! The yes/no spread's summary is its answer instead: the card's [leaning](super::Leaning) in
//! its orientation, and why.

use crate::locale::Locale;

use super::deck::Suit;
use super::nature::Leaning;
use super::reading::Reading;
use super::spread::Spread;
use super::wording::wording;

/// The answer of a yes/no reading: its card's leaning in the orientation it came up in;
/// `None` for other spreads.
#[must_use]
pub fn yes_no_answer(reading: &Reading) -> Option<Leaning> {
    if reading.spread != Spread::YesNo {
        return None;
    }
    reading.cards.first().map(|d| d.card.answer(d.reversed))
}

/// The summary paragraph of `reading` in `locale`, as plain text (no markup). For a yes/no
/// reading: "Answer: yes." and the reason.
#[must_use]
pub fn summary(reading: &Reading, locale: Locale) -> String {
    let w = wording(locale);
    if let (Some(answer), Some(first)) = (yes_no_answer(reading), reading.cards.first()) {
        return format!(
            "{}: {}. {}",
            w.answer.heading,
            w.answer.word(answer),
            w.answer.reason(first.card.leaning, first.reversed)
        );
    }
    sentences(reading, locale).join(" ")
}

/// The sentences of a summary, in order.
pub(super) fn sentences(reading: &Reading, locale: Locale) -> Vec<String> {
    let w = &wording(locale).summary;
    let total = reading.cards.len();
    let majors = reading.cards.iter().filter(|d| d.card.is_major()).count();
    let reversed = reading.reversed_count();
    let mut out = Vec::with_capacity(3);
    match reading.cards.as_slice() {
        [] => {}
        [only] => {
            out.push(match only.card.suit() {
                None => w.single_major.to_owned(),
                Some(suit) => wording(locale).suit(suit).single.to_owned(),
            });
            out.push(if only.reversed { w.single_reversed } else { w.single_upright }.to_owned());
        }
        _ => {
            out.push(if majors == 0 {
                w.only_minors.to_owned()
            } else if majors == total {
                w.all_majors.to_owned()
            } else if majors * 2 >= total {
                w.mostly_majors.format(locale, majors, total)
            } else {
                w.some_majors.format(locale, majors, total)
            });
            if let Some(suit) = leading_suit(reading) {
                out.push(wording(locale).suit(suit).dominant.to_owned());
            }
            out.push(if reversed == 0 {
                w.none_reversed.to_owned()
            } else if reversed * 2 > total {
                w.mostly_reversed.format(locale, reversed, total)
            } else {
                w.some_reversed.format(locale, reversed, total)
            });
        }
    }
    out
}

/// The suit that clearly leads the spread, if one does (see the module docs).
#[must_use]
pub fn leading_suit(reading: &Reading) -> Option<Suit> {
    let mut counts = [0usize; 4];
    for suit in reading.cards.iter().filter_map(|d| d.card.suit()) {
        counts[suit as usize] += 1;
    }
    let top = counts.iter().copied().max().unwrap_or(0);
    let needed = reading.cards.len().div_ceil(4).max(2);
    let leaders: Vec<Suit> = Suit::ALL.into_iter().filter(|&s| counts[s as usize] == top).collect();
    match leaders.as_slice() {
        [one] if top >= needed => Some(*one),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tarot::deck::{Card, deck};
    use crate::tarot::draw::Drawn;

    /// A reading of `spread` with these `(id, reversed)` cards.
    fn reading(spread: Spread, cards: &[(u8, bool)]) -> Reading {
        let cards = cards.iter().map(|&(id, reversed)| Drawn { card: &deck()[usize::from(id)], reversed }).collect();
        Reading { spread, question: None, cards }
    }

    fn card(id: u8) -> &'static Card {
        &deck()[usize::from(id)]
    }

    #[test]
    fn majors_suits_and_reversals_in_english() {
        // Ten cards: two majors, four Cups, three reversed.
        let r = reading(
            Spread::CelticCross,
            &[
                (0, false),
                (13, true),
                (36, false),
                (37, true),
                (40, false),
                (44, false),
                (22, true),
                (50, false),
                (64, false),
                (70, false),
            ],
        );
        let s = summary(&r, Locale::En);
        assert!(s.starts_with("2 major arcana among the minor cards:"), "{s}");
        assert!(s.contains("Cups lead the spread"), "{s}");
        assert!(s.contains("3 cards are reversed:"), "{s}");
        assert_eq!(leading_suit(&r), Some(Suit::Cups));

        let all_up_minor = reading(Spread::Three, &[(22, false), (23, false), (60, false)]);
        let s = summary(&all_up_minor, Locale::En);
        assert!(s.starts_with("Only minor arcana"), "{s}");
        assert!(s.contains("Wands lead"), "{s}");
        assert!(s.ends_with("nothing here is fundamentally blocked."), "{s}");

        let heavy = reading(Spread::Three, &[(0, true), (1, true), (60, false)]);
        let s = summary(&heavy, Locale::En);
        assert!(s.starts_with("2 of the 3 cards are major arcana"), "{s}");
        assert!(s.contains("2 of the 3 cards are reversed"), "{s}");
        assert!(!s.contains("lead the spread"), "{s}");

        let one_reversed = reading(Spread::Three, &[(0, false), (30, true), (60, false)]);
        assert!(summary(&one_reversed, Locale::En).contains("One card is reversed:"));
        let majors = reading(Spread::Three, &[(0, false), (1, false), (2, false)]);
        assert!(summary(&majors, Locale::En).starts_with("Every card is a major arcana"));
    }

    #[test]
    fn russian_counts_take_three_forms() {
        let ten = |reversed: &[bool]| {
            let ids = [22u8, 37, 52, 66, 24, 39, 54, 68, 26, 41];
            let cards: Vec<(u8, bool)> =
                ids.iter().zip(reversed.iter().chain(std::iter::repeat(&false))).map(|(&i, &r)| (i, r)).collect();
            reading(Spread::CelticCross, &cards)
        };
        let s = summary(&ten(&[true]), Locale::Ru);
        assert!(s.contains("1 карта перевёрнута"), "{s}");
        let s = summary(&ten(&[true, true, true]), Locale::Ru);
        assert!(s.contains("3 карты перевёрнуты"), "{s}");
        let s = summary(&ten(&[true; 5]), Locale::Ru);
        assert!(s.contains("5 карт перевёрнуто"), "{s}");
        let s = summary(&ten(&[true; 6]), Locale::Ru);
        assert!(s.contains("6 карт из 10 перевёрнуто"), "{s}");
        let s = summary(&ten(&[true; 7]), Locale::Ru);
        assert!(s.contains("7 карт из 10"), "{s}");
        // Majors: 1, 2 and 4 of ten.
        let with_majors = |n: usize| {
            let mut cards: Vec<(u8, bool)> = (0..n).map(|i| (u8::try_from(i).expect("small"), false)).collect();
            cards.extend([22u8, 37, 52, 66, 24, 39, 54, 68, 26, 41][..10 - n].iter().map(|&i| (i, false)));
            reading(Spread::CelticCross, &cards)
        };
        assert!(summary(&with_majors(1), Locale::Ru).starts_with("1 старший аркан среди младших"));
        assert!(summary(&with_majors(2), Locale::Ru).starts_with("2 старших аркана среди младших"));
        assert!(summary(&with_majors(4), Locale::Ru).starts_with("4 старших аркана среди младших"));
        assert!(summary(&with_majors(5), Locale::Ru).starts_with("5 карт из 10 — старшие арканы"));
        assert!(summary(&with_majors(10), Locale::Ru).starts_with("Все карты — старшие арканы"));
        assert!(summary(&with_majors(0), Locale::Ru).starts_with("Здесь только младшие арканы"));
    }

    #[test]
    fn spanish_counts() {
        let r = reading(Spread::Three, &[(0, true), (40, false), (41, true)]);
        let s = summary(&r, Locale::Es);
        assert!(s.starts_with("Un arcano mayor entre los menores"), "{s}");
        assert!(s.contains("Predominan las Copas"), "{s}");
        assert!(s.contains("2 de las 3 cartas salieron al revés"), "{s}");
        let r = reading(Spread::Love, &[(0, false), (1, false), (40, true), (55, false), (70, false)]);
        let s = summary(&r, Locale::Es);
        assert!(s.starts_with("2 arcanos mayores entre los menores"), "{s}");
        assert!(s.contains("Una carta salió al revés"), "{s}");
    }

    #[test]
    fn a_single_card() {
        let fool = reading(Spread::One, &[(0, true)]);
        assert_eq!(
            summary(&fool, Locale::En),
            format!("{} {}", wording(Locale::En).summary.single_major, wording(Locale::En).summary.single_reversed)
        );
        let cup = reading(Spread::One, &[(40, false)]);
        let s = summary(&cup, Locale::Ru);
        assert!(s.starts_with("Карта масти Кубков"), "{s}");
        assert!(s.ends_with("её энергия свободна."), "{s}");
        assert_eq!(yes_no_answer(&cup), None);
        let empty = reading(Spread::One, &[]);
        assert_eq!(summary(&empty, Locale::En), "");
    }

    #[test]
    fn yes_no_answers_follow_leaning_and_orientation() {
        let sun = card(19);
        assert_eq!(sun.leaning, Leaning::Yes);
        let up = reading(Spread::YesNo, &[(19, false)]);
        assert_eq!(yes_no_answer(&up), Some(Leaning::Yes));
        assert!(summary(&up, Locale::En).starts_with("Answer: yes. The card leans towards yes"));
        assert!(summary(&up, Locale::Ru).starts_with("Ответ: да."));
        assert!(summary(&up, Locale::Es).starts_with("Respuesta: sí."));
        let down = reading(Spread::YesNo, &[(19, true)]);
        assert_eq!(yes_no_answer(&down), Some(Leaning::Maybe));
        assert!(summary(&down, Locale::En).starts_with("Answer: maybe. A card that says yes, but it came reversed"));
        let tower = reading(Spread::YesNo, &[(16, false)]);
        assert_eq!(yes_no_answer(&tower), Some(Leaning::No));
        let moon = reading(Spread::YesNo, &[(18, true)]);
        assert_eq!(yes_no_answer(&moon), Some(Leaning::No));
        assert!(summary(&moon, Locale::Es).starts_with("Respuesta: no. Una carta incierta"));
    }

    #[test]
    fn no_leader_on_a_tie_or_a_single_card() {
        let tie = reading(Spread::Love, &[(22, false), (23, false), (36, false), (37, false), (0, false)]);
        assert_eq!(leading_suit(&tie), None);
        let lone = reading(Spread::Three, &[(22, false), (36, false), (0, false)]);
        assert_eq!(leading_suit(&lone), None);
        let two_of_ten = reading(
            Spread::CelticCross,
            &[
                (22, false),
                (23, false),
                (36, false),
                (50, false),
                (64, false),
                (0, false),
                (1, false),
                (2, false),
                (3, false),
                (4, false),
            ],
        );
        assert_eq!(leading_suit(&two_of_ten), None, "two of ten is not a lead");
    }
}
