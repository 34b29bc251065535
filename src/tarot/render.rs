//! Telegram HTML for a reading and for a card's own page.
//!
//! A reading: a heading with the spread's name and the question, then per position its name,
//! the card (with the locale's word for reversed), its keywords, and the position's framing
//! phrase leading into the meaning for its orientation; then the summary (for a yes/no
//! reading, the answer). User text is escaped; the card texts and wording hold no markup.
//!
//! A reading must fit one message with room to spare for what the bot adds (a footer, a
//! date): at most [`READING_MAX_CHARS`] characters as Telegram counts them (after entity
//! parsing, in UTF-16 code units, which is never less than characters). Every spread shows its
//! cards in *full* (keywords, framing phrase and the whole meaning) except the Celtic Cross,
//! which is *compact* (keywords and the meaning's first sentence or two: ten full meanings run to
//! about 5,000 characters). The tests prove that the longest cards of every locale, in every
//! spread, under the longest question, fit in that form (the worst full reading, six cards of
//! the decision spread in English, takes about 3,300). Should future texts outgrow it, a
//! reading drops to the next shorter form, down to *names* (positions and cards only), which
//! texts within the allowed lengths cannot push over the limit.

use std::fmt::Write as _;

use crate::locale::Locale;

use super::cards::CardText;
use super::deck::{Arcana, card};
use super::question::question;
use super::reading::Reading;
use super::spread::Spread;
use super::summary::{summary, yes_no_answer};
use super::wording::{Wording, fill, wording};

/// Telegram's limit on a message's text length.
pub const MESSAGE_MAX_CHARS: usize = 4096;

/// The most a rendered reading takes of a message (see the module docs), leaving room for the
/// bot's footer or date line.
pub const READING_MAX_CHARS: usize = 3800;

/// Between keywords.
const KEYWORD_SEPARATOR: &str = " · ";

/// How much of each card a reading shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Keywords, the framing phrase and the whole meaning.
    Full,
    /// Keywords and the meaning's [opening](opening) (its first sentence, or two).
    Compact,
    /// The position and the card only.
    Names,
}

impl Form {
    /// The form a spread is shown in: compact for the Celtic Cross (ten full meanings would
    /// not fit one message), full for every other spread.
    #[must_use]
    pub const fn for_spread(spread: Spread) -> Form {
        match spread {
            Spread::CelticCross => Form::Compact,
            _ => Form::Full,
        }
    }

    /// This form and the shorter ones, in order.
    const fn and_shorter(self) -> &'static [Form] {
        match self {
            Form::Full => &[Form::Full, Form::Compact, Form::Names],
            Form::Compact => &[Form::Compact, Form::Names],
            Form::Names => &[Form::Names],
        }
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

/// Renders the reading in English (the form existing callers and history use).
#[must_use]
pub fn render_html(reading: &Reading) -> String {
    render_html_in(reading, Locale::En)
}

/// Renders the reading as a Telegram message in HTML parse mode, in `locale`: in its spread's
/// [form](Form::for_spread), or a shorter one should that not fit [`READING_MAX_CHARS`].
#[must_use]
pub fn render_html_in(reading: &Reading, locale: Locale) -> String {
    let mut html = String::new();
    for &form in Form::for_spread(reading.spread).and_shorter() {
        html = render_form(reading, locale, form);
        if telegram_len(&html) <= READING_MAX_CHARS {
            break;
        }
    }
    html
}

/// The form [`render_html_in`] renders this reading in.
#[must_use]
pub fn form_for(reading: &Reading, locale: Locale) -> Form {
    let forms = Form::for_spread(reading.spread).and_shorter();
    forms
        .iter()
        .copied()
        .find(|&form| telegram_len(&render_form(reading, locale, form)) <= READING_MAX_CHARS)
        .unwrap_or(Form::Names)
}

/// Renders the reading in one form, whatever its length.
#[must_use]
pub fn render_form(reading: &Reading, locale: Locale, form: Form) -> String {
    let w = wording(locale);
    let mut out = String::with_capacity(4096);
    out.push_str("🔮 <b>");
    out.push_str(&escape(reading.spread.name_in(locale)));
    out.push_str("</b>\n");
    if let Some(q) = reading.question.as_deref().and_then(question) {
        out.push_str("❓ <i>");
        out.push_str(&escape(&q));
        out.push_str("</i>\n");
    }
    let positions = reading.spread.positions_in(locale);
    let framings = reading.spread.framings_in(locale);
    let numbered = reading.cards.len() > 1;
    for (i, drawn) in reading.cards.iter().enumerate() {
        let text = drawn.card.text(locale);
        out.push_str("\n<b>");
        if numbered {
            // Writing to a String cannot fail.
            let _ = write!(out, "{}. ", i + 1);
        }
        out.push_str(&escape(positions.get(i).copied().unwrap_or("?")));
        out.push_str("</b>: ");
        out.push_str(&escape(&text.name));
        if drawn.reversed {
            let _ = write!(out, " ({})", escape(w.reversed));
        }
        out.push('\n');
        let meaning = text.meaning(drawn.reversed);
        match form {
            Form::Full => {
                keywords(&mut out, text);
                if let Some(framing) = framings.get(i) {
                    out.push_str(&escape(framing));
                    out.push(' ');
                }
                out.push_str(&escape(meaning));
                out.push('\n');
            }
            Form::Compact => {
                keywords(&mut out, text);
                out.push_str(&escape(opening(meaning)));
                out.push('\n');
            }
            Form::Names => {}
        }
    }
    if !reading.cards.is_empty() {
        out.push('\n');
        summary_html(&mut out, reading, locale, w);
    }
    out
}

/// The keywords line.
fn keywords(out: &mut String, text: &CardText) {
    out.push_str("<i>");
    out.push_str(&escape(&text.keywords.join(KEYWORD_SEPARATOR)));
    out.push_str("</i>\n");
}

/// The summary with its heading; for a yes/no reading, the answer in the heading.
fn summary_html(out: &mut String, reading: &Reading, locale: Locale, w: &Wording) {
    if let (Some(answer), Some(first)) = (yes_no_answer(reading), reading.cards.first()) {
        let _ = writeln!(out, "<b>{}: {}</b>", escape(w.answer.heading), escape(w.answer.word(answer)));
        out.push_str(&escape(w.answer.reason(first.card.leaning, first.reversed)));
    } else {
        let _ = writeln!(out, "<b>{}</b>", escape(w.summary.heading));
        out.push_str(&escape(&summary(reading, locale)));
    }
    out.push('\n');
}

/// A card's page for `/card`: name, arcana or suit, element, keywords, both meanings and its
/// yes/no leaning; `None` for an id outside the deck.
#[must_use]
pub fn render_card_html(id: u8, locale: Locale) -> Option<String> {
    let card = card(id)?;
    let w = wording(locale);
    let text = card.text(locale);
    let mut out = String::with_capacity(1536);
    let _ = writeln!(out, "🃏 <b>{}</b>", escape(&text.name));
    let place = match card.arcana {
        Arcana::Major(n) => fill(w.card.major, &[("n", &n.to_string())]),
        Arcana::Minor { suit, .. } => fill(w.card.minor, &[("suit", w.suit(suit).suit_of)]),
    };
    let _ = writeln!(out, "{}", escape(&place));
    let element = fill(w.card.element, &[("element", w.card.element_name(card.element))]);
    let _ = writeln!(out, "{}", escape(&element));
    keywords(&mut out, text);
    let _ = write!(out, "\n<b>{}</b>\n{}\n", escape(w.card.upright), escape(&text.upright));
    let _ = write!(out, "\n<b>{}</b>\n{}\n", escape(w.card.reversed), escape(&text.reversed));
    let yes_no =
        fill(w.card.yes_no, &[("up", w.answer.word(card.answer(false))), ("rev", w.answer.word(card.answer(true)))]);
    let _ = writeln!(out, "\n{}", escape(&yes_no));
    Some(out)
}

/// Sentences shorter than this get the next one too in the compact form.
const OPENING_MIN_CHARS: usize = 60;

/// The opening of a meaning for the compact form: its first sentence, or the first two or
/// more when the first is shorter than 60 characters ("Balance heals." says too little alone).
#[must_use]
pub fn opening(text: &str) -> &str {
    let mut end = 0;
    while end < text.len() {
        end += first_sentence(&text[end..]).len();
        if text[..end].chars().count() >= OPENING_MIN_CHARS {
            break;
        }
    }
    text[..end].trim_end()
}

/// The first sentence of a text: up to the first `.`, `!`, `?` or `…` (with any closing
/// quote) that is followed by a space; the whole text if there is none. Leading spaces are
/// part of it, so that sentence after sentence can be taken off a text.
#[must_use]
pub fn first_sentence(text: &str) -> &str {
    for (i, c) in text.char_indices() {
        if matches!(c, '.' | '!' | '?' | '…') {
            let after = &text[i + c.len_utf8()..];
            let rest = after.trim_start_matches(['»', '"', '”', '’', ')']);
            if rest.starts_with(' ') {
                return &text[..text.len() - rest.len()];
            }
        }
    }
    text
}

/// The length Telegram counts for our HTML: tags left out, each entity one character, in
/// UTF-16 code units.
#[must_use]
pub fn telegram_len(html: &str) -> usize {
    let mut len = 0;
    let mut chars = html.chars();
    while let Some(c) = chars.next() {
        match c {
            '<' => {
                for c in chars.by_ref() {
                    if c == '>' {
                        break;
                    }
                }
            }
            '&' => {
                for c in chars.by_ref() {
                    if c == ';' {
                        break;
                    }
                }
                len += 1;
            }
            c => len += c.len_utf16(),
        }
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tarot::deck::{Card, DECK_SIZE, deck};
    use crate::tarot::draw::Drawn;
    use crate::tarot::question::QUESTION_MAX_CHARS;
    use crate::tarot::reading::tests::reading;
    use proptest::prelude::*;

    /// Removes the tags the renderers themselves emit.
    fn strip_own_tags(html: &str) -> String {
        html.replace("<b>", "").replace("</b>", "").replace("<i>", "").replace("</i>", "")
    }

    /// The card lines, as the end-to-end tests read them (`tests/e2e/tarot.rs`, `card_names`).
    fn card_names(text: &str) -> Vec<String> {
        text.lines()
            .filter_map(|line| {
                line.split_once("</b>: ").map(|(_, card)| card.trim_end_matches(" (reversed)").to_owned())
            })
            .collect()
    }

    /// The longest question there is, in characters that each need escaping.
    fn worst_question() -> Option<String> {
        question(&"&".repeat(QUESTION_MAX_CHARS))
    }

    /// The `n` cards whose rendering in `form` is longest in `locale`, all in one orientation.
    fn longest_cards(n: usize, locale: Locale, reversed: bool, form: Form) -> Vec<Drawn> {
        let mut cards: Vec<&'static Card> = deck().iter().collect();
        let weight = |c: &Card| {
            let t = c.text(locale);
            let meaning = t.meaning(reversed);
            let shown = match form {
                Form::Full => meaning.chars().count(),
                Form::Compact => opening(meaning).chars().count(),
                Form::Names => 0,
            };
            t.name.chars().count() + t.keywords.join(KEYWORD_SEPARATOR).chars().count() + shown
        };
        cards.sort_by_key(|c| std::cmp::Reverse(weight(c)));
        cards[..n].iter().map(|&card| Drawn { card, reversed }).collect()
    }

    fn utf16(text: &str) -> usize {
        text.encode_utf16().count()
    }

    /// An upper bound on any summary's length in `locale`: the longest sentence of each topic
    /// with two-digit counts, or the longest yes/no answer.
    fn longest_summary(locale: Locale) -> usize {
        let w = wording(locale);
        let s = &w.summary;
        let longest = |texts: &[String]| texts.iter().map(|t| utf16(t)).max().unwrap_or(0);
        let counted = |c: &crate::tarot::wording::Counted| {
            c.forms().iter().map(|f| fill(f, &[("n", "10"), ("total", "10")])).collect::<Vec<_>>()
        };
        let mut arcana = vec![s.only_minors.to_owned(), s.all_majors.to_owned(), s.single_major.to_owned()];
        arcana.extend(counted(&s.mostly_majors));
        arcana.extend(counted(&s.some_majors));
        arcana.extend(crate::tarot::deck::Suit::ALL.iter().map(|&suit| w.suit(suit).single.to_owned()));
        let suits: Vec<String> =
            crate::tarot::deck::Suit::ALL.iter().map(|&suit| w.suit(suit).dominant.to_owned()).collect();
        let mut reversed = vec![s.none_reversed.to_owned(), s.single_upright.to_owned(), s.single_reversed.to_owned()];
        reversed.extend(counted(&s.some_reversed));
        reversed.extend(counted(&s.mostly_reversed));
        let mut answers = Vec::new();
        for l in [crate::tarot::Leaning::Yes, crate::tarot::Leaning::No, crate::tarot::Leaning::Maybe] {
            for r in [false, true] {
                answers.push(summary_of_answer(locale, l, r));
            }
        }
        (longest(&arcana) + 1 + longest(&suits) + 1 + longest(&reversed)).max(longest(&answers))
    }

    fn summary_of_answer(locale: Locale, leaning: crate::tarot::Leaning, reversed: bool) -> String {
        let a = &wording(locale).answer;
        format!("{}: {}. {}", a.heading, a.word(leaning.oriented(reversed)), a.reason(leaning, reversed))
    }

    #[test]
    fn english_keeps_the_shape_history_and_tests_read() {
        let r = reading(Spread::Three, Some("What should I focus on?"), 7);
        let html = render_html(&r);
        assert!(html.starts_with("🔮 <b>Three cards</b>\n❓ <i>What should I focus on?</i>\n"));
        for (i, (pos, d)) in Spread::Three.positions().iter().zip(&r.cards).enumerate() {
            assert!(html.contains(&format!("<b>{}. {pos}</b>: {}", i + 1, d.card.name())));
            assert!(html.contains(d.meaning()));
            assert_eq!(html.contains(&format!("{} (reversed)", d.card.name())), d.reversed);
        }
        let names: Vec<String> = r.cards.iter().map(|d| d.card.name().to_owned()).collect();
        assert_eq!(card_names(&html), names);
        assert!(html.contains("\n<b>The overall picture</b>\n"));
        assert_eq!(render_html(&r), render_html_in(&r, Locale::En));
    }

    #[test]
    fn one_card_in_full() {
        let fool = &deck()[0];
        let r = Reading { spread: Spread::One, question: None, cards: vec![Drawn { card: fool, reversed: true }] };
        let t = fool.text(Locale::En);
        let w = wording(Locale::En);
        assert_eq!(
            render_html(&r),
            format!(
                "🔮 <b>One card</b>\n\n<b>The card</b>: The Fool (reversed)\n<i>{}</i>\nIts message for you: {}\n\n\
                 <b>The overall picture</b>\n{} {}\n",
                t.keywords.join(" · "),
                t.reversed,
                w.summary.single_major,
                w.summary.single_reversed,
            )
        );
        let ru = render_html_in(&r, Locale::Ru);
        assert!(ru.starts_with("🔮 <b>Одна карта</b>\n\n<b>Карта</b>: Шут (перевёрнутое положение)\n"), "{ru}");
        assert!(ru.contains(&format!("Что она хочет тебе сказать: {}", fool.text(Locale::Ru).reversed)));
        let es = render_html_in(&r, Locale::Es);
        assert!(es.starts_with("🔮 <b>Una carta</b>\n\n<b>La carta</b>: El Loco (al revés)\n"), "{es}");
    }

    #[test]
    fn every_position_has_its_name_framing_and_meaning() {
        for locale in Locale::ALL {
            for spread in Spread::ALL {
                let r = reading(spread, Some("Q"), 3);
                let html = render_html_in(&r, locale);
                let full = form_for(&r, locale) == Form::Full;
                for (i, d) in r.cards.iter().enumerate() {
                    let text = d.card.text(locale);
                    assert!(html.contains(&text.name), "{locale:?} {spread:?}");
                    assert!(html.contains(spread.positions_in(locale)[i]), "{locale:?} {spread:?}");
                    assert!(html.contains(&text.keywords.join(KEYWORD_SEPARATOR)));
                    let meaning = d.meaning_in(locale);
                    if full {
                        assert!(html.contains(&format!("{} {meaning}", spread.framings_in(locale)[i])));
                    } else {
                        assert!(html.contains(opening(meaning)));
                    }
                }
                let marker = format!(" ({})\n", wording(locale).reversed);
                assert_eq!(html.matches(&marker).count(), r.reversed_count(), "{locale:?} {spread:?}");
            }
        }
    }

    #[test]
    fn yes_no_shows_the_answer() {
        let sun = &deck()[19];
        let r = Reading {
            spread: Spread::YesNo,
            question: Some("Will it work?".into()),
            cards: vec![Drawn { card: sun, reversed: false }],
        };
        let html = render_html(&r);
        assert!(
            html.starts_with("🔮 <b>Yes or no</b>\n❓ <i>Will it work?</i>\n\n<b>Your card</b>: The Sun\n"),
            "{html}"
        );
        assert!(html.contains("\n<b>Answer: yes</b>\nThe card leans towards yes"), "{html}");
        let r = Reading { cards: vec![Drawn { card: sun, reversed: true }], ..r };
        assert!(render_html_in(&r, Locale::Ru).contains("\n<b>Ответ: возможно</b>\n"));
        assert!(render_html_in(&r, Locale::Es).contains("\n<b>Respuesta: quizás</b>\n"));
    }

    #[test]
    fn question_markup_is_escaped() {
        let r = reading(Spread::One, Some("<b>bold</b> & <a href=\"x\">link</a>"), 1);
        for locale in Locale::ALL {
            let html = render_html_in(&r, locale);
            assert!(html.contains("&lt;b&gt;bold&lt;/b&gt; &amp; &lt;a href=\"x\"&gt;link&lt;/a&gt;"));
            assert!(!strip_own_tags(&html).contains(['<', '>']));
        }
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
    fn every_spread_fits_in_every_locale_with_the_worst_cards_and_question() {
        for locale in Locale::ALL {
            for spread in Spread::ALL {
                for reversed in [false, true] {
                    for form in [Form::Full, Form::Compact] {
                        let r = Reading {
                            spread,
                            question: worst_question(),
                            cards: longest_cards(spread.card_count(), locale, reversed, form),
                        };
                        let html = render_html_in(&r, locale);
                        let len = telegram_len(&html);
                        assert!(len <= READING_MAX_CHARS, "{locale:?} {spread:?} {form:?}: {len}");
                        // And with the longest summary any cards could give instead of theirs.
                        let with_longest_summary = len - utf16(&summary(&r, locale)) + longest_summary(locale);
                        assert!(
                            with_longest_summary <= READING_MAX_CHARS,
                            "{locale:?} {spread:?}: {with_longest_summary}"
                        );
                        // A one-card reading stays under the limit even counted in bytes (the fuzz
                        // target's crude bound).
                        if spread.card_count() == 1 {
                            assert!(html.len() <= MESSAGE_MAX_CHARS, "{locale:?} {spread:?}: {} bytes", html.len());
                        }
                        // The longest cards still get their spread's own form.
                        assert_eq!(form_for(&r, locale), Form::for_spread(spread), "{locale:?} {spread:?}: {len}");
                    }
                }
            }
        }
        assert_eq!(Form::for_spread(Spread::CelticCross), Form::Compact);
        assert_eq!(Form::for_spread(Spread::Decision), Form::Full);
    }

    #[test]
    fn the_names_form_is_a_safe_last_resort() {
        for locale in Locale::ALL {
            let r = Reading {
                spread: Spread::CelticCross,
                question: worst_question(),
                cards: longest_cards(10, locale, true, Form::Names),
            };
            let html = render_form(&r, locale, Form::Names);
            assert!(telegram_len(&html) <= READING_MAX_CHARS / 2, "{locale:?}");
            assert_eq!(card_names(&html).len(), 10);
        }
    }

    #[test]
    fn first_sentences() {
        assert_eq!(first_sentence("One. Two."), "One.");
        assert_eq!(first_sentence("Why? Because."), "Why?");
        assert_eq!(first_sentence("Он сказал «хватит.» Потом ушёл."), "Он сказал «хватит.»");
        assert_eq!(first_sentence("No end"), "No end");
        assert_eq!(first_sentence("3.5 is a number. Yes."), "3.5 is a number.");
        assert_eq!(first_sentence(""), "");
        assert_eq!(first_sentence(" Two. Three."), " Two.");
        assert_eq!(
            opening("Short. Then a longer second sentence that carries on past sixty. Third."),
            "Short. Then a longer second sentence that carries on past sixty."
        );
        assert_eq!(opening("Short. Tiny."), "Short. Tiny.");
        assert_eq!(opening(""), "");
        // Every meaning's opening ends where a sentence does (not at an abbreviation): what
        // follows starts with a capital letter or an opening quote or dash.
        for locale in Locale::ALL {
            for c in deck() {
                for reversed in [false, true] {
                    let meaning = c.text(locale).meaning(reversed);
                    let open = opening(meaning);
                    assert!(
                        open.chars().count() >= OPENING_MIN_CHARS.min(meaning.chars().count()),
                        "{locale:?} {}: {open}",
                        c.id
                    );
                    assert!(meaning.starts_with(open));
                    let next = meaning[open.len()..].trim_start().chars().next();
                    assert!(
                        next.is_none_or(|n| n.is_uppercase() || matches!(n, '«' | '"' | '“' | '—' | '¿' | '¡')),
                        "{locale:?} {}: {open} | {next:?}",
                        c.id
                    );
                }
            }
        }
    }

    #[test]
    fn telegram_counts_text_not_markup() {
        assert_eq!(telegram_len("<b>ab</b> &amp; <i>é</i>"), 6);
        assert_eq!(telegram_len("🔮"), 2);
        assert_eq!(telegram_len("&lt;&gt;"), 2);
        assert_eq!(telegram_len(""), 0);
    }

    #[test]
    fn card_pages() {
        let fool = render_card_html(0, Locale::En).expect("a card");
        let t = deck()[0].text(Locale::En);
        assert!(fool.starts_with("🃏 <b>The Fool</b>\nMajor arcana, number 0\nElement: air\n<i>"), "{fool}");
        assert!(fool.contains(&format!("\n<b>Upright</b>\n{}\n", t.upright)));
        assert!(fool.contains(&format!("\n<b>Reversed</b>\n{}\n", t.reversed)));
        assert!(fool.ends_with("\nYes or no: yes upright, maybe reversed.\n"), "{fool}");
        let cups = render_card_html(48, Locale::Ru).expect("a card");
        assert!(cups.starts_with("🃏 <b>Королева Кубков</b>\nМладший аркан, масть Кубков\nСтихия: Вода\n"), "{cups}");
        assert!(cups.ends_with("Да или нет: в прямом положении — да, в перевёрнутом — возможно.\n"), "{cups}");
        let tower = render_card_html(16, Locale::Es).expect("a card");
        assert!(tower.starts_with("🃏 <b>La Torre</b>\nArcano mayor, número 16\nElemento: fuego\n"), "{tower}");
        assert!(tower.ends_with("¿Sí o no? Al derecho, no; al revés, no.\n"), "{tower}");
        assert_eq!(render_card_html(78, Locale::En), None);
        for locale in Locale::ALL {
            for id in 0..u8::try_from(DECK_SIZE).expect("small") {
                let html = render_card_html(id, locale).expect("a card");
                assert!(telegram_len(&html) <= READING_MAX_CHARS);
                assert!(!strip_own_tags(&html).contains(['<', '>', '&']), "{locale:?} {id}");
            }
        }
    }

    proptest! {
        #[test]
        fn rendering_never_leaks_markup(raw in any::<String>(), seed in any::<u64>(), which in 0usize..7, lang in 0usize..3) {
            let spread = Spread::ALL[which];
            let locale = Locale::ALL[lang];
            let r = reading(spread, Some(&raw), seed);
            let html = render_html_in(&r, locale);
            prop_assert!(telegram_len(&html) <= READING_MAX_CHARS);
            prop_assert!(!strip_own_tags(&html).contains(['<', '>']));
            if let Some(q) = &r.question {
                let shown = format!("<i>{}</i>", escape(q));
                prop_assert!(html.contains(&shown));
            }
            prop_assert_eq!(card_names(&html).len(), spread.card_count());
        }
    }
}
