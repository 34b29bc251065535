//! The spread picture sent in the chat: the reading's faces laid out as the spread lies
//! ([`super::layout`]), on a dark cloth, rasterised to PNG.
//!
//! Rasteriser: [`tiny_skia`] (with its `png-format` feature), because the faces are already
//! paths in arcana's own model ([`super::scene`]): drawing them straight onto a pixmap needs
//! no SVG parser, so `resvg`/`usvg` and their XML, CSS, text and font stacks stay out of the
//! binary. The picture carries no text, so no font file is needed.

// Geometry reads best with the usual short names: x, y, w, h, r, and a, b, c, d for controls.
#![allow(clippy::many_single_char_names)]

use tiny_skia::{Color, FillRule, LineCap, LineJoin, Paint, PathBuilder, Pixmap, Stroke, Transform};

use crate::tarot::Reading;

use super::{
    face::{HEIGHT, WIDTH, scene},
    layout::{Place, places},
    scene::{Ink, Scene, Seg},
};

/// Room around the cards, in face units.
const MARGIN: f32 = 28.0;
/// The picture's longer side aims at this many pixels (scale capped at [`MAX_SCALE`]).
const TARGET_PX: f32 = 1100.0;
/// Pixels per face unit at most (a single card is not blown up past this).
const MAX_SCALE: f32 = 2.0;

/// The cloth under the cards.
const CLOTH: [u8; 3] = [0x24, 0x1e, 0x35];
/// The paper of the cards.
const PAPER: [u8; 3] = [0xfb, 0xf6, 0xea];
/// The lines on them.
const LINE: [u8; 3] = [0x2a, 0x22, 0x33];

/// Why a picture could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PictureError {
    /// The computed picture has no pixels or is too large.
    #[error("the picture's size is out of range")]
    Size,
    /// PNG encoding failed.
    #[error("cannot encode the picture as PNG: {0}")]
    Encode(String),
}

/// The reading's spread as a PNG: each card in its place, reversed cards turned.
pub fn spread_png(reading: &Reading) -> Result<Vec<u8>, PictureError> {
    let places = places(reading.spread);
    let turns: Vec<(Place, bool)> = places.into_iter().zip(reading.cards.iter().map(|d| d.reversed)).collect();
    // The bounds of every card, turned.
    let (mut min_x, mut min_y, mut max_x, mut max_y) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for (p, _) in &turns {
        let (hw, hh) =
            if (p.turn % 180.0).abs() > 1.0 { (HEIGHT / 2.0, WIDTH / 2.0) } else { (WIDTH / 2.0, HEIGHT / 2.0) };
        min_x = min_x.min(p.x - hw);
        max_x = max_x.max(p.x + hw);
        min_y = min_y.min(p.y - hh);
        max_y = max_y.max(p.y + hh);
    }
    let (w_units, h_units) = (max_x - min_x + 2.0 * MARGIN, max_y - min_y + 2.0 * MARGIN);
    let scale = (TARGET_PX / w_units.max(h_units)).min(MAX_SCALE);
    let (width, height) = ((w_units * scale).ceil(), (h_units * scale).ceil());
    if !(1.0..=4096.0).contains(&width) || !(1.0..=4096.0).contains(&height) {
        return Err(PictureError::Size);
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let mut pixmap = Pixmap::new(width as u32, height as u32).ok_or(PictureError::Size)?;
    pixmap.fill(Color::from_rgba8(CLOTH[0], CLOTH[1], CLOTH[2], 255));
    let origin = Transform::from_scale(scale, scale).pre_translate(MARGIN - min_x, MARGIN - min_y);
    for ((place, reversed), drawn) in turns.iter().zip(&reading.cards) {
        let turn = place.turn + if *reversed { 180.0 } else { 0.0 };
        let card = origin.pre_translate(place.x, place.y).pre_rotate(turn).pre_translate(-WIDTH / 2.0, -HEIGHT / 2.0);
        let under = origin
            .pre_translate(place.x + 3.0, place.y + 4.0)
            .pre_rotate(turn)
            .pre_translate(-WIDTH / 2.0, -HEIGHT / 2.0);
        shadow(&mut pixmap, under);
        draw(&mut pixmap, &scene(drawn.card), card);
    }
    pixmap.encode_png().map_err(|e| PictureError::Encode(e.to_string()))
}

/// A soft shadow under a card.
fn shadow(pixmap: &mut Pixmap, card: Transform) {
    let mut paint = Paint::default();
    paint.set_color_rgba8(0, 0, 0, 70);
    if let Some(r) = tiny_skia::Rect::from_xywh(1.5, 1.5, WIDTH - 3.0, HEIGHT - 3.0) {
        pixmap.fill_rect(r, &paint, card, None);
    }
}

fn rgb(ink: Ink) -> [u8; 3] {
    match ink {
        Ink::Line => LINE,
        Ink::Paper => PAPER,
        Ink::Accent(a) => a.rgb(),
    }
}

/// Paints `scene` with `transform`.
pub fn draw(pixmap: &mut Pixmap, scene: &Scene, transform: Transform) {
    for item in &scene.items {
        let Some(path) = path(&item.segs) else { continue };
        if let Some((ink, opacity)) = item.style.fill {
            let [r, g, b] = rgb(ink);
            let mut paint = Paint::default();
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            paint.set_color_rgba8(r, g, b, (opacity.clamp(0.0, 1.0) * 255.0).round() as u8);
            pixmap.fill_path(&path, &paint, FillRule::EvenOdd, transform, None);
        }
        if let Some((ink, width)) = item.style.stroke {
            let [r, g, b] = rgb(ink);
            let mut paint = Paint::default();
            paint.set_color_rgba8(r, g, b, 255);
            let stroke = Stroke { width, line_cap: LineCap::Round, line_join: LineJoin::Round, ..Stroke::default() };
            pixmap.stroke_path(&path, &paint, &stroke, transform, None);
        }
    }
}

fn path(segs: &[Seg]) -> Option<tiny_skia::Path> {
    let mut pb = PathBuilder::new();
    for seg in segs {
        match *seg {
            Seg::Move(x, y) => pb.move_to(x, y),
            Seg::Line(x, y) => pb.line_to(x, y),
            Seg::Quad(a, b, x, y) => pb.quad_to(a, b, x, y),
            Seg::Cubic(a, b, c, d, x, y) => pb.cubic_to(a, b, c, d, x, y),
            Seg::Close => pb.close(),
        }
    }
    pb.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tarot::{Drawn, Spread, deck};

    fn reading(spread: Spread) -> Reading {
        let cards: Vec<Drawn> = deck()
            .iter()
            .step_by(7)
            .take(spread.card_count())
            .enumerate()
            .map(|(i, card)| Drawn { card, reversed: i % 2 == 1 })
            .collect();
        Reading { spread, question: None, cards }
    }

    #[test]
    fn every_spread_becomes_a_png_of_plausible_size() {
        for spread in Spread::ALL {
            let png = spread_png(&reading(spread)).expect("png");
            assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{spread:?}");
            let width = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
            let height = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
            assert!((200..=1200).contains(&width) && (200..=1200).contains(&height), "{spread:?}: {width}×{height}");
        }
    }
}
