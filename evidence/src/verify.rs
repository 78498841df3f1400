//! Re-reading evidence and recomputing every digest.

use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::reader::{checked_name, warc_files};
use crate::{
    EvidenceError, RecordLocation, WarcReader, WarcRecord, digest_matches, read_location,
    warc_digest,
};

/// One record (or unreadable stretch of a file) that does not match its digests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mismatch {
    pub file: String,
    pub offset: u64,
    /// `WARC-Record-ID`, empty when the record could not be read at all.
    pub record_id: String,
    /// What is wrong, in words.
    pub what: String,
}

/// Result of checking an evidence directory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    pub files: usize,
    pub records: usize,
    /// Records whose recomputed digests differ, or that cannot be read.
    pub mismatches: Vec<Mismatch>,
    /// Files whose SHA-256 differs from their `.sha256` sidecar (written when the file was
    /// closed): the file changed after it was sealed, even if its in-file digests agree.
    pub file_digest_mismatches: Vec<String>,
    /// Files without a sidecar: still being written, or left open by a crash.
    pub unsealed_files: Vec<String>,
    /// The incomplete last record of an unsealed file: what was being written when the
    /// crawler was killed. Reported, but not a mismatch (nothing points at it).
    pub cut_short: Vec<Mismatch>,
}

impl VerifyReport {
    /// True when every record and every sealed file checks out.
    pub fn is_ok(&self) -> bool {
        self.mismatches.is_empty() && self.file_digest_mismatches.is_empty()
    }

    fn merge(&mut self, other: VerifyReport) {
        self.files += other.files;
        self.records += other.records;
        self.mismatches.extend(other.mismatches);
        self.file_digest_mismatches
            .extend(other.file_digest_mismatches);
        self.unsealed_files.extend(other.unsealed_files);
        self.cut_short.extend(other.cut_short);
    }
}

/// Checks every `.warc.gz` file of `dir`: each record's block and payload digests, each
/// file's first record being a `warcinfo`, and each sealed file against its sidecar.
pub fn verify(dir: &Path) -> Result<VerifyReport, EvidenceError> {
    let mut report = VerifyReport::default();
    for name in warc_files(dir)? {
        report.merge(verify_file(dir, &name)?);
    }
    Ok(report)
}

/// Checks one file of the evidence directory (see [`verify`]).
pub fn verify_file(dir: &Path, name: &str) -> Result<VerifyReport, EvidenceError> {
    let path = dir.join(checked_name(name)?);
    let mut report = VerifyReport {
        files: 1,
        ..Default::default()
    };
    check_sidecar(dir, name, &mut report)?;
    let mut reader = WarcReader::open(&path)?;
    let mut next_offset = 0u64;
    // After a damaged member, candidate member starts are tried until one reads; only the
    // damage itself is reported, not each false start inside it.
    let mut resyncing = false;
    loop {
        match reader.next_record() {
            None => break,
            Some(Ok(at)) => {
                resyncing = false;
                report.records += 1;
                let mut problems = record_problems(&at.record);
                if at.offset == 0 && at.record.record_type() != Some("warcinfo") {
                    problems.push("first record of the file is not warcinfo".into());
                }
                let record_id = at.record.record_id().unwrap_or_default();
                for what in problems {
                    report.mismatches.push(Mismatch {
                        file: name.to_string(),
                        offset: at.offset,
                        record_id: record_id.to_string(),
                        what,
                    });
                }
                next_offset = at.offset + at.length;
            }
            Some(Err(e)) => {
                let damage = Mismatch {
                    file: name.to_string(),
                    offset: next_offset,
                    record_id: String::new(),
                    what: format!("unreadable record: {e}"),
                };
                let next = reader.find_member_from(next_offset + 1)?;
                // The unreadable end of a file that was never sealed is the record being
                // written when the process was killed: expected after a crash, not damage.
                let crash_tail = next.is_none() && report.unsealed_files.iter().any(|f| f == name);
                if crash_tail {
                    report.cut_short.push(damage);
                } else if !resyncing {
                    report.mismatches.push(damage);
                }
                resyncing = true;
                match next {
                    Some(at) => next_offset = at,
                    None => break,
                }
            }
        }
    }
    Ok(report)
}

/// Re-reads the record at `loc` and checks it is the one recorded there (same id, same
/// digests as stored, digests matching its bytes). Returns the problems; empty when fine.
pub fn verify_location(dir: &Path, loc: &RecordLocation) -> Result<Vec<String>, EvidenceError> {
    let record = match read_location(dir, loc) {
        Ok(r) => r,
        Err(e @ (EvidenceError::Malformed { .. } | EvidenceError::TooLarge { .. })) => {
            return Ok(vec![format!("unreadable record: {e}")]);
        }
        Err(e) => return Err(e),
    };
    let mut problems = record_problems(&record);
    if record.record_id() != Some(loc.record_id.as_str()) {
        problems.push(format!(
            "record id is {:?}, the location says {}",
            record.record_id(),
            loc.record_id
        ));
    }
    if record.header("WARC-Block-Digest") != Some(loc.block_digest.as_str()) {
        problems.push("block digest differs from the one stored with the location".into());
    }
    Ok(problems)
}

fn record_problems(rec: &WarcRecord) -> Vec<String> {
    let mut problems = Vec::new();
    match rec.header("WARC-Block-Digest") {
        None => problems.push("no WARC-Block-Digest".into()),
        Some(d) => check(&mut problems, "block", d, &rec.block),
    }
    if let Some(d) = rec.header("WARC-Payload-Digest") {
        check(&mut problems, "payload", d, rec.payload());
    }
    problems
}

fn check(problems: &mut Vec<String>, what: &str, recorded: &str, bytes: &[u8]) {
    match digest_matches(recorded, bytes) {
        Ok(true) => {}
        Ok(false) => problems.push(format!(
            "{what} digest differs: recorded {recorded}, computed {}",
            warc_digest(bytes)
        )),
        Err(e) => problems.push(format!("{what} digest: {e}")),
    }
}

fn check_sidecar(dir: &Path, name: &str, report: &mut VerifyReport) -> Result<(), EvidenceError> {
    let sidecar = dir.join(format!("{name}.sha256"));
    let text = match std::fs::read_to_string(&sidecar) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            report.unsealed_files.push(name.to_string());
            return Ok(());
        }
        Err(e) => return Err(EvidenceError::io(&sidecar, e)),
    };
    let recorded = text.split_whitespace().next().unwrap_or_default();
    if !recorded.eq_ignore_ascii_case(&file_sha256(&dir.join(name))?) {
        report.file_digest_mismatches.push(name.to_string());
    }
    Ok(())
}

fn file_sha256(path: &Path) -> Result<String, EvidenceError> {
    let mut file = std::fs::File::open(path).map_err(|e| EvidenceError::io(path, e))?;
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
