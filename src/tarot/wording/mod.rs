//! The words around the cards, per locale: spread and position names, the phrase that frames
//! each position's card, the summary's sentences, the yes/no answers and the labels of a card's
//! page. The card texts themselves are in [`cards`](super::cards).
//!
//! They are Rust constants rather than TOML so that a missing text is a compile error, not a
//! fallback at run time: one file per locale (`en.rs`, `ru.rs`, `es.rs`) fills the same
//! [`Wording`] struct (`types.rs`), and `select.rs` picks one. Counted phrases carry one form
//! per CLDR plural category ([`Counted`]) and placeholders in braces (`{n}`, `{total}`),
//! filled by [`fill`].

mod en;
mod es;
mod ru;
mod select;
mod types;

pub use select::wording;
#[cfg(test)]
pub use types::Counted;
pub use types::{SpreadWording, Wording, fill};
