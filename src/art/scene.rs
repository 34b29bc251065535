//! The drawing model every face is built in: filled and stroked paths in named inks, and the
//! two ways out of it — SVG text ([`Scene::write_svg`]) for the Mini App, and drawing calls for
//! the rasteriser ([`super::picture`]). One model, so the page and the chat show the same art.
//!
//! Everything is a path of lines and Bézier curves (circles and rounded rectangles become
//! curves here), filled with the even-odd rule, so both outputs need only one primitive.

// Geometry reads best with the usual short names: x, y, w, h, r, and a, b, c, d for controls.
#![allow(clippy::many_single_char_names)]

use std::fmt::Write as _;

/// The curve constant that makes four cubic Béziers a circle.
const KAPPA: f32 = 0.552_284_8;

/// A colour by role; each output decides what each is ([`svg_colour`] for the page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ink {
    /// Outlines and strokes: the theme's text colour on the page.
    Line,
    /// The card's paper: the tile's background on the page.
    Paper,
    /// The colour of a suit, or gold for the major arcana.
    Accent(Accent),
}

/// The accent colours: one per suit, gold for the major arcana.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Accent {
    /// Wands: fire, amber.
    Wands,
    /// Cups: water, blue.
    Cups,
    /// Swords: air, steel violet.
    Swords,
    /// Pentacles: earth, green.
    Pentacles,
    /// The major arcana: gold.
    Major,
}

impl Accent {
    /// The accent as RGB: mid tones that read on a light and on a dark background alike.
    #[must_use]
    pub const fn rgb(self) -> [u8; 3] {
        match self {
            Accent::Wands => [0xe0, 0x7b, 0x2e],
            Accent::Cups => [0x3a, 0x8b, 0xd6],
            Accent::Swords => [0x8c, 0x7a, 0xd0],
            Accent::Pentacles => [0x3f, 0x9d, 0x5a],
            Accent::Major => [0xcf, 0xa2, 0x2a],
        }
    }
}

/// One step of a path, in absolute coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Seg {
    /// Start a new outline at a point.
    Move(f32, f32),
    /// A straight line to a point.
    Line(f32, f32),
    /// A quadratic Bézier: control point, end point.
    Quad(f32, f32, f32, f32),
    /// A cubic Bézier: two control points, end point.
    Cubic(f32, f32, f32, f32, f32, f32),
    /// Close the outline.
    Close,
}

/// How a path is painted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    /// The fill, if any, and its opacity (0–1).
    pub fill: Option<(Ink, f32)>,
    /// The stroke, if any, and its width.
    pub stroke: Option<(Ink, f32)>,
}

/// One painted path.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The outline(s).
    pub segs: Vec<Seg>,
    /// Fill and stroke.
    pub style: Style,
}

/// A drawing: items painted in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scene {
    /// The painted paths, back to front.
    pub items: Vec<Item>,
}

/// A local frame to draw an emblem in: its own origin, scale and turn, mapped to the scene's
/// coordinates as the points are made (no transforms are written out).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pen {
    x: f32,
    y: f32,
    scale: f32,
    cos: f32,
    sin: f32,
}

impl Pen {
    /// A frame centred at (`x`, `y`), `scale` scene units to one local unit, upright.
    #[must_use]
    pub fn at(x: f32, y: f32, scale: f32) -> Pen {
        Pen { x, y, scale, cos: 1.0, sin: 0.0 }
    }

    /// The same frame turned by `degrees` (clockwise, as on screen).
    #[must_use]
    pub fn turned(self, degrees: f32) -> Pen {
        let (sin, cos) = degrees.to_radians().sin_cos();
        Pen { cos: self.cos * cos - self.sin * sin, sin: self.sin * cos + self.cos * sin, ..self }
    }

    /// Maps a local point to the scene.
    #[must_use]
    pub fn map(&self, x: f32, y: f32) -> (f32, f32) {
        let (x, y) = (x * self.scale, y * self.scale);
        (self.x + x * self.cos - y * self.sin, self.y + x * self.sin + y * self.cos)
    }
}

/// Builds a path in a [`Pen`]'s local units.
#[derive(Debug, Clone)]
pub struct Path {
    pen: Pen,
    segs: Vec<Seg>,
}

impl Path {
    /// An empty path drawn with `pen`.
    #[must_use]
    pub fn new(pen: Pen) -> Path {
        Path { pen, segs: Vec::new() }
    }

    /// Starts an outline.
    #[must_use]
    pub fn m(mut self, x: f32, y: f32) -> Path {
        let (x, y) = self.pen.map(x, y);
        self.segs.push(Seg::Move(x, y));
        self
    }

    /// A line.
    #[must_use]
    pub fn l(mut self, x: f32, y: f32) -> Path {
        let (x, y) = self.pen.map(x, y);
        self.segs.push(Seg::Line(x, y));
        self
    }

    /// A quadratic curve.
    #[must_use]
    pub fn q(mut self, cx: f32, cy: f32, x: f32, y: f32) -> Path {
        let (cx, cy) = self.pen.map(cx, cy);
        let (x, y) = self.pen.map(x, y);
        self.segs.push(Seg::Quad(cx, cy, x, y));
        self
    }

    /// A cubic curve.
    #[must_use]
    pub fn c(mut self, c1: (f32, f32), c2: (f32, f32), to: (f32, f32)) -> Path {
        let (ax, ay) = self.pen.map(c1.0, c1.1);
        let (bx, by) = self.pen.map(c2.0, c2.1);
        let (x, y) = self.pen.map(to.0, to.1);
        self.segs.push(Seg::Cubic(ax, ay, bx, by, x, y));
        self
    }

    /// Closes the outline.
    #[must_use]
    pub fn z(mut self) -> Path {
        self.segs.push(Seg::Close);
        self
    }

    /// A polygon (closed) or polyline (open) through `points`.
    #[must_use]
    pub fn poly(self, points: &[(f32, f32)], closed: bool) -> Path {
        let mut path = self;
        for (i, &(x, y)) in points.iter().enumerate() {
            path = if i == 0 { path.m(x, y) } else { path.l(x, y) };
        }
        if closed { path.z() } else { path }
    }

    /// An ellipse centred at (`cx`, `cy`).
    #[must_use]
    pub fn ellipse(self, cx: f32, cy: f32, rx: f32, ry: f32) -> Path {
        let (kx, ky) = (rx * KAPPA, ry * KAPPA);
        self.m(cx + rx, cy)
            .c((cx + rx, cy + ky), (cx + kx, cy + ry), (cx, cy + ry))
            .c((cx - kx, cy + ry), (cx - rx, cy + ky), (cx - rx, cy))
            .c((cx - rx, cy - ky), (cx - kx, cy - ry), (cx, cy - ry))
            .c((cx + kx, cy - ry), (cx + rx, cy - ky), (cx + rx, cy))
            .z()
    }

    /// A circle.
    #[must_use]
    pub fn circle(self, cx: f32, cy: f32, r: f32) -> Path {
        self.ellipse(cx, cy, r, r)
    }

    /// A rectangle with corners rounded by `r`.
    #[must_use]
    pub fn rect(self, x: f32, y: f32, w: f32, h: f32, r: f32) -> Path {
        let r = r.min(w / 2.0).min(h / 2.0);
        let k = r * (1.0 - KAPPA);
        self.m(x + r, y)
            .l(x + w - r, y)
            .c((x + w - k, y), (x + w, y + k), (x + w, y + r))
            .l(x + w, y + h - r)
            .c((x + w, y + h - k), (x + w - k, y + h), (x + w - r, y + h))
            .l(x + r, y + h)
            .c((x + k, y + h), (x, y + h - k), (x, y + h - r))
            .l(x, y + r)
            .c((x, y + k), (x + k, y), (x + r, y))
            .z()
    }

    /// A star of `points` tips between radii `outer` and `inner`, first tip straight up
    /// turned by `turn` degrees.
    #[must_use]
    pub fn star(self, cx: f32, cy: f32, outer: f32, inner: f32, points: u8, turn: f32) -> Path {
        let n = usize::from(points.max(2)) * 2;
        let tips: Vec<(f32, f32)> = (0..n)
            .map(|i| {
                #[allow(clippy::cast_precision_loss)]
                let angle = (turn - 90.0 + 360.0 * i as f32 / n as f32).to_radians();
                let r = if i % 2 == 0 { outer } else { inner };
                (cx + r * angle.cos(), cy + r * angle.sin())
            })
            .collect();
        self.poly(&tips, true)
    }

    /// The finished outline(s), painted with `style`.
    #[must_use]
    pub fn paint(self, style: Style) -> Item {
        Item { segs: self.segs, style }
    }
}

/// Filled with `ink` (fully opaque), outlined in [`Ink::Line`] `width` wide.
#[must_use]
pub const fn filled(ink: Ink, width: f32) -> Style {
    Style { fill: Some((ink, 1.0)), stroke: Some((Ink::Line, width)) }
}

/// Only a stroke of `ink`, `width` wide.
#[must_use]
pub const fn stroked(ink: Ink, width: f32) -> Style {
    Style { fill: None, stroke: Some((ink, width)) }
}

/// Only a fill of `ink`.
#[must_use]
pub const fn solid(ink: Ink) -> Style {
    Style { fill: Some((ink, 1.0)), stroke: None }
}

impl Scene {
    /// Adds an item on top.
    pub fn push(&mut self, item: Item) {
        self.items.push(item);
    }

    /// Writes the items as SVG `<path>` elements, colours from [`svg_colour`].
    pub fn write_svg(&self, out: &mut String) {
        for item in &self.items {
            out.push_str("<path d=\"");
            write_d(out, &item.segs);
            out.push('"');
            match item.style.fill {
                // The paper is inherited: the page sets it to the theme's background.
                Some((Ink::Paper, _)) => {}
                Some((ink, opacity)) => {
                    let _ = write!(out, " fill=\"{}\"", svg_colour(ink));
                    if opacity < 1.0 {
                        let _ = write!(out, " fill-opacity=\"{}\"", round(opacity));
                    }
                }
                None => out.push_str(" fill=\"none\""),
            }
            if let Some((ink, width)) = item.style.stroke {
                let _ = write!(out, " stroke=\"{}\" stroke-width=\"{}\"", svg_colour(ink), round(width));
            }
            out.push_str("/>");
        }
    }
}

/// A number with at most two decimals, without trailing zeros.
fn round(v: f32) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { String::from("0") } else { s.to_owned() }
}

fn write_d(out: &mut String, segs: &[Seg]) {
    for (i, seg) in segs.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        match *seg {
            Seg::Move(x, y) => {
                let _ = write!(out, "M{} {}", round(x), round(y));
            }
            Seg::Line(x, y) => {
                let _ = write!(out, "L{} {}", round(x), round(y));
            }
            Seg::Quad(a, b, x, y) => {
                let _ = write!(out, "Q{} {} {} {}", round(a), round(b), round(x), round(y));
            }
            Seg::Cubic(a, b, c, d, x, y) => {
                let _ = write!(out, "C{} {} {} {} {} {}", round(a), round(b), round(c), round(d), round(x), round(y));
            }
            Seg::Close => out.push('Z'),
        }
    }
}

/// An ink as the page paints it: lines in the theme's text colour (`currentColor`), the paper
/// inherited (no `fill` is written for it: the page sets `fill` to the theme's background),
/// accents as fixed mid tones.
#[must_use]
pub fn svg_colour(ink: Ink) -> String {
    match ink {
        Ink::Line => String::from("currentColor"),
        Ink::Paper => String::from("inherit"),
        Ink::Accent(a) => {
            let [r, g, b] = a.rgb();
            format!("#{r:02x}{g:02x}{b:02x}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_turned_pen_maps_clockwise_and_scales() {
        let pen = Pen::at(10.0, 20.0, 2.0).turned(90.0);
        let (x, y) = pen.map(1.0, 0.0);
        assert!((x - 10.0).abs() < 1e-4 && (y - 22.0).abs() < 1e-4, "{x} {y}");
    }

    #[test]
    fn svg_paths_are_compact_and_coloured_by_role() {
        let mut scene = Scene::default();
        scene.push(
            Path::new(Pen::at(0.0, 0.0, 1.0))
                .poly(&[(0.0, 0.0), (10.5, 0.0), (0.0, 3.25)], true)
                .paint(Style { fill: Some((Ink::Accent(Accent::Cups), 0.5)), stroke: Some((Ink::Line, 1.0)) }),
        );
        let mut svg = String::new();
        scene.write_svg(&mut svg);
        assert_eq!(
            svg,
            "<path d=\"M0 0 L10.5 0 L0 3.25 Z\" fill=\"#3a8bd6\" fill-opacity=\"0.5\" stroke=\"currentColor\" stroke-width=\"1\"/>"
        );
    }
}
