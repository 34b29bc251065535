//! Where each card of a spread lies in the spread picture: its centre (in face units, a face
//! being 120 × 180) and its turn. One card alone; three in a row; the Celtic Cross as the
//! cross (the second card laid across the first; below, left, above, right) and the staff of
//! four beside it, rising from the bottom; love as a cross around the bond; career as three
//! cards with two above; a decision as two paths rising from the heart of the choice with the
//! advice between them.

use crate::tarot::Spread;

use super::face::{HEIGHT, WIDTH};

/// The gap between cards, in face units.
const GAP: f32 = 16.0;

/// One card's place: its centre and its turn in degrees (clockwise).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Place {
    /// The centre's x.
    pub x: f32,
    /// The centre's y.
    pub y: f32,
    /// The turn of the position itself (90 for the Celtic Cross's crossing card), before a
    /// reversed card's half turn.
    pub turn: f32,
}

const fn at(x: f32, y: f32) -> Place {
    Place { x, y, turn: 0.0 }
}

/// The places of `spread`'s cards, in position order (as many as its cards).
#[must_use]
pub fn places(spread: Spread) -> Vec<Place> {
    let (w, h, g) = (WIDTH, HEIGHT, GAP);
    let (col, row) = (w + g, h + g);
    match spread {
        Spread::One | Spread::YesNo => vec![at(0.0, 0.0)],
        Spread::Three => vec![at(-col, 0.0), at(0.0, 0.0), at(col, 0.0)],
        Spread::CelticCross => {
            let side = h / 2.0 + g + w / 2.0;
            let staff = side + w + 2.0 * g;
            let mut v = vec![
                at(0.0, 0.0),
                Place { x: 0.0, y: 0.0, turn: 90.0 },
                at(0.0, row),
                at(-side, 0.0),
                at(0.0, -row),
                at(side, 0.0),
            ];
            v.extend((0..4u8).map(|k| at(staff, 1.5 * row - row * f32::from(k))));
            v
        }
        Spread::Love => vec![at(-col, 0.0), at(col, 0.0), at(0.0, 0.0), at(0.0, row), at(0.0, -row)],
        Spread::Career => {
            let (low, high) = (row / 2.0, -row / 2.0);
            vec![at(-col, low), at(0.0, low), at(col, low), at(-col / 2.0, high), at(col / 2.0, high)]
        }
        Spread::Decision => {
            vec![at(0.0, row), at(-col, 0.0), at(-col, -row), at(col, 0.0), at(col, -row), at(0.0, -row / 2.0)]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The card's half extents after its turn.
    fn extents(p: &Place) -> (f32, f32) {
        if (p.turn % 180.0).abs() > 1.0 { (HEIGHT / 2.0, WIDTH / 2.0) } else { (WIDTH / 2.0, HEIGHT / 2.0) }
    }

    #[test]
    fn every_spread_has_a_place_per_card_and_only_the_cross_overlaps() {
        for spread in Spread::ALL {
            let places = places(spread);
            assert_eq!(places.len(), spread.card_count(), "{spread:?}");
            for (i, a) in places.iter().enumerate() {
                for (j, b) in places.iter().enumerate().skip(i + 1) {
                    let (aw, ah) = extents(a);
                    let (bw, bh) = extents(b);
                    let overlap = (a.x - b.x).abs() < aw + bw - 0.5 && (a.y - b.y).abs() < ah + bh - 0.5;
                    let crossing = spread == Spread::CelticCross && (i, j) == (0, 1);
                    assert_eq!(overlap, crossing, "{spread:?}: cards {} and {}", i + 1, j + 1);
                }
            }
        }
    }
}
