//! A rescan: the current rules applied to every stored listing, the state store and the index
//! updated, nothing fetched. A run of its own (with its report), around the same lifecycle as a
//! crawl.

use std::path::PathBuf;

use anyhow::{Context, Result};
use pharmwatch_indexer::{ListingIndexWriter, WriterBudget};
use pharmwatch_rules::RuleSet;
use pharmwatch_store::{AllListings, RunId, RunStatus, StateStore};

use super::lifecycle::{self, Outcome, RunKind};
use super::{DataDir, index_doc, load_rules, now};
use crate::config::Config;
use crate::report::{RESCAN_TALLY_KEY, RescanTally};

/// What a rescan changed.
#[derive(Debug)]
pub struct RescanSummary {
    /// The rescan's run in the state store.
    pub run: RunId,
    /// Verdicts changed, and each rule's listings before and after.
    pub tally: RescanTally,
    /// The run report, when it could be written.
    pub report: Option<PathBuf>,
}

/// Applies the current rules to every listing of an existing data directory.
pub fn rescan(config: &Config, data_dir: &DataDir) -> Result<RescanSummary> {
    let store = data_dir.open_existing_store()?;
    let _lock = lifecycle::lock(data_dir)?;
    let rules = load_rules(config)?;
    let run = store.start_run(&config.digest, now())?;
    let work = rescore(&*store, &rules, data_dir, run);
    let (tally, report) = lifecycle::close(&*store, &data_dir.root, run, RunKind::Rescan, work)?;
    Ok(RescanSummary { run, tally, report })
}

/// Every stored listing evaluated again, its verdict stored and its document re-indexed.
fn rescore(
    store: &dyn StateStore,
    rules: &RuleSet,
    data_dir: &DataDir,
    run: RunId,
) -> Result<(RescanTally, Outcome)> {
    // A rescan re-indexes every listing in one go: the bulk budget's bigger segments save
    // merges, and no crawl competes for memory while it runs.
    let mut index =
        ListingIndexWriter::open_with_budget(&data_dir.index(), WriterBudget::bulk())
            .with_context(|| format!("cannot open the index at {}", data_dir.index().display()))?;
    let mut tally = RescanTally::default();
    for stored in AllListings::new(store) {
        let stored = stored?;
        let verdict = rules.evaluate(&stored.listing);
        store.update_verdict(&verdict, run)?;
        tally.add(&stored.verdict, &verdict, stored.gone_since.is_none());
        let mut doc = index_doc(rules, stored.listing, verdict, stored.first_seen, run);
        doc.last_seen = stored.last_seen;
        doc.gone_since = stored.gone_since;
        index.upsert(&doc)?;
    }
    index.commit()?;
    // Counted like a crawl's (live listings, flagged ones among them), so `report --diff`
    // compares a rescan with the crawl before it; the tally is the rescan's own report.
    let mut counts = serde_json::json!({
        "rescan": true,
        "listings": tally.listings,
        "gone_listings": tally.gone_listings,
        "flagged": tally.flagged_after,
        "changed": tally.changed,
    });
    counts[RESCAN_TALLY_KEY] = serde_json::to_value(&tally)?;
    let outcome = Outcome {
        status: RunStatus::Finished,
        counts,
    };
    Ok((tally, outcome))
}
