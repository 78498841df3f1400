//! `pharmwatch rescan`: apply the current rules to every stored listing and update the state
//! store and the index, without fetching anything.

use std::process::ExitCode;

use anyhow::Result;
use pharmwatch::output::count;
use pharmwatch::pipeline;

use super::Global;

pub fn run(global: &Global) -> Result<ExitCode> {
    let config = global.load_config()?;
    let done = pipeline::rescan(&config, &global.data()?)?;
    let tally = &done.tally;
    let report = match &done.report {
        Some(path) => format!("report {}", path.display()),
        None => "the report could not be written, see the warning".to_string(),
    };
    println!(
        "rescanned {} with the current rules ({} live, {} gone): {} changed; flagged live listings {} → {} (run {}, {report}; `pharmwatch report {}` shows it)",
        count(tally.listings + tally.gone_listings, "listing", "listings"),
        tally.listings,
        tally.gone_listings,
        count(tally.changed, "verdict", "verdicts"),
        tally.flagged_before,
        tally.flagged_after,
        done.run.0,
        done.run.0
    );
    Ok(ExitCode::SUCCESS)
}
