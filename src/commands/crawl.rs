//! `pharmwatch crawl`: one run per the config, for cron and systemd timers.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::{ConfigError, Global, exit};
use crate::output;
use crate::pipeline::{self, DataDir};

#[derive(Debug, Args)]
pub struct CrawlArgs {
    /// Crawl only these sites (by name; repeatable). Default: every site in the config.
    #[arg(long = "site")]
    pub sites: Vec<String>,
    /// Stop each site after this many pages (overrides the config's max_pages).
    #[arg(long)]
    pub max_pages: Option<usize>,
    /// Print the flagged listings as JSON lines instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(global: &Global, args: CrawlArgs) -> Result<ExitCode> {
    let config = global.load_config()?;
    let mut sites = config
        .select_sites(&args.sites)
        .map_err(|e| anyhow::Error::new(ConfigError(format!("{e:#}"))))?;
    if sites.is_empty() {
        return Err(ConfigError(
            "the config has no [[site]] to crawl: add one (see README, \"Config\")".into(),
        )
        .into());
    }
    if let Some(max) = args.max_pages {
        for site in &mut sites {
            site.max_pages = Some(max);
        }
    }
    let data_dir = DataDir::new(&global.data_dir);
    let summary = super::runtime()?.block_on(pipeline::run(&config, sites, &data_dir))?;
    if args.json {
        output::print_flagged_json(&summary.flagged)?;
    } else {
        output::print_flagged_table(&summary.flagged);
        eprintln!("{}", output::summary_line(&summary));
    }
    let failed_sites = summary.stats.as_ref().map_or(0, |s| {
        s.per_site.values().filter(|s| s.fetched == 0).count()
    });
    Ok(ExitCode::from(if failed_sites > 0 {
        exit::PARTIAL
    } else {
        exit::OK
    }))
}
