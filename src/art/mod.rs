//! Card art drawn by arcana's own code: every one of the 78 faces built from the card's
//! identity, and the spread picture sent in the chat.
//!
//! - [`face`] — a card's face: pips laid out by rank, a crest for each court rank, an emblem
//!   and roman numeral for each major arcana card; as SVG ([`face_svg`], and [`sprite`] with
//!   all 78 for the Mini App);
//! - [`spread_png`] — a reading's cards laid out as its spread, rasterised to PNG.
//!
//! Files depend one way: `scene` (the drawing model) ← `emblems`, `majors` ← `face` ←
//! `layout` ← `picture`. Nothing here reads a file or the network: the art is code.

mod emblems;
pub mod face;
mod layout;
mod majors;
mod picture;
mod scene;

pub use face::{HEIGHT, WIDTH, sprite, svg as face_svg};
pub use layout::{Place, places};
pub use picture::{PictureError, spread_png};
