//! Tarot: the 78-card deck, its texts in three languages, secure draws, spreads, questions,
//! card lookup and rendered readings.
//!
//! Everything here is pure library code with no bot wiring:
//!
//! - [`deck()`] — the 78 cards' facts (22 major, 56 minor arcana; element, yes/no
//!   [`Leaning`]); [`Card::text`] gives a card's name, aliases, keywords and meanings in a
//!   [`Locale`](crate::locale::Locale), from the writers' TOML files (`cards/*.toml`);
//! - [`find_card`] and [`suggest`] — a card by any language's name or alias, forgiving case,
//!   articles, `ё`/`е`, accents and small typos;
//! - [`draw()`] — `n` distinct cards from a cryptographically secure RNG (partial Fisher–Yates
//!   with unbiased rejection sampling), each reversed with probability one half, or never
//!   ([`DrawOptions`]); [`draw_with`] and [`shuffle`] take any `u32` source, for tests;
//! - [`Spread`] — one card, three cards, the Celtic Cross, and the themed love, career,
//!   decision and yes/no spreads, with names, positions and framing phrases per locale;
//! - [`question()`] and [`DrawRequest`] — the user's optional question, sanitised to one
//!   bounded line;
//! - [`Reading`] and [`StoredReading`] — a drawn reading and its serialisable history form;
//! - [`summary()`] — a reading's summary paragraph (or a yes/no answer);
//! - [`render_html_in`], [`render_html`] (English) and [`render_card_html`] — Telegram HTML
//!   for a reading and for a card's page, user text escaped, within one message.
//!
//! Files depend one way: `nature` ← `deck` ← `cards` ← `lookup`; `deck` ← `draw` ←
//! `reading` ← `summary` ← `render`; `wording` (texts around the cards) ← `spread` ←
//! `question` ← `reading`. None imports a file that imports it.

mod cards;
mod deck;
mod draw;
mod lookup;
mod nature;
mod question;
mod reading;
mod render;
mod spread;
mod summary;
mod wording;

pub use cards::{
    ALIASES_MAX, CardText, KEYWORD_MAX_CHARS, KEYWORDS, MEANING_MAX_CHARS, MEANING_MIN_CHARS, NAME_MAX_CHARS,
    TextsError, check_texts, texts,
};
pub use deck::{Arcana, Card, DECK_SIZE, MAJOR_COUNT, Rank, Suit, card, deck};
pub use draw::{DrawError, DrawOptions, Drawn, draw, draw_with, draw_with_options, shuffle};
pub use lookup::{CardMatch, QUERY_MAX_CHARS, SUGGESTIONS_MAX, find_card, normalize, suggest};
pub use nature::{Element, Leaning};
pub use question::{DrawRequest, QUESTION_MAX_CHARS, question};
pub use reading::{Reading, StoredReading, StoredReadingError};
pub use render::{
    Form, MESSAGE_MAX_CHARS, READING_MAX_CHARS, escape, first_sentence, form_for, opening, render_card_html,
    render_form, render_html, render_html_in, telegram_len,
};
pub use spread::Spread;
pub use summary::{leading_suit, summary, yes_no_answer};
