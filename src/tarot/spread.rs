//! Spreads: how many cards are laid out and what each position means.

/// A layout of cards, each position with its own meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Spread {
    /// A single card.
    One,
    /// Past, present, future.
    Three,
    /// The ten-card Celtic Cross.
    CelticCross,
}

impl Spread {
    /// Every spread, smallest first.
    pub const ALL: [Spread; 3] = [Spread::One, Spread::Three, Spread::CelticCross];

    /// The name of each position, in the order the cards are laid out.
    #[must_use]
    pub const fn positions(self) -> &'static [&'static str] {
        match self {
            Spread::One => &["The card"],
            Spread::Three => &["Past", "Present", "Future"],
            Spread::CelticCross => &[
                "The heart of the matter",
                "What crosses you",
                "The roots below",
                "What is passing",
                "What could be",
                "What comes next",
                "Yourself",
                "Those around you",
                "Hopes and fears",
                "Where this leads",
            ],
        }
    }

    /// How many cards the spread uses.
    #[must_use]
    pub const fn card_count(self) -> usize {
        self.positions().len()
    }

    /// A human-readable name, e.g. `"Celtic Cross"`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Spread::One => "One card",
            Spread::Three => "Three cards",
            Spread::CelticCross => "Celtic Cross",
        }
    }

    /// A stable machine key (`one`, `three`, `celtic_cross`), used in stored history; always
    /// accepted by [`Spread::parse`].
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            Spread::One => "one",
            Spread::Three => "three",
            Spread::CelticCross => "celtic_cross",
        }
    }

    /// Parses a spread word, ignoring ASCII case: `one`, `single`, `1`; `three`, `3`;
    /// `celtic`, `cross`, `celtic_cross`, `10`.
    #[must_use]
    pub fn parse(word: &str) -> Option<Spread> {
        // Longest accepted word is 12 bytes; refuse anything longer before lowercasing.
        if word.len() > 12 {
            return None;
        }
        match word.to_ascii_lowercase().as_str() {
            "one" | "single" | "1" => Some(Spread::One),
            "three" | "3" => Some(Spread::Three),
            "celtic" | "cross" | "celtic_cross" | "10" => Some(Spread::CelticCross),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_counts() {
        assert_eq!(Spread::One.positions(), ["The card"]);
        assert_eq!(Spread::Three.positions(), ["Past", "Present", "Future"]);
        assert_eq!(Spread::CelticCross.card_count(), 10);
        for s in Spread::ALL {
            let unique: std::collections::HashSet<_> = s.positions().iter().collect();
            assert_eq!(unique.len(), s.card_count());
            assert_eq!(Spread::parse(s.key()), Some(s));
            assert!(!s.name().is_empty());
        }
    }

    #[test]
    fn parses_words_case_insensitively() {
        for w in ["one", "ONE", "Single", "1"] {
            assert_eq!(Spread::parse(w), Some(Spread::One), "{w}");
        }
        for w in ["three", "Three", "3"] {
            assert_eq!(Spread::parse(w), Some(Spread::Three), "{w}");
        }
        for w in ["celtic", "CROSS", "Celtic_Cross", "10"] {
            assert_eq!(Spread::parse(w), Some(Spread::CelticCross), "{w}");
        }
        for w in ["", "two", "01", " one", "one ", "celtic cross", "ｏｎｅ", "celtic_crosss"] {
            assert_eq!(Spread::parse(w), None, "{w:?}");
        }
    }
}
