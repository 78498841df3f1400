//! Making a file's creation or rename survive a crash: the directory entry itself must
//! reach the disk, not only the file's bytes. Shared by the writer (new files) and the
//! seals (sidecars written next to a closed file).

use std::fs::File;
use std::path::Path;

use crate::EvidenceError;

/// Flushes the directory `dir` so the names of files created or renamed in it are durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), EvidenceError> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| EvidenceError::io(dir, e))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}
