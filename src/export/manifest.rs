//! `manifest.json` and `SHA256SUMS`: the SHA-256 and size of every file of a package, and
//! rechecking them.
//!
//! `manifest.json` lists every file but itself and `SHA256SUMS`; `SHA256SUMS` (the
//! `sha256sum -c` format) lists every file but itself, `manifest.json` included. Changing
//! any byte of any file is therefore caught by either tool, and a changed manifest by
//! `SHA256SUMS`.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{MANIFEST_FILE, SUMS_FILE};

/// Identifies the package layout, so later versions can read older packages.
pub const FORMAT: &str = "pharmwatch-case/1";

/// What the package was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    /// The search query the package was made from.
    pub query: String,
    /// Whether listings no rule flagged were included.
    pub include_unflagged: bool,
    /// When the package was written (RFC 3339, UTC).
    pub created_at: String,
    /// How many listings it holds.
    pub listings: usize,
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The package layout ([`FORMAT`]).
    pub format: String,
    /// The pharmwatch version that wrote it.
    pub software: String,
    /// What it was made from.
    #[serde(flatten)]
    pub meta: Meta,
    /// Every file but the manifest, with its size and digest.
    pub files: Vec<FileEntry>,
}

/// One file of the package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// File name inside the package (the package has no subfolders).
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// Lower-case hex SHA-256.
    pub sha256: String,
}

/// A file of a package that does not match its manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file's name in the package.
    pub file: String,
    /// What is wrong with it.
    pub what: String,
}

/// Writes `manifest.json`, then `SHA256SUMS`, over the files already in `dir`.
pub fn write(dir: &Path, meta: &Meta) -> Result<()> {
    let files = entries(dir, &[MANIFEST_FILE, SUMS_FILE])?;
    let manifest = Manifest {
        format: FORMAT.into(),
        software: format!("pharmwatch/{}", env!("CARGO_PKG_VERSION")),
        meta: meta.clone(),
        files,
    };
    let mut json = serde_json::to_vec_pretty(&manifest)?;
    json.push(b'\n');
    write_synced(&dir.join(MANIFEST_FILE), &json)?;
    let sums: String = entries(dir, &[SUMS_FILE])?
        .iter()
        .map(|e| format!("{}  {}\n", e.sha256, e.path))
        .collect();
    write_synced(&dir.join(SUMS_FILE), sums.as_bytes())
}

/// Rechecks a package: every file named in `manifest.json` and in `SHA256SUMS` against its
/// recorded digest (and size), and no file missing or added. Returns the files checked and
/// the problems found; an unreadable manifest is a problem, not an error.
pub fn verify(dir: &Path) -> Result<(usize, Vec<Problem>)> {
    let mut problems = Vec::new();
    let manifest = read_manifest(dir, &mut problems);
    let sums = read_sums(dir, &mut problems);
    let mut expected: BTreeMap<String, (String, Option<u64>)> = BTreeMap::new();
    for (name, sha) in &sums {
        expected.insert(name.clone(), (sha.clone(), None));
    }
    if let Some(m) = &manifest {
        for e in &m.files {
            if let Some((sha, _)) = expected.get(&e.path)
                && !sha.eq_ignore_ascii_case(&e.sha256)
            {
                problems.push(problem(
                    &e.path,
                    "manifest.json and SHA256SUMS record different digests",
                ));
            }
            expected.insert(e.path.clone(), (e.sha256.clone(), Some(e.size)));
        }
    }
    let mut checked = 0;
    for (name, (sha, size)) in &expected {
        if !plain_name(name) {
            problems.push(problem(name, "not a file name inside the package"));
            continue;
        }
        let path = dir.join(name);
        // Not `is_file()`, which follows links: a package received from elsewhere could link
        // a listed name to any file of the verifying machine (or to an endless device).
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_file() => {}
            Ok(_) => {
                problems.push(problem(
                    name,
                    "not a regular file (a link, folder or device is never part of a package)",
                ));
                continue;
            }
            Err(_) => {
                problems.push(problem(name, "missing"));
                continue;
            }
        }
        checked += 1;
        let (actual_sha, actual_size) = sha256_file(&path)?;
        if !actual_sha.eq_ignore_ascii_case(sha) {
            problems.push(problem(
                name,
                &format!("changed: SHA-256 is {actual_sha}, the manifest says {sha}"),
            ));
        } else if size.is_some_and(|s| s != actual_size) {
            problems.push(problem(name, "changed: size differs from the manifest"));
        }
    }
    for name in listed_files(dir)? {
        if name != SUMS_FILE && !expected.contains_key(&name) {
            problems.push(problem(
                &name,
                "not in the manifest (added after the export)",
            ));
        }
    }
    Ok((checked, problems))
}

/// Largest `manifest.json` or `SHA256SUMS` read: pharmwatch writes a few hundred bytes (six
/// files); a package from elsewhere must not make `verify` read without end.
const MAX_LIST_BYTES: u64 = 1 << 20;

/// The bytes of a package's own list file, refusing what pharmwatch never writes: a link
/// (it could point at any file of this machine, or at an endless device) or a huge file.
fn read_list(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, ErrorKind};
    let meta = std::fs::symlink_metadata(path)?;
    if !meta.file_type().is_file() {
        return Err(Error::new(
            ErrorKind::InvalidData,
            "not a regular file (a link, folder or device is never part of a package)",
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_LIST_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_LIST_BYTES {
        return Err(Error::new(
            ErrorKind::InvalidData,
            format!("larger than {MAX_LIST_BYTES} bytes, so not written by pharmwatch"),
        ));
    }
    Ok(bytes)
}

fn read_manifest(dir: &Path, problems: &mut Vec<Problem>) -> Option<Manifest> {
    let text = match read_list(&dir.join(MANIFEST_FILE)) {
        Ok(t) => t,
        Err(e) => {
            problems.push(problem(MANIFEST_FILE, &format!("cannot be read: {e}")));
            return None;
        }
    };
    match serde_json::from_slice::<Manifest>(&text) {
        Ok(m) => Some(m),
        Err(e) => {
            problems.push(problem(MANIFEST_FILE, &format!("is not a manifest: {e}")));
            None
        }
    }
}

/// `(file, sha256)` per line of `SHA256SUMS` (`<hex>  <name>`, or `<hex> *<name>`).
fn read_sums(dir: &Path, problems: &mut Vec<Problem>) -> Vec<(String, String)> {
    let text = match read_list(&dir.join(SUMS_FILE)) {
        Ok(t) => String::from_utf8_lossy(&t).into_owned(),
        Err(e) => {
            problems.push(problem(SUMS_FILE, &format!("cannot be read: {e}")));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let parsed = line.split_once(' ').and_then(|(sha, rest)| {
            let name = rest.strip_prefix(' ').or_else(|| rest.strip_prefix('*'))?;
            (sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| (name.to_string(), sha.to_string()))
        });
        match parsed {
            Some(entry) => out.push(entry),
            None if line.trim().is_empty() => {}
            None => problems.push(problem(
                SUMS_FILE,
                &format!("line {} is not `<sha256>  <file>`", n + 1),
            )),
        }
    }
    out
}

fn entries(dir: &Path, skip: &[&str]) -> Result<Vec<FileEntry>> {
    let mut out = Vec::new();
    for name in listed_files(dir)? {
        if skip.contains(&name.as_str()) {
            continue;
        }
        let (sha256, size) = sha256_file(&dir.join(&name))?;
        out.push(FileEntry {
            path: name,
            size,
            sha256,
        });
    }
    Ok(out)
}

/// Names of the entries of `dir`, sorted (anything not a plain file is listed too, so that
/// verification reports it).
fn listed_files(dir: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    Ok(names)
}

fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', '\0'])
        && Path::new(name).components().count() == 1
}

/// Lower-case hex SHA-256 and size of a file, read in blocks.
pub fn sha256_file(path: &Path) -> Result<(String, u64)> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = file
            .read(&mut buf)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((hex(&hasher.finalize()), size))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn problem(file: &str, what: &str) -> Problem {
    Problem {
        file: file.to_string(),
        what: what.to_string(),
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = std::fs::File::create_new(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package() -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("a.csv"), "x,y\n").unwrap();
        std::fs::write(tmp.path().join("README.txt"), "hello\n").unwrap();
        let meta = Meta {
            query: "q".into(),
            include_unflagged: false,
            created_at: "2026-11-23T00:00:00Z".into(),
            listings: 1,
        };
        write(tmp.path(), &meta).unwrap();
        tmp
    }

    #[test]
    fn a_fresh_package_verifies_and_sums_cover_the_manifest() {
        let tmp = package();
        assert_eq!(verify(tmp.path()).unwrap(), (3, vec![]));
        let sums = std::fs::read_to_string(tmp.path().join(SUMS_FILE)).unwrap();
        assert_eq!(sums.lines().count(), 3);
        assert!(sums.contains("  manifest.json\n"));
    }

    #[test]
    fn changed_missing_and_added_files_are_named() {
        let tmp = package();
        std::fs::write(tmp.path().join("a.csv"), "x,z\n").unwrap();
        std::fs::remove_file(tmp.path().join("README.txt")).unwrap();
        std::fs::write(tmp.path().join("extra"), "").unwrap();
        let (_, problems) = verify(tmp.path()).unwrap();
        let named: Vec<(&str, &str)> = problems
            .iter()
            .map(|p| (p.file.as_str(), p.what.split(':').next().unwrap()))
            .collect();
        assert_eq!(
            named,
            [
                ("README.txt", "missing"),
                ("a.csv", "changed"),
                ("extra", "not in the manifest (added after the export)")
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_listed_name_that_is_a_link_is_not_followed() {
        let tmp = package();
        // Same bytes outside the package: following the link, this verified clean.
        let outside = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(outside.path(), "hello\n").unwrap();
        let readme = tmp.path().join("README.txt");
        std::fs::remove_file(&readme).unwrap();
        std::os::unix::fs::symlink(outside.path(), &readme).unwrap();
        let (checked, problems) = verify(tmp.path()).unwrap();
        assert_eq!(checked, 2, "{problems:?}");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].file, "README.txt");
        assert!(problems[0].what.starts_with("not a regular file"));
    }

    #[cfg(unix)]
    #[test]
    fn the_lists_themselves_must_be_small_regular_files() {
        let tmp = package();
        let sums = tmp.path().join(SUMS_FILE);
        let outside = tempfile::NamedTempFile::new().unwrap();
        std::fs::copy(&sums, outside.path()).unwrap();
        std::fs::remove_file(&sums).unwrap();
        std::os::unix::fs::symlink(outside.path(), &sums).unwrap();
        let manifest = tmp.path().join(MANIFEST_FILE);
        let mut big = std::fs::read(&manifest).unwrap();
        big.resize(big.len() + (2 << 20), b' ');
        std::fs::write(&manifest, big).unwrap();
        let (_, problems) = verify(tmp.path()).unwrap();
        let about = |file: &str| {
            problems
                .iter()
                .find(|p| p.file == file && p.what.starts_with("cannot be read"))
                .map(|p| p.what.clone())
                .unwrap_or_default()
        };
        assert!(
            about(SUMS_FILE).contains("not a regular file"),
            "{problems:?}"
        );
        assert!(about(MANIFEST_FILE).contains("larger than"), "{problems:?}");
    }

    #[test]
    fn a_manifest_naming_outside_files_is_refused() {
        let tmp = package();
        let sums = "0000000000000000000000000000000000000000000000000000000000000000  ../x\n";
        std::fs::write(tmp.path().join(SUMS_FILE), sums).unwrap();
        let (_, problems) = verify(tmp.path()).unwrap();
        assert!(
            problems
                .iter()
                .any(|p| p.file == "../x" && p.what.starts_with("not a file name"))
        );
    }
}
