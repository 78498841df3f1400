//! Run reports: what a run fetched, and what changed since the run before — new flagged
//! listings, price and verdict changes, listings gone, new domains, top rules, trend
//! signals. Built from the state store, written as JSON and Markdown under `reports/` in the
//! data directory.
//!
//! A rescan (`pharmwatch rescan`) fetches nothing: its report says what the current rules
//! changed (verdicts, and each rule's listings before and after, gained and lost) and leaves
//! out the crawl's sections. Rules are counted the same way in every report, in `--diff` and
//! in search facets: on flagged listings (see [`rescan`]).

mod markdown;
pub mod rescan;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use pharmwatch_model::{Money, Severity};
use pharmwatch_store::{HistoryEntry, HistoryKind, RunId, RunRecord, StateStore, StoredListing};
use serde::{Deserialize, Serialize};

pub use markdown::{diff_to_markdown, to_markdown};
pub use rescan::RescanTally;

use crate::analysis::trends::{TrendReport, trend_report};
use pharmwatch_signals::RunCounts;

/// Everything an operator reads after a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// The run's number in the state store.
    pub run: i64,
    /// `finished`, `interrupted` or `failed`.
    pub status: String,
    /// When the run started.
    #[serde(with = "pharmwatch_model::timestamp")]
    pub started_at: pharmwatch_model::Timestamp,
    /// When it ended.
    #[serde(with = "pharmwatch_model::timestamp::option")]
    pub finished_at: Option<pharmwatch_model::Timestamp>,
    /// Counters of the run as recorded by the pipeline (pages, listings, per-site stats).
    pub counts: serde_json::Value,
    /// Listings flagged for the first time.
    pub new_flagged: Vec<ReportListing>,
    /// Listings whose price changed.
    pub price_changes: Vec<PriceChange>,
    /// Listings whose verdict changed.
    pub verdict_changes: Vec<VerdictChange>,
    /// Listings no longer offered.
    pub gone: Vec<ReportListing>,
    /// Listings offered again after being gone.
    pub returned: Vec<ReportListing>,
    /// Domains with listings for the first time in this run.
    pub new_domains: Vec<String>,
    /// Rules by how many flagged listings seen in this run they fired on (for a rescan: the
    /// flagged live listings).
    pub top_rules: Vec<(String, u64)>,
    /// Trend signals of this run against earlier runs of the same sites (empty in reports
    /// written before pharmwatch kept counts).
    #[serde(default)]
    pub signals: TrendReport,
    /// A rescan's tally: verdicts changed, each rule before and after, gained and lost.
    /// `None` for a crawl.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rescan: Option<RescanTally>,
}

impl RunReport {
    /// `crawl` or `rescan`.
    pub fn kind(&self) -> &'static str {
        if is_rescan(&self.counts) {
            "rescan"
        } else {
            "crawl"
        }
    }
}

/// Whether a run's counts are a rescan's (`rescan` writes `"rescan": true`).
fn is_rescan(counts: &serde_json::Value) -> bool {
    counts.get("rescan").and_then(serde_json::Value::as_bool) == Some(true)
}

/// Where a rescan keeps its [`RescanTally`] in the run's counts.
pub const RESCAN_TALLY_KEY: &str = "tally";

/// A listing as a report line shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportListing {
    /// The listing's id.
    pub id: String,
    /// Its page.
    pub url: String,
    /// The configured site it was found on.
    pub site: String,
    /// Its domain.
    pub domain: String,
    /// Its title.
    pub title: String,
    /// Its price.
    pub price: Option<Money>,
    /// Its severity.
    pub severity: Option<Severity>,
    /// The rules that fired.
    pub rules: Vec<String>,
}

/// A listing whose price changed, with the old and new prices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceChange {
    /// The listing now.
    pub listing: ReportListing,
    /// The price before.
    pub old: Option<Money>,
    /// The price now.
    pub new: Option<Money>,
}

/// A listing whose verdict changed, with both verdicts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerdictChange {
    /// The listing now.
    pub listing: ReportListing,
    /// The severity before.
    pub old_severity: Option<Severity>,
    /// The rules that fired before.
    pub old_rules: Vec<String>,
    /// The severity now.
    pub new_severity: Option<Severity>,
    /// The rules that fire now.
    pub new_rules: Vec<String>,
}

impl ReportListing {
    fn of(stored: &StoredListing) -> Self {
        let l = &stored.listing;
        ReportListing {
            id: l.id.to_string(),
            url: l.url.clone(),
            site: l.site.clone(),
            domain: l.domain.clone(),
            title: l.title.clone(),
            price: l.price,
            severity: stored.verdict.severity,
            rules: stored.verdict.rule_ids().map(str::to_string).collect(),
        }
    }
}

/// What one pass over the stored listings tells about a run: the counts kept for trend
/// signals, and the report's rule counts and new domains. A run's end reads the store once
/// for all of them: a pass parses every stored listing, the longest part of a run's end.
pub struct ListingScan {
    /// The run's flagged listings per drug, category and rule (for trend signals).
    pub counts: RunCounts,
    /// Rules that fired on listings seen in the run, by count.
    top_rules: RuleCounts,
    /// Domains that had listings in the run but none before it.
    new_domains: Vec<String>,
}

impl ListingScan {
    /// Reads every stored listing once. A crawl's listings are the ones it saw; a rescan's
    /// are the live ones, all of which it re-evaluated (it does not move `last_run`).
    pub fn of(store: &dyn StateStore, record: &RunRecord) -> Result<ListingScan> {
        let rescan = is_rescan(&record.counts);
        let mut counts = RunCounts::default();
        let mut rules: BTreeMap<String, u64> = BTreeMap::new();
        let (mut before, mut now) = (BTreeSet::new(), BTreeSet::new());
        for stored in pharmwatch_store::AllListings::new(store) {
            let stored = stored.context("cannot read the stored listings")?;
            if stored.first_seen < record.started_at {
                before.insert(stored.listing.domain.clone());
            }
            let in_run = if rescan {
                stored.gone_since.is_none()
            } else {
                stored.last_run == record.id
            };
            if in_run {
                counts.add_listing(&stored.verdict);
                now.insert(stored.listing.domain.clone());
                // Flagged listings only, as search facets count them: an `info` rule on a
                // listing nothing flagged is not a hit anyone searches for.
                if stored.flagged {
                    let ids: BTreeSet<&str> = stored.verdict.rule_ids().collect();
                    for rule in ids {
                        *rules.entry(rule.to_string()).or_default() += 1;
                    }
                }
            }
        }
        let mut top_rules: RuleCounts = rules.into_iter().collect();
        top_rules.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(ListingScan {
            counts,
            top_rules,
            new_domains: now.difference(&before).cloned().collect(),
        })
    }
}

/// The record of `run`.
pub fn run_record(store: &dyn StateStore, run: RunId) -> Result<RunRecord> {
    store
        .run(run)?
        .with_context(|| format!("no run {} in the state store", run.0))
}

/// Builds the report of `run` from the state store.
pub fn build(store: &dyn StateStore, run: RunId) -> Result<RunReport> {
    let record = run_record(store, run)?;
    let scan = ListingScan::of(store, &record)?;
    build_with(store, &record, scan)
}

/// Builds the report of the run of `record` with its listings already scanned. Its trend
/// signals read the run's counts from the store: record them first.
pub fn build_with(
    store: &dyn StateStore,
    record: &RunRecord,
    scan: ListingScan,
) -> Result<RunReport> {
    let mut report = empty_report(record);
    for entry in store.listings_changed_in(record.id)? {
        let Some(stored) = store.listing(&entry.listing_id)? else {
            continue;
        };
        add_change(store, &mut report, &entry, &stored)?;
    }
    report.top_rules = scan.top_rules;
    report.new_domains = scan.new_domains;
    if is_rescan(&record.counts) {
        // Rescans before the tally was kept rebuild without it: their top rules still stand.
        report.rescan = record
            .counts
            .get(RESCAN_TALLY_KEY)
            .and_then(|t| serde_json::from_value(t.clone()).ok());
    } else {
        report.signals = trend_report(store, record.id)?;
    }
    for list in [
        &mut report.new_flagged,
        &mut report.gone,
        &mut report.returned,
    ] {
        list.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.site.cmp(&b.site))
                .then_with(|| a.title.cmp(&b.title))
        });
    }
    Ok(report)
}

fn empty_report(record: &RunRecord) -> RunReport {
    RunReport {
        run: record.id.0,
        status: record.status.as_str().to_string(),
        started_at: record.started_at,
        finished_at: record.finished_at,
        counts: record.counts.clone(),
        new_flagged: Vec::new(),
        price_changes: Vec::new(),
        verdict_changes: Vec::new(),
        gone: Vec::new(),
        returned: Vec::new(),
        new_domains: Vec::new(),
        top_rules: Vec::new(),
        signals: TrendReport {
            run: record.id.0,
            ..TrendReport::default()
        },
        rescan: None,
    }
}

fn add_change(
    store: &dyn StateStore,
    report: &mut RunReport,
    entry: &HistoryEntry,
    stored: &StoredListing,
) -> Result<()> {
    let line = ReportListing::of(stored);
    match entry.kind {
        HistoryKind::New if stored.flagged => report.new_flagged.push(line),
        HistoryKind::New => {}
        HistoryKind::Gone => report.gone.push(line),
        HistoryKind::Returned => report.returned.push(line),
        HistoryKind::Changed => {
            let history = store.listing_history(&entry.listing_id)?;
            let previous = history
                .iter()
                .rev()
                .find(|h| h.run < entry.run || (h.run == entry.run && h.at < entry.at));
            let Some(previous) = previous else {
                return Ok(());
            };
            if previous.price != entry.price {
                report.price_changes.push(PriceChange {
                    listing: line.clone(),
                    old: previous.price,
                    new: entry.price,
                });
            }
            if previous.verdict != entry.verdict {
                report.verdict_changes.push(VerdictChange {
                    listing: line,
                    old_severity: previous.verdict.severity,
                    old_rules: previous.verdict.rule_ids.clone(),
                    new_severity: entry.verdict.severity,
                    new_rules: entry.verdict.rule_ids.clone(),
                });
            }
        }
    }
    Ok(())
}

/// Rule ids with the number of listings they fired on, most first.
type RuleCounts = Vec<(String, u64)>;

/// `reports/` in the data directory.
pub fn reports_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("reports")
}

/// Writes `reports/RUN.json` and `reports/RUN.md`; returns the JSON path.
pub fn write(data_dir: &Path, report: &RunReport) -> Result<PathBuf> {
    let dir = reports_dir(data_dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let json = dir.join(format!("{}.json", report.run));
    std::fs::write(&json, serde_json::to_vec_pretty(report)?)
        .with_context(|| format!("cannot write {}", json.display()))?;
    let md = dir.join(format!("{}.md", report.run));
    std::fs::write(&md, to_markdown(report))
        .with_context(|| format!("cannot write {}", md.display()))?;
    Ok(json)
}

/// Reads a report written by [`write`].
pub fn read(data_dir: &Path, run: i64) -> Result<RunReport> {
    let path = reports_dir(data_dir).join(format!("{run}.json"));
    let bytes = std::fs::read(&path).with_context(|| format!("no report at {}", path.display()))?;
    serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not a run report", path.display()))
}

/// A run as a diff names it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunLabel {
    /// The run's number.
    pub run: i64,
    /// `crawl` or `rescan`.
    pub kind: &'static str,
    /// `finished`, `interrupted` or `failed`.
    pub status: String,
    /// When it started.
    #[serde(with = "pharmwatch_model::timestamp")]
    pub started_at: pharmwatch_model::Timestamp,
}

impl RunLabel {
    fn of(r: &RunReport) -> Self {
        RunLabel {
            run: r.run,
            kind: r.kind(),
            status: r.status.clone(),
            started_at: r.started_at,
        }
    }
}

/// A value in the earlier and the later run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change<T> {
    /// The value in the earlier run.
    pub from: T,
    /// The value in the later run.
    pub to: T,
}

/// What differs between two runs' reports: totals, per-rule counts, new domains.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportDiff {
    /// The earlier run.
    pub from: RunLabel,
    /// The later run.
    pub to: RunLabel,
    /// Every top-level number both runs count, where it differs. A crawl counts pages and a
    /// rescan does not: a counter only one run has is left out, not shown as fallen to 0.
    pub counts: BTreeMap<String, Change<serde_json::Value>>,
    /// Flagged listings each rule fired on, where they differ (0: the rule did not fire, or
    /// was not in that run's rule set).
    pub rules: BTreeMap<String, Change<u64>>,
    /// Domains with listings in the later run only.
    pub domains_only_in_to: Vec<String>,
}

/// What differs between the reports of runs `a` (earlier) and `b` (later).
pub fn diff(a: &RunReport, b: &RunReport) -> ReportDiff {
    let mut counts = BTreeMap::new();
    if let (Some(x), Some(y)) = (a.counts.as_object(), b.counts.as_object()) {
        for (key, from) in x {
            let Some(to) = y.get(key) else { continue };
            if from != to && from.is_number() && to.is_number() {
                counts.insert(
                    key.clone(),
                    Change {
                        from: from.clone(),
                        to: to.clone(),
                    },
                );
            }
        }
    }
    let ra: BTreeMap<_, _> = a.top_rules.iter().cloned().collect();
    let rb: BTreeMap<_, _> = b.top_rules.iter().cloned().collect();
    let rules = ra
        .keys()
        .chain(rb.keys())
        .filter_map(|r| {
            let (from, to) = (
                ra.get(r).copied().unwrap_or(0),
                rb.get(r).copied().unwrap_or(0),
            );
            (from != to).then(|| (r.clone(), Change { from, to }))
        })
        .collect();
    let da: BTreeSet<_> = a.new_domains.iter().collect();
    ReportDiff {
        from: RunLabel::of(a),
        to: RunLabel::of(b),
        counts,
        rules,
        domains_only_in_to: b
            .new_domains
            .iter()
            .filter(|d| !da.contains(d))
            .cloned()
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_written_before_trend_signals_still_loads() {
        let dir = tempfile::tempdir().unwrap();
        let record = RunRecord {
            id: RunId(7),
            started_at: time::macros::datetime!(2026-11-23 12:00 UTC),
            finished_at: None,
            status: pharmwatch_store::RunStatus::Finished,
            config_digest: "x".into(),
            counts: serde_json::json!({ "pages": 3 }),
        };
        let report = empty_report(&record);
        let mut json = serde_json::to_value(&report).unwrap();
        json.as_object_mut().unwrap().remove("signals");
        let reports = reports_dir(dir.path());
        std::fs::create_dir_all(&reports).unwrap();
        std::fs::write(reports.join("7.json"), json.to_string()).unwrap();
        let back = read(dir.path(), 7).unwrap();
        assert!(back.signals.signals.is_empty());
        assert!(!back.signals.counted);
        assert!(to_markdown(&back).contains("## Trend signals (0)"));
    }
}
