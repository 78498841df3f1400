//! Creating a package directory so that it is either complete or absent: everything is
//! written into a hidden temporary directory next to it, which is renamed into place last.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::config::ConfigError;

/// Refuses an output directory that exists and is not empty (or is not a directory):
/// a package is never mixed with other files or written over an older one.
pub fn check_target(out: &Path) -> Result<()> {
    match std::fs::read_dir(out) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(ConfigError(format!(
                    "{} is not empty: give --out a new or empty directory (a package is never written over other files)",
                    out.display()
                ))
                .into());
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(_) if out.exists() => Err(ConfigError(format!(
            "{} exists and is not a directory: give --out a new or empty directory",
            out.display()
        ))
        .into()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", out.display())),
    }
}

/// Runs `fill` on a new temporary directory beside `out`, then renames it to `out`. On any
/// failure the temporary directory is removed and `out` is left as it was.
pub fn write_atomically<T>(out: &Path, fill: impl FnOnce(&Path) -> Result<T>) -> Result<T> {
    check_target(out)?;
    let temp = temp_dir_for(out)?;
    std::fs::create_dir(&temp).with_context(|| format!("cannot create {}", temp.display()))?;
    let result = fill(&temp).and_then(|value| {
        sync_dir(&temp)?;
        // rename(2) replaces an empty directory and fails on a non-empty one, so a
        // directory filled meanwhile by someone else is never overwritten.
        std::fs::rename(&temp, out).with_context(|| {
            format!(
                "cannot move the finished package to {} (was it created meanwhile?)",
                out.display()
            )
        })?;
        if let Some(parent) = out.parent() {
            sync_dir(parent)?;
        }
        Ok(value)
    });
    if result.is_err()
        && temp.exists()
        && let Err(e) = std::fs::remove_dir_all(&temp)
    {
        tracing::warn!(dir = %temp.display(), error = %e, "cannot remove the unfinished package");
    }
    result
}

/// `.<name>.partial-<pid>` in the parent of `out` (the same filesystem, so the rename is
/// atomic; hidden and named so it never passes for a finished package).
fn temp_dir_for(out: &Path) -> Result<PathBuf> {
    let name = out.file_name().with_context(|| {
        format!(
            "{} does not name a directory: give --out a path such as cases/2026-11-23",
            out.display()
        )
    })?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)
        .with_context(|| format!("cannot create {}", parent.display()))?;
    Ok(parent.join(format!(
        ".{}.partial-{}",
        name.to_string_lossy(),
        std::process::id()
    )))
}

fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot sync {}", dir.display()))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_leaves_nothing_behind() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("case");
        let err = write_atomically(&out, |dir| -> Result<()> {
            std::fs::write(dir.join("listings.csv"), "half")?;
            anyhow::bail!("disk full")
        });
        assert!(err.is_err());
        assert!(!out.exists());
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
    }

    #[test]
    fn an_empty_directory_is_filled_and_a_full_one_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("case");
        std::fs::create_dir(&out).unwrap();
        write_atomically(&out, |dir| Ok(std::fs::write(dir.join("a"), "x")?)).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a")).unwrap(), "x");
        let again = write_atomically(&out, |_| Ok(()));
        assert!(again.unwrap_err().to_string().contains("is not empty"));
        let file = tmp.path().join("file");
        std::fs::write(&file, "").unwrap();
        assert!(check_target(&file).is_err());
    }
}
