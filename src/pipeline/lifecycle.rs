//! What every run does around its work, written once for a crawl and a rescan: the data
//! directory's lock, and the run's end in the store — finished or interrupted with its counts
//! and a report, or failed with the error — so that no error leaves a run marked running (the
//! next crawl would take it for a killed run and resume it).

use std::path::{Path, PathBuf};

use anyhow::Result;
use pharmwatch_store::{DataDirLock, RunId, RunStatus, StateStore};

use super::{DataDir, now};
use crate::config::ConfigError;

/// What a run is, for what its end records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RunKind {
    Crawl,
    /// Fetches nothing: its counts stay out of the trend signals' baselines, which compare
    /// what crawls saw.
    Rescan,
}

/// How a run's work ended: its status and the counts stored with it.
pub(super) struct Outcome {
    pub status: RunStatus,
    pub counts: serde_json::Value,
}

/// The data directory's lock for a run: one process writes a data directory at a time, and a
/// second one is told so (exit 2).
pub(super) fn lock(data_dir: &DataDir) -> Result<DataDirLock> {
    DataDirLock::acquire(&data_dir.root).map_err(|e| anyhow::Error::new(ConfigError(e.to_string())))
}

/// Records the end of `run` from what its work returned, then writes its report. A failed
/// work (or a store that cannot record the end) marks the run failed with the error and
/// returns the error. A report that cannot be written is logged, not an error: the run's
/// data is stored and `pharmwatch report` rebuilds it; its path is returned when written.
pub(super) fn close<T>(
    store: &dyn StateStore,
    data_root: &Path,
    run: RunId,
    kind: RunKind,
    work: Result<(T, Outcome)>,
) -> Result<(T, Option<PathBuf>)> {
    let ended = work.and_then(|(value, outcome)| {
        store.finish_run(run, outcome.status, &outcome.counts, now())?;
        Ok(value)
    });
    let value = match ended {
        Ok(value) => value,
        Err(err) => {
            let counts = serde_json::json!({ "error": format!("{err:#}") });
            if let Err(also) = store.finish_run(run, RunStatus::Failed, &counts, now()) {
                tracing::warn!("cannot mark run {} failed: {also:#}", run.0);
            }
            return Err(err);
        }
    };
    let report = match conclude(store, data_root, run, kind) {
        Ok(path) => {
            tracing::info!(report = %path.display(), "run report written");
            Some(path)
        }
        Err(err) => {
            tracing::warn!("cannot write the run report: {err:#}");
            None
        }
    };
    Ok((value, report))
}

/// A stored run's end: one pass over the stored listings gives a finished crawl's counts for
/// trend signals (recorded first: the report's signals compare them) and the run report,
/// written to `reports/`; returns its path.
fn conclude(
    store: &dyn StateStore,
    data_root: &Path,
    run: RunId,
    kind: RunKind,
) -> Result<PathBuf> {
    let record = crate::report::run_record(store, run)?;
    let scan = crate::report::ListingScan::of(store, &record)?;
    if kind == RunKind::Crawl && record.status == RunStatus::Finished {
        // A run without counts is only left out of later baselines: not worth failing for.
        if let Err(err) = crate::analysis::trends::record_run_counts(store, run, &scan.counts) {
            tracing::warn!("cannot record the run's counts for trend signals: {err:#}");
        }
    }
    let report = crate::report::build_with(store, &record, scan)?;
    crate::report::write(data_root, &report)
}
