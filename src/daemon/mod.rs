//! `pharmwatch daemon`: runs site groups on their cron schedules until SIGTERM or SIGINT.
//!
//! # The loop
//!
//! One loop runs the groups **one after another**. A data directory has one lock, one state
//! store writer and one index writer, so two runs on it cannot overlap anyway; running due
//! groups in turn (earliest due first, config order on ties) makes that explicit instead of
//! having runs wait on the lock. A group never runs twice at once: while it runs, its own due
//! times are skipped (its next run is the first due time after the run ends), while another
//! group's due time that passes meanwhile is kept, so that group runs right after.
//!
//! Between runs the loop sleeps until the earliest next run (in steps of at most a minute,
//! so a changed wall clock is noticed). At start, a group whose last run (from the status
//! file, else from the state store's runs) ended before the schedule's last due time missed
//! a run while the daemon was down: with `[daemon] catch_up = true` it runs once, at once.
//!
//! A signal cancels the current run (pages in flight finish, the run is committed as
//! interrupted), the status file says `stopped`, and the process exits 0.

pub mod groups;
pub mod status;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use pharmwatch_model::Timestamp;
use pharmwatch_store::DataDirLock;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::config::ConfigError;
use crate::notify::{self, Notification};
use crate::pipeline::{self, DataDir, RunOptions, RunSummary};
use crate::progress::ProgressLine;
use groups::{Group, groups_of};
use status::{DaemonStatus, GroupStatus, LastRun};

/// Longest sleep between two looks at the clock.
const MAX_SLEEP: Duration = Duration::from_secs(60);

/// How the daemon was started.
pub struct DaemonOptions {
    /// Stop after this many runs (tests, trials).
    pub max_runs: Option<u64>,
}

/// Runs the daemon until a signal (or `max_runs`); exit code 0 on a clean stop.
pub async fn run(config: Config, data_dir: DataDir, options: DaemonOptions) -> Result<ExitCode> {
    let groups = groups_of(&config).map_err(|e| ConfigError(format!("{e:#}")))?;
    if groups.is_empty() {
        return Err(ConfigError(
            "nothing to schedule: give sites a `schedule = \"0 3 * * *\"` or add a [[group]] \
             with `name`, `sites` and `schedule` (see README, \"Scheduled runs\")"
                .into(),
        )
        .into());
    }
    data_dir.create()?;
    let _lock = lock_daemon(&data_dir.root)?;
    let status_path = config
        .daemon
        .status_file
        .as_ref()
        .map_or_else(|| data_dir.root.join(status::DEFAULT_FILE), Clone::clone);
    let shutdown = CancellationToken::new();
    let on_signal = shutdown.clone();
    let signal = pipeline::shutdown_signal();
    tokio::spawn(async move {
        if signal.await {
            tracing::warn!("signal received: finishing the current run, then stopping");
            on_signal.cancel();
        }
    });

    let mut daemon = Daemon::start(config, data_dir, groups, status_path)?;
    daemon.lifetime_loop(&shutdown, options.max_runs).await;
    daemon.status.state = "stopped".into();
    daemon.status.stopped_at = Some(now());
    for g in daemon.status.groups.values_mut() {
        g.state = "idle".into();
    }
    daemon.save();
    tracing::info!(runs = daemon.status.runs, "daemon stopped");
    Ok(ExitCode::SUCCESS)
}

/// The daemon's state between two looks at the clock.
struct Daemon {
    config: Config,
    data_dir: DataDir,
    groups: Vec<Group>,
    /// Next due time per group (same order as `groups`); `None`: never again.
    due: Vec<Option<Timestamp>>,
    /// Groups whose next run is a catch-up.
    catch_up: Vec<bool>,
    status: DaemonStatus,
    status_path: PathBuf,
}

impl Daemon {
    fn start(
        config: Config,
        data_dir: DataDir,
        groups: Vec<Group>,
        status_path: PathBuf,
    ) -> Result<Daemon> {
        let started = now();
        let previous = DaemonStatus::read(&status_path);
        let store_runs = past_runs(&data_dir);
        let mut status = DaemonStatus {
            pid: std::process::id(),
            state: "running".into(),
            started_at: started,
            updated_at: started,
            stopped_at: None,
            runs: 0,
            groups: BTreeMap::new(),
        };
        let (mut due, mut catch_up) = (Vec::new(), Vec::new());
        for group in &groups {
            let last_run = previous
                .as_ref()
                .and_then(|p| p.groups.get(&group.name))
                .and_then(|g| g.last_run.clone());
            let last_end = last_run
                .as_ref()
                .map(|r| r.finished_at.unwrap_or(r.started_at))
                .or_else(|| last_run_in_store(&store_runs, &group.sites));
            let missed = config.daemon.catch_up && group.schedule.missed(last_end, started);
            let next = if missed {
                tracing::info!(group = %group.name, "a run was due while the daemon was down: running it now");
                Some(started)
            } else {
                group.schedule.next_after(started)
            };
            due.push(next);
            catch_up.push(missed);
            let last_webhook = previous
                .as_ref()
                .and_then(|p| p.groups.get(&group.name))
                .and_then(|g| g.last_webhook.clone());
            status.groups.insert(
                group.name.clone(),
                GroupStatus {
                    schedule: group.schedule.expression().to_string(),
                    sites: group.sites.clone(),
                    state: "idle".into(),
                    next_run: next,
                    last_run,
                    last_webhook,
                },
            );
        }
        let mut daemon = Daemon {
            config,
            data_dir,
            groups,
            due,
            catch_up,
            status,
            status_path,
        };
        daemon
            .status
            .write(&daemon.status_path)
            .with_context(|| "cannot write the daemon status file".to_string())?;
        tracing::info!(
            groups = daemon.groups.len(),
            status = %daemon.status_path.display(),
            "daemon started"
        );
        Ok(daemon)
    }

    async fn lifetime_loop(&mut self, shutdown: &CancellationToken, max_runs: Option<u64>) {
        while !shutdown.is_cancelled() && max_runs.is_none_or(|max| self.status.runs < max) {
            let now = now();
            if let Some(i) = self.first_due(now) {
                self.run_group(i, shutdown).await;
                continue;
            }
            let wait = self
                .due
                .iter()
                .flatten()
                .min()
                .map_or(MAX_SLEEP, |next| {
                    Duration::try_from(*next - now).unwrap_or(Duration::ZERO)
                })
                .min(MAX_SLEEP);
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = shutdown.cancelled() => {}
            }
        }
        if shutdown.is_cancelled() {
            self.status.state = "stopping".into();
            self.save();
        }
    }

    /// The group due earliest at `now` (config order on ties).
    fn first_due(&self, now: Timestamp) -> Option<usize> {
        self.due
            .iter()
            .enumerate()
            .filter_map(|(i, d)| (*d).filter(|d| *d <= now).map(|d| (d, i)))
            .min()
            .map(|(_, i)| i)
    }

    async fn run_group(&mut self, i: usize, shutdown: &CancellationToken) {
        let group = self.groups[i].clone();
        let catch_up = std::mem::take(&mut self.catch_up[i]);
        self.status.runs += 1;
        self.group_status(&group.name).state = "running".into();
        self.save();
        tracing::info!(group = %group.name, sites = ?group.sites, catch_up, "run starting");

        let started = now();
        let line = ProgressLine::on_terminal(&group.name);
        let result = self.crawl(&group, &line, shutdown).await;
        if let Some(line) = &line {
            line.finish();
        }
        if shutdown.is_cancelled() {
            self.status.state = "stopping".into();
        }
        let (mut last, notification) = match result {
            Ok(summary) => self.outcome(&group, &summary, started),
            Err(err) => {
                tracing::error!(group = %group.name, "run failed: {err:#}");
                let message = format!("{err:#}");
                let last = LastRun {
                    run: None,
                    started_at: started,
                    finished_at: Some(now()),
                    status: "failed".into(),
                    pages: 0,
                    listings: 0,
                    flagged: 0,
                    new_flagged: 0,
                    errors: 0,
                    failed_sites: Vec::new(),
                    error: Some(message.clone()),
                    catch_up,
                };
                let n = Notification::of_failure(Some(&group.name), started, message);
                (last, n)
            }
        };
        last.catch_up = catch_up;
        tracing::info!(group = %group.name, run = %last.run.map_or_else(|| "-".to_string(), |r| r.to_string()), status = %last.status, pages = last.pages, flagged = last.flagged, new_flagged = last.new_flagged, "run done");
        let delivery = match group
            .webhook
            .as_ref()
            .or(self.config.notify.webhook.as_ref())
        {
            Some(url) => Some(
                notify::send(
                    &self.config.notify,
                    url,
                    &self.config.crawl.user_agent,
                    &notification,
                    shutdown.is_cancelled(),
                )
                .await,
            ),
            None => None,
        };
        self.due[i] = group.schedule.next_after(now());
        let next = self.due[i];
        let g = self.group_status(&group.name);
        g.state = "idle".into();
        g.next_run = next;
        g.last_run = Some(last);
        if delivery.is_some() {
            g.last_webhook = delivery;
        }
        self.save();
    }

    async fn crawl(
        &self,
        group: &Group,
        line: &Option<std::sync::Arc<ProgressLine>>,
        shutdown: &CancellationToken,
    ) -> Result<RunSummary> {
        let sites = self
            .config
            .select_sites(&group.sites)
            .map_err(|e| ConfigError(format!("{e:#}")))?;
        let options = RunOptions {
            progress: ProgressLine::hook(line),
            cancel: Some(shutdown.child_token()),
        };
        pipeline::run_with(&self.config, sites, &self.data_dir, options).await
    }

    /// The status line and the notification of a run that completed (or was interrupted).
    fn outcome(
        &self,
        group: &Group,
        summary: &RunSummary,
        started: Timestamp,
    ) -> (LastRun, Notification) {
        let cancelled = summary.stats.as_ref().is_some_and(|s| s.cancelled);
        let failed_sites = if cancelled {
            Vec::new()
        } else {
            summary.failed_sites(group.sites.iter().map(String::as_str))
        };
        let report = summary
            .run
            .and_then(|run| notify::report_of(&self.data_dir, run).ok());
        let notification = match &report {
            Some(r) => Notification::of_report(r, Some(&group.name), failed_sites.clone()),
            None => Notification::of_failure(
                Some(&group.name),
                started,
                "the run's report could not be read".into(),
            ),
        };
        let last = LastRun {
            run: summary.run.map(|r| r.0),
            started_at: report.as_ref().map_or(started, |r| r.started_at),
            finished_at: report
                .as_ref()
                .and_then(|r| r.finished_at)
                .or_else(|| Some(now())),
            status: report.as_ref().map_or_else(
                || if cancelled { "interrupted" } else { "finished" }.to_string(),
                |r| r.status.clone(),
            ),
            pages: summary.pages,
            listings: summary.listings,
            flagged: summary.flagged.total(),
            new_flagged: notification.new_flagged as u64,
            errors: summary.page_errors,
            failed_sites,
            error: None,
            catch_up: false,
        };
        (last, notification)
    }

    fn group_status(&mut self, name: &str) -> &mut GroupStatus {
        self.status
            .groups
            .entry(name.to_string())
            .or_insert_with(|| GroupStatus {
                schedule: String::new(),
                sites: Vec::new(),
                state: "idle".into(),
                next_run: None,
                last_run: None,
                last_webhook: None,
            })
    }

    /// A status file that cannot be written is logged, not fatal: the crawls matter more.
    fn save(&mut self) {
        if let Err(err) = self.status.write(&self.status_path) {
            tracing::error!("{err:#}");
        }
    }
}

/// One daemon per data directory: the store's OS lock on `DATA_DIR/daemon/.lock`, separate
/// from the data directory lock each run takes (a manual `crawl` may still run between two
/// runs).
fn lock_daemon(root: &Path) -> Result<DataDirLock> {
    DataDirLock::acquire(&root.join("daemon")).map_err(|e| {
        anyhow::Error::new(ConfigError(format!(
            "cannot start a second daemon on {}: {e}",
            root.display()
        )))
    })
}

/// Runs recorded in the state store (none when there is no store yet).
fn past_runs(data_dir: &DataDir) -> Vec<pharmwatch_store::RunRecord> {
    if data_dir.store_url.is_none() && !data_dir.state().is_file() {
        return Vec::new();
    }
    data_dir
        .open_store()
        .and_then(|s| Ok(s.runs()?))
        .unwrap_or_else(|e| {
            tracing::warn!("cannot read past runs from the state store: {e}");
            Vec::new()
        })
}

/// End of the latest stored run that crawled every site of a group (a `crawl` by hand, or a
/// daemon whose status file was lost). The pipeline records per-site counters under `sites`.
fn last_run_in_store(runs: &[pharmwatch_store::RunRecord], sites: &[String]) -> Option<Timestamp> {
    runs.iter()
        .filter(|r| {
            let crawled = r.counts.get("sites").and_then(|s| s.as_object());
            crawled.is_some_and(|c| sites.iter().all(|s| c.contains_key(s)))
        })
        .filter_map(|r| r.finished_at)
        .max()
}

fn now() -> Timestamp {
    time::OffsetDateTime::now_utc()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pharmwatch_store::{RunId, RunRecord, RunStatus};
    use time::macros::datetime;

    fn run(id: i64, finished: Option<Timestamp>, sites: &[&str]) -> RunRecord {
        let sites: serde_json::Map<String, serde_json::Value> = sites
            .iter()
            .map(|s| (s.to_string(), serde_json::json!({})))
            .collect();
        RunRecord {
            id: RunId(id),
            started_at: datetime!(2026-11-01 00:00 UTC),
            finished_at: finished,
            status: RunStatus::Finished,
            config_digest: String::new(),
            counts: serde_json::json!({ "sites": sites }),
        }
    }

    #[test]
    fn the_last_run_of_a_group_comes_from_runs_that_crawled_all_its_sites() {
        let runs = vec![
            run(3, Some(datetime!(2026-11-22 05:00 UTC)), &["a"]),
            run(2, Some(datetime!(2026-11-21 05:00 UTC)), &["a", "b"]),
            run(1, None, &["a", "b"]),
        ];
        let group = vec!["a".to_string(), "b".to_string()];
        assert_eq!(
            last_run_in_store(&runs, &group),
            Some(datetime!(2026-11-21 05:00 UTC))
        );
        assert_eq!(
            last_run_in_store(&runs, &["a".to_string()]),
            Some(datetime!(2026-11-22 05:00 UTC))
        );
        assert_eq!(last_run_in_store(&runs, &["c".to_string()]), None);
    }
}
