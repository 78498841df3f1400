//! `pharmwatch report [RUN] [--json|--md]`, `pharmwatch report --diff A B [--json|--md]`.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use pharmwatch_store::{RunId, StateStore};

use super::{ConfigError, Global};
use pharmwatch::pipeline::DataDir;
use pharmwatch::report::{self, RunReport};

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Run number (default: the latest run).
    pub run: Option<i64>,
    /// Print the report as JSON.
    #[arg(long, conflicts_with = "md")]
    pub json: bool,
    /// Print the report as Markdown (the default on a terminal too).
    #[arg(long)]
    pub md: bool,
    /// Compare two runs (a crawl or a rescan each): counters, rules and domains that differ,
    /// as Markdown or, with --json, JSON.
    #[arg(long, num_args = 2, value_names = ["A", "B"], conflicts_with = "run")]
    pub diff: Option<Vec<i64>>,
}

pub fn run(global: &Global, args: ReportArgs) -> Result<ExitCode> {
    let data = global.data()?;
    let store = data.open_existing_store()?;
    if let Some(pair) = &args.diff {
        let (a, b) = (
            load(&*store, &data, pair[0])?,
            load(&*store, &data, pair[1])?,
        );
        let diff = report::diff(&a, &b);
        if args.json {
            println!("{}", serde_json::to_string_pretty(&diff)?);
        } else {
            print!("{}", report::diff_to_markdown(&diff));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let run = match args.run {
        Some(run) => run,
        None => store
            .runs()?
            .first()
            .map(|r| r.id.0)
            .ok_or_else(|| ConfigError("no run recorded yet".into()))?,
    };
    let report = load(&*store, &data, run)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report::to_markdown(&report));
    }
    Ok(ExitCode::SUCCESS)
}

/// The report written at the end of the run, else rebuilt from the store (a run that was
/// killed before it could write one).
fn load(store: &dyn StateStore, data: &DataDir, run: i64) -> Result<RunReport> {
    if let Ok(report) = report::read(&data.root, run) {
        return Ok(report);
    }
    if store.run(RunId(run))?.is_none() {
        return Err(ConfigError(format!(
            "no run {run}: `pharmwatch report` with no number shows the latest"
        ))
        .into());
    }
    report::build(store, RunId(run))
}
