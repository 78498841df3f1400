//! Seals: the `<file>.sha256` sidecar written when a WARC file is closed, chained to the seal
//! before it, and the sealing of files a killed run left open.
//!
//! A seal is a `sha256sum` file (`sha256sum -c` checks it; it skips `#` lines) whose comment
//! lines make the chain:
//!
//! ```text
//! # pharmwatch seal: the file's SHA-256 below, chained to the seal before it
//! # seq: 3
//! # previous: pharmwatch-1-20261123183005250-00002.warc.gz.sha256 9f86d08…
//! # repair: …            (only for a file sealed after a crash, see below)
//! 5e884898…  pharmwatch-1-20261123183005250-00003.warc.gz
//! ```
//!
//! `seq` counts seals from 0 in the order they were written; `previous` names seal `seq - 1`
//! and the SHA-256 of its bytes. Replacing a file and its seal changes that digest; deleting
//! them leaves the next seal naming a seal that is not there. Only the newest seal (the chain
//! head) has no successor to vouch for it: [`crate::verify`] prints its digest so it can be
//! recorded elsewhere.

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::EvidenceError;
use crate::durable::sync_dir;
use crate::reader::{WarcReader, warc_files};

/// Suffix of a seal's file name after the WARC file's name.
pub(crate) const SEAL_SUFFIX: &str = ".sha256";
/// Suffix of the file keeping the bytes cut off the end of a file left open by a crash.
pub(crate) const TORN_SUFFIX: &str = ".torn";
const HEADER: &str = "# pharmwatch seal: the file's SHA-256 below, chained to the seal before it";

/// A seal as read from its sidecar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Seal {
    /// The WARC file the `sha256sum` line names.
    pub file: String,
    /// SHA-256 (hex) the `sha256sum` line gives for it.
    pub file_sha256: String,
    /// Position in the chain; `None` for a seal written before seals were chained.
    pub seq: Option<u64>,
    /// The seal before this one: its file name and the SHA-256 (hex) of its bytes.
    pub previous: Option<(String, String)>,
    /// What was done to the file before it was sealed (a crash repair), one line each.
    pub repairs: Vec<String>,
}

/// The newest seal of a directory: what the next seal must name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChainHead {
    pub seq: u64,
    /// File name of the seal.
    pub name: String,
    /// SHA-256 (hex) of the seal's bytes.
    pub sha256: String,
}

/// What sealing a file left open by an interrupted run did to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repair {
    /// The WARC file, now sealed.
    pub file: String,
    /// Whole records kept in it.
    pub records: usize,
    /// Its size once sealed.
    pub bytes: u64,
    /// The incomplete end cut off it, if it had one.
    pub torn: Option<TornTail>,
}

/// Bytes cut off the end of a file left open by a crash: the record being written when the
/// process died. Kept in a side file, never thrown away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TornTail {
    /// Where the cut bytes started in the file (its size once sealed).
    pub offset: u64,
    /// How many bytes were cut.
    pub bytes: u64,
    /// The side file holding them, in the evidence directory.
    pub saved_as: String,
    /// SHA-256 (hex) of the cut bytes.
    pub sha256: String,
}

impl Repair {
    /// The repair in one line (seal comment and `metadata` record).
    pub(crate) fn describe(&self) -> String {
        match &self.torn {
            None => format!(
                "left open by an interrupted run; {} whole records, nothing cut",
                self.records
            ),
            Some(t) => format!(
                "left open by an interrupted run; {} whole records kept, an incomplete last record of {} bytes at offset {} cut off and kept in {} (sha256 {})",
                self.records, t.bytes, t.offset, t.saved_as, t.sha256
            ),
        }
    }
}

pub(crate) fn seal_name(file: &str) -> String {
    format!("{file}{SEAL_SUFFIX}")
}

/// Parses a seal; `None` when it has no `sha256sum` line.
pub(crate) fn parse_seal(text: &str) -> Option<Seal> {
    let mut seal = Seal {
        file: String::new(),
        file_sha256: String::new(),
        seq: None,
        previous: None,
        repairs: Vec::new(),
    };
    let mut found = false;
    for line in text.lines() {
        if let Some(comment) = line.strip_prefix('#') {
            let comment = comment.trim();
            if let Some(v) = comment.strip_prefix("seq:") {
                seal.seq = v.trim().parse().ok();
            } else if let Some(v) = comment.strip_prefix("previous:") {
                let mut words = v.split_whitespace();
                seal.previous = match (words.next(), words.next()) {
                    (Some(name), Some(sha)) => Some((name.to_string(), sha.to_ascii_lowercase())),
                    _ => None,
                };
            } else if let Some(v) = comment.strip_prefix("repair:") {
                seal.repairs.push(v.trim().to_string());
            }
            continue;
        }
        let Some((sha, name)) = line.split_once(' ') else {
            continue;
        };
        if found || line.trim().is_empty() {
            continue;
        }
        seal.file_sha256 = sha.trim().to_ascii_lowercase();
        seal.file = name.trim_start_matches([' ', '*']).trim_end().to_string();
        found = true;
    }
    found.then_some(seal)
}

/// Reads the seal of `file`, `Ok(None)` when there is none.
pub(crate) fn read_seal(dir: &Path, file: &str) -> Result<Option<(Seal, Vec<u8>)>, EvidenceError> {
    let path = dir.join(seal_name(file));
    match std::fs::read(&path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            Ok(Some((
                parse_seal(&text).unwrap_or(Seal {
                    file: String::new(),
                    file_sha256: String::new(),
                    seq: None,
                    previous: None,
                    repairs: vec![],
                }),
                bytes,
            )))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(EvidenceError::io(path, e)),
    }
}

/// The names of every seal in `dir` (`*.warc.gz.sha256`), sorted.
pub(crate) fn seal_files(dir: &Path) -> Result<Vec<String>, EvidenceError> {
    let entries = std::fs::read_dir(dir).map_err(|e| EvidenceError::io(dir, e))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| EvidenceError::io(dir, e))?;
        if let Some(name) = entry.file_name().to_str()
            && name.ends_with(&format!(".warc.gz{SEAL_SUFFIX}"))
        {
            names.push(name.to_string());
        }
    }
    names.sort();
    Ok(names)
}

/// The newest chained seal of `dir` (highest `seq`).
pub(crate) fn chain_head(dir: &Path) -> Result<Option<ChainHead>, EvidenceError> {
    let mut head: Option<ChainHead> = None;
    for name in seal_files(dir)? {
        let path = dir.join(&name);
        let bytes = std::fs::read(&path).map_err(|e| EvidenceError::io(&path, e))?;
        let Some(seq) = parse_seal(&String::from_utf8_lossy(&bytes)).and_then(|s| s.seq) else {
            continue;
        };
        if head.as_ref().is_none_or(|h| seq > h.seq) {
            head = Some(ChainHead {
                seq,
                name,
                sha256: hex::encode(Sha256::digest(&bytes)),
            });
        }
    }
    Ok(head)
}

/// Writes the seal of `file` (whose SHA-256 is `file_sha256`) as the next link after `head`,
/// and makes it the head. The seal appears whole or not at all (written aside, then renamed).
pub(crate) fn write_seal(
    dir: &Path,
    file: &str,
    file_sha256: &str,
    head: &mut Option<ChainHead>,
    repairs: &[String],
) -> Result<(), EvidenceError> {
    let seq = head.as_ref().map_or(0, |h| h.seq + 1);
    let mut text = format!("{HEADER}\n# seq: {seq}\n");
    match head.as_ref() {
        Some(h) => text.push_str(&format!("# previous: {} {}\n", h.name, h.sha256)),
        None => text.push_str("# previous: none\n"),
    }
    for r in repairs {
        text.push_str(&format!("# repair: {}\n", crate::record::one_line(r)));
    }
    text.push_str(&format!("{file_sha256}  {file}\n"));
    let name = seal_name(file);
    let path = dir.join(&name);
    let aside = dir.join(format!("{name}.tmp"));
    let write = || -> std::io::Result<()> {
        let mut f = File::create(&aside)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&aside, &path)
    };
    write().map_err(|e| EvidenceError::io(&path, e))?;
    sync_dir(dir)?;
    *head = Some(ChainHead {
        seq,
        name,
        sha256: hex::encode(Sha256::digest(text.as_bytes())),
    });
    Ok(())
}

/// SHA-256 (hex) of a whole file.
pub(crate) fn file_sha256(path: &Path) -> Result<String, EvidenceError> {
    let mut file = File::open(path).map_err(|e| EvidenceError::io(path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| EvidenceError::io(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Seals every WARC file of `dir` that has no seal: files a killed or crashed run left open.
/// Call only when no other writer uses the directory (the data directory lock).
///
/// A file keeps every whole record; bytes after the last one (the record being written when
/// the process died) are moved to `<file>.torn` before the file is cut, so nothing is lost and
/// the sealed file reads to its end. Files are sealed oldest first (modification time).
pub(crate) fn seal_left_open(
    dir: &Path,
    head: &mut Option<ChainHead>,
) -> Result<Vec<Repair>, EvidenceError> {
    let mut open = Vec::new();
    for name in warc_files(dir)? {
        if !dir.join(seal_name(&name)).exists() {
            let path = dir.join(&name);
            let modified = std::fs::metadata(&path)
                .and_then(|m| m.modified())
                .map_err(|e| EvidenceError::io(&path, e))?;
            open.push((modified, name));
        }
    }
    open.sort();
    let mut repairs = Vec::new();
    for (_, name) in open {
        let repair = repair_file(dir, &name)?;
        let digest = file_sha256(&dir.join(&name))?;
        write_seal(dir, &name, &digest, head, &[repair.describe()])?;
        tracing::warn!(file = %name, "{}", repair.describe());
        repairs.push(repair);
    }
    Ok(repairs)
}

/// Cuts the unreadable end off a file, keeping the cut bytes aside.
fn repair_file(dir: &Path, name: &str) -> Result<Repair, EvidenceError> {
    let path = dir.join(name);
    let (records, end) = readable_extent(&path)?;
    let size = std::fs::metadata(&path)
        .map_err(|e| EvidenceError::io(&path, e))?
        .len();
    if end >= size {
        return Ok(Repair {
            file: name.to_string(),
            records,
            bytes: size,
            torn: None,
        });
    }
    let io = |e| EvidenceError::io(&path, e);
    let mut tail = Vec::new();
    {
        use std::io::{Seek, SeekFrom};
        let mut f = File::open(&path).map_err(io)?;
        f.seek(SeekFrom::Start(end)).map_err(io)?;
        f.read_to_end(&mut tail).map_err(io)?;
    }
    // A free side-file name: an earlier repair interrupted before the cut may have left one.
    let mut saved_as = format!("{name}{TORN_SUFFIX}");
    let mut n = 1;
    while dir.join(&saved_as).exists() {
        saved_as = format!("{name}{TORN_SUFFIX}.{n}");
        n += 1;
    }
    let side = dir.join(&saved_as);
    let keep = || -> std::io::Result<()> {
        let mut f = File::options().write(true).create_new(true).open(&side)?;
        f.write_all(&tail)?;
        f.sync_all()
    };
    keep().map_err(|e| EvidenceError::io(&side, e))?;
    sync_dir(dir)?;
    // Only once the cut bytes are durable elsewhere is the file cut.
    let f = File::options().write(true).open(&path).map_err(io)?;
    f.set_len(end).map_err(io)?;
    f.sync_all().map_err(io)?;
    Ok(Repair {
        file: name.to_string(),
        records,
        bytes: end,
        torn: Some(TornTail {
            offset: end,
            bytes: tail.len() as u64,
            saved_as,
            sha256: hex::encode(Sha256::digest(&tail)),
        }),
    })
}

/// How many whole records a file holds and where the last of them ends. Damage in the middle
/// is stepped over (the records after it stay where the state store expects them); only what
/// follows the last readable record counts as torn.
fn readable_extent(path: &Path) -> Result<(usize, u64), EvidenceError> {
    let mut reader = WarcReader::open(path)?;
    let mut records = 0;
    let mut end = 0u64;
    let mut next = 0u64;
    loop {
        match reader.next_record() {
            None => break,
            Some(Ok(at)) => {
                records += 1;
                end = at.offset + at.length;
                next = end;
            }
            Some(Err(_)) => match reader.find_member_from(next + 1)? {
                Some(at) => next = at,
                None => break,
            },
        }
    }
    Ok((records, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_parse_back_and_plain_sha256sum_lines_are_legacy_seals() {
        let dir = tempfile::tempdir().unwrap();
        let mut head = None;
        write_seal(dir.path(), "a.warc.gz", &"ab".repeat(32), &mut head, &[]).unwrap();
        let first = head.clone().unwrap();
        assert_eq!((first.seq, first.name.as_str()), (0, "a.warc.gz.sha256"));
        write_seal(
            dir.path(),
            "b.warc.gz",
            &"cd".repeat(32),
            &mut head,
            &["cut\r\nX".into()],
        )
        .unwrap();
        let (seal, bytes) = read_seal(dir.path(), "b.warc.gz").unwrap().unwrap();
        assert_eq!(seal.seq, Some(1));
        assert_eq!(seal.file, "b.warc.gz");
        assert_eq!(seal.file_sha256, "cd".repeat(32));
        assert_eq!(
            seal.previous,
            Some((first.name.clone(), first.sha256.clone()))
        );
        assert_eq!(seal.repairs, vec!["cut  X".to_string()]);
        assert_eq!(head.unwrap().sha256, hex::encode(Sha256::digest(&bytes)));
        assert_eq!(chain_head(dir.path()).unwrap().unwrap().seq, 1);

        let legacy = parse_seal(&format!("{}  c.warc.gz\n", "ef".repeat(32))).unwrap();
        assert_eq!((legacy.seq, legacy.file.as_str()), (None, "c.warc.gz"));
        assert!(parse_seal("# nothing\n").is_none());
    }
}
