//! `pharmwatch daemon`: scheduled runs of site groups (see `pharmwatch::daemon`).

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::Global;
use pharmwatch::daemon::{self, DaemonOptions};

#[derive(Debug, Args)]
pub struct DaemonArgs {
    /// Stop after this many runs (all groups together), e.g. to try a schedule out.
    #[arg(long)]
    pub max_runs: Option<u64>,
}

pub fn run(global: &Global, args: DaemonArgs) -> Result<ExitCode> {
    let config = global.load_config()?;
    let data_dir = global.data()?;
    super::runtime()?.block_on(daemon::run(
        config,
        data_dir,
        DaemonOptions {
            max_runs: args.max_runs,
        },
    ))
}
