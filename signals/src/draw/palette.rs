//! Colours, shapes and dashes that tell classes apart in print and for colour-blind readers.
//!
//! Colours are the Okabe–Ito palette (Okabe & Ito, "Color Universal Design", 2008), which
//! stays distinguishable under the common colour-vision deficiencies; no picture relies on
//! colour alone: every risk class also has its own shape, and weak corroboration its own
//! dash and grey, so a black-and-white print still says the same.

use super::svg::{Svg, Value, num};
use crate::RiskClass;

/// Okabe–Ito: vermillion.
pub const VERMILLION: &str = "#D55E00";
/// Okabe–Ito: orange.
pub const ORANGE: &str = "#E69F00";
/// Okabe–Ito: sky blue.
pub const SKY_BLUE: &str = "#56B4E9";
/// Okabe–Ito: bluish green.
pub const BLUISH_GREEN: &str = "#009E73";
/// Okabe–Ito: blue.
pub const BLUE: &str = "#0072B2";
/// Okabe–Ito: reddish purple.
pub const REDDISH_PURPLE: &str = "#CC79A7";
/// Okabe–Ito: black (text, axes, strong links).
pub const BLACK: &str = "#000000";
/// A grey for what only corroborates or only frames (weak links, baseline bands, grid).
pub const GREY: &str = "#999999";
/// White: the fill of a hollow marker.
pub const WHITE: &str = "#FFFFFF";
/// The dash of weak corroboration (payment host, template) and of what is not a finding.
pub const DASH: &str = "6 4";

/// How a node's shape is drawn: the second channel beside colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A circle.
    Circle,
    /// A square.
    Square,
    /// A diamond.
    Diamond,
    /// A triangle pointing up.
    Triangle,
}

/// The colour and shape of a risk class; `None` (a shop no class was computed for) is grey.
pub fn risk_style(class: Option<RiskClass>) -> (&'static str, Shape) {
    match class {
        Some(RiskClass::Rogue) => (VERMILLION, Shape::Diamond),
        Some(RiskClass::Unapproved) => (ORANGE, Shape::Triangle),
        Some(RiskClass::Unverified) => (SKY_BLUE, Shape::Square),
        Some(RiskClass::NoConcern) => (BLUISH_GREEN, Shape::Circle),
        None => (GREY, Shape::Circle),
    }
}

/// A shape of "radius" `r` centred on `at`, filled with `colour` and outlined in black for
/// print.
pub fn marker(svg: &mut Svg, shape: Shape, at: (f64, f64), r: f64, colour: &str) {
    draw_shape(
        svg,
        shape,
        at,
        r,
        [
            ("fill", colour.into()),
            ("stroke", BLACK.into()),
            ("stroke-width", 1.0.into()),
        ],
    );
}

/// A shape of "radius" `r` centred on `at`, filled with `fill` and outlined with `stroke`
/// (a hollow marker is filled white).
pub fn marker_outlined(
    svg: &mut Svg,
    shape: Shape,
    at: (f64, f64),
    r: f64,
    fill: &str,
    stroke: &str,
) {
    draw_shape(
        svg,
        shape,
        at,
        r,
        [
            ("fill", fill.into()),
            ("stroke", stroke.into()),
            ("stroke-width", 1.5.into()),
        ],
    );
}

fn draw_shape(
    svg: &mut Svg,
    shape: Shape,
    (x, y): (f64, f64),
    r: f64,
    paint: [(&'static str, Value<'_>); 3],
) {
    let polygon = |svg: &mut Svg, corners: &[(f64, f64)]| {
        let points = corners
            .iter()
            .map(|(px, py)| format!("{},{}", num(*px), num(*py)))
            .collect::<Vec<_>>()
            .join(" ");
        let mut attrs = vec![("points", Value::Text(&points))];
        attrs.extend(paint);
        svg.element("polygon", &attrs);
    };
    match shape {
        Shape::Circle => {
            let mut attrs = vec![("cx", x.into()), ("cy", y.into()), ("r", r.into())];
            attrs.extend(paint);
            svg.element("circle", &attrs);
        }
        Shape::Square => {
            let s = r * 0.9;
            let mut attrs = vec![
                ("x", (x - s).into()),
                ("y", (y - s).into()),
                ("width", (2.0 * s).into()),
                ("height", (2.0 * s).into()),
            ];
            attrs.extend(paint);
            svg.element("rect", &attrs);
        }
        Shape::Diamond => polygon(
            svg,
            &[
                (x, y - r * 1.2),
                (x + r * 1.2, y),
                (x, y + r * 1.2),
                (x - r * 1.2, y),
            ],
        ),
        Shape::Triangle => polygon(
            svg,
            &[
                (x, y - r * 1.2),
                (x + r * 1.1, y + r * 0.8),
                (x - r * 1.1, y + r * 0.8),
            ],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_risk_class_differs_in_shape_as_well_as_colour() {
        let styles: Vec<_> = RiskClass::ALL
            .iter()
            .map(|c| risk_style(Some(*c)))
            .collect();
        for (i, a) in styles.iter().enumerate() {
            for b in &styles[i + 1..] {
                assert_ne!(a.0, b.0);
                assert_ne!(a.1, b.1);
            }
        }
    }
}
