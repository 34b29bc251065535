//! The major arcana's emblems, one per card, and their roman numerals drawn as strokes (the
//! faces carry no text, so the PNG needs no font). Each emblem is drawn in a local box from
//! −10 to 10 on both axes, centred on its [`Pen`], in gold and the line colour.

// Geometry reads best with the usual short names: x, y, w, h, r, and a, b, c, d for controls.
#![allow(clippy::many_single_char_names)]

use super::scene::{Accent, Ink, Path, Pen, Scene, Style, filled, solid, stroked};

const GOLD: Ink = Ink::Accent(Accent::Major);

/// A lemniscate (the sign of the infinite) centred at (`x`, `y`), `w` half-width.
fn lemniscate(pen: Pen, x: f32, y: f32, w: f32, h: f32) -> Path {
    Path::new(pen)
        .m(x, y)
        .c((x + w * 0.35, y - h), (x + w, y - h), (x + w, y))
        .c((x + w, y + h), (x + w * 0.35, y + h), (x, y))
        .c((x - w * 0.35, y - h), (x - w, y - h), (x - w, y))
        .c((x - w, y + h), (x - w * 0.35, y + h), (x, y))
        .z()
}

/// A crescent opening to the right, its outer circle of radius `r` at (`x`, `y`).
fn crescent(pen: Pen, x: f32, y: f32, r: f32) -> Path {
    let k = r * 0.552_284_8;
    Path::new(pen)
        .m(x, y - r)
        .c((x - k, y - r), (x - r, y - k), (x - r, y))
        .c((x - r, y + k), (x - k, y + r), (x, y + r))
        .c((x - r * 0.55, y + r * 0.6), (x - r * 0.55, y - r * 0.6), (x, y - r))
        .z()
}

/// Draws the emblem of major arcana card `n` (0 The Fool … 21 The World); `w` is the line
/// width in scene units.
#[allow(clippy::too_many_lines)]
pub fn emblem(scene: &mut Scene, pen: Pen, n: u8, w: f32) {
    let gold = filled(GOLD, w);
    let line = stroked(Ink::Line, w);
    let thick = stroked(Ink::Line, w * 1.6);
    let p = || Path::new(pen);
    let mut add = |path: Path, style: Style| scene.push(path.paint(style));
    match n {
        0 => {
            // The Fool: the open zero, a star overhead, the cliff's edge underfoot.
            add(p().circle(0.0, -1.0, 6.5), stroked(GOLD, w * 2.2));
            add(p().circle(0.0, -1.0, 6.5), stroked(Ink::Line, w * 0.5));
            add(p().star(6.5, -8.0, 2.8, 1.0, 4, 0.0), gold);
            add(p().poly(&[(-10.0, 9.5), (3.0, 9.5), (6.0, 7.0)], false), thick);
        }
        1 => {
            // The Magician: the infinite above a raised wand on the table.
            add(lemniscate(pen, 0.0, -7.0, 6.5, 3.0), gold);
            add(p().m(0.0, -2.0).l(0.0, 6.0), thick);
            add(p().rect(-9.0, 6.0, 18.0, 3.5, 0.8), gold);
        }
        2 => {
            // The High Priestess: two pillars, dark and light, the moon between.
            add(p().rect(-9.5, -9.0, 3.5, 19.0, 0.6), solid(Ink::Line));
            add(p().rect(6.0, -9.0, 3.5, 19.0, 0.6), filled(Ink::Paper, w));
            add(crescent(pen, 1.5, 0.0, 5.0), gold);
        }
        3 => {
            // The Empress: the sign of Venus.
            add(p().circle(0.0, -3.5, 5.5), stroked(GOLD, w * 2.4));
            add(p().m(0.0, 2.0).l(0.0, 10.0).m(-4.0, 6.0).l(4.0, 6.0), stroked(GOLD, w * 2.4));
        }
        4 => {
            // The Emperor: a stone throne crowned with ram's horns.
            add(p().rect(-7.0, -3.0, 14.0, 13.0, 0.8), gold);
            add(p().m(-7.0, -3.0).q(-12.0, -10.0, -4.0, -9.5).q(-2.0, -7.0, -4.5, -5.5), line);
            add(p().m(7.0, -3.0).q(12.0, -10.0, 4.0, -9.5).q(2.0, -7.0, 4.5, -5.5), line);
            add(p().rect(-3.0, 1.0, 6.0, 6.0, 0.4), stroked(Ink::Line, w * 0.8));
        }
        5 => {
            // The Hierophant: the triple cross.
            add(p().m(0.0, -10.0).l(0.0, 10.0), stroked(GOLD, w * 2.4));
            for (y, half) in [(-7.0, 2.5), (-3.0, 4.0), (1.0, 5.5)] {
                add(p().m(-half, y).l(half, y), stroked(GOLD, w * 2.0));
            }
        }
        6 => {
            // The Lovers: two circles meeting, a star above them.
            add(p().circle(-3.5, 1.5, 6.0), Style { fill: Some((GOLD, 0.55)), stroke: Some((Ink::Line, w)) });
            add(p().circle(3.5, 1.5, 6.0), Style { fill: Some((GOLD, 0.55)), stroke: Some((Ink::Line, w)) });
            add(p().star(0.0, -8.0, 2.5, 1.0, 5, 0.0), gold);
        }
        7 => {
            // The Chariot: a canopied car on two wheels.
            add(p().m(-9.0, -4.0).q(0.0, -12.0, 9.0, -4.0).z(), gold);
            add(p().rect(-7.0, -4.0, 14.0, 8.0, 0.6), filled(Ink::Paper, w));
            for x in [-5.0, 5.0] {
                add(p().circle(x, 6.5, 3.5), gold);
                add(p().m(x - 3.5, 6.5).l(x + 3.5, 6.5).m(x, 3.0).l(x, 10.0), stroked(Ink::Line, w * 0.7));
            }
        }
        8 => {
            // Strength: the infinite over the lion's mane.
            add(lemniscate(pen, 0.0, -7.5, 5.0, 2.4), stroked(Ink::Line, w * 1.2));
            add(p().star(0.0, 3.0, 7.5, 5.0, 10, 0.0), gold);
            add(p().circle(0.0, 3.0, 3.5), filled(Ink::Paper, w));
        }
        9 => {
            // The Hermit: a lantern on its cord, a star inside.
            add(p().m(0.0, -10.0).l(0.0, -6.5), line);
            add(p().poly(&[(-4.5, -6.5), (4.5, -6.5), (5.5, -4.5), (5.5, 6.0), (-5.5, 6.0), (-5.5, -4.5)], true), gold);
            add(p().star(0.0, 0.5, 3.5, 1.4, 6, 0.0), filled(Ink::Paper, w * 0.8));
            add(p().rect(-4.0, 6.0, 8.0, 2.5, 0.5), solid(Ink::Line));
        }
        10 => {
            // The Wheel of Fortune: rim, hub and eight spokes.
            add(p().circle(0.0, 0.0, 9.0), gold);
            add(p().circle(0.0, 0.0, 6.5), filled(Ink::Paper, w));
            let spokes = (0u8..8).fold(p(), |path, i| {
                let a = (45.0 * f32::from(i)).to_radians();
                path.m(2.2 * a.cos(), 2.2 * a.sin()).l(6.5 * a.cos(), 6.5 * a.sin())
            });
            add(spokes, line);
            add(p().circle(0.0, 0.0, 2.2), gold);
        }
        11 => {
            // Justice: the balance.
            add(p().m(0.0, -9.5).l(0.0, 8.0).m(-4.5, 9.5).l(4.5, 9.5), thick);
            add(p().m(-8.5, -6.0).l(8.5, -6.0), thick);
            for x in [-8.0, 8.0] {
                add(p().m(x, -6.0).l(x - 3.0, 2.0).m(x, -6.0).l(x + 3.0, 2.0), stroked(Ink::Line, w * 0.7));
                add(p().m(x - 3.5, 2.0).q(x, 6.5, x + 3.5, 2.0).z(), gold);
            }
            add(p().circle(0.0, -9.0, 1.5), gold);
        }
        12 => {
            // The Hanged Man: the tau cross, and the downward triangle beneath it.
            add(p().m(-8.0, -9.0).l(8.0, -9.0).m(0.0, -9.0).l(0.0, -1.0), thick);
            add(p().poly(&[(-5.5, 0.0), (5.5, 0.0), (0.0, 10.0)], true), gold);
        }
        13 => {
            // Death: the scythe.
            add(p().m(-7.0, 10.0).l(4.0, -9.0), stroked(Ink::Line, w * 1.8));
            add(p().m(4.0, -9.0).q(12.0, -8.0, 11.5, 1.5).q(9.0, -5.0, 2.5, -6.5).z(), gold);
            add(p().star(-5.0, -3.0, 2.2, 1.0, 5, 0.0), solid(Ink::Line));
        }
        14 => {
            // Temperance: the rising triangle over still water.
            add(p().poly(&[(0.0, -10.0), (-8.5, 5.0), (8.5, 5.0)], true), gold);
            add(p().circle(0.0, 0.0, 2.2), filled(Ink::Paper, w));
            add(
                p().m(-9.0, 8.5)
                    .q(-6.75, 6.5, -4.5, 8.5)
                    .q(-2.25, 10.5, 0.0, 8.5)
                    .q(2.25, 6.5, 4.5, 8.5)
                    .q(6.75, 10.5, 9.0, 8.5),
                line,
            );
        }
        15 => {
            // The Devil: the inverted star under two horns.
            add(p().star(0.0, 2.5, 7.5, 3.0, 5, 180.0), gold);
            add(p().m(-4.0, -4.0).q(-9.0, -6.0, -7.0, -10.0), thick);
            add(p().m(4.0, -4.0).q(9.0, -6.0, 7.0, -10.0), thick);
        }
        16 => {
            // The Tower: battlements struck by lightning.
            add(p().poly(&[(-5.0, 10.0), (5.0, 10.0), (4.0, -5.0), (-4.0, -5.0)], true), filled(Ink::Paper, w));
            for x in [-5.0, -1.5, 2.0] {
                add(p().rect(x, -8.5, 3.0, 3.5, 0.3), solid(Ink::Line));
            }
            add(p().rect(-1.2, 3.5, 2.4, 6.5, 1.0), solid(Ink::Line));
            add(p().poly(&[(9.5, -10.0), (3.0, -3.0), (6.5, -2.5), (0.5, 5.0), (8.0, -4.0), (4.5, -4.5)], true), gold);
        }
        17 => {
            // The Star: the great star and two small ones.
            add(p().star(0.0, -2.0, 8.5, 3.0, 8, 0.0), gold);
            add(p().star(-7.5, 7.5, 2.5, 1.0, 8, 0.0), gold);
            add(p().star(7.5, 7.5, 2.5, 1.0, 8, 0.0), gold);
        }
        18 => {
            // The Moon: the crescent and the dew falling from it.
            add(crescent(pen, 2.0, -3.0, 7.0), gold);
            for (x, y) in [(-5.0, 6.0), (0.0, 8.0), (5.0, 6.0)] {
                add(p().m(x, y - 2.5).q(x + 1.6, y, x, y + 1.2).q(x - 1.6, y, x, y - 2.5).z(), solid(Ink::Line));
            }
        }
        19 => {
            // The Sun: the disc and twelve rays.
            add(p().star(0.0, 0.0, 10.0, 6.2, 12, 0.0), gold);
            add(p().circle(0.0, 0.0, 5.2), filled(GOLD, w));
            add(p().circle(0.0, 0.0, 2.0), solid(Ink::Line));
        }
        20 => {
            // Judgement: the trumpet and its banner with a cross.
            add(
                p().poly(&[(-9.5, -6.5), (2.0, -6.5), (9.5, -10.0), (9.5, -1.0), (2.0, -4.5), (-9.5, -4.5)], true),
                gold,
            );
            add(p().rect(-5.0, -4.5, 9.0, 7.0, 0.3), filled(Ink::Paper, w));
            add(p().m(-0.5, -3.5).l(-0.5, 1.5).m(-3.0, -1.0).l(2.0, -1.0), line);
            add(p().m(-8.0, 9.0).q(-4.0, 5.0, 0.0, 9.0).q(4.0, 5.0, 8.0, 9.0), line);
        }
        _ => {
            // The World: the wreath and the four corners.
            add(p().ellipse(0.0, 0.0, 6.0, 8.5), stroked(GOLD, w * 2.6));
            add(p().ellipse(0.0, 0.0, 6.0, 8.5), stroked(Ink::Line, w * 0.5));
            for (x, y) in [(-9.0, -9.0), (9.0, -9.0), (-9.0, 9.0), (9.0, 9.0)] {
                add(p().circle(x, y, 1.6), solid(Ink::Line));
            }
            add(p().m(-1.5, -8.5).l(1.5, -8.5).m(-1.5, 8.5).l(1.5, 8.5), thick);
        }
    }
}

/// Draws `n` (0–21) as a roman numeral centred at (`x`, `y`), `h` tall, with a bar above and
/// below; 0 (The Fool) is an oval.
pub fn numeral(scene: &mut Scene, x: f32, y: f32, h: f32, n: u8, w: f32) {
    let letters = roman(n);
    let (i_adv, vx_adv) = (h * 0.32, h * 0.72);
    let width: f32 = letters.chars().map(|c| if c == 'I' { i_adv } else { vx_adv }).sum::<f32>() - h * 0.12;
    let width = if letters.is_empty() { h * 0.5 } else { width };
    let pen = Pen::at(0.0, 0.0, 1.0);
    let (top, bottom) = (y - h / 2.0, y + h / 2.0);
    let mut path = Path::new(pen);
    if letters.is_empty() {
        path = path.ellipse(x, y, h * 0.25, h * 0.42);
    }
    let mut left = x - width / 2.0;
    for c in letters.chars() {
        let glyph = if c == 'I' { h * 0.2 } else { h * 0.6 };
        path = match c {
            'I' => path.m(left + glyph / 2.0, top).l(left + glyph / 2.0, bottom),
            'V' => path.m(left, top).l(left + glyph / 2.0, bottom).l(left + glyph, top),
            _ => path.m(left, top).l(left + glyph, bottom).m(left + glyph, top).l(left, bottom),
        };
        left += if c == 'I' { i_adv } else { vx_adv };
    }
    let bar = width / 2.0 + h * 0.3;
    path = path
        .m(x - bar, top - h * 0.22)
        .l(x + bar, top - h * 0.22)
        .m(x - bar, bottom + h * 0.22)
        .l(x + bar, bottom + h * 0.22);
    scene.push(path.paint(stroked(Ink::Line, w)));
}

/// `n` in roman numerals ("" for 0).
#[must_use]
pub fn roman(n: u8) -> String {
    let mut n = n;
    let mut out = String::new();
    for (value, letters) in [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")] {
        while n >= value {
            out.push_str(letters);
            n -= value;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerals_are_roman() {
        assert_eq!(roman(0), "");
        assert_eq!(roman(4), "IV");
        assert_eq!(roman(9), "IX");
        assert_eq!(roman(14), "XIV");
        assert_eq!(roman(19), "XIX");
        assert_eq!(roman(21), "XXI");
    }
}
