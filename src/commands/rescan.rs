//! `pharmwatch rescan`: apply the current rules to every stored listing and update the state
//! store and the index, without fetching anything.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use pharmwatch_indexer::{ListingIndexWriter, WriterBudget};
use pharmwatch_store::{DataDirLock, RunStatus, SqliteStore, StateStore};

use super::{ConfigError, Global};
use crate::pipeline::{self, DataDir};
use crate::report::{RESCAN_TALLY_KEY, RescanTally};

pub fn run(global: &Global) -> Result<ExitCode> {
    let config = global.load_config()?;
    let data = DataDir::new(&global.data_dir);
    data.open_existing_store()?;
    let _lock = DataDirLock::acquire(&data.root)
        .map_err(|e| anyhow::Error::new(ConfigError(e.to_string())))?;
    let rules = pipeline::load_rules(&config)?;
    let store: Arc<dyn StateStore> = Arc::new(SqliteStore::open(&data.state())?);
    let now = time::OffsetDateTime::now_utc();
    let run = store.start_run(&config.digest, now)?;
    // A rescan re-indexes every listing in one go: the bulk budget's bigger segments save
    // merges, and no crawl competes for memory while it runs.
    let mut index = ListingIndexWriter::open_with_budget(&data.index(), WriterBudget::bulk())
        .with_context(|| format!("cannot open the index at {}", data.index().display()))?;
    let mut tally = RescanTally::default();
    for stored in pharmwatch_store::AllListings::new(&*store) {
        let stored = stored?;
        let verdict = rules.evaluate(&stored.listing);
        store.update_verdict(&verdict, run)?;
        tally.add(&stored.verdict, &verdict, stored.gone_since.is_none());
        let mut doc = pipeline::index_doc(&rules, stored.listing, verdict, stored.first_seen, run);
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
    store.finish_run(
        run,
        RunStatus::Finished,
        &counts,
        time::OffsetDateTime::now_utc(),
    )?;
    let report = crate::report::build(&*store, run)?;
    let path = crate::report::write(&data.root, &report)?;
    println!(
        "rescanned {} with the current rules ({} live, {} gone): {} changed; flagged live listings {} → {} (run {}, report {}; `pharmwatch report {}` shows it)",
        crate::output::count(tally.listings + tally.gone_listings, "listing", "listings"),
        tally.listings,
        tally.gone_listings,
        crate::output::count(tally.changed, "verdict", "verdicts"),
        tally.flagged_before,
        tally.flagged_after,
        run.0,
        path.display(),
        run.0
    );
    Ok(ExitCode::SUCCESS)
}
