//! Tarot: the 78-card deck, secure draws, spreads, questions and rendered readings.
//!
//! Everything here is pure library code with no bot wiring:
//!
//! - [`deck()`] — the 78 cards (22 major, 56 minor arcana), each with a short upright and
//!   reversed meaning written for this project;
//! - [`draw()`] — `n` distinct cards from a cryptographically secure RNG (partial Fisher–Yates
//!   with unbiased rejection sampling), each reversed with probability one half;
//!   [`draw_with`] is the same shuffle over any `u32` source, for deterministic tests;
//! - [`Spread`] — one card, three cards (past / present / future) and the Celtic Cross;
//! - [`question()`] and [`DrawRequest`] — the user's optional question, sanitised to one
//!   bounded line;
//! - [`Reading`], [`StoredReading`] and [`render_html`] — a drawn reading, its serialisable
//!   history form, and its Telegram HTML message (user text escaped, under 4096 characters).

mod deck;
mod deck_major;
mod deck_minor;
mod draw;
mod question;
mod reading;
mod spread;

pub use deck::{Arcana, Card, DECK_SIZE, MEANING_MAX_CHARS, Rank, Suit, card, deck};
pub use draw::{DrawError, Drawn, draw, draw_with};
pub use question::{DrawRequest, QUESTION_MAX_CHARS, question};
pub use reading::{MESSAGE_MAX_CHARS, Reading, StoredReading, StoredReadingError, escape, render_html};
pub use spread::Spread;
