//! Run reports: the list of runs (`/reports`) and one run's report (`/reports/{run}`), the
//! same [`RunReport`] `pharmwatch report` prints.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Html;
use maud::{Markup, html};
use pharmwatch_signals::draw::TrendChart;
use pharmwatch_store::{RunId, RunRecord, StateStore};

use super::templates::{self, domain_href, listing_href, severity_badge};
use super::{AppState, WebError, blocking};
use crate::report::{ReportListing, RunReport};

/// Every run, newest first.
pub fn runs(state: &AppState) -> Result<Vec<RunRecord>, WebError> {
    let mut runs = state.store()?.runs()?;
    runs.sort_by_key(|r| std::cmp::Reverse(r.id.0));
    Ok(runs)
}

/// The report written at the end of the run, or one built from the store now (a run still
/// going, or one interrupted before writing it).
pub fn report(state: &AppState, run: i64) -> Result<RunReport, WebError> {
    if let Ok(report) = crate::report::read(&state.data_root, run) {
        return Ok(report);
    }
    let store = state.store()?;
    if store.run(RunId(run))?.is_none() {
        return Err(WebError::NotFound(format!("no run {run}")));
    }
    Ok(crate::report::build(&store, RunId(run))?)
}

/// `GET /reports`.
pub async fn list(State(state): State<Arc<AppState>>) -> Result<Html<String>, WebError> {
    let runs = blocking(move || runs(&state)).await?;
    let body = html! {
        h1 { "Run reports" }
        @if runs.is_empty() { p.muted { "No runs yet." } }
        @else {
            table.runs {
                thead { tr { th { "Run" } th { "Status" } th { "Started" } th { "Finished" } th { "Counts" } } }
                tbody {
                    @for r in &runs {
                        tr {
                            td { a href={ "/reports/" (r.id.0) } { "Run " (r.id.0) } }
                            td { (r.status.as_str()) }
                            td { (templates::time(&r.started_at)) }
                            td { @if let Some(f) = &r.finished_at { (templates::time(f)) } }
                            td.muted { (counts_line(&r.counts)) }
                        }
                    }
                }
            }
        }
    };
    Ok(templates::layout("Run reports", body))
}

/// `GET /reports/{run}`.
pub async fn page(
    State(state): State<Arc<AppState>>,
    Path(run): Path<i64>,
) -> Result<Html<String>, WebError> {
    let (report, charts) = blocking(move || {
        let report = report(&state, run)?;
        let charts = super::trends::report_charts(&state, &report)?;
        Ok((report, charts))
    })
    .await?;
    Ok(templates::layout(
        &format!("Run {}", report.run),
        body(&report, &charts),
    ))
}

/// Top-level numbers of a run's counts, `name=value` separated by spaces.
fn counts_line(counts: &serde_json::Value) -> String {
    counts
        .as_object()
        .map(|o| {
            o.iter()
                .filter(|(_, v)| v.is_number())
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

fn body(r: &RunReport, charts: &[TrendChart]) -> Markup {
    html! {
        h1 { "Run " (r.run) " · " (r.status) }
        p {
            "Started " (templates::time(&r.started_at))
            @if let Some(f) = &r.finished_at { ", finished " (templates::time(f)) }
            " · " a href={ "/api/reports/" (r.run) } { "JSON" }
        }
        h2 { "Counts" }
        @if let Some(counts) = r.counts.as_object() {
            table.counts { tbody {
                @for (k, v) in counts { tr { td { (k) } td { code { (v.to_string()) } } } }
            } }
        }
        h2 { "New flagged listings (" (r.new_flagged.len()) ")" }
        (listing_table(&r.new_flagged))
        h2 { "Price changes (" (r.price_changes.len()) ")" }
        @if !r.price_changes.is_empty() {
            table { thead { tr { th { "Listing" } th { "Old" } th { "New" } } } tbody {
                @for c in &r.price_changes {
                    tr {
                        td { a href=(listing_href(&c.listing.id)) { (c.listing.title) } }
                        td { (templates::money(c.old.as_ref())) }
                        td { (templates::money(c.new.as_ref())) }
                    }
                }
            } }
        }
        h2 { "Verdict changes (" (r.verdict_changes.len()) ")" }
        @if !r.verdict_changes.is_empty() {
            table { thead { tr { th { "Listing" } th { "Before" } th { "After" } } } tbody {
                @for c in &r.verdict_changes {
                    tr {
                        td { a href=(listing_href(&c.listing.id)) { (c.listing.title) } }
                        td { (severity_badge(c.old_severity)) " " (c.old_rules.join(", ")) }
                        td { (severity_badge(c.new_severity)) " " (c.new_rules.join(", ")) }
                    }
                }
            } }
        }
        h2 { "Gone (" (r.gone.len()) ")" }
        (listing_table(&r.gone))
        h2 { "Returned (" (r.returned.len()) ")" }
        (listing_table(&r.returned))
        h2 { "New domains (" (r.new_domains.len()) ")" }
        ul { @for d in &r.new_domains { li { a href=(domain_href(d)) { (d) } } } }
        h2 { "Top rules" }
        table.counts { tbody {
            @for (rule, n) in &r.top_rules { tr { td { code { (rule) } } td { (n) } } }
        } }
        (super::networks::trend_section(&r.signals))
        @if !charts.is_empty() {
            h2 #trend-charts { "Trend charts" }
            @for chart in charts {
                (super::trends::trend_figure(chart))
                details { summary { "The counts" } (super::trends::points_table(chart)) }
            }
        }
    }
}

fn listing_table(listings: &[ReportListing]) -> Markup {
    html! {
        @if !listings.is_empty() {
            table.listings {
                thead { tr { th { "Severity" } th { "Title" } th { "Site" } th { "Price" } th { "Rules" } } }
                tbody {
                    @for l in listings {
                        tr {
                            td { (severity_badge(l.severity)) }
                            td { a href=(listing_href(&l.id)) { (l.title) } }
                            td { (l.site) " · " a href=(domain_href(&l.domain)) { (l.domain) } }
                            td { (templates::money(l.price.as_ref())) }
                            td { (l.rules.join(", ")) }
                        }
                    }
                }
            }
        }
    }
}
