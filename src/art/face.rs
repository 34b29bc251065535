//! A card's face from its identity: the frame (a double border in gold for the major arcana,
//! in the suit's colour for the minor), then the pips laid out by rank for Ace to Ten (wands
//! and swords in the lower half turned, as on playing cards), the crest over a large suit sign for a court
//! card, or the emblem over its roman numeral for a major arcana card.
//!
//! A face is 120 × 180 units ([`WIDTH`] × [`HEIGHT`]); [`svg`] writes one card as a standalone
//! SVG document and [`sprite`] all 78 as `<symbol id="card-N">` in one document, which the
//! Mini App loads once and uses per card.

// Geometry reads best with the usual short names: x, y, w, h, r, and a, b, c, d for controls.
#![allow(clippy::many_single_char_names)]

use std::{fmt::Write as _, sync::OnceLock};

use crate::tarot::{Arcana, Card, Rank, Suit, deck};

use super::{
    emblems::{accent, court_crest, suit_sign},
    majors::{emblem, numeral},
    scene::{Accent, Ink, Path, Pen, Scene, filled, stroked},
};

/// A face's width in scene units.
pub const WIDTH: f32 = 120.0;
/// A face's height in scene units.
pub const HEIGHT: f32 = 180.0;

/// The line width of outlines, in scene units.
const LINE: f32 = 1.6;

/// Where the pips of ranks Ace to Ten sit (centres), in scene units.
fn pip_centres(rank: Rank) -> &'static [(f32, f32)] {
    const L: f32 = 37.0;
    const C: f32 = 60.0;
    const R: f32 = 83.0;
    match rank {
        Rank::Ace => &[(C, 90.0)],
        Rank::Two => &[(C, 46.0), (C, 134.0)],
        Rank::Three => &[(C, 40.0), (C, 90.0), (C, 140.0)],
        Rank::Four => &[(L, 46.0), (R, 46.0), (L, 134.0), (R, 134.0)],
        Rank::Five => &[(L, 44.0), (R, 44.0), (C, 90.0), (L, 136.0), (R, 136.0)],
        Rank::Six => &[(L, 40.0), (R, 40.0), (L, 90.0), (R, 90.0), (L, 140.0), (R, 140.0)],
        Rank::Seven => &[(L, 40.0), (R, 40.0), (C, 65.0), (L, 90.0), (R, 90.0), (L, 140.0), (R, 140.0)],
        Rank::Eight => &[(L, 40.0), (R, 40.0), (C, 65.0), (L, 90.0), (R, 90.0), (C, 115.0), (L, 140.0), (R, 140.0)],
        Rank::Nine => {
            &[(L, 36.0), (R, 36.0), (L, 72.0), (R, 72.0), (C, 90.0), (L, 108.0), (R, 108.0), (L, 144.0), (R, 144.0)]
        }
        Rank::Ten => &[
            (L, 36.0),
            (R, 36.0),
            (C, 54.0),
            (L, 72.0),
            (R, 72.0),
            (L, 108.0),
            (R, 108.0),
            (C, 126.0),
            (L, 144.0),
            (R, 144.0),
        ],
        Rank::Page | Rank::Knight | Rank::Queen | Rank::King => &[],
    }
}

/// The scale of one pip (its local box is 20 units) for a rank.
fn pip_scale(rank: Rank) -> f32 {
    match rank {
        Rank::Ace => 2.6,
        Rank::Two | Rank::Three => 1.6,
        Rank::Four => 1.5,
        Rank::Five | Rank::Six => 1.35,
        Rank::Seven | Rank::Eight => 1.25,
        _ => 1.1,
    }
}

/// The card's accent colour.
#[must_use]
pub fn card_accent(card: &Card) -> Accent {
    card.suit().map_or(Accent::Major, accent)
}

/// The drawing of `card`'s face, upright, in a 120 × 180 box.
#[must_use]
pub fn scene(card: &Card) -> Scene {
    let mut scene = Scene::default();
    let tint = Ink::Accent(card_accent(card));
    let pen = Pen::at(0.0, 0.0, 1.0);
    // The paper and its outline, then the inner border; the major arcana get a second one.
    scene.push(Path::new(pen).rect(1.5, 1.5, WIDTH - 3.0, HEIGHT - 3.0, 9.0).paint(filled(Ink::Paper, LINE)));
    scene.push(Path::new(pen).rect(8.0, 8.0, WIDTH - 16.0, HEIGHT - 16.0, 5.0).paint(stroked(tint, 2.2)));
    match card.arcana {
        Arcana::Major(n) => {
            scene.push(Path::new(pen).rect(11.5, 11.5, WIDTH - 23.0, HEIGHT - 23.0, 3.5).paint(stroked(tint, 0.9)));
            emblem(&mut scene, Pen::at(60.0, 74.0, 3.3), n, LINE / 3.3 * 2.0);
            numeral(&mut scene, 60.0, 144.0, 15.0, n, LINE * 1.3);
        }
        Arcana::Minor { suit, rank } if rank.is_court() => {
            court_crest(&mut scene, Pen::at(60.0, 46.0, 2.1), suit, rank, LINE / 2.1 * 1.2);
            suit_sign(&mut scene, Pen::at(60.0, 114.0, 2.4), suit, LINE / 2.4 * 1.2);
            corner_marks(&mut scene, suit, tint);
        }
        Arcana::Minor { suit, rank } => {
            let scale = pip_scale(rank);
            for &(x, y) in pip_centres(rank) {
                // Wands and swords in the lower half point down, as on playing cards; cups
                // and coins stay upright (a turned cup would be an empty one).
                let turned = y > 92.0 && matches!(suit, Suit::Wands | Suit::Swords);
                let pen = Pen::at(x, y, scale);
                suit_sign(&mut scene, if turned { pen.turned(180.0) } else { pen }, suit, LINE / scale);
            }
        }
    }
    scene
}

/// Small diamonds in the corners of a court card, in the suit's colour.
fn corner_marks(scene: &mut Scene, _suit: Suit, tint: Ink) {
    for (x, y) in [(18.0, 18.0), (102.0, 18.0), (18.0, 162.0), (102.0, 162.0)] {
        scene.push(
            Path::new(Pen::at(x, y, 1.0))
                .poly(&[(0.0, -3.5), (2.5, 0.0), (0.0, 3.5), (-2.5, 0.0)], true)
                .paint(filled(tint, 0.8)),
        );
    }
}

/// `card`'s face as a standalone SVG document: lines in `currentColor`, cream paper.
#[must_use]
pub fn svg(card: &Card) -> String {
    let mut out = String::with_capacity(4096);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" fill=\"#fbf6ea\" fill-rule=\"evenodd\" \
         stroke-linecap=\"round\" stroke-linejoin=\"round\">"
    );
    scene(card).write_svg(&mut out);
    out.push_str("</svg>");
    out
}

/// All 78 faces as one SVG document of `<symbol id="card-N">` (N the card's id), built once.
#[must_use]
pub fn sprite() -> &'static str {
    static SPRITE: OnceLock<String> = OnceLock::new();
    SPRITE.get_or_init(|| {
        let mut out = String::with_capacity(400 * 1024);
        out.push_str("<svg xmlns=\"http://www.w3.org/2000/svg\">");
        for card in deck() {
            let _ = write!(
                out,
                "<symbol id=\"card-{}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" fill-rule=\"evenodd\" \
                 stroke-linecap=\"round\" stroke-linejoin=\"round\">",
                card.id
            );
            scene(card).write_svg(&mut out);
            out.push_str("</symbol>");
        }
        out.push_str("</svg>");
        out
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_card_has_its_own_face_inside_the_frame() {
        let faces: HashSet<String> = deck().iter().map(svg).collect();
        assert_eq!(faces.len(), 78, "78 distinct faces");
        for card in deck() {
            let scene = scene(card);
            assert!(scene.items.len() >= 3, "{card:?} has art beyond its frame");
            for item in &scene.items {
                for seg in &item.segs {
                    let points: &[f32] = match seg {
                        super::super::scene::Seg::Move(x, y) | super::super::scene::Seg::Line(x, y) => &[*x, *y],
                        super::super::scene::Seg::Quad(a, b, x, y) => &[*a, *b, *x, *y],
                        super::super::scene::Seg::Cubic(a, b, c, d, x, y) => &[*a, *b, *c, *d, *x, *y],
                        super::super::scene::Seg::Close => &[],
                    };
                    for pair in points.chunks(2) {
                        assert!(
                            (0.0..=WIDTH).contains(&pair[0]) && (0.0..=HEIGHT).contains(&pair[1]),
                            "{card:?}: {pair:?} outside the card"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn pips_count_the_rank_and_courts_and_majors_differ_from_each_other() {
        let counts = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        for (rank, n) in Rank::ALL.iter().zip(counts) {
            assert_eq!(pip_centres(*rank).len(), n, "{rank:?}");
            let unique: HashSet<(u32, u32)> =
                pip_centres(*rank).iter().map(|(x, y)| (x.to_bits(), y.to_bits())).collect();
            assert_eq!(unique.len(), n, "{rank:?}: no two pips in one place");
        }
        // The art inside the frame: a major's emblem and a court's crest are each their own.
        let art = |card: &Card| {
            let mut s = String::new();
            let scene = scene(card);
            Scene { items: scene.items[2..].to_vec() }.write_svg(&mut s);
            s
        };
        let majors: HashSet<String> = deck().iter().filter(|c| c.is_major()).map(art).collect();
        assert_eq!(majors.len(), 22);
        let crests = |rank: Rank| {
            let mut s = Scene::default();
            court_crest(&mut s, Pen::at(0.0, 0.0, 1.0), Suit::Cups, rank, 1.0);
            let mut out = String::new();
            s.write_svg(&mut out);
            out
        };
        let crest_faces: HashSet<String> =
            [Rank::Page, Rank::Knight, Rank::Queen, Rank::King].into_iter().map(crests).collect();
        assert_eq!(crest_faces.len(), 4);
        assert!(crest_faces.iter().all(|c| !c.is_empty()));
    }

    #[test]
    fn the_sprite_holds_every_card_once() {
        let sprite = sprite();
        for card in deck() {
            assert_eq!(sprite.matches(&format!("<symbol id=\"card-{}\"", card.id)).count(), 1);
        }
        assert!(sprite.starts_with("<svg") && sprite.ends_with("</svg>"));
        assert!(!sprite.contains("NaN") && !sprite.contains("inf"));
    }
}
