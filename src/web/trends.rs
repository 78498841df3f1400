//! Trend charts: one series (a drug, category or rule, or the run's total) as flagged
//! listings per run, on its own page (`/trends/{dimension}/{key}`) and on run reports.
//!
//! Charts are drawn by `pharmwatch_signals::draw::trend_svg`, which escapes what it writes;
//! each comes with its counts as a table (the text equivalent) and links to the run reports
//! behind its points.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::response::Html;
use maud::{Markup, PreEscaped, html};
use pharmwatch_signals::draw::{TrendChart, trend_svg};
use pharmwatch_signals::{Dimension, TOTAL_FLAGGED};
use pharmwatch_store::RunId;
use serde::Deserialize;

use super::templates::{self, encode_path};
use super::{AppState, WebError, blocking};
use crate::analysis::trends::{latest_counted_run, trend_chart};
use crate::report::RunReport;

/// Charts a run report draws besides the run's total: its first signals.
const SIGNAL_CHARTS: usize = 6;

/// `?run=N`: the run whose test the chart shows (default: the latest counted run).
#[derive(Debug, Default, Deserialize)]
pub struct TrendParams {
    run: Option<i64>,
}

/// `GET /trends/{dimension}/{key}`.
pub async fn page(
    State(state): State<Arc<AppState>>,
    Path((dimension, key)): Path<(String, String)>,
    Query(params): Query<TrendParams>,
) -> Result<Html<String>, WebError> {
    let dimension: Dimension = dimension.parse().map_err(|_| {
        WebError::NotFound(format!(
            "no trend dimension {dimension:?}: use drug, category, rule or total"
        ))
    })?;
    let chart = blocking(move || {
        let store = state.store()?;
        let run = match params.run {
            Some(run) => RunId(run),
            None => latest_counted_run(&store)?
                .ok_or_else(|| WebError::NotFound("no finished run with counts yet".into()))?,
        };
        trend_chart(&store, run, dimension, &key)?
            .ok_or_else(|| WebError::NotFound(format!("run {} has no counts", run.0)))
    })
    .await?;
    let title = format!("Trend: {}", chart.series);
    let body = html! {
        h1 { (title) }
        (trend_figure(&chart))
        (points_table(&chart))
    };
    Ok(templates::layout(&title, body))
}

/// The charts of a run report: the run's flagged listings, then its first signals' series.
pub fn report_charts(state: &AppState, report: &RunReport) -> Result<Vec<TrendChart>, WebError> {
    let store = state.store()?;
    let run = RunId(report.run);
    let series = std::iter::once((Dimension::Total, TOTAL_FLAGGED.to_string())).chain(
        report
            .signals
            .signals
            .iter()
            .take(SIGNAL_CHARTS)
            .map(|s| (s.dimension, s.key.clone())),
    );
    let mut charts = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    // The total is charted first; a signal on it is not charted twice.
    for (dimension, key) in series.filter(|series| seen.insert(series.clone())) {
        if let Some(chart) = trend_chart(&store, run, dimension, &key)? {
            charts.push(chart);
        }
    }
    Ok(charts)
}

/// Link to a series' trend page.
pub fn trend_href(dimension: Dimension, key: &str) -> String {
    format!("/trends/{}/{}", dimension.as_str(), encode_path(key))
}

/// A chart with what it shows in words. The SVG writer escapes every text and attribute
/// it writes, so its output is inserted as it is.
pub fn trend_figure(chart: &TrendChart) -> Markup {
    let svg = trend_svg(chart, |run| Some(format!("/reports/{run}")));
    html! {
        figure.picture {
            (PreEscaped(svg))
            figcaption {
                "Flagged listings per run: " (chart.series) ". "
                @if let Some((low, mean, high)) = chart.baseline_band() {
                    "The grey band is the range (" (low) " to " (high) ") of the runs the signal test compared the last run with, the dashed line their mean (" (format!("{mean:.1}")) "). "
                }
                "Filled circles: runs the test compared with; diamonds: runs where the series was signalled. Each point links to its run's report."
            }
        }
    }
}

/// The chart's counts as a table.
pub fn points_table(chart: &TrendChart) -> Markup {
    html! {
        table.trend-points {
            thead { tr { th { "Run" } th { "Flagged" } th { "Baseline of the last run" } th { "Signal" } } }
            tbody {
                @for p in &chart.points {
                    tr {
                        td { a href={ "/reports/" (p.run) } { "Run " (p.run) } }
                        td { (p.count) }
                        td { @if p.baseline { "yes" } }
                        td { @if let Some(s) = p.signal { (s.as_str()) } }
                    }
                }
            }
        }
    }
}
