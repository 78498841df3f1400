//! Re-reading evidence: every record's digests, every file's seal and the seal chain, and
//! every digest the state store recorded against the record it points to.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::reader::{checked_name, warc_files};
use crate::seal::{SEAL_SUFFIX, parse_seal, read_seal, seal_files};
use crate::{
    EvidenceError, RecordLocation, WarcReader, WarcRecord, digest_matches, read_location,
    warc_digest, warc_digest_to_hex,
};

/// One record (or unreadable stretch of a file, or state-store entry) that does not match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mismatch {
    /// The WARC file; empty for a state-store entry that names no file.
    pub file: String,
    /// Where the record starts in the file.
    pub offset: u64,
    /// `WARC-Record-ID`, empty when the record could not be read at all (as much of a cut
    /// record's id as could be read otherwise).
    pub record_id: String,
    /// The URL the state store recorded for this record, for store entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// What is wrong, in words.
    pub what: String,
}

/// A record the state store points at: (`file`, `offset`) must hold a whole `response` (or
/// `revisit`) record whose payload (the body as received) has SHA-256 `payload_sha256`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorePointer {
    /// The URL the store recorded.
    pub url: String,
    /// The WARC file the store names.
    pub file: String,
    /// The record's offset the store names.
    pub offset: u64,
    /// Compressed length the store recorded.
    pub length: u64,
    /// Lower-case hex.
    pub payload_sha256: String,
}

/// A payload the state store says was archived (a listing's `evidence_digest`): some intact
/// `response` record must have it. Matched by digest alone: which URL a body was archived
/// under is what [`StorePointer`]s check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorePayload {
    /// What makes the claim, for the report (e.g. `listing 3f2a…`).
    pub claimant: String,
    /// The URL the store recorded it under.
    pub url: String,
    /// Lower-case hex.
    pub payload_sha256: String,
}

/// What to check besides the archive itself.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// A crawl is running (it holds the data directory lock): the newest unsealed file is
    /// being written, a note rather than a failure.
    pub writer_active: bool,
    /// State-store pointers to check (see [`StorePointer`]).
    pub store_pointers: Vec<StorePointer>,
    /// Payloads the state store says were archived (see [`StorePayload`]).
    pub store_payloads: Vec<StorePayload>,
}

/// Result of checking an evidence directory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    /// WARC files read.
    pub files: usize,
    /// Records read.
    pub records: usize,
    /// State-store entries checked (pointers and payload claims).
    pub store_entries: usize,
    /// Records whose recomputed digests differ, that cannot be read, or that do not hold
    /// what the state store recorded for them.
    pub mismatches: Vec<Mismatch>,
    /// Files whose SHA-256 differs from their seal: changed after they were sealed, even if
    /// their in-file digests agree.
    pub file_digest_mismatches: Vec<String>,
    /// Closed files without a seal: the seal was deleted, or a killed run left the file
    /// open and no run has started since (the next one seals it).
    pub unsealed_files: Vec<String>,
    /// The file a running crawl is writing (unsealed, not a failure).
    pub open_file: Option<String>,
    /// Breaks in the seal chain: a seal naming a previous seal that is missing or changed,
    /// a seal without its file, two seals with one place in the chain.
    pub seal_problems: Vec<String>,
    /// Seals written before seals were chained (checked against their file, not chained).
    pub unchained_seals: Vec<String>,
    /// The newest seal: `<seal file> <sha256 of its bytes>`. Nothing after it vouches for
    /// it, so record it elsewhere to detect the newest file being removed.
    pub chain_head: Option<String>,
    /// What sealing a file left open by a killed run did (from the seals), one line each.
    pub repairs: Vec<String>,
    /// The incomplete last record of an unsealed file: what was being written when the
    /// crawler was killed. Reported, not a mismatch unless the state store points at it.
    pub cut_short: Vec<Mismatch>,
}

impl VerifyReport {
    /// True when every record, every file, the seal chain and every store entry check out.
    pub fn is_ok(&self) -> bool {
        self.mismatches.is_empty()
            && self.file_digest_mismatches.is_empty()
            && self.unsealed_files.is_empty()
            && self.seal_problems.is_empty()
    }

    /// Every failure, counted as the summary line counts them.
    pub fn failures(&self) -> usize {
        self.mismatches.len()
            + self.file_digest_mismatches.len()
            + self.unsealed_files.len()
            + self.seal_problems.len()
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

/// Checks every `.warc.gz` file of `dir` (see [`verify_with`]) with no state store and no
/// running writer.
pub fn verify(dir: &Path) -> Result<VerifyReport, EvidenceError> {
    verify_with(dir, &VerifyOptions::default())
}

/// Checks an evidence directory: each record's block and payload digests (a revisit's payload
/// digest against the record it refers to), each file's first record being a `warcinfo`,
/// each file against its seal, the seal chain, and every state-store entry in `options`.
pub fn verify_with(dir: &Path, options: &VerifyOptions) -> Result<VerifyReport, EvidenceError> {
    let files = warc_files(dir)?;
    let mut report = VerifyReport::default();
    let mut pass = Pass::new(options);
    let mut unsealed = Vec::new();
    for name in &files {
        let sealed = check_seal(dir, name, &mut report)?;
        if !sealed {
            unsealed.push(name.clone());
        }
        report.merge(scan_file(dir, name, sealed, &mut pass)?);
    }
    if options.writer_active
        && let Some(newest) = newest(dir, &unsealed)?
    {
        unsealed.retain(|n| *n != newest);
        report.open_file = Some(newest);
    }
    report.unsealed_files = unsealed;
    check_chain(dir, &files, &mut report)?;
    pass.finish(dir, &files, &mut report);
    report.store_entries = options.store_pointers.len() + options.store_payloads.len();
    Ok(report)
}

/// Checks one file of the evidence directory on its own: its records and its seal. Revisits
/// are not followed to the records they refer to, nor is the chain checked.
pub fn verify_file(dir: &Path, name: &str) -> Result<VerifyReport, EvidenceError> {
    checked_name(name)?;
    let mut report = VerifyReport::default();
    let sealed = check_seal(dir, name, &mut report)?;
    if !sealed {
        report.unsealed_files.push(name.to_string());
    }
    let options = VerifyOptions::default();
    let mut pass = Pass::new(&options);
    report.merge(scan_file(dir, name, sealed, &mut pass)?);
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

/// What one pass over the files collects to check across files once they are all read.
struct Pass<'a> {
    /// Store pointers by file, then offset.
    pointers: HashMap<&'a str, BTreeMap<u64, Vec<&'a StorePointer>>>,
    /// Payload claims by payload hex: whether a response had it, and who claims it for which
    /// URL.
    payloads: HashMap<&'a str, (bool, Vec<&'a StorePayload>)>,
    /// Payload digest (hex) of every response record whose payload matches it, by record id:
    /// what revisits are checked against.
    responses: HashMap<String, String>,
    /// Revisit records seen, checked once every response is known.
    revisits: Vec<RevisitSeen>,
}

struct RevisitSeen {
    file: String,
    offset: u64,
    record_id: String,
    refers_to: Option<String>,
    payload_hex: Option<String>,
    /// Store pointers at this revisit: (url, payload hex the store recorded).
    pointed: Vec<(String, String)>,
}

impl<'a> Pass<'a> {
    fn new(options: &'a VerifyOptions) -> Self {
        let mut pointers: HashMap<&str, BTreeMap<u64, Vec<&StorePointer>>> = HashMap::new();
        for p in &options.store_pointers {
            pointers
                .entry(p.file.as_str())
                .or_default()
                .entry(p.offset)
                .or_default()
                .push(p);
        }
        let mut payloads: HashMap<&str, (bool, Vec<&StorePayload>)> = HashMap::new();
        for p in &options.store_payloads {
            payloads
                .entry(p.payload_sha256.as_str())
                .or_default()
                .1
                .push(p);
        }
        Pass {
            pointers,
            payloads,
            responses: HashMap::new(),
            revisits: Vec::new(),
        }
    }

    /// Checks a whole record read at `offset` of `file` against what the store says of it,
    /// and remembers what cross-file checks need.
    fn record(
        &mut self,
        file: &str,
        offset: u64,
        length: u64,
        rec: &WarcRecord,
        report: &mut VerifyReport,
    ) {
        let record_id = rec.record_id().unwrap_or_default().to_string();
        let pointed = self
            .pointers
            .get_mut(file)
            .and_then(|m| m.remove(&offset))
            .unwrap_or_default();
        let kind = rec.record_type().unwrap_or_default();
        let payload_ok = || {
            rec.header("WARC-Payload-Digest")
                .is_some_and(|d| digest_matches(d, rec.payload()).unwrap_or(false))
        };
        let mut mismatch = |url: &str, what: String| {
            report.mismatches.push(Mismatch {
                file: file.to_string(),
                offset,
                record_id: record_id.clone(),
                url: Some(url.to_string()),
                what,
            })
        };
        match kind {
            "response" => {
                let payload = rec.payload();
                let mut computed: Option<String> = None;
                for p in &pointed {
                    let hex = computed
                        .get_or_insert_with(|| hex::encode(Sha256::digest(payload)))
                        .clone();
                    if !hex.eq_ignore_ascii_case(&p.payload_sha256) {
                        mismatch(
                            &p.url,
                            format!(
                                "state store: the body recorded for {} has sha256 {}, the archived record's body has {hex}",
                                p.url, p.payload_sha256
                            ),
                        );
                    }
                    if p.length != length {
                        mismatch(
                            &p.url,
                            format!(
                                "state store: recorded a record of {} bytes here, the record is {length} bytes",
                                p.length
                            ),
                        );
                    }
                }
                if payload_ok()
                    && let Some(hex) = rec
                        .header("WARC-Payload-Digest")
                        .and_then(warc_digest_to_hex)
                {
                    if let Some((found, _)) = self.payloads.get_mut(hex.as_str()) {
                        *found = true;
                    }
                    if !record_id.is_empty() {
                        self.responses.insert(record_id.clone(), hex);
                    }
                }
            }
            "revisit" => {
                for p in &pointed {
                    if p.length != length {
                        mismatch(
                            &p.url,
                            format!(
                                "state store: recorded a record of {} bytes here, the record is {length} bytes",
                                p.length
                            ),
                        );
                    }
                }
                self.revisits.push(RevisitSeen {
                    file: file.to_string(),
                    offset,
                    record_id: record_id.clone(),
                    refers_to: rec.header("WARC-Refers-To").map(str::to_string),
                    payload_hex: rec
                        .header("WARC-Payload-Digest")
                        .and_then(warc_digest_to_hex),
                    pointed: pointed
                        .iter()
                        .map(|p| (p.url.clone(), p.payload_sha256.to_ascii_lowercase()))
                        .collect(),
                });
            }
            other => {
                for p in &pointed {
                    mismatch(
                        &p.url,
                        format!(
                            "state store: points at a {} record, not the response holding the body of {}",
                            if other.is_empty() { "untyped" } else { other },
                            p.url
                        ),
                    );
                }
            }
        }
    }

    /// Store pointers into `file` that no whole record answered.
    fn unanswered(&mut self, dir: &Path, file: &str, report: &mut VerifyReport) {
        let Some(left) = self.pointers.remove(file) else {
            return;
        };
        for (offset, pointers) in left {
            let partial = crate::reader::partial_record_id(&dir.join(file), offset);
            for p in pointers {
                report.mismatches.push(Mismatch {
                    file: file.to_string(),
                    offset,
                    record_id: partial.clone().unwrap_or_default(),
                    url: Some(p.url.clone()),
                    what: format!(
                        "state store: the archived body of {} cannot be read whole here (no complete record starts at offset {offset})",
                        p.url
                    ),
                });
            }
        }
    }

    /// Checks across files once every file was read.
    fn finish(mut self, dir: &Path, files: &[String], report: &mut VerifyReport) {
        for file in files {
            self.unanswered(dir, file, report);
        }
        let mut missing: Vec<_> = self.pointers.drain().collect();
        missing.sort_by(|a, b| a.0.cmp(b.0));
        for (file, left) in missing {
            for (offset, pointers) in left {
                for p in pointers {
                    report.mismatches.push(Mismatch {
                        file: file.to_string(),
                        offset,
                        record_id: String::new(),
                        url: Some(p.url.clone()),
                        what: format!(
                            "state store: the archived body of {} is in {file}, which is not in the evidence directory",
                            p.url
                        ),
                    });
                }
            }
        }
        for r in std::mem::take(&mut self.revisits) {
            let mut push = |url: Option<&str>, what: String| {
                report.mismatches.push(Mismatch {
                    file: r.file.clone(),
                    offset: r.offset,
                    record_id: r.record_id.clone(),
                    url: url.map(str::to_string),
                    what,
                })
            };
            let referred = r.refers_to.as_ref().and_then(|id| self.responses.get(id));
            match (&r.refers_to, referred) {
                (None, _) => push(None, "revisit without WARC-Refers-To".into()),
                (Some(id), None) => push(
                    None,
                    format!("revisit refers to {id}, which is no intact response in the archive"),
                ),
                (Some(id), Some(hex)) => {
                    if r.payload_hex.as_deref() != Some(hex.as_str()) {
                        push(
                            None,
                            format!(
                                "revisit's payload digest is not that of the response it refers to ({id})"
                            ),
                        );
                    }
                }
            }
            for (url, sha) in &r.pointed {
                let confirmed = referred.is_some_and(|hex| hex == sha)
                    && r.payload_hex.as_deref() == Some(sha.as_str());
                if !confirmed {
                    push(
                        Some(url),
                        format!(
                            "state store: the body recorded for {url} (sha256 {sha}) is not the payload this revisit stands for"
                        ),
                    );
                }
            }
        }
        let mut unfound: Vec<_> = self
            .payloads
            .into_iter()
            .filter(|(_, (found, _))| !*found)
            .flat_map(|(sha, (_, claims))| claims.into_iter().map(move |c| (sha, c)))
            .collect();
        unfound.sort_by(|a, b| (&a.1.url, &a.1.claimant).cmp(&(&b.1.url, &b.1.claimant)));
        for (sha, claim) in unfound {
            report.mismatches.push(Mismatch {
                file: String::new(),
                offset: 0,
                record_id: String::new(),
                url: Some(claim.url.clone()),
                what: format!(
                    "state store: {} was extracted from a body of {} with sha256 {sha}, which no intact response in the archive holds",
                    claim.claimant, claim.url
                ),
            });
        }
    }
}

fn scan_file(
    dir: &Path,
    name: &str,
    sealed: bool,
    pass: &mut Pass<'_>,
) -> Result<VerifyReport, EvidenceError> {
    let path = dir.join(checked_name(name)?);
    let mut report = VerifyReport {
        files: 1,
        ..Default::default()
    };
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
                        url: None,
                        what,
                    });
                }
                pass.record(name, at.offset, at.length, &at.record, &mut report);
                next_offset = at.offset + at.length;
            }
            Some(Err(e)) => {
                let damage = Mismatch {
                    file: name.to_string(),
                    offset: next_offset,
                    record_id: crate::reader::partial_record_id(&path, next_offset)
                        .unwrap_or_default(),
                    url: None,
                    what: format!("unreadable record: {e}"),
                };
                let next = reader.find_member_from(next_offset + 1)?;
                // The unreadable end of a file that was never sealed is the record being
                // written when the process was killed: expected after a crash, not damage
                // (unless the state store points at it, see `Pass::unanswered`).
                if next.is_none() && !sealed {
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

fn record_problems(rec: &WarcRecord) -> Vec<String> {
    let mut problems = Vec::new();
    match rec.header("WARC-Block-Digest") {
        None => problems.push("no WARC-Block-Digest".into()),
        Some(d) => check(&mut problems, "block", d, &rec.block),
    }
    // A revisit's payload digest is that of the record it refers to (its own block has no
    // payload): checked against that record once every file is read.
    if rec.record_type() != Some("revisit")
        && let Some(d) = rec.header("WARC-Payload-Digest")
    {
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

/// Checks `name` against its seal; false when it has none.
fn check_seal(dir: &Path, name: &str, report: &mut VerifyReport) -> Result<bool, EvidenceError> {
    let Some((seal, _)) = read_seal(dir, name)? else {
        return Ok(false);
    };
    if seal.file != name
        || !seal
            .file_sha256
            .eq_ignore_ascii_case(&crate::seal::file_sha256(&dir.join(name))?)
    {
        report.file_digest_mismatches.push(name.to_string());
    }
    Ok(true)
}

/// Checks the links between seals, and seals whose file is gone.
fn check_chain(
    dir: &Path,
    files: &[String],
    report: &mut VerifyReport,
) -> Result<(), EvidenceError> {
    let present: HashSet<&str> = files.iter().map(String::as_str).collect();
    let mut by_seq: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    let mut bytes_of: HashMap<String, Vec<u8>> = HashMap::new();
    for seal_file in seal_files(dir)? {
        let path = dir.join(&seal_file);
        let bytes = std::fs::read(&path).map_err(|e| EvidenceError::io(&path, e))?;
        let warc = seal_file.trim_end_matches(SEAL_SUFFIX);
        if !present.contains(warc) {
            report.seal_problems.push(format!(
                "{seal_file} seals {warc}, which is not in the evidence directory (deleted?)"
            ));
        }
        match parse_seal(&String::from_utf8_lossy(&bytes)) {
            None => report
                .seal_problems
                .push(format!("{seal_file} is not a seal (no sha256sum line)")),
            Some(seal) => {
                report
                    .repairs
                    .extend(seal.repairs.iter().map(|r| format!("{}: {r}", seal.file)));
                match seal.seq {
                    None => report.unchained_seals.push(seal_file.clone()),
                    Some(seq) => by_seq.entry(seq).or_default().push(seal_file.clone()),
                }
            }
        }
        bytes_of.insert(seal_file, bytes);
    }
    for (seq, names) in &by_seq {
        if names.len() > 1 {
            report.seal_problems.push(format!(
                "seals {} all claim place {seq} in the chain",
                names.join(", ")
            ));
        }
        for name in names {
            let Some(seal) = bytes_of
                .get(name)
                .and_then(|b| parse_seal(&String::from_utf8_lossy(b)))
            else {
                continue;
            };
            match (&seal.previous, *seq) {
                (None, 0) => {}
                (None, _) => report.seal_problems.push(format!(
                    "{name} (place {seq} in the chain) names no previous seal"
                )),
                (Some((prev, sha)), _) => match bytes_of.get(prev) {
                    None => report.seal_problems.push(format!(
                        "{name} follows {prev}, which is missing: that file and its seal were deleted (place {} in the chain)",
                        seq.saturating_sub(1)
                    )),
                    Some(prev_bytes) => {
                        if hex::encode(Sha256::digest(prev_bytes)) != *sha {
                            report.seal_problems.push(format!(
                                "{prev} is not the seal {name} follows: it was replaced or changed after {name} was written"
                            ));
                        }
                        let prev_seq = parse_seal(&String::from_utf8_lossy(prev_bytes))
                            .and_then(|s| s.seq);
                        if prev_seq.map(|p| p + 1) != Some(*seq) {
                            report.seal_problems.push(format!(
                                "{name} (place {seq}) follows {prev}, whose place is {prev_seq:?}"
                            ));
                        }
                    }
                },
            }
        }
    }
    if let Some((_, names)) = by_seq.iter().next_back()
        && let Some(name) = names.first()
        && let Some(bytes) = bytes_of.get(name)
    {
        report.chain_head = Some(format!("{name} {}", hex::encode(Sha256::digest(bytes))));
    }
    Ok(())
}

/// The most recently modified of `names`.
fn newest(dir: &Path, names: &[String]) -> Result<Option<String>, EvidenceError> {
    let mut best: Option<(std::time::SystemTime, String)> = None;
    for name in names {
        let path = dir.join(name);
        let modified = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .map_err(|e| EvidenceError::io(&path, e))?;
        if best
            .as_ref()
            .is_none_or(|(t, n)| (modified, name) > (*t, n))
        {
            best = Some((modified, name.clone()));
        }
    }
    Ok(best.map(|(_, n)| n))
}
