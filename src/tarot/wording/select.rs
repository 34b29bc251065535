//! Picks a locale's wording.

use crate::locale::Locale;

use super::en::EN;
use super::es::ES;
use super::ru::RU;
use super::types::Wording;

/// The wording of `locale`.
#[must_use]
pub fn wording(locale: Locale) -> &'static Wording {
    match locale {
        Locale::En => &EN,
        Locale::Ru => &RU,
        Locale::Es => &ES,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tarot::deck::Suit;
    use crate::tarot::nature::{Element, Leaning};
    use crate::tarot::wording::types::{Counted, fill};

    /// Every text of a locale, with what it is.
    fn all_texts(w: &Wording) -> Vec<(String, &'static str)> {
        let s = &w.summary;
        let a = &w.answer;
        let c = &w.card;
        let mut out: Vec<(String, &'static str)> = vec![("reversed".into(), w.reversed)];
        for sp in [
            &w.spreads.one,
            &w.spreads.three,
            &w.spreads.celtic_cross,
            &w.spreads.love,
            &w.spreads.career,
            &w.spreads.decision,
            &w.spreads.yes_no,
        ] {
            out.push(("spread".into(), sp.name));
            out.extend(sp.positions.iter().map(|p| ("position".into(), *p)));
            out.extend(sp.framings.iter().map(|f| ("framing".into(), *f)));
        }
        for (name, text) in [
            ("heading", s.heading),
            ("only_minors", s.only_minors),
            ("all_majors", s.all_majors),
            ("single_major", s.single_major),
            ("none_reversed", s.none_reversed),
            ("single_upright", s.single_upright),
            ("single_reversed", s.single_reversed),
            ("answer", a.heading),
            ("yes", a.yes),
            ("no", a.no),
            ("maybe", a.maybe),
            ("card.major", c.major),
            ("card.minor", c.minor),
            ("card.element", c.element),
            ("card.upright", c.upright),
            ("card.reversed", c.reversed),
            ("card.yes_no", c.yes_no),
        ] {
            out.push((name.into(), text));
        }
        for suit in Suit::ALL {
            let sw = w.suit(suit);
            out.extend([
                ("suit_of".into(), sw.suit_of),
                ("dominant".into(), sw.dominant),
                ("single".into(), sw.single),
            ]);
        }
        for l in [Leaning::Yes, Leaning::No, Leaning::Maybe] {
            for r in [false, true] {
                out.push((format!("reason {l:?} {r}"), a.reason(l, r)));
            }
        }
        for e in Element::ALL {
            out.push(("element".into(), c.element_name(e)));
        }
        for (name, counted) in [
            ("mostly_majors", &s.mostly_majors),
            ("some_majors", &s.some_majors),
            ("some_reversed", &s.some_reversed),
            ("mostly_reversed", &s.mostly_reversed),
        ] {
            out.extend(counted.forms().iter().map(|f| (name.to_owned(), *f)));
        }
        out
    }

    #[test]
    fn texts_are_clean_lines() {
        for locale in Locale::ALL {
            for (what, text) in all_texts(wording(locale)) {
                assert!(!text.is_empty(), "{locale:?} {what}");
                assert_eq!(text.trim(), text, "{locale:?} {what}");
                assert!(!text.contains("  "), "{locale:?} {what}: {text}");
                assert!(!text.contains(['<', '>', '&', '\n']), "{locale:?} {what}: {text}");
                assert!(text.chars().count() <= 260, "{locale:?} {what}: {text}");
            }
        }
    }

    #[test]
    fn placeholders_are_where_they_belong() {
        let has = |t: &str, key: &str| t.contains(&format!("{{{key}}}"));
        for locale in Locale::ALL {
            let w = wording(locale);
            assert!(has(w.card.major, "n") && has(w.card.minor, "suit") && has(w.card.element, "element"));
            assert!(has(w.card.yes_no, "up") && has(w.card.yes_no, "rev"));
            let check = |c: &Counted, total: bool| {
                // Other (and Russian One/Few/Many) always show the count; English and Spanish may
                // spell out "one", since their One is exactly 1.
                let mut must: Vec<&str> = vec![c.other, c.many];
                if locale == Locale::Ru {
                    must.extend([c.one, c.few]);
                }
                for form in must {
                    assert!(has(form, "n"), "{locale:?}: {form}");
                }
                for form in c.forms() {
                    assert_eq!(has(form, "total"), total, "{locale:?}: {form}");
                    assert!(!fill(form, &[("n", "1"), ("total", "2")]).contains('{'), "{form}");
                }
            };
            check(&w.summary.mostly_majors, true);
            check(&w.summary.mostly_reversed, true);
            check(&w.summary.some_majors, false);
            check(&w.summary.some_reversed, false);
        }
    }

    #[test]
    fn every_locale_has_its_own_words() {
        assert_eq!(wording(Locale::En).answer.yes, "yes");
        assert_eq!(wording(Locale::Ru).answer.yes, "да");
        assert_eq!(wording(Locale::Es).answer.yes, "sí");
    }
}
