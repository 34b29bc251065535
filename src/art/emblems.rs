//! The minor arcana's emblems: the four suit signs (a budding wand, a cup, a sword, a pentacle)
//! and the four court crests (the page's quill, the knight's shield, the queen's arched coronet
//! with pearls, the king's spiked crown with its cross). Each is drawn in a local box from −10
//! to 10 on both axes, centred on its [`Pen`].

use crate::tarot::{Rank, Suit};

use super::scene::{Accent, Ink, Path, Pen, Scene, filled, solid, stroked};

/// The accent colour of a suit.
#[must_use]
pub const fn accent(suit: Suit) -> Accent {
    match suit {
        Suit::Wands => Accent::Wands,
        Suit::Cups => Accent::Cups,
        Suit::Swords => Accent::Swords,
        Suit::Pentacles => Accent::Pentacles,
    }
}

/// Draws `suit`'s sign; `width` is the outline's width in scene units.
pub fn suit_sign(scene: &mut Scene, pen: Pen, suit: Suit, width: f32) {
    let ink = Ink::Accent(accent(suit));
    let style = filled(ink, width);
    match suit {
        Suit::Wands => {
            // A staff, thicker at the foot, with two leaves budding from it.
            scene.push(
                Path::new(pen)
                    .poly(&[(-1.6, 10.0), (1.6, 10.0), (1.9, -8.2), (0.0, -10.0), (-1.9, -8.2)], true)
                    .paint(style),
            );
            scene.push(Path::new(pen).m(1.6, -3.5).q(6.5, -7.5, 7.5, -3.0).q(4.5, -1.5, 1.6, -3.5).z().paint(style));
            scene.push(Path::new(pen).m(-1.6, 2.5).q(-6.5, -1.5, -7.5, 3.0).q(-4.5, 4.5, -1.6, 2.5).z().paint(style));
        }
        Suit::Cups => {
            // A bowl on a stem and a foot.
            scene.push(
                Path::new(pen)
                    .m(-7.5, -8.5)
                    .l(7.5, -8.5)
                    .q(7.5, 2.5, 0.0, 2.5)
                    .q(-7.5, 2.5, -7.5, -8.5)
                    .z()
                    .paint(style),
            );
            scene.push(Path::new(pen).rect(-1.2, 2.5, 2.4, 5.0, 0.3).paint(style));
            scene.push(Path::new(pen).m(-5.5, 10.0).q(0.0, 5.0, 5.5, 10.0).z().paint(style));
            scene.push(Path::new(pen).m(-5.5, -5.5).l(5.5, -5.5).paint(stroked(Ink::Line, width * 0.6)));
        }
        Suit::Swords => {
            // Blade, cross-guard, grip, pommel.
            scene.push(
                Path::new(pen)
                    .poly(&[(0.0, -10.5), (1.9, -7.0), (1.9, 3.8), (-1.9, 3.8), (-1.9, -7.0)], true)
                    .paint(style),
            );
            scene.push(Path::new(pen).m(0.0, -7.0).l(0.0, 3.0).paint(stroked(Ink::Line, width * 0.5)));
            scene.push(Path::new(pen).rect(-6.5, 3.8, 13.0, 2.0, 0.9).paint(style));
            scene.push(Path::new(pen).rect(-1.0, 5.8, 2.0, 3.4, 0.3).paint(style));
            scene.push(Path::new(pen).circle(0.0, 10.0, 1.4).paint(style));
        }
        Suit::Pentacles => {
            // A coin with a five-pointed star.
            scene.push(Path::new(pen).circle(0.0, 0.0, 9.2).paint(style));
            scene.push(Path::new(pen).circle(0.0, 0.0, 7.4).paint(stroked(Ink::Line, width * 0.6)));
            scene.push(Path::new(pen).star(0.0, 0.0, 6.6, 2.6, 5, 0.0).paint(stroked(Ink::Line, width * 0.8)));
        }
    }
}

/// Draws the crest of a court `rank` (nothing for a pip rank) in `suit`'s colour.
pub fn court_crest(scene: &mut Scene, pen: Pen, suit: Suit, rank: Rank, width: f32) {
    let style = filled(Ink::Accent(accent(suit)), width);
    let line = stroked(Ink::Line, width);
    match rank {
        Rank::Page => {
            // A quill: a feather with its midrib, and the nib below.
            scene.push(Path::new(pen).m(-4.0, 8.0).q(-9.0, -3.0, 7.0, -10.0).q(4.0, 3.0, -4.0, 8.0).z().paint(style));
            scene.push(Path::new(pen).m(-5.5, 10.0).l(4.5, -6.5).paint(line));
        }
        Rank::Knight => {
            // A shield with a chevron.
            scene.push(
                Path::new(pen)
                    .m(-8.0, -9.0)
                    .l(8.0, -9.0)
                    .l(8.0, -1.0)
                    .q(8.0, 7.0, 0.0, 10.5)
                    .q(-8.0, 7.0, -8.0, -1.0)
                    .z()
                    .paint(style),
            );
            scene.push(
                Path::new(pen)
                    .poly(&[(-6.0, 4.0), (0.0, -3.0), (6.0, 4.0)], false)
                    .paint(stroked(Ink::Line, width * 1.4)),
            );
        }
        Rank::Queen => {
            // An arched coronet with three pearls.
            scene.push(
                Path::new(pen)
                    .m(-9.0, 8.0)
                    .l(-9.0, 0.0)
                    .q(-4.5, -7.0, 0.0, 0.0)
                    .q(4.5, -7.0, 9.0, 0.0)
                    .l(9.0, 8.0)
                    .z()
                    .paint(style),
            );
            scene.push(Path::new(pen).m(-9.0, 4.5).l(9.0, 4.5).paint(line));
            for (x, y) in [(-4.5, -5.5), (4.5, -5.5), (0.0, -1.5)] {
                scene.push(Path::new(pen).circle(x, y, 1.6).paint(filled(Ink::Paper, width * 0.8)));
            }
        }
        Rank::King => {
            // A spiked crown under a cross.
            scene.push(
                Path::new(pen)
                    .poly(
                        &[(-9.0, 9.0), (-10.0, -3.0), (-4.5, 1.5), (0.0, -5.5), (4.5, 1.5), (10.0, -3.0), (9.0, 9.0)],
                        true,
                    )
                    .paint(style),
            );
            scene.push(Path::new(pen).m(-9.3, 5.0).l(9.3, 5.0).paint(line));
            scene.push(
                Path::new(pen)
                    .m(0.0, -5.5)
                    .l(0.0, -11.0)
                    .m(-2.8, -8.6)
                    .l(2.8, -8.6)
                    .paint(stroked(Ink::Line, width * 1.3)),
            );
            scene.push(Path::new(pen).circle(0.0, 7.0, 1.2).paint(solid(Ink::Line)));
        }
        _ => {}
    }
}
