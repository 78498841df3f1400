//! `pharmwatch rescan`: apply the current rules to every stored listing and update the state
//! store and the index, without fetching anything.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use pharmwatch_indexer::{ListingIndexWriter, WriterBudget};
use pharmwatch_store::{DataDirLock, ListingChange, RunStatus, SqliteStore, StateStore};

use super::{ConfigError, Global};
use crate::pipeline::{self, DataDir};

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
    let (mut seen, mut changed, mut flagged) = (0u64, 0u64, 0u64);
    for stored in pharmwatch_store::AllListings::new(&*store) {
        let stored = stored?;
        let verdict = rules.evaluate(&stored.listing);
        if let Some(ListingChange::Changed { .. }) = store.update_verdict(&verdict, run)? {
            changed += 1;
        }
        seen += 1;
        flagged += u64::from(verdict.flagged);
        let mut doc = pipeline::index_doc(&rules, stored.listing, verdict, stored.first_seen, run);
        doc.last_seen = stored.last_seen;
        doc.gone_since = stored.gone_since;
        index.upsert(&doc)?;
    }
    index.commit()?;
    let counts = serde_json::json!({
        "rescan": true, "listings": seen, "flagged": flagged, "changed": changed,
    });
    store.finish_run(
        run,
        RunStatus::Finished,
        &counts,
        time::OffsetDateTime::now_utc(),
    )?;
    let report = crate::report::build(&*store, run)?;
    let path = crate::report::write(&data.root, &report)?;
    println!(
        "rescanned {seen} listings with the current rules: {flagged} flagged, {changed} verdicts changed (run {}, report {})",
        run.0,
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}
