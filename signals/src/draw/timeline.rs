//! When listings appeared, how their prices and verdicts moved, and when they went: one
//! picture for a listing (its price over time, each change a point) and one for a domain
//! (a lane per listing).
//!
//! Every point links to the archived page that showed it (`/archive/{sha256}`), so an
//! investigator goes from "the price doubled on 3 March" to the page that said so. The kind
//! of change is the point's shape, whether the listing was flagged then is whether the
//! point is filled, and the severity is its colour: no channel is colour alone, and the
//! table beside each picture says the same in words.

use pharmwatch_model::{Severity, Timestamp};

use super::palette::{self, Shape};
use super::svg::{Svg, Value, num, shorten};

/// What a timeline point records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// First seen.
    New,
    /// Price or verdict changed.
    Changed,
    /// No longer offered.
    Gone,
    /// Offered again after being gone.
    Returned,
}

impl EventKind {
    /// The word shown in tooltips and legends.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::New => "first seen",
            EventKind::Changed => "changed",
            EventKind::Gone => "gone",
            EventKind::Returned => "back",
        }
    }

    fn shape(self) -> Shape {
        match self {
            EventKind::New => Shape::Circle,
            EventKind::Changed => Shape::Diamond,
            EventKind::Gone => Shape::Square,
            EventKind::Returned => Shape::Triangle,
        }
    }
}

/// One point of a timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEvent {
    /// When the run saw it.
    pub at: Timestamp,
    /// What changed.
    pub kind: EventKind,
    /// The price then, as a number for the axis and as text for people (`12.50 USD`).
    pub price: Option<(f64, String)>,
    /// The verdict's severity then; `None` when the listing was not flagged.
    pub severity: Option<Severity>,
    /// The archived page that showed it.
    pub evidence_href: Option<String>,
}

/// One listing's changes, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Lane {
    /// The listing's title (escaped when written).
    pub label: String,
    /// The listing's page.
    pub href: Option<String>,
    /// Its points, oldest first.
    pub events: Vec<TimelineEvent>,
    /// When a run last saw it offered (the lane runs on to there while it is live).
    pub last_seen: Option<Timestamp>,
}

/// A domain's listings as lanes, with how many more it has than are drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    /// What the lanes belong to, e.g. the domain (escaped when written).
    pub subject: String,
    /// The lanes drawn, in the order given.
    pub lanes: Vec<Lane>,
    /// Listings of the subject that are not drawn.
    pub not_drawn: usize,
}

/// Most lanes a domain's picture draws; the rest are counted under it.
pub const MAX_LANES: usize = 40;

const WIDTH: f64 = 720.0;
const LEFT: f64 = 200.0;
const RIGHT: f64 = 28.0;
const TOP: f64 = 44.0;
const LANE: f64 = 26.0;
const AXIS: f64 = 36.0;
const LABEL_CHARS: usize = 30;

/// One listing's timeline: its price over time (a step line), each change a point on it.
/// A listing without any price gets its points on one line.
pub fn listing_timeline_svg(lane: &Lane) -> String {
    const PLOT: f64 = 150.0;
    let left = 72.0;
    let height = TOP + PLOT + AXIS;
    let title = format!("Timeline: {}", lane.label);
    let desc = format!(
        "{} recorded changes from {} to {}{}. The history table beside the picture lists the same points, each with its archived page.",
        lane.events.len(),
        when(lane.events.first().map(|e| e.at)),
        when(lane.events.last().map(|e| e.at)),
        price_range(lane).map_or(String::new(), |(lo, hi)| format!(
            "; prices from {} to {}",
            lo.1, hi.1
        ))
    );
    let mut svg = Svg::new(WIDTH, height, &title, &desc);
    legend(&mut svg);
    let time = TimeScale::of(std::slice::from_ref(lane), left);
    time_axis(&mut svg, &time, TOP + PLOT);
    let range = price_range(lane);
    let (lo, hi) = range.map_or((0.0, 0.0), |(lo, hi)| (lo.0, hi.0));
    let y = |price: Option<f64>| match price {
        Some(p) if hi > lo => TOP + PLOT - 12.0 - (PLOT - 24.0) * (p - lo) / (hi - lo),
        _ => TOP + PLOT / 2.0,
    };
    price_axis(&mut svg, range, left, (TOP + 12.0, TOP + PLOT - 12.0));
    let points: Vec<(f64, f64)> = lane
        .events
        .iter()
        .map(|e| (time.x(e.at), y(e.price.as_ref().map(|p| p.0))))
        .collect();
    step_line(&mut svg, lane, &points, time.x_end(lane));
    for (event, at) in lane.events.iter().zip(&points) {
        point(&mut svg, event, *at);
    }
    svg.finish()
}

/// A domain's listings as lanes on one time axis: each lane runs from its first sighting to
/// its last (broken while it was gone), with a point at each change.
pub fn timeline_svg(timeline: &Timeline) -> String {
    let lanes = timeline.lanes.len().max(1) as f64;
    let footer = if timeline.not_drawn > 0 { 20.0 } else { 0.0 };
    let height = TOP + lanes * LANE + AXIS + footer;
    let events: usize = timeline.lanes.iter().map(|l| l.events.len()).sum();
    let title = format!("Listings over time: {}", timeline.subject);
    let desc = format!(
        "{} listings drawn as lanes ({} more not drawn), {} recorded changes from {} to {}. The table beside the picture lists the same listings.",
        timeline.lanes.len(),
        timeline.not_drawn,
        events,
        when(first_event(timeline)),
        when(last_event(timeline)),
    );
    let mut svg = Svg::new(WIDTH, height, &title, &desc);
    legend(&mut svg);
    let time = TimeScale::of(&timeline.lanes, LEFT);
    let axis_y = TOP + lanes * LANE;
    time_axis(&mut svg, &time, axis_y);
    for (i, lane) in timeline.lanes.iter().enumerate() {
        let y = TOP + LANE * (i as f64 + 0.5);
        lane_label(&mut svg, lane, y);
        let points: Vec<(f64, f64)> = lane.events.iter().map(|e| (time.x(e.at), y)).collect();
        step_line(&mut svg, lane, &points, time.x_end(lane));
        for (event, at) in lane.events.iter().zip(&points) {
            point(&mut svg, event, *at);
        }
    }
    if timeline.not_drawn > 0 {
        svg.text_element(
            "text",
            &[("x", LEFT.into()), ("y", (axis_y + AXIS + 12.0).into())],
            &format!(
                "{} more listings are not drawn: the table lists them all.",
                timeline.not_drawn
            ),
        );
    }
    svg.finish()
}

/// Maps times (milliseconds: a run's pages can be seconds apart) to x between `left` and the
/// right margin, a little inside the axis so no point sits on it.
struct TimeScale {
    start: i64,
    end: i64,
    left: f64,
}

/// Gap between the axis and the first or last point.
const INSET: f64 = 14.0;

fn millis(at: Timestamp) -> i64 {
    (at.unix_timestamp_nanos() / 1_000_000) as i64
}

fn from_millis(ms: i64) -> Option<Timestamp> {
    Timestamp::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()
}

impl TimeScale {
    fn of(lanes: &[Lane], left: f64) -> TimeScale {
        let times = lanes
            .iter()
            .flat_map(|l| l.events.iter().map(|e| e.at).chain(l.last_seen));
        let (start, end) = times.fold((i64::MAX, i64::MIN), |(s, e), t| {
            let t = millis(t);
            (s.min(t), e.max(t))
        });
        if start > end {
            return TimeScale {
                start: 0,
                end: 0,
                left,
            };
        }
        TimeScale { start, end, left }
    }

    fn x(&self, at: Timestamp) -> f64 {
        let span = WIDTH - self.left - RIGHT - 2.0 * INSET;
        if self.end <= self.start {
            return self.left + INSET + span / 2.0;
        }
        let t = (millis(at) - self.start) as f64 / (self.end - self.start) as f64;
        self.left + INSET + span * t.clamp(0.0, 1.0)
    }

    /// Where a lane still live ends: when it was last seen.
    fn x_end(&self, lane: &Lane) -> Option<f64> {
        lane.last_seen.map(|t| self.x(t))
    }
}

fn legend(svg: &mut Svg) {
    svg.open("g", &[("class", "legend".into())]);
    let mut x = 12.0;
    for kind in [
        EventKind::New,
        EventKind::Changed,
        EventKind::Gone,
        EventKind::Returned,
    ] {
        palette::marker(svg, kind.shape(), (x + 5.0, 16.0), 5.0, palette::GREY);
        svg.text_element(
            "text",
            &[("x", (x + 14.0).into()), ("y", 20.0.into())],
            kind.as_str(),
        );
        x += 86.0;
    }
    palette::marker(svg, Shape::Circle, (x + 5.0, 16.0), 5.0, palette::WHITE);
    svg.text_element(
        "text",
        &[("x", (x + 14.0).into()), ("y", 20.0.into())],
        "hollow: not flagged then; colour: severity",
    );
    svg.close("g");
}

fn time_axis(svg: &mut Svg, time: &TimeScale, y: f64) {
    svg.element(
        "line",
        &[
            ("x1", time.left.into()),
            ("y1", y.into()),
            ("x2", (WIDTH - RIGHT).into()),
            ("y2", y.into()),
            ("stroke", palette::BLACK.into()),
        ],
    );
    let precision = Precision::of(time.end - time.start);
    let ticks = [
        (time.start, "start"),
        ((time.start + time.end) / 2, "middle"),
        (time.end, "end"),
    ];
    let mut last = None;
    for (t, anchor) in ticks {
        let Some(at) = from_millis(t) else {
            continue;
        };
        let label = tick_label(at, precision);
        if last.as_ref() == Some(&label) {
            continue;
        }
        svg.text_element(
            "text",
            &[
                ("x", time.x(at).into()),
                ("y", (y + 16.0).into()),
                ("text-anchor", anchor.into()),
            ],
            &label,
        );
        last = Some(label);
    }
}

/// How much of a time the axis labels show: enough to tell its ticks apart.
#[derive(Debug, Clone, Copy)]
enum Precision {
    Day,
    Minute,
    Second,
}

impl Precision {
    fn of(span_ms: i64) -> Precision {
        match span_ms {
            s if s >= 3 * 86_400_000 => Precision::Day,
            s if s >= 10 * 60_000 => Precision::Minute,
            _ => Precision::Second,
        }
    }
}

fn tick_label(at: Timestamp, precision: Precision) -> String {
    match precision {
        Precision::Day => at.date().to_string(),
        Precision::Minute => format!("{} {:02}:{:02}", at.date(), at.hour(), at.minute()),
        Precision::Second => format!(
            "{} {:02}:{:02}:{:02}",
            at.date(),
            at.hour(),
            at.minute(),
            at.second()
        ),
    }
}

/// The price axis, labelled with the highest and lowest price (one label when they are the
/// same).
fn price_axis(svg: &mut Svg, range: Option<PriceRange<'_>>, left: f64, (top, bottom): (f64, f64)) {
    svg.element(
        "line",
        &[
            ("x1", left.into()),
            ("y1", (top - 12.0).into()),
            ("x2", left.into()),
            ("y2", (bottom + 12.0).into()),
            ("stroke", palette::BLACK.into()),
        ],
    );
    let mut label = |text: &str, y: f64| {
        svg.text_element(
            "text",
            &[
                ("x", (left - 6.0).into()),
                ("y", (y + 4.0).into()),
                ("text-anchor", "end".into()),
            ],
            text,
        );
    };
    match range {
        Some((lo, hi)) if hi.0 > lo.0 => {
            label(&hi.1, top);
            label(&lo.1, bottom);
        }
        Some((lo, _)) => label(&lo.1, (top + bottom) / 2.0),
        None => {}
    }
}

/// The listing's line: level from each point to the next, none while it was gone, and on to
/// when it was last seen while it is live.
fn step_line(svg: &mut Svg, lane: &Lane, points: &[(f64, f64)], end: Option<f64>) {
    let mut d = String::new();
    for (i, (event, &(x, y))) in lane.events.iter().zip(points).enumerate() {
        if event.kind == EventKind::Gone {
            continue;
        }
        let next_x = match points.get(i + 1) {
            Some(&(nx, _)) => nx,
            None => end.unwrap_or(x).max(x),
        };
        d.push_str(&format!("M{},{} H{} ", num(x), num(y), num(next_x)));
        if let (Some(next), Some(&(nx, ny))) = (lane.events.get(i + 1), points.get(i + 1))
            && next.kind != EventKind::Gone
            && ny != y
        {
            d.push_str(&format!("M{},{} V{} ", num(nx), num(y), num(ny)));
        }
    }
    if d.is_empty() {
        return;
    }
    svg.element(
        "path",
        &[
            ("d", d.trim_end().into()),
            ("fill", "none".into()),
            ("stroke", palette::BLACK.into()),
            ("stroke-width", 1.5.into()),
        ],
    );
}

fn point(svg: &mut Svg, event: &TimelineEvent, at: (f64, f64)) {
    let linked = event.evidence_href.is_some();
    if let Some(href) = &event.evidence_href {
        svg.open("a", &[("href", Value::Text(href))]);
    }
    svg.open("g", &[("class", "event".into())]);
    svg.text_element("title", &[], &describe(event));
    let colour = severity_colour(event.severity);
    let fill = if event.severity.is_some() {
        colour
    } else {
        palette::WHITE
    };
    palette::marker_outlined(svg, event.kind.shape(), at, 6.0, fill, colour);
    svg.close("g");
    if linked {
        svg.close("a");
    }
}

/// The point's tooltip, in words: when, what, the price and the verdict then.
fn describe(event: &TimelineEvent) -> String {
    let mut text = format!(
        "{}: {}",
        tick_label(event.at, Precision::Second),
        event.kind.as_str()
    );
    if let Some((_, price)) = &event.price {
        text.push_str(&format!(", {price}"));
    }
    match event.severity {
        Some(s) => text.push_str(&format!(", flagged {}", s.as_str())),
        None => text.push_str(", not flagged"),
    }
    if event.evidence_href.is_some() {
        text.push_str(" (opens the archived page)");
    }
    text
}

fn severity_colour(severity: Option<Severity>) -> &'static str {
    match severity {
        Some(Severity::Critical) => palette::VERMILLION,
        Some(Severity::High) => palette::ORANGE,
        Some(Severity::Medium) => palette::REDDISH_PURPLE,
        Some(Severity::Low) => palette::SKY_BLUE,
        Some(Severity::Info) => palette::BLUE,
        None => palette::GREY,
    }
}

fn lane_label(svg: &mut Svg, lane: &Lane, y: f64) {
    let text = shorten(&lane.label, LABEL_CHARS);
    let attrs = [
        ("x", (LEFT - 10.0).into()),
        ("y", (y + 4.0).into()),
        ("text-anchor", "end".into()),
    ];
    match &lane.href {
        Some(href) => {
            svg.open("a", &[("href", Value::Text(href))]);
            svg.text_element("text", &attrs, &text);
            svg.close("a");
        }
        None => svg.text_element("text", &attrs, &text),
    }
}

/// The lowest and highest price of a lane, as a number and as text.
type PriceRange<'a> = (&'a (f64, String), &'a (f64, String));

fn price_range(lane: &Lane) -> Option<PriceRange<'_>> {
    let priced = || lane.events.iter().filter_map(|e| e.price.as_ref());
    let lo = priced().min_by(|a, b| a.0.total_cmp(&b.0))?;
    let hi = priced().max_by(|a, b| a.0.total_cmp(&b.0))?;
    Some((lo, hi))
}

fn first_event(timeline: &Timeline) -> Option<Timestamp> {
    timeline
        .lanes
        .iter()
        .filter_map(|l| l.events.first().map(|e| e.at))
        .min()
}

fn last_event(timeline: &Timeline) -> Option<Timestamp> {
    timeline
        .lanes
        .iter()
        .filter_map(|l| l.events.last().map(|e| e.at))
        .max()
}

fn when(at: Option<Timestamp>) -> String {
    at.map_or_else(|| "—".to_string(), |t| tick_label(t, Precision::Minute))
}

#[cfg(test)]
mod tests {
    use roxmltree::{Document, Node};
    use time::macros::datetime;

    use super::*;

    const HOSTILE: &str = "<script>alert('x')</script> & \"co\" \u{202E}gnp.exe";

    fn event(day: u8, kind: EventKind, cents: Option<u32>, flagged: bool) -> TimelineEvent {
        TimelineEvent {
            at: datetime!(2026-11-01 12:00 UTC) + time::Duration::days(day.into()),
            kind,
            price: cents.map(|c| {
                (
                    f64::from(c) / 100.0,
                    format!("{}.{:02} USD", c / 100, c % 100),
                )
            }),
            severity: flagged.then_some(Severity::High),
            evidence_href: Some(format!("/archive/{}", day.to_string().repeat(64))),
        }
    }

    fn lane() -> Lane {
        Lane {
            label: HOSTILE.into(),
            href: Some("/listing/abc".into()),
            events: vec![
                event(0, EventKind::New, Some(1200), false),
                event(3, EventKind::Changed, Some(1900), true),
                event(5, EventKind::Gone, Some(1900), true),
                event(9, EventKind::Returned, Some(1900), true),
            ],
            last_seen: Some(datetime!(2026-11-12 12:00 UTC)),
        }
    }

    fn events<'a>(doc: &'a Document<'a>) -> Vec<Node<'a, 'a>> {
        doc.descendants()
            .filter(|n| n.attribute("class") == Some("event"))
            .collect()
    }

    fn shape_of(g: Node<'_, '_>) -> String {
        let shape = g
            .children()
            .find(|c| c.is_element() && !c.has_tag_name("title"))
            .unwrap();
        match (
            shape.tag_name().name(),
            shape.attribute("points").map(|p| p.split(' ').count()),
        ) {
            ("polygon", Some(4)) => "diamond".into(),
            ("polygon", Some(3)) => "triangle".into(),
            (tag, _) => tag.into(),
        }
    }

    #[test]
    fn each_change_is_a_point_of_its_own_shape_linked_to_its_evidence() {
        let svg = listing_timeline_svg(&lane());
        let doc = Document::parse(&svg).expect("well-formed");
        let points = events(&doc);
        let shapes: Vec<String> = points.iter().map(|g| shape_of(*g)).collect();
        assert_eq!(shapes, ["circle", "diamond", "rect", "triangle"]);
        let links: Vec<&str> = points
            .iter()
            .map(|g| g.parent().unwrap().attribute("href").unwrap())
            .collect();
        assert_eq!(links[1], format!("/archive/{}", "3".repeat(64)));
        // Not flagged then: hollow; flagged: filled with the severity's colour.
        let fill = |g: &Node<'_, '_>| {
            g.children()
                .find(|c| c.is_element() && !c.has_tag_name("title"))
                .unwrap()
                .attribute("fill")
                .unwrap()
                .to_string()
        };
        assert_eq!(fill(&points[0]), palette::WHITE);
        assert_eq!(fill(&points[1]), palette::ORANGE);
        let tip = points[1]
            .children()
            .find(|c| c.has_tag_name("title"))
            .unwrap();
        assert!(
            tip.text().unwrap().contains("19.00 USD, flagged high"),
            "{tip:?}"
        );
        // The higher price is drawn higher.
        let cy = |g: &Node<'_, '_>| -> f64 {
            let shape = g
                .children()
                .find(|c| c.has_tag_name("circle") || c.has_tag_name("polygon"))
                .unwrap();
            match shape.attribute("cy") {
                Some(cy) => cy.parse().unwrap(),
                None => {
                    let pts = shape.attribute("points").unwrap();
                    let ys: Vec<f64> = pts
                        .split(' ')
                        .map(|p| p.split(',').nth(1).unwrap().parse().unwrap())
                        .collect();
                    ys.iter().sum::<f64>() / ys.len() as f64
                }
            }
        };
        assert!(cy(&points[1]) < cy(&points[0]));
    }

    #[test]
    fn scraped_titles_stay_text_and_the_same_input_draws_the_same_bytes() {
        let svg = listing_timeline_svg(&lane());
        assert!(!svg.contains("<script"), "{svg}");
        assert!(!svg.contains('\u{202E}'));
        assert_eq!(svg, listing_timeline_svg(&lane()));
        let timeline = Timeline {
            subject: HOSTILE.into(),
            lanes: vec![lane(), lane()],
            not_drawn: 7,
        };
        let svg = timeline_svg(&timeline);
        let doc = Document::parse(&svg).expect("well-formed");
        assert_eq!(events(&doc).len(), 8);
        let texts: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text())
            .collect();
        assert!(
            texts.iter().any(|t| t.starts_with("<script>alert")),
            "{texts:?}"
        );
        assert!(texts.contains(&"7 more listings are not drawn: the table lists them all."));
    }

    #[test]
    fn a_gone_listing_has_no_line_until_it_is_back() {
        let svg = listing_timeline_svg(&lane());
        let doc = Document::parse(&svg).unwrap();
        let path = doc
            .descendants()
            .find(|n| n.has_tag_name("path"))
            .unwrap()
            .attribute("d")
            .unwrap();
        let time = TimeScale::of(&[lane()], 72.0);
        let gone_x = num(time.x(lane().events[2].at));
        let back_x = num(time.x(lane().events[3].at));
        // A segment ends at the gone point and the next one starts where it came back.
        assert!(path.contains(&format!("H{gone_x}")), "{path}");
        assert!(!path.contains(&format!("M{gone_x},")), "{path}");
        assert!(path.contains(&format!("M{back_x},")), "{path}");
    }
}
