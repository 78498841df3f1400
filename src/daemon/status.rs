//! The daemon's health file (JSON): its pid and state, and per group the schedule, the next
//! run, the last run and the last webhook delivery. Written atomically (temporary file in the
//! same folder, then rename) so a reader never sees half a file; read back at start to find
//! runs missed while the daemon was down.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use pharmwatch_model::Timestamp;
use serde::{Deserialize, Serialize};

use crate::notify::Delivery;

/// File name of the status file in the data directory (when `[daemon] status_file` is unset).
pub const DEFAULT_FILE: &str = "daemon-status.json";

/// The whole status file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DaemonStatus {
    /// The daemon's process id.
    pub pid: u32,
    /// `running` (waiting or crawling), `stopping` (signal received, finishing the current
    /// run) or `stopped`.
    pub state: String,
    /// When the daemon started.
    #[serde(with = "pharmwatch_model::timestamp")]
    pub started_at: Timestamp,
    /// When the file was last written.
    #[serde(with = "pharmwatch_model::timestamp")]
    pub updated_at: Timestamp,
    /// When the daemon stopped, once it has.
    #[serde(default, with = "pharmwatch_model::timestamp::option")]
    pub stopped_at: Option<Timestamp>,
    /// Runs started by this daemon process.
    pub runs: u64,
    /// Each group's status, by group name.
    pub groups: BTreeMap<String, GroupStatus>,
}

/// One group in the status file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupStatus {
    /// The group's cron expression.
    pub schedule: String,
    /// The sites it crawls.
    pub sites: Vec<String>,
    /// `idle` or `running`.
    pub state: String,
    /// When its next run is due.
    #[serde(default, with = "pharmwatch_model::timestamp::option")]
    pub next_run: Option<Timestamp>,
    /// How its last run went.
    #[serde(default)]
    pub last_run: Option<LastRun>,
    /// How its last webhook delivery went.
    #[serde(default)]
    pub last_webhook: Option<Delivery>,
}

/// The last run of a group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LastRun {
    /// Run number in the state store (absent when the run failed before it got one).
    pub run: Option<i64>,
    /// When the run started.
    #[serde(with = "pharmwatch_model::timestamp")]
    pub started_at: Timestamp,
    /// When it ended, if it has.
    #[serde(with = "pharmwatch_model::timestamp::option")]
    pub finished_at: Option<Timestamp>,
    /// `finished`, `interrupted` or `failed`.
    pub status: String,
    /// Pages fetched.
    #[serde(default)]
    pub pages: u64,
    /// Listings seen.
    #[serde(default)]
    pub listings: u64,
    /// Flagged listings seen in the run.
    #[serde(default)]
    pub flagged: u64,
    /// Listings flagged for the first time.
    #[serde(default)]
    pub new_flagged: u64,
    /// Pages that failed.
    #[serde(default)]
    pub errors: u64,
    /// Sites with no page answered.
    #[serde(default)]
    pub failed_sites: Vec<String>,
    /// Why the run failed.
    #[serde(default)]
    pub error: Option<String>,
    /// This run was a catch-up for a due time missed while the daemon was down.
    #[serde(default)]
    pub catch_up: bool,
}

impl DaemonStatus {
    /// Reads a status file; `None` when there is none or it cannot be read (a fresh start).
    pub fn read(path: &Path) -> Option<DaemonStatus> {
        let bytes = std::fs::read(path).ok()?;
        match serde_json::from_slice(&bytes) {
            Ok(status) => Some(status),
            Err(e) => {
                tracing::warn!(file = %path.display(), "ignoring an unreadable status file: {e}");
                None
            }
        }
    }

    /// Writes the file atomically.
    pub fn write(&mut self, path: &Path) -> Result<()> {
        self.updated_at = time::OffsetDateTime::now_utc();
        let bytes = serde_json::to_vec_pretty(self)?;
        let tmp = temp_path(path);
        std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, path)
            .with_context(|| format!("cannot move {} to {}", tmp.display(), path.display()))
    }
}

fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp-{}", std::process::id()));
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn write_then_read_round_trips_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DEFAULT_FILE);
        let mut status = DaemonStatus {
            pid: 7,
            state: "running".into(),
            started_at: datetime!(2026-11-23 10:00 UTC),
            updated_at: datetime!(2026-11-23 10:00 UTC),
            stopped_at: None,
            runs: 1,
            groups: BTreeMap::from([(
                "g".to_string(),
                GroupStatus {
                    schedule: "0 3 * * *".into(),
                    sites: vec!["a".into()],
                    state: "idle".into(),
                    next_run: Some(datetime!(2026-11-24 03:00 UTC)),
                    last_run: Some(LastRun {
                        run: Some(3),
                        started_at: datetime!(2026-11-23 03:00 UTC),
                        finished_at: Some(datetime!(2026-11-23 03:02 UTC)),
                        status: "finished".into(),
                        pages: 10,
                        listings: 8,
                        flagged: 4,
                        new_flagged: 2,
                        errors: 0,
                        failed_sites: vec![],
                        error: None,
                        catch_up: false,
                    }),
                    last_webhook: None,
                },
            )]),
        };
        status.write(&path).unwrap();
        let back = DaemonStatus::read(&path).unwrap();
        assert_eq!(back, status);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from(DEFAULT_FILE)]);
        std::fs::write(&path, "{not json").unwrap();
        assert!(DaemonStatus::read(&path).is_none());
    }
}
