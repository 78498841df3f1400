//! Per-run counts and the trend signals of a run.
//!
//! At the end of every finished run the pipeline tallies the listings seen in it, in the
//! pass over the store that also builds its report, and records the counts
//! ([`record_run_counts`]). [`trend_report`] compares a run's counts with those of earlier
//! runs **of the same scope**: runs whose set of crawled sites (the `sites` of the run
//! record's counts) equals the run's own. A daemon's site groups, a one-site test crawl and
//! the full crawl then each have their own history, and a baseline never mixes them (a
//! crawl of two more sites would otherwise look like a rise of everything they sell).

use std::collections::BTreeSet;

use anyhow::{Context, Result};
use pharmwatch_signals::draw::{TrendChart, TrendPoint};
use pharmwatch_signals::{Dimension, RunCounts, Signal, TrendConfig, detect};
use pharmwatch_store::{RunCount, RunId, RunRecord, RunStatus, StateStore};
use serde::{Deserialize, Serialize};

/// Stores `counts` (the flagged listings of `run`, tallied by the run's end in its one pass
/// over the stored listings: `report::ListingScan`) with the run.
pub fn record_run_counts(store: &dyn StateStore, run: RunId, counts: &RunCounts) -> Result<()> {
    let rows: Vec<RunCount> = counts
        .iter()
        .map(|(dimension, key, count)| RunCount {
            dimension: dimension.as_str().to_string(),
            key: key.to_string(),
            count,
        })
        .collect();
    store
        .record_run_counts(run, &rows)
        .with_context(|| format!("cannot store the counts of run {run}"))
}

/// The trend signals of one run, and what they were compared with.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrendReport {
    /// The run compared.
    pub run: i64,
    /// Whether the run has counts (only finished runs are counted).
    pub counted: bool,
    /// Earlier counted runs that crawled the same set of sites: the history, oldest first.
    /// Rises are tested against the latest [`TrendConfig::window`] of them.
    pub compared_with: Vec<i64>,
    /// Earlier counted runs left out because they crawled another set of sites.
    pub other_scope: Vec<i64>,
    /// Rises (most significant first), then drugs and categories new in this run.
    pub signals: Vec<Signal>,
}

impl TrendReport {
    /// "Run 5 compared with runs 1, 2, 3, 4 (the same set of sites)." and what was left out.
    pub fn summary(&self) -> String {
        let list = |runs: &[i64]| {
            runs.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut line = if !self.counted {
            format!(
                "Run {} has no counts (only finished runs are counted): no trend signals.",
                self.run
            )
        } else if self.compared_with.is_empty() {
            format!(
                "Run {}: no earlier run crawled the same set of sites, nothing to compare with.",
                self.run
            )
        } else {
            format!(
                "Run {} compared with {} {} (the same set of sites).",
                self.run,
                runs(self.compared_with.len()),
                list(&self.compared_with)
            )
        };
        if !self.other_scope.is_empty() {
            line.push_str(&format!(
                " Left out: {} {}, which crawled another set of sites.",
                runs(self.other_scope.len()),
                list(&self.other_scope)
            ));
        }
        line
    }
}

/// The latest finished run that has counts.
pub fn latest_counted_run(store: &dyn StateStore) -> Result<Option<RunId>> {
    let counted: BTreeSet<RunId> = store.run_counts()?.into_iter().map(|(r, _)| r).collect();
    Ok(store
        .runs()?
        .into_iter()
        .filter(|r| r.status == RunStatus::Finished && counted.contains(&r.id))
        .map(|r| r.id)
        .max())
}

/// Compares `run` with the earlier counted runs of the same scope (see the module docs),
/// with the signals crate's default test settings.
pub fn trend_report(store: &dyn StateStore, run: RunId) -> Result<TrendReport> {
    let mut report = TrendReport {
        run: run.0,
        ..TrendReport::default()
    };
    let all = store.run_counts()?;
    let Some((_, rows)) = all.iter().find(|(id, _)| *id == run) else {
        return Ok(report);
    };
    report.counted = true;
    let current = counts_of(run, rows)?;
    let runs = store.runs()?;
    let scope = |id: RunId| runs.iter().find(|r| r.id == id).map(sites);
    let own = scope(run);
    let mut history = Vec::new();
    for (id, rows) in all.iter().filter(|(id, _)| *id < run) {
        if scope(*id) == own {
            report.compared_with.push(id.0);
            history.push((id.0, counts_of(*id, rows)?));
        } else {
            report.other_scope.push(id.0);
        }
    }
    report.signals = detect(&history, &current, &TrendConfig::default());
    Ok(report)
}

/// Most runs a trend chart shows: the latest ones up to the chart's run.
pub const MAX_CHART_RUNS: usize = 30;

/// One series (`dimension`, `key`) over the runs of `run`'s scope up to `run` (the latest
/// [`MAX_CHART_RUNS`]): the runs `run`'s test compared with marked as its baseline, and
/// each run marked with what the same test, run for it against its own earlier runs, said
/// of the series. `None` when `run` has no counts.
pub fn trend_chart(
    store: &dyn StateStore,
    run: RunId,
    dimension: Dimension,
    key: &str,
) -> Result<Option<TrendChart>> {
    let all = store.run_counts()?;
    let runs = store.runs()?;
    let scope = |id: RunId| runs.iter().find(|r| r.id == id).map(sites);
    if !all.iter().any(|(id, _)| *id == run) {
        return Ok(None);
    }
    let own = scope(run);
    let mut series: Vec<(i64, RunCounts)> = Vec::new();
    for (id, rows) in all.iter().filter(|(id, _)| *id <= run) {
        if scope(*id) == own {
            series.push((id.0, counts_of(*id, rows)?));
        }
    }
    series.sort_by_key(|(id, _)| *id);
    let config = TrendConfig::default();
    let baseline: BTreeSet<i64> = series
        .iter()
        .rev()
        .skip(1)
        .take(config.window)
        .map(|(id, _)| *id)
        .collect();
    let first = series.len().saturating_sub(MAX_CHART_RUNS);
    let points = (first..series.len())
        .map(|i| {
            let (id, counts) = &series[i];
            let signal = detect(&series[..i], counts, &config)
                .into_iter()
                .find(|s| s.dimension == dimension && s.key == key)
                .map(|s| s.kind);
            TrendPoint {
                run: *id,
                count: counts.get(dimension, key),
                baseline: baseline.contains(id),
                signal,
            }
        })
        .collect();
    Ok(Some(TrendChart {
        series: format!("{} {key}", dimension.as_str()),
        points,
    }))
}

/// The counts of a run as stored. Rows of a dimension this build does not know (written by
/// a newer pharmwatch sharing the data directory) are left out with a warning: one unknown
/// row must not cost the run its report and every later run its trend signals.
fn counts_of(run: RunId, rows: &[RunCount]) -> Result<RunCounts> {
    let known = rows.iter().filter(|r| {
        let ok = r.dimension.parse::<Dimension>().is_ok();
        if !ok {
            tracing::warn!(
                run = run.0,
                dimension = %r.dimension,
                "run_counts row of an unknown dimension left out (written by a newer pharmwatch?)"
            );
        }
        ok
    });
    RunCounts::from_rows(known.map(|r| (r.dimension.as_str(), r.key.as_str(), r.count)))
        .with_context(|| format!("the stored counts of run {run} cannot be read"))
}

/// The sites a run crawled: the keys of its counts' `sites` object.
fn sites(run: &RunRecord) -> BTreeSet<String> {
    run.counts
        .get("sites")
        .and_then(|s| s.as_object())
        .map(|sites| sites.keys().cloned().collect())
        .unwrap_or_default()
}

/// "run" or "runs" before a list of `n` run ids.
fn runs(n: usize) -> &'static str {
    if n == 1 { "run" } else { "runs" }
}

#[cfg(test)]
mod tests {
    use pharmwatch_store::SqliteStore;

    use super::*;

    fn row(dimension: &str, key: &str, count: u64) -> RunCount {
        RunCount {
            dimension: dimension.into(),
            key: key.into(),
            count,
        }
    }

    #[test]
    fn a_row_of_an_unknown_dimension_does_not_break_the_comparison() {
        let store = SqliteStore::open_in_memory().unwrap();
        let now = time::macros::datetime!(2026-11-23 12:00 UTC);
        let mut runs = Vec::new();
        for n in 0..4u64 {
            let run = store.start_run("cfg", now).unwrap();
            let mut rows = vec![row("drug", "semaglutide", if n == 3 { 40 } else { 10 })];
            // A dimension a newer pharmwatch might add.
            rows.push(row("vendor", "acme", 1));
            store.record_run_counts(run, &rows).unwrap();
            runs.push(run);
        }
        let report = trend_report(&store, runs[3]).unwrap();
        assert!(report.counted);
        assert_eq!(report.compared_with.len(), 3);
        assert_eq!(report.signals.len(), 1, "{:#?}", report.signals);
        assert_eq!(report.signals[0].key, "semaglutide");
    }
}
