//! A series of flagged listings per run as a chart: one point per run, the runs the signal
//! test compared with marked and framed by their range (the baseline band) and mean, and the
//! runs where the series was signalled drawn apart.
//!
//! Every channel has a second one beside colour: baseline runs are filled circles, other
//! runs hollow ones, signalled runs vermillion diamonds with the kind written next to them.

use super::palette::{self, Shape};
use super::svg::{Svg, num};
use crate::SignalKind;

/// One series over runs, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendChart {
    /// What the series counts, e.g. `drug semaglutide` (escaped when written).
    pub series: String,
    /// The runs, oldest first.
    pub points: Vec<TrendPoint>,
}

/// One run of a series.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendPoint {
    /// The run's id.
    pub run: i64,
    /// Flagged listings of the series in the run.
    pub count: u64,
    /// Whether the signal test of the chart's run compared with this run (its baseline).
    pub baseline: bool,
    /// What the test said of the series at this run, if it signalled.
    pub signal: Option<SignalKind>,
}

impl TrendChart {
    /// Lowest, mean and highest count of the baseline runs; `None` without any.
    pub fn baseline_band(&self) -> Option<(f64, f64, f64)> {
        let counts: Vec<f64> = self
            .points
            .iter()
            .filter(|p| p.baseline)
            .map(|p| p.count as f64)
            .collect();
        if counts.is_empty() {
            return None;
        }
        let low = counts.iter().copied().fold(f64::INFINITY, f64::min);
        let high = counts.iter().copied().fold(0.0, f64::max);
        Some((low, counts.iter().sum::<f64>() / counts.len() as f64, high))
    }
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 44.0;
const BOTTOM: f64 = 40.0;

/// The chart of `chart`; `href` gives the page a run's point links to (its report).
pub fn trend_svg(chart: &TrendChart, href: impl Fn(i64) -> Option<String>) -> String {
    let signalled = chart.points.iter().filter(|p| p.signal.is_some()).count();
    let title = format!("Flagged listings per run: {}", chart.series);
    let band = chart.baseline_band();
    let desc = format!(
        "{} runs from run {} to run {}; {} baseline runs{}; {} signalled. The table beside the chart lists the same counts.",
        chart.points.len(),
        chart.points.first().map_or(0, |p| p.run),
        chart.points.last().map_or(0, |p| p.run),
        chart.points.iter().filter(|p| p.baseline).count(),
        band.map_or(String::new(), |(lo, mean, hi)| format!(
            " (from {lo} to {hi}, mean {mean:.1})"
        )),
        signalled
    );
    let mut svg = Svg::new(WIDTH, HEIGHT, &title, &desc);
    legend(&mut svg);
    let top = y_max(chart);
    let scale = Scale {
        top,
        runs: chart.points.len(),
    };
    axes(&mut svg, &scale);
    if let Some((low, mean, high)) = band {
        draw_band(&mut svg, &scale, chart, (low, mean, high));
    }
    draw_line(&mut svg, &scale, chart);
    for (i, point) in chart.points.iter().enumerate() {
        draw_point(&mut svg, &scale, i, point, href(point.run));
    }
    svg.finish()
}

/// Maps runs and counts to the picture.
struct Scale {
    top: f64,
    runs: usize,
}

impl Scale {
    fn x(&self, i: usize) -> f64 {
        let span = WIDTH - LEFT - RIGHT;
        if self.runs <= 1 {
            LEFT + span / 2.0
        } else {
            LEFT + span * i as f64 / (self.runs - 1) as f64
        }
    }

    fn y(&self, count: f64) -> f64 {
        HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * count / self.top
    }
}

/// A round top of the y axis above every count: 1, 2 or 5 times a power of ten.
fn y_max(chart: &TrendChart) -> f64 {
    let max = chart
        .points
        .iter()
        .map(|p| p.count)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut step = 1.0;
    loop {
        for m in [1.0, 2.0, 5.0] {
            if m * step >= max {
                return m * step;
            }
        }
        step *= 10.0;
    }
}

fn legend(svg: &mut Svg) {
    svg.open("g", &[("class", "legend".into())]);
    marker(svg, Shape::Circle, (LEFT, 16.0), 4.0, palette::BLUE, true);
    svg.text_element(
        "text",
        &[("x", (LEFT + 8.0).into()), ("y", 20.0.into())],
        "run the test compared with",
    );
    marker(
        svg,
        Shape::Circle,
        (LEFT + 190.0, 16.0),
        4.0,
        palette::BLUE,
        false,
    );
    svg.text_element(
        "text",
        &[("x", (LEFT + 198.0).into()), ("y", 20.0.into())],
        "other run",
    );
    marker(
        svg,
        Shape::Diamond,
        (LEFT + 270.0, 16.0),
        5.0,
        palette::VERMILLION,
        true,
    );
    svg.text_element(
        "text",
        &[("x", (LEFT + 278.0).into()), ("y", 20.0.into())],
        "signalled",
    );
    svg.element(
        "rect",
        &[
            ("x", (LEFT + 350.0).into()),
            ("y", 10.0.into()),
            ("width", 14.0.into()),
            ("height", 12.0.into()),
            ("fill", palette::GREY.into()),
            ("fill-opacity", 0.3.into()),
        ],
    );
    svg.text_element(
        "text",
        &[("x", (LEFT + 370.0).into()), ("y", 20.0.into())],
        "baseline range, dashed: mean",
    );
    svg.close("g");
}

fn axes(svg: &mut Svg, scale: &Scale) {
    svg.open(
        "g",
        &[("class", "axes".into()), ("stroke", palette::BLACK.into())],
    );
    let bottom = HEIGHT - BOTTOM;
    svg.element(
        "line",
        &[
            ("x1", LEFT.into()),
            ("y1", TOP.into()),
            ("x2", LEFT.into()),
            ("y2", bottom.into()),
        ],
    );
    svg.element(
        "line",
        &[
            ("x1", LEFT.into()),
            ("y1", bottom.into()),
            ("x2", (WIDTH - RIGHT).into()),
            ("y2", bottom.into()),
        ],
    );
    svg.close("g");
    for tick in [0.0, scale.top / 2.0, scale.top] {
        let y = scale.y(tick);
        svg.text_element(
            "text",
            &[
                ("x", (LEFT - 6.0).into()),
                ("y", (y + 4.0).into()),
                ("text-anchor", "end".into()),
            ],
            &format!("{tick}"),
        );
    }
    svg.text_element(
        "text",
        &[
            ("x", 14.0.into()),
            ("y", ((TOP + bottom) / 2.0).into()),
            (
                "transform",
                format!("rotate(-90 14 {})", num((TOP + bottom) / 2.0))
                    .as_str()
                    .into(),
            ),
            ("text-anchor", "middle".into()),
        ],
        "flagged listings",
    );
}

fn draw_band(svg: &mut Svg, scale: &Scale, chart: &TrendChart, (low, mean, high): (f64, f64, f64)) {
    let runs: Vec<usize> = chart
        .points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.baseline)
        .map(|(i, _)| i)
        .collect();
    let (first, last) = (runs[0], runs[runs.len() - 1]);
    let (x1, x2) = (scale.x(first) - 6.0, scale.x(last) + 6.0);
    svg.element(
        "rect",
        &[
            ("class", "baseline-band".into()),
            ("x", x1.into()),
            ("y", scale.y(high).into()),
            ("width", (x2 - x1).into()),
            ("height", (scale.y(low) - scale.y(high)).max(1.0).into()),
            ("fill", palette::GREY.into()),
            ("fill-opacity", 0.3.into()),
        ],
    );
    svg.element(
        "line",
        &[
            ("class", "baseline-mean".into()),
            ("x1", x1.into()),
            ("y1", scale.y(mean).into()),
            ("x2", x2.into()),
            ("y2", scale.y(mean).into()),
            ("stroke", palette::BLACK.into()),
            ("stroke-dasharray", palette::DASH.into()),
        ],
    );
}

fn draw_line(svg: &mut Svg, scale: &Scale, chart: &TrendChart) {
    let points: Vec<String> = chart
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{},{}", num(scale.x(i)), num(scale.y(p.count as f64))))
        .collect();
    svg.element(
        "polyline",
        &[
            ("points", points.join(" ").as_str().into()),
            ("fill", "none".into()),
            ("stroke", palette::BLUE.into()),
            ("stroke-width", 1.5.into()),
        ],
    );
}

fn draw_point(svg: &mut Svg, scale: &Scale, i: usize, point: &TrendPoint, href: Option<String>) {
    let at = (scale.x(i), scale.y(point.count as f64));
    if let Some(href) = &href {
        svg.open("a", &[("href", href.as_str().into())]);
    }
    let run = point.run.to_string();
    let count = point.count.to_string();
    svg.open(
        "g",
        &[
            ("class", "point".into()),
            ("data-run", run.as_str().into()),
            ("data-count", count.as_str().into()),
            (
                "data-baseline",
                if point.baseline { "yes" } else { "no" }.into(),
            ),
            (
                "data-signal",
                point.signal.map_or("none", SignalKind::as_str).into(),
            ),
        ],
    );
    let said = point
        .signal
        .map_or(String::new(), |s| format!(", signalled: {s}"));
    let role = if point.baseline { " (baseline)" } else { "" };
    svg.text_element(
        "title",
        &[],
        &format!("run {run}: {count} flagged{role}{said}"),
    );
    match point.signal {
        Some(kind) => {
            marker(svg, Shape::Diamond, at, 6.0, palette::VERMILLION, true);
            svg.text_element(
                "text",
                &[
                    ("x", at.0.into()),
                    ("y", (at.1 - 10.0).into()),
                    ("text-anchor", "middle".into()),
                    ("font-weight", "bold".into()),
                ],
                kind.as_str(),
            );
        }
        None => marker(svg, Shape::Circle, at, 4.0, palette::BLUE, point.baseline),
    }
    svg.text_element(
        "text",
        &[
            ("x", at.0.into()),
            ("y", (HEIGHT - BOTTOM + 16.0).into()),
            ("text-anchor", "middle".into()),
            ("font-size", 10.0.into()),
        ],
        &run,
    );
    svg.close("g");
    if href.is_some() {
        svg.close("a");
    }
}

/// A filled (or hollow, white inside) circle or diamond.
fn marker(svg: &mut Svg, shape: Shape, (x, y): (f64, f64), r: f64, colour: &str, filled: bool) {
    let fill = if filled { colour } else { "#FFFFFF" };
    match shape {
        Shape::Diamond => {
            let pts = format!(
                "{},{} {},{} {},{} {},{}",
                num(x),
                num(y - r * 1.3),
                num(x + r * 1.3),
                num(y),
                num(x),
                num(y + r * 1.3),
                num(x - r * 1.3),
                num(y)
            );
            svg.element(
                "polygon",
                &[
                    ("points", pts.as_str().into()),
                    ("fill", fill.into()),
                    ("stroke", palette::BLACK.into()),
                ],
            );
        }
        _ => svg.element(
            "circle",
            &[
                ("cx", x.into()),
                ("cy", y.into()),
                ("r", r.into()),
                ("fill", fill.into()),
                ("stroke", colour.into()),
                ("stroke-width", 1.5.into()),
            ],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> TrendChart {
        let counts = [4, 5, 3, 6, 4, 19];
        TrendChart {
            series: "drug <semaglutide> & \"co\"".into(),
            points: counts
                .iter()
                .enumerate()
                .map(|(i, &count)| TrendPoint {
                    run: i as i64 + 1,
                    count,
                    baseline: (1..5).contains(&i),
                    signal: (i == 5).then_some(SignalKind::Rise),
                })
                .collect(),
        }
    }

    #[test]
    fn every_run_is_a_point_with_its_role_and_the_band_spans_the_baseline() {
        let svg = trend_svg(&chart(), |run| Some(format!("/reports/{run}")));
        let doc = roxmltree::Document::parse(&svg).expect("well-formed");
        let points: Vec<_> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("point"))
            .map(|n| {
                (
                    n.attribute("data-run").unwrap().to_string(),
                    n.attribute("data-count").unwrap().to_string(),
                    n.attribute("data-baseline").unwrap().to_string(),
                    n.attribute("data-signal").unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(points.len(), 6);
        assert_eq!(
            points[5],
            ("6".into(), "19".into(), "no".into(), "rise".into())
        );
        assert_eq!(points.iter().filter(|p| p.2 == "yes").count(), 4);
        assert_eq!(chart().baseline_band(), Some((3.0, 4.5, 6.0)));
        let band = doc
            .descendants()
            .find(|n| n.attribute("class") == Some("baseline-band"))
            .unwrap();
        // y of 6 (top) and height down to 3, on a 0–20 axis of 176 px.
        let y: f64 = band.attribute("y").unwrap().parse().unwrap();
        let h: f64 = band.attribute("height").unwrap().parse().unwrap();
        assert!(
            (y - (HEIGHT - BOTTOM - 176.0 * 6.0 / 20.0)).abs() < 0.1,
            "{y}"
        );
        assert!((h - 176.0 * 3.0 / 20.0).abs() < 0.1, "{h}");
        let title = doc
            .root_element()
            .children()
            .find(|c| c.has_tag_name("title"))
            .unwrap();
        assert_eq!(
            title.text(),
            Some("Flagged listings per run: drug <semaglutide> & \"co\"")
        );
        assert_eq!(
            svg,
            trend_svg(&chart(), |run| Some(format!("/reports/{run}")))
        );
    }

    #[test]
    fn the_axis_top_is_a_round_number_above_every_count() {
        let mut c = chart();
        assert_eq!(y_max(&c), 20.0);
        c.points[5].count = 21;
        assert_eq!(y_max(&c), 50.0);
        c.points.iter_mut().for_each(|p| p.count = 0);
        assert_eq!(y_max(&c), 1.0);
    }
}
