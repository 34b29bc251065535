//! The user's optional question, and the arguments of a draw command
//! (`/draw three What should I focus on?`).
//!
//! Questions are plain text squeezed onto one clean line by the sentinel's
//! [`single_line`](crate::sanitize::single_line): no controls, bidi overrides or
//! invisible characters, whitespace collapsed, at most [`QUESTION_MAX_CHARS`] characters. They
//! still have to be escaped for the reply's parse mode, which
//! [`render_html`](super::render_html) does.

use crate::sanitize::single_line;

use super::spread::Spread;

/// Upper bound on a question's length, in characters.
pub const QUESTION_MAX_CHARS: usize = 200;

/// Sanitises a question to one clean line of at most [`QUESTION_MAX_CHARS`] characters;
/// `None` when nothing visible is left. Idempotent.
#[must_use]
pub fn question(raw: &str) -> Option<String> {
    let line = single_line(raw, QUESTION_MAX_CHARS);
    (!line.is_empty()).then_some(line)
}

/// What a user asked for with a draw command: a spread and an optional question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawRequest {
    /// The spread; [`Spread::One`] when the arguments do not start with a spread word.
    pub spread: Spread,
    /// The sanitised question, if any.
    pub question: Option<String>,
}

impl DrawRequest {
    /// Parses a draw command's free-text arguments (what follows `/draw`).
    ///
    /// If the first word is a [spread word](Spread::parse) it picks the spread and the rest is
    /// the question; otherwise the spread is a single card and all of the text is the question.
    #[must_use]
    pub fn parse(args: &str) -> DrawRequest {
        // Enough for the longest spread word, a space and a full question.
        let line = single_line(args, QUESTION_MAX_CHARS + 16);
        let (first, rest) = line.split_once(' ').unwrap_or((line.as_str(), ""));
        match Spread::parse(first) {
            Some(spread) => DrawRequest { spread, question: question(rest) },
            None => DrawRequest { spread: Spread::One, question: question(&line) },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sanitize::is_clean;
    use proptest::prelude::*;

    #[test]
    fn empty_and_invisible_questions_are_none() {
        assert_eq!(question(""), None);
        assert_eq!(question("  \n\t "), None);
        assert_eq!(question("\u{200B}\u{202E}\u{0007}"), None);
    }

    #[test]
    fn removes_controls_and_bidi_and_collapses_lines() {
        assert_eq!(question("  What\u{202E}  should\nI\u{0000} do?\u{200F} ").as_deref(), Some("What should I do?"));
    }

    #[test]
    fn bounded_to_two_hundred_characters() {
        let q = question(&"é".repeat(1_000)).expect("some");
        assert_eq!(q.chars().count(), QUESTION_MAX_CHARS);
    }

    #[test]
    fn draw_request_parsing() {
        let r = DrawRequest::parse("three What should I focus on?");
        assert_eq!(r.spread, Spread::Three);
        assert_eq!(r.question.as_deref(), Some("What should I focus on?"));

        let r = DrawRequest::parse("  CELTIC\u{200B}  ");
        assert_eq!(r.spread, Spread::CelticCross);
        assert_eq!(r.question, None);

        let r = DrawRequest::parse("Will it rain?");
        assert_eq!(r.spread, Spread::One);
        assert_eq!(r.question.as_deref(), Some("Will it rain?"));

        assert_eq!(DrawRequest::parse(""), DrawRequest { spread: Spread::One, question: None });

        let long = format!("cross {}", "x".repeat(500));
        let r = DrawRequest::parse(&long);
        assert_eq!(r.spread, Spread::CelticCross);
        assert_eq!(r.question.expect("q").len(), QUESTION_MAX_CHARS);
    }

    proptest! {
        #[test]
        fn questions_are_clean_bounded_and_idempotent(raw in any::<String>()) {
            if let Some(q) = question(&raw) {
                prop_assert!(q.chars().count() <= QUESTION_MAX_CHARS);
                prop_assert!(is_clean(&q));
                prop_assert!(!q.contains('\n'));
                prop_assert_eq!(question(&q), Some(q.clone()));
            }
            if let Some(q) = DrawRequest::parse(&raw).question {
                prop_assert!(q.chars().count() <= QUESTION_MAX_CHARS);
                prop_assert!(is_clean(&q));
            }
        }
    }
}
