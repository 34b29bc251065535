//! English wording.

use super::types::{AnswerWording, CardWording, Counted, SpreadWording, Spreads, SuitWording, SummaryWording, Wording};

/// English.
pub(super) static EN: Wording = Wording {
    reversed: "reversed",
    spreads: Spreads {
        one: SpreadWording { name: "One card", positions: &["The card"], framings: &["Its message for you:"] },
        three: SpreadWording {
            name: "Three cards",
            positions: &["Past", "Present", "Future"],
            framings: &["What lies behind you:", "Where you stand now:", "Where this is heading:"],
        },
        celtic_cross: SpreadWording {
            name: "Celtic Cross",
            positions: &[
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
            framings: &[
                "At the centre of it all:",
                "What stands in your way:",
                "What lies underneath:",
                "What is already slipping away:",
                "The best this could become:",
                "What is on its way:",
                "How you meet this:",
                "What the people around you bring:",
                "What you hope for, or dread:",
                "Where it all leads:",
            ],
        },
        love: SpreadWording {
            name: "Love",
            positions: &["You", "The other person", "The bond between you", "What helps", "Where it is heading"],
            framings: &[
                "What you bring to this:",
                "What they bring:",
                "What connects you:",
                "What works in your favour:",
                "Where the two of you are going:",
            ],
        },
        career: SpreadWording {
            name: "Career",
            positions: &["The situation", "Your strengths", "The obstacle", "Advice", "Outcome"],
            framings: &[
                "Where your work stands now:",
                "What you can rely on:",
                "What holds you back:",
                "What to do about it:",
                "Where this is likely to end up:",
            ],
        },
        decision: SpreadWording {
            name: "Decision",
            positions: &[
                "The heart of the choice",
                "Path A",
                "Where path A leads",
                "Path B",
                "Where path B leads",
                "Advice",
            ],
            framings: &[
                "What this choice is really about:",
                "If you take the first path:",
                "Where it would take you:",
                "If you take the second path:",
                "Where that one would take you:",
                "What will help you choose:",
            ],
        },
        yes_no: SpreadWording { name: "Yes or no", positions: &["Your card"], framings: &["What the card says:"] },
    },
    summary: SummaryWording {
        heading: "The overall picture",
        only_minors: "Only minor arcana here: this is about everyday matters, and most of it is in your hands.",
        all_majors: "Every card is a major arcana: life is turning a page, and the big lessons matter more than \
                     the details right now.",
        mostly_majors: Counted {
            one: "{n} of the {total} cards is a major arcana: larger forces are at work, and this is less about \
                  small choices than about a turning point you are living through.",
            few: "{n} of the {total} cards are major arcana: larger forces are at work, and this is less about \
                  small choices than about a turning point you are living through.",
            many: "{n} of the {total} cards are major arcana: larger forces are at work, and this is less about \
                   small choices than about a turning point you are living through.",
            other: "{n} of the {total} cards are major arcana: larger forces are at work, and this is less about \
                    small choices than about a turning point you are living through.",
        },
        some_majors: Counted {
            one: "One major arcana among the minor cards: it marks the theme that matters most, while the rest is \
                  everyday detail you can shape.",
            few: "{n} major arcana among the minor cards: they mark the themes that matter most, while the rest \
                  is everyday detail you can shape.",
            many: "{n} major arcana among the minor cards: they mark the themes that matter most, while the rest \
                   is everyday detail you can shape.",
            other: "{n} major arcana among the minor cards: they mark the themes that matter most, while the rest \
                    is everyday detail you can shape.",
        },
        single_major: "A major arcana card: this touches something bigger than the day's business, a lesson or a \
                       turning point.",
        suits: [
            SuitWording {
                suit_of: "suit of Wands",
                dominant: "Wands lead the spread, the suit of fire: drive, ambition and the urge to act set the \
                           pace, so the momentum is yours if you aim it well.",
                single: "A card of Wands, the suit of fire: this is about energy, drive and what you want to set \
                         in motion.",
            },
            SuitWording {
                suit_of: "suit of Cups",
                dominant: "Cups lead the spread, the suit of water: feelings and relationships are at the centre, \
                           so listen to what your heart keeps telling you.",
                single: "A card of Cups, the suit of water: this is about feelings and the people close to you.",
            },
            SuitWording {
                suit_of: "suit of Swords",
                dominant: "Swords lead the spread, the suit of air: thoughts, words and tension dominate, so a clear \
                           head and an honest conversation will help most.",
                single: "A card of Swords, the suit of air: this is about thoughts, words and decisions, and \
                         sometimes a conflict.",
            },
            SuitWording {
                suit_of: "suit of Pentacles",
                dominant: "Pentacles lead the spread, the suit of earth: money, work, health and practical steps \
                           decide how this unfolds.",
                single: "A card of Pentacles, the suit of earth: this is about money, work, the body and practical \
                         matters.",
            },
        ],
        none_reversed: "All the cards are upright: the energy flows freely, and nothing here is fundamentally \
                        blocked.",
        some_reversed: Counted {
            one: "One card is reversed: that is where something is held back, delayed or turned inward, so give \
                  it extra attention.",
            few: "{n} cards are reversed: those are the places where something is held back, delayed or turned \
                  inward, so give them extra attention.",
            many: "{n} cards are reversed: those are the places where something is held back, delayed or turned \
                   inward, so give them extra attention.",
            other: "{n} cards are reversed: those are the places where something is held back, delayed or turned \
                    inward, so give them extra attention.",
        },
        mostly_reversed: Counted {
            one: "{n} of the {total} cards is reversed: much is blocked or still ripening inside you, so work on \
                  what holds you back before you push ahead.",
            few: "{n} of the {total} cards are reversed: much is blocked or still ripening inside you, so work on \
                  what holds you back before you push ahead.",
            many: "{n} of the {total} cards are reversed: much is blocked or still ripening inside you, so work on \
                   what holds you back before you push ahead.",
            other: "{n} of the {total} cards are reversed: much is blocked or still ripening inside you, so work \
                    on what holds you back before you push ahead.",
        },
        single_upright: "It comes upright: its message is direct, and its energy is free to act.",
        single_reversed: "It comes reversed: its energy is blocked, delayed or turned inward, so start with what \
                          holds it back.",
    },
    answer: AnswerWording {
        heading: "Answer",
        yes: "yes",
        no: "no",
        maybe: "maybe",
        yes_upright: "The card leans towards yes: the way is open, so go ahead with confidence.",
        yes_reversed: "A card that says yes, but it came reversed: it can work out once you deal with what stands \
                       in the way. For now the answer is maybe.",
        maybe_upright: "This card does not settle the question: the outcome still depends on circumstances, or on \
                        your next step. Ask again once things move.",
        maybe_reversed: "An uncertain card, and reversed: for now it is rather a no. Wait until the picture \
                         clears.",
        no_upright: "The card leans towards no: not this way, or not now. Look at what it suggests instead.",
        no_reversed: "A card that says no, reversed: the answer is still no, though the hardest part may already \
                      be passing.",
    },
    card: CardWording {
        major: "Major arcana, number {n}",
        minor: "Minor arcana, {suit}",
        element: "Element: {element}",
        elements: ["fire", "water", "air", "earth"],
        upright: "Upright",
        reversed: "Reversed",
        yes_no: "Yes or no: {up} upright, {rev} reversed.",
    },
};
