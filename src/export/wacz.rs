//! The package as one WACZ 1.1.1 file ([`WACZ_FILE`], `export case --wacz`), which web-archive
//! players (ReplayWeb.page) open and `wacz validate` checks.
//!
//! It is a ZIP of:
//! - `archive/evidence.warc.gz`: the package's [`EVIDENCE_FILE`] byte for byte, stored
//!   uncompressed in the ZIP (the spec's recommendation: a player reads a record from its
//!   offset with a range request);
//! - `indexes/index.cdxj`: the CDXJ index of that file (SURT keys, sorted);
//! - `pages/pages.jsonl`: a header line, then one line per listing page (`url`, `ts` of the
//!   archived response the listing was read from, `title`): what a player lists;
//! - `datapackage.json`: the Frictionless data package naming every file above with its
//!   `sha256:` hash and size, and `datapackage-digest.json`, the hash of `datapackage.json`.
//!
//! Decision: the WACZ is one more file of the folder package (listed in its manifest and
//! `SHA256SUMS`) rather than a replacement for it, so one export serves both the recipient
//! who reads CSV and the one who replays the pages; its WARC is the folder's WARC.

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

use anyhow::{Context, Result};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::EVIDENCE_FILE;

/// The WACZ file inside a package directory.
pub const WACZ_FILE: &str = "case.wacz";
/// The WACZ version this writes.
pub const WACZ_VERSION: &str = "1.1.1";
/// Where the WARC is inside the WACZ.
pub const WACZ_WARC: &str = "archive/evidence.warc.gz";
/// Where the index is inside the WACZ.
pub const WACZ_INDEX: &str = "indexes/index.cdxj";
/// Where the page list is inside the WACZ.
pub const WACZ_PAGES: &str = "pages/pages.jsonl";

/// A listing's page for `pages.jsonl`: its URL, its title, and where the response it was
/// read from is in the package's WARC.
#[derive(Debug, Clone)]
pub struct PageRef {
    pub url: String,
    pub title: String,
    pub package_offset: u64,
}

/// What the WACZ says about itself.
#[derive(Debug, Clone)]
pub struct About<'a> {
    pub query: &'a str,
    /// RFC 3339 UTC, seconds precision (`2026-11-23T10:15:02Z`).
    pub created: &'a str,
}

/// Writes `dir/`[`WACZ_FILE`] from `dir/`[`EVIDENCE_FILE`] (already written and verified).
/// Returns how many pages it lists.
pub fn write(dir: &Path, pages: &[PageRef], about: &About<'_>) -> Result<usize> {
    let warc = dir.join(EVIDENCE_FILE);
    let name = WACZ_WARC.rsplit('/').next().unwrap_or(EVIDENCE_FILE);
    let lines = pharmwatch_evidence::index_file(&warc, name)
        .with_context(|| format!("cannot index {}", warc.display()))?;
    let index: String = lines.iter().map(|l| l.to_line() + "\n").collect();
    let at: HashMap<u64, &str> = lines
        .iter()
        .map(|l| (l.offset, l.timestamp.as_str()))
        .collect();
    let (page_list, listed) = pages_jsonl(pages, &at, about);

    let path = dir.join(WACZ_FILE);
    let file =
        File::create_new(&path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut zip = Zip::new(file, about.created);
    zip.copy_file(WACZ_WARC, &warc)?;
    zip.add(WACZ_INDEX, index.as_bytes())?;
    zip.add(WACZ_PAGES, page_list.as_bytes())?;
    let main = pages.iter().find(|p| at.contains_key(&p.package_offset));
    let package = datapackage(&zip.resources, about, main);
    zip.add_unlisted("datapackage.json", &package)?;
    let digest = serde_json::to_vec_pretty(&json!({
        "path": "datapackage.json",
        "hash": format!("sha256:{}", hex_sha256(&package)),
    }))?;
    zip.add_unlisted("datapackage-digest.json", &digest)?;
    let file = zip
        .inner
        .finish()
        .with_context(|| format!("cannot finish {}", path.display()))?;
    file.sync_all()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(listed)
}

/// `pages.jsonl`: the header, then each page once (the first listing's title), in the order
/// given. A page whose response is not in the WARC is left out: a player could not open it.
fn pages_jsonl(pages: &[PageRef], at: &HashMap<u64, &str>, about: &About<'_>) -> (String, usize) {
    let header = json!({
        "format": "json-pages-1.0",
        "id": "pages",
        "title": format!("pharmwatch case: {}", about.query),
    });
    let mut out = format!("{header}\n");
    let mut seen = BTreeSet::new();
    for page in pages {
        let Some(ts) = at.get(&page.package_offset) else {
            continue;
        };
        if !seen.insert((page.url.as_str(), *ts)) {
            continue;
        }
        let id = hex_sha256(format!("{} {ts}", page.url).as_bytes());
        let line = json!({
            "id": &id[..32],
            "url": page.url,
            "ts": iso_of(ts),
            "title": page.title,
        });
        out.push_str(&format!("{line}\n"));
    }
    (out, seen.len())
}

/// `20261123101502` → `2026-11-23T10:15:02Z`.
fn iso_of(ts: &str) -> String {
    let d = |r: std::ops::Range<usize>| ts.get(r).unwrap_or("00");
    format!(
        "{}-{}-{}T{}:{}:{}Z",
        d(0..4),
        d(4..6),
        d(6..8),
        d(8..10),
        d(10..12),
        d(12..14)
    )
}

/// `datapackage.json` as WACZ 1.1.1 has it.
fn datapackage(resources: &[Value], about: &About<'_>, main: Option<&PageRef>) -> Vec<u8> {
    let mut package = json!({
        "profile": "data-package",
        "resources": resources,
        "wacz_version": WACZ_VERSION,
        "created": about.created,
        "software": format!("pharmwatch/{}", env!("CARGO_PKG_VERSION")),
        "title": format!("pharmwatch case: {}", about.query),
        "description": "The archived pages of the listings a pharmwatch search selected, copied byte for byte from the evidence archive.",
    });
    if let Some(page) = main {
        package["mainPageURL"] = json!(page.url);
    }
    let mut bytes = serde_json::to_vec_pretty(&package).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

fn hex_sha256(bytes: &[u8]) -> String {
    hex_of(&Sha256::digest(bytes))
}

fn hex_of(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The ZIP being written, with the `resources` entries of what it holds so far.
struct Zip {
    inner: ZipWriter<File>,
    modified: zip::DateTime,
    resources: Vec<Value>,
}

impl Zip {
    fn new(file: File, created: &str) -> Zip {
        Zip {
            inner: ZipWriter::new(file),
            modified: zip_time(created),
            resources: Vec::new(),
        }
    }

    /// Every entry is stored, not deflated: the WARC's records are gzip members already,
    /// and a player reads them (and the index) by offset.
    fn options(&self, size: u64) -> SimpleFileOptions {
        SimpleFileOptions::default()
            .compression_method(CompressionMethod::Stored)
            .last_modified_time(self.modified)
            .large_file(size >= u64::from(u32::MAX))
    }

    fn add(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        self.add_unlisted(name, bytes)?;
        self.listed(name, hex_sha256(bytes), bytes.len() as u64);
        Ok(())
    }

    fn add_unlisted(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let options = self.options(bytes.len() as u64);
        self.inner
            .start_file(name, options)
            .with_context(|| format!("cannot add {name} to the WACZ"))?;
        self.inner
            .write_all(bytes)
            .with_context(|| format!("cannot add {name} to the WACZ"))
    }

    /// Copies a file into the ZIP, hashing it on the way.
    fn copy_file(&mut self, name: &str, path: &Path) -> Result<()> {
        let io = || format!("cannot copy {} into the WACZ", path.display());
        let mut source = File::open(path).with_context(io)?;
        let size = source.metadata().with_context(io)?.len();
        let options = self.options(size);
        self.inner.start_file(name, options).with_context(io)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 16];
        let mut copied = 0u64;
        loop {
            let n = source.read(&mut buf).with_context(io)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            self.inner.write_all(&buf[..n]).with_context(io)?;
            copied += n as u64;
        }
        self.listed(name, hex_of(&hasher.finalize()), copied);
        Ok(())
    }

    fn listed(&mut self, name: &str, sha256: String, bytes: u64) {
        self.resources.push(json!({
            "name": name.rsplit('/').next().unwrap_or(name),
            "path": name,
            "hash": format!("sha256:{sha256}"),
            "bytes": bytes,
        }));
    }
}

/// The ZIP entries' modification time: the export's time (ZIP times have no zone; UTC).
fn zip_time(created: &str) -> zip::DateTime {
    let num = |r: std::ops::Range<usize>| created.get(r).and_then(|s| s.parse::<u16>().ok());
    let parts = (
        num(0..4),
        num(5..7),
        num(8..10),
        num(11..13),
        num(14..16),
        num(17..19),
    );
    if let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(s)) = parts
        && let Ok(t) =
            zip::DateTime::from_date_and_time(y, mo as u8, d as u8, h as u8, mi as u8, s as u8)
    {
        return t;
    }
    zip::DateTime::default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_become_iso_dates() {
        assert_eq!(iso_of("20261123101502"), "2026-11-23T10:15:02Z");
    }

    #[test]
    fn pages_are_listed_once_and_only_when_archived() {
        let page = |url: &str, offset| PageRef {
            url: url.into(),
            title: "A \"title\"\n<b>".into(),
            package_offset: offset,
        };
        let at: HashMap<u64, &str> = [(10, "20261123101502")].into_iter().collect();
        let about = About {
            query: "drug:x",
            created: "2026-11-23T10:15:02Z",
        };
        let (text, n) = pages_jsonl(
            &[
                page("http://a/1", 10),
                page("http://a/1", 10),
                page("http://a/2", 99),
            ],
            &at,
            &about,
        );
        assert_eq!(n, 1);
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["format"], "json-pages-1.0");
        assert_eq!(lines[1]["url"], "http://a/1");
        assert_eq!(lines[1]["ts"], "2026-11-23T10:15:02Z");
        assert_eq!(lines[1]["title"], "A \"title\"\n<b>");
    }

    #[test]
    fn zip_times_come_from_the_export_time() {
        let t = zip_time("2026-11-23T10:15:02Z");
        assert_eq!((t.year(), t.month(), t.day()), (2026, 11, 23));
        assert_eq!((t.hour(), t.minute(), t.second()), (10, 15, 2));
    }
}
