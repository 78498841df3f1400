//! One process per data directory: an OS file lock on `<dir>/.lock`.
//!
//! The lock is `flock`-style (`std::fs::File::try_lock`): the operating system drops it
//! when the holder exits or is killed, so there are no stale locks to clean up. The file
//! only tells a second process who holds it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Why the data directory could not be locked.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("cannot lock {path}: {source}")]
    /// The lock file could not be created, opened or locked.
    Io {
        /// The lock file.
        path: PathBuf,
        #[source]
        /// What the operating system said.
        source: std::io::Error,
    },
    #[error(
        "data directory {dir} is in use by another pharmwatch process ({holder}). Wait for it to finish or stop it (it releases the lock when it exits), or use another --data-dir"
    )]
    /// Another process holds the lock.
    Held {
        /// The data directory.
        dir: PathBuf,
        /// What the holder wrote into the lock file, e.g. `pid 4242, started 2026-11-23T18:30:00Z`.
        holder: String,
    },
}

/// An exclusive lock on a data directory, released on drop.
#[derive(Debug)]
pub struct DataDirLock {
    file: File,
    path: PathBuf,
}

impl DataDirLock {
    /// Locks `dir` (creating it if needed), or says who holds it.
    pub fn acquire(dir: &Path) -> Result<DataDirLock, LockError> {
        let path = dir.join(".lock");
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                // Best effort: the holder may be rewriting the file right now.
                let _ = file.read_to_string(&mut holder);
                return Err(LockError::Held {
                    dir: dir.to_path_buf(),
                    holder: describe_holder(&holder),
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        let started = OffsetDateTime::now_utc()
            .format(&Rfc3339)
            .unwrap_or_default();
        let stamp = format!("pid={}\nstarted_at={started}\n", std::process::id());
        let write = |f: &mut File| -> std::io::Result<()> {
            f.set_len(0)?;
            f.seek(SeekFrom::Start(0))?;
            f.write_all(stamp.as_bytes())?;
            f.sync_data()
        };
        write(&mut file).map_err(io)?;
        Ok(DataDirLock { file, path })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for DataDirLock {
    fn drop(&mut self) {
        // Clear the holder's note before the OS lock goes away with the handle.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

fn describe_holder(text: &str) -> String {
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix('='))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    match (field("pid"), field("started_at")) {
        (Some(pid), Some(at)) => format!("pid {pid}, started {at}"),
        (Some(pid), None) => format!("pid {pid}"),
        _ => "holder unknown: it has not written its pid yet".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_acquire_names_the_holder_and_drop_releases() {
        let dir = tempfile::tempdir().unwrap();
        let first = DataDirLock::acquire(dir.path()).unwrap();
        let err = DataDirLock::acquire(dir.path()).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains(&format!("pid {}", std::process::id())),
            "{msg}"
        );
        assert!(msg.contains("started 20"), "{msg}");
        drop(first);
        let again = DataDirLock::acquire(dir.path()).unwrap();
        assert!(again.path().ends_with(".lock"));
    }

    #[test]
    fn holder_description_tolerates_garbage() {
        assert_eq!(
            describe_holder("pid=12\nstarted_at=x\n"),
            "pid 12, started x"
        );
        assert!(describe_holder("").contains("unknown"));
    }
}
