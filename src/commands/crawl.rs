//! `pharmwatch crawl`: one run per the config, for cron and systemd timers.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::{ConfigError, Global, exit};
use pharmwatch::config::Config;
use pharmwatch::notify::{self, Notification};
use pharmwatch::output;
use pharmwatch::pipeline::{self, DataDir, RunOptions, RunSummary};
use pharmwatch::progress::ProgressLine;

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
    let data_dir = global.data()?;
    let names: Vec<String> = sites.iter().map(|s| s.name.clone()).collect();
    let runtime = super::runtime()?;
    let line = ProgressLine::on_terminal("crawl");
    let options = RunOptions {
        progress: ProgressLine::hook(&line),
        cancel: None,
    };
    let result = runtime.block_on(pipeline::run_with(&config, sites, &data_dir, options));
    if let Some(line) = &line {
        line.finish();
    }
    let summary = result?;
    let cancelled = summary.stats.as_ref().is_some_and(|s| s.cancelled);
    // Sites that fetched nothing because the run was stopped have not failed.
    let failed_sites = if cancelled {
        Vec::new()
    } else {
        summary.failed_sites(names.iter().map(String::as_str))
    };
    if let Some(url) = &config.notify.webhook {
        runtime.block_on(notify_webhook(
            &config,
            url,
            &data_dir,
            &summary,
            &failed_sites,
            cancelled,
        ));
    }
    if args.json {
        let store = data_dir.open_store()?;
        if let Some(run) = summary.run {
            output::print_flagged_json(&*store, run)?;
        }
    } else {
        output::print_flagged_table(&summary.flagged);
        eprintln!("{}", output::summary_line(&summary));
    }
    for line in summary.over_byte_budget(names.iter().map(String::as_str)) {
        eprintln!("{line}");
    }
    if cancelled {
        eprintln!("interrupted: the run is recorded as interrupted; the next run resumes");
        return Ok(ExitCode::from(exit::FAILED));
    }
    if !failed_sites.is_empty() {
        eprintln!(
            "no page answered by: {} (unreachable, every page failing, or robots.txt unreachable or disallowing everything)",
            failed_sites.join(", ")
        );
        for site in &failed_sites {
            eprintln!("  {site}: {}", summary.why_failed(site));
        }
        return Ok(ExitCode::from(exit::PARTIAL));
    }
    Ok(ExitCode::from(exit::OK))
}

/// POSTs the run's summary to `[notify] webhook`; a failure is reported, never fatal.
async fn notify_webhook(
    config: &Config,
    url: &str,
    data_dir: &DataDir,
    summary: &RunSummary,
    failed_sites: &[String],
    // Stopped by a signal: one attempt, no pauses.
    hurry: bool,
) {
    let Some(run) = summary.run else { return };
    let report = match notify::report_of(data_dir, run) {
        Ok(report) => report,
        Err(err) => {
            tracing::warn!("no notification: cannot read the run's report: {err:#}");
            return;
        }
    };
    let payload = Notification::of_report(&report, None, failed_sites.to_vec());
    let delivery = notify::send(
        &config.notify,
        url,
        &config.crawl.user_agent,
        &payload,
        hurry,
    )
    .await;
    if !delivery.ok {
        eprintln!(
            "warning: webhook {url} not notified after {}: {}",
            pharmwatch::output::count(delivery.attempts, "attempt", "attempts"),
            delivery.error.as_deref().unwrap_or("unknown error")
        );
    }
}
