//! Finding a card by what a reader types: `/card fool`, `/card шут`, `/card el loco`,
//! `/card Queen of Cups`, with a typo or two.
//!
//! Every name and alias of every locale is indexed in a normal form: lower case, Russian `ё`
//! read as `е`, Latin accents dropped (`Ermitaño` = `ermitano`), punctuation and runs of
//! spaces made one space, and a leading article (`the`, `el`, `la`, `los`, `las`) removed. A
//! query in the same form matches exactly, or else within a small edit distance: at most 1
//! for a name of up to 7 characters, at most 2 from 8 on (insertions, deletions,
//! substitutions and swaps of neighbours, each counting 1), and only when one card is strictly
//! closest. Queries longer than [`QUERY_MAX_CHARS`] are refused before any work.
//!
//! The edit distance is written here (a banded Damerau–Levenshtein over at most 64 characters)
//! rather than taken from a crate: it is twenty lines, the inputs are tiny, and a dependency
//! for it would add more to audit than it saves.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use crate::locale::Locale;

use super::deck::{Card, deck};

/// The longest query looked up, in characters.
pub const QUERY_MAX_CHARS: usize = 64;

/// The most card ids [`suggest`] returns.
pub const SUGGESTIONS_MAX: usize = 6;

/// Names of at least this many characters allow two typos instead of one.
const LONG_NAME_CHARS: usize = 8;

/// Queries shorter than this (after normalising) only match exactly.
const FUZZY_MIN_CHARS: usize = 3;

/// Articles dropped from the start of a name or query.
const ARTICLES: [&str; 5] = ["the", "el", "la", "los", "las"];

/// A card found by [`find_card`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardMatch {
    /// The card.
    pub card: &'static Card,
    /// The language of the name or alias that matched (the first, in [`Locale::ALL`] order,
    /// when several languages spell it alike).
    pub locale: Locale,
    /// Edits between the query and that name: 0 for an exact match.
    pub distance: usize,
}

/// One indexed name.
struct Entry {
    key: Vec<char>,
    id: u8,
    locale: Locale,
}

/// Every name and alias of every locale, normalised.
static INDEX: LazyLock<Vec<Entry>> = LazyLock::new(|| {
    let mut entries = Vec::new();
    for locale in Locale::ALL {
        for card in deck() {
            let text = card.text(locale);
            for name in std::iter::once(&text.name).chain(&text.aliases) {
                let key: Vec<char> = normalize(name).chars().collect();
                if !key.is_empty() && !entries.iter().any(|e: &Entry| e.id == card.id && e.key == key) {
                    entries.push(Entry { key, id: card.id, locale });
                }
            }
        }
    }
    entries
});

/// The card `query` names, in any locale: exactly, or with a typo or two when one card is
/// clearly closest. `None` when nothing or more than one card fits (see [`suggest`]).
#[must_use]
pub fn find_card(query: &str) -> Option<CardMatch> {
    let best = closest(query)?;
    let (&first, rest) = best.split_first()?;
    let tied = rest.first().is_some_and(|next| next.distance == first.distance);
    (!tied).then_some(first)
}

/// Up to [`SUGGESTIONS_MAX`] card ids for `query`, best first: the cards within the typo
/// allowance (closest first), then cards whose name starts with the query's words (`queen` →
/// the four queens). Empty when the query is refused or nothing is near.
#[must_use]
pub fn suggest(query: &str) -> Vec<u8> {
    let mut ids: Vec<u8> = closest(query).unwrap_or_default().iter().map(|m| m.card.id).collect();
    let q: Vec<char> = bounded(query).map(|q| normalize(q).chars().collect()).unwrap_or_default();
    if q.len() >= FUZZY_MIN_CHARS {
        for e in INDEX.iter() {
            let starts_a_word = e.key.get(q.len()).is_none_or(|&c| c == ' ');
            if e.key.starts_with(&q) && starts_a_word && !ids.contains(&e.id) {
                ids.push(e.id);
            }
        }
    }
    ids.truncate(SUGGESTIONS_MAX);
    ids
}

/// The query if it is short enough to look at.
fn bounded(query: &str) -> Option<&str> {
    // A cheap byte check first, so a huge input is refused without reading it.
    let fits = query.len() <= QUERY_MAX_CHARS * 4 && query.chars().nth(QUERY_MAX_CHARS).is_none();
    fits.then_some(query)
}

/// Per card, its closest name within the allowance; sorted by distance, then id.
fn closest(query: &str) -> Option<Vec<CardMatch>> {
    let q: Vec<char> = normalize(bounded(query)?).chars().collect();
    if q.is_empty() {
        return None;
    }
    let mut best: BTreeMap<u8, (usize, Locale)> = BTreeMap::new();
    for e in INDEX.iter() {
        let allowed = if q.len() < FUZZY_MIN_CHARS {
            0
        } else if e.key.len() >= LONG_NAME_CHARS {
            2
        } else {
            1
        };
        if let Some(d) = distance_within(&q, &e.key, allowed)
            && best.get(&e.id).is_none_or(|&(old, _)| d < old)
        {
            best.insert(e.id, (d, e.locale));
        }
    }
    let cards = deck();
    let mut found: Vec<CardMatch> = best
        .into_iter()
        .map(|(id, (distance, locale))| CardMatch { card: &cards[usize::from(id)], locale, distance })
        .collect();
    found.sort_by_key(|m| (m.distance, m.card.id));
    Some(found)
}

/// The normal form names and queries are compared in (see the module docs).
#[must_use]
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            // Combining marks: accents dropped, but a decomposed `й` (и + breve) kept as `й`.
            '\u{0306}' if out.ends_with('и') => {
                out.pop();
                out.push('й');
            }
            '\u{0300}'..='\u{036F}' => {}
            c if c.is_alphanumeric() => {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                out.push(fold(c));
            }
            _ => space = true,
        }
    }
    while let Some((first, rest)) = out.split_once(' ')
        && ARTICLES.contains(&first)
    {
        out = rest.to_owned();
    }
    out
}

/// One lower-case letter without its accent; `ё` as `е`.
fn fold(c: char) -> char {
    match c {
        'ё' => 'е',
        'á' | 'à' | 'â' | 'ä' | 'ã' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ñ' => 'n',
        'ç' => 'c',
        c => c,
    }
}

/// The optimal-string-alignment distance between `a` and `b` (Levenshtein plus swaps of
/// neighbours), or `None` once it must exceed `max`.
fn distance_within(a: &[char], b: &[char], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let n = b.len();
    let mut before: Vec<usize> = vec![0; n + 1];
    let mut previous: Vec<usize> = (0..=n).collect();
    let mut current: Vec<usize> = vec![0; n + 1];
    for i in 1..=a.len() {
        current[0] = i;
        let mut row_min = i;
        for j in 1..=n {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (previous[j] + 1).min(current[j - 1] + 1).min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            current[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    let d = previous[n];
    (d <= max).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn id(query: &str) -> Option<u8> {
        find_card(query).map(|m| m.card.id)
    }

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn no_two_cards_share_a_name_in_any_language() {
        let mut owner: HashMap<&[char], (u8, Locale)> = HashMap::new();
        for e in INDEX.iter() {
            if let Some(&(other, locale)) = owner.get(e.key.as_slice()) {
                assert_eq!(other, e.id, "{:?} names card {other} ({locale:?}) and {} ({:?})", e.key, e.id, e.locale);
            }
            owner.insert(&e.key, (e.id, e.locale));
        }
        // And every name finds its own card exactly.
        for locale in Locale::ALL {
            for card in deck() {
                let text = card.text(locale);
                for name in std::iter::once(&text.name).chain(&text.aliases) {
                    let m = find_card(name).unwrap_or_else(|| panic!("{name}"));
                    assert_eq!((m.card.id, m.distance), (card.id, 0), "{name}");
                }
            }
        }
    }

    #[test]
    fn forgives_case_spaces_articles_and_accents() {
        for (q, want) in [
            ("the fool", 0),
            ("  THE   Fool ", 0),
            ("Fool", 0),
            ("wheel-of-fortune", 10),
            ("the queen of cups", 48),
            ("Queen  of\tCups", 48),
            ("El Loco", 0),
            ("loco", 0),
            ("la luna", 18),
            ("LOS ENAMORADOS", 6),
            ("el ermitano", 9),
            ("Ermitaño", 9),
            ("Шут", 0),
            ("шут", 0),
            ("Королева Кубков", 48),
            ("Отшельник", 9),
            ("Колесо Фортуны", 10),
        ] {
            assert_eq!(id(q), Some(want), "{q:?}");
        }
        let m = find_card("El Loco").expect("found");
        assert_eq!((m.locale, m.distance), (Locale::Es, 0));
        assert_eq!(find_card("Шут").expect("found").locale, Locale::Ru);
    }

    #[test]
    fn russian_yo_and_ye_are_one_letter() {
        let with_yo: Vec<&str> =
            deck().iter().map(|c| c.name_in(Locale::Ru)).filter(|n| n.contains(['ё', 'Ё'])).collect();
        assert!(!with_yo.is_empty());
        for name in with_yo {
            let plain = name.replace('ё', "е").replace('Ё', "Е");
            assert_eq!(find_card(&plain).map(|m| m.distance), Some(0), "{plain}");
            assert_eq!(find_card(&plain).map(|m| m.card.name_in(Locale::Ru)), Some(name));
        }
        assert_eq!(normalize("ЁЛКА"), "елка");
        // A decomposed й (и + combining breve) is still й, and decomposed accents go.
        assert_eq!(normalize("и\u{0306}"), "й");
        assert_eq!(normalize("Ermitan\u{0303}o"), "ermitano");
    }

    #[test]
    fn typos_in_each_language() {
        for (q, want) in [
            // English: a letter missing, wrong, doubled or swapped.
            ("the foll", 0),
            ("Magican", 1),
            ("hight priestess", 2),
            ("Temperence", 14),
            ("Jugdement", 20),
            ("ace of swrods", 50),
            ("Knight of Pentacels", 75),
            // Russian.
            ("Отшельнк", 9),
            ("Императрца", 3),
            ("Колесо Фортны", 10),
            ("Туз Мчей", 50),
            ("Кароль Кубков", 49),
            // Spanish.
            ("La Emperatris", 3),
            ("el ermitanyo", 9),
            ("la torr", 16),
            ("Reina de Copsa", 48),
            ("Cabalero de Oros", 75),
        ] {
            let m = find_card(q).unwrap_or_else(|| panic!("{q:?} finds nothing; suggestions {:?}", suggest(q)));
            assert_eq!(m.card.id, want, "{q:?}");
            assert!(m.distance > 0, "{q:?}");
        }
    }

    #[test]
    fn too_far_ambiguous_or_bounded_finds_nothing() {
        // Two edits on a short name; three on a long one.
        for q in ["fxxl", "Тшт", "Kinq of Wandzz", "", "   ", "the", "!!", "xyz"] {
            assert_eq!(find_card(q), None, "{q:?}");
        }
        assert_eq!(id("Two of Cupz"), Some(37));
        // "fol" is one edit from Fool and from Sol (the Spanish Sun): a tie, so only suggestions.
        assert_eq!(find_card("the fol"), None);
        assert_eq!(suggest("the fol")[..2], [0, 19]);
        // Двойка / Тройка differ in two letters: halfway between is a tie.
        assert_eq!(find_card("Дройка Кубков"), None);
        let tied = suggest("Дройка Кубков");
        assert_eq!(tied, vec![37, 38], "{tied:?}");
        // Over-long input is refused before any work, even if it ends in a name.
        let long = format!("{}the fool", " ".repeat(QUERY_MAX_CHARS));
        assert_eq!(find_card(&long), None);
        assert_eq!(suggest(&long), Vec::<u8>::new());
        assert_eq!(find_card(&"ж".repeat(10_000)), None);
        assert_eq!(id(&format!("{}fool", " ".repeat(QUERY_MAX_CHARS - 4))), Some(0));
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("queen"), vec![34, 48, 62, 76]);
        assert_eq!(suggest("королева"), vec![34, 48, 62, 76]);
        assert_eq!(suggest("Reina"), vec![34, 48, 62, 76]);
        assert_eq!(suggest("ace")[..4], [22, 36, 50, 64]);
        assert!(suggest("zzzzzz").is_empty());
        assert!(suggest("a").is_empty());
        assert!(suggest("ace").len() <= SUGGESTIONS_MAX);
    }

    #[test]
    fn edit_distance() {
        let d = |a: &str, b: &str, max| distance_within(&chars(a), &chars(b), max);
        assert_eq!(d("", "", 0), Some(0));
        assert_eq!(d("fool", "fool", 0), Some(0));
        assert_eq!(d("fol", "fool", 1), Some(1));
        assert_eq!(d("fool", "foll", 1), Some(1));
        assert_eq!(d("fool", "ofol", 1), Some(1), "a swap is one edit");
        assert_eq!(d("kitten", "sitting", 3), Some(3));
        assert_eq!(d("kitten", "sitting", 2), None);
        assert_eq!(d("a", "abcd", 2), None);
        assert_eq!(d("шут", "шут", 0), Some(0));
        assert_eq!(d("шут", "шот", 1), Some(1));
    }

    proptest! {
        #[test]
        fn any_input_is_safe_and_bounded(q in any::<String>()) {
            let found = find_card(&q);
            let suggested = suggest(&q);
            prop_assert!(suggested.len() <= SUGGESTIONS_MAX);
            if let Some(m) = found {
                prop_assert!(q.chars().count() <= QUERY_MAX_CHARS);
                prop_assert_eq!(suggested.first(), Some(&m.card.id));
            }
            let n = normalize(&q);
            prop_assert_eq!(normalize(&n), n.clone());
            prop_assert!(!n.starts_with(' ') && !n.ends_with(' ') && !n.contains("  "));
        }

        #[test]
        fn one_typo_finds_the_card_or_suggests_it(
            id in 0u8..78,
            which in 0usize..3,
            at in any::<prop::sample::Index>(),
            c in "[a-zа-я]",
        ) {
            let name = normalize(deck()[usize::from(id)].name_in(Locale::ALL[which]));
            let mut letters: Vec<char> = name.chars().collect();
            let i = at.index(letters.len());
            prop_assume!(letters[i] != ' ');
            letters[i] = c.chars().next().expect("a letter");
            let typo: String = letters.into_iter().collect();
            // The typo may turn a first word into an article ("dos" → "los"): not a typo test.
            prop_assume!(normalize(&typo) == typo);
            match find_card(&typo) {
                // Another card only when the typo happens to spell its name.
                Some(m) => prop_assert!(m.card.id == id || m.distance == 0, "{} -> {}", typo, m.card.id),
                None => prop_assert!(suggest(&typo).contains(&id), "{}", typo),
            }
        }
    }
}
