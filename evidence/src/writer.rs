//! Writing exchanges as gzip-per-record WARC/1.1 files, rotated at a size cap.

use std::cell::RefCell;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use libdeflater::{CompressionLvl, Compressor};
use pharmwatch_model::{ExchangePurpose, HttpExchange, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::EvidenceError;
use crate::digest::warc_digest;
use crate::durable::sync_dir;
use crate::http::{request_block, response_block, transfer_encoding_renamed, wire_version};
use crate::record::{WarcRecord, new_record_id, one_line};
use crate::seal::{ChainHead, Repair, chain_head, seal_left_open, write_seal};

/// Files are closed and a new one started once they reach this size (1 GiB, the usual
/// WARC file size of archiving crawlers).
pub const DEFAULT_ROTATE_BYTES: u64 = 1 << 30;

/// Who and what produced the evidence; written as the `warcinfo` record of every file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarcInfo {
    /// Tool name and version, e.g. `pharmwatch/0.1.0`.
    pub software: String,
    /// The person or organisation running the capture (chain of custody).
    pub operator: String,
    /// The capturing machine's name, when known.
    pub hostname: Option<String>,
    /// Digest of the effective configuration of the run.
    pub config_digest: String,
    /// The run's number in the state store.
    pub run_id: String,
}

/// `WARC-Profile` of a revisit for a 304 answer (WARC/1.1 §6.7.2).
pub const PROFILE_SERVER_NOT_MODIFIED: &str =
    "http://netpreserve.org/warc/1.1/revisit/server-not-modified";
/// `WARC-Profile` of a revisit whose payload is byte for byte the one referred to (§6.7.1).
pub const PROFILE_IDENTICAL_PAYLOAD: &str =
    "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest";

/// The archived response a revisit record confirms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisitTarget {
    /// `WARC-Record-ID` of the response (`<urn:uuid:…>`).
    pub record_id: String,
    /// Its `WARC-Target-URI`.
    pub target_uri: String,
    /// Its `WARC-Date`.
    pub date: String,
    /// Its `WARC-Payload-Digest`, when it has one.
    pub payload_digest: Option<String>,
}

/// Reads the record at (`file`, `offset`) in `dir` and returns what a revisit of it must refer
/// to. A `revisit` record there stands for the response it refers to, so revisits of
/// revisits all name the original response.
pub fn revisit_target_at(
    dir: &Path,
    file: &str,
    offset: u64,
) -> Result<RevisitTarget, EvidenceError> {
    let rec = crate::read_record_at(dir, file, offset)?;
    let missing = |name: &str| EvidenceError::Malformed {
        file: file.to_string(),
        offset,
        reason: format!("no {name} header"),
    };
    let get = |name: &str| {
        rec.header(name)
            .map(str::to_string)
            .ok_or_else(|| missing(name))
    };
    match rec.record_type() {
        Some("response") => Ok(RevisitTarget {
            record_id: get("WARC-Record-ID")?,
            target_uri: get("WARC-Target-URI")?,
            date: get("WARC-Date")?,
            payload_digest: rec.header("WARC-Payload-Digest").map(str::to_string),
        }),
        Some("revisit") => Ok(RevisitTarget {
            record_id: get("WARC-Refers-To")?,
            target_uri: get("WARC-Refers-To-Target-URI")?,
            date: get("WARC-Refers-To-Date")?,
            payload_digest: rec.header("WARC-Payload-Digest").map(str::to_string),
        }),
        other => Err(EvidenceError::NotHttpResponse(format!(
            "{file} @ {offset} is a {} record, not a response a revisit can refer to",
            other.unwrap_or("untyped")
        ))),
    }
}

/// Where a record was written: enough to read it back and prove it unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RecordLocation {
    /// File name relative to the evidence directory.
    pub file: String,
    /// Byte offset of the record's gzip member in the file.
    pub offset: u64,
    /// Compressed length of the member.
    pub length: u64,
    /// `<urn:uuid:…>`.
    pub record_id: String,
    /// `WARC-Block-Digest` of the record (`sha256:` + base32).
    pub block_digest: String,
    /// `WARC-Payload-Digest`: digest of the entity body as received; for non-HTTP records
    /// the same as the block digest.
    pub payload_digest: String,
}

struct OpenFile {
    name: String,
    path: PathBuf,
    file: File,
    size: u64,
    /// Running SHA-256 of the compressed bytes, for the `.sha256` sidecar.
    hasher: Sha256,
    warcinfo_id: String,
}

/// Appends records to the current WARC file of an evidence directory.
///
/// Not thread-safe by itself (`&mut self`): give it to one task or put it behind a mutex.
/// Dropping the writer closes the current file like [`WarcWriter::close`] but can only log
/// errors; call `close` to see them.
pub struct WarcWriter {
    dir: PathBuf,
    info: WarcInfo,
    rotate_bytes: u64,
    current: Option<OpenFile>,
    seq: u32,
    closed_files: Vec<String>,
    /// The newest seal: the next one names it.
    chain: Option<ChainHead>,
    /// Files left open by an earlier run and sealed by [`WarcWriter::open`].
    repairs: Vec<Repair>,
}

impl WarcWriter {
    /// Creates `dir` if needed and starts a new file there (never appends to an old one).
    ///
    /// Files of `dir` without a seal were left open by a run that was killed: each is sealed
    /// first, after cutting off an incomplete last record (kept in `<file>.torn`), and what
    /// was done is written as a `metadata` record into the new file (see [`Self::repairs`]).
    /// The caller must be the directory's only writer (it holds the data directory lock).
    pub fn open(dir: &Path, info: WarcInfo, rotate_bytes: u64) -> Result<Self, EvidenceError> {
        std::fs::create_dir_all(dir).map_err(|e| EvidenceError::io(dir, e))?;
        let mut chain = chain_head(dir)?;
        let repairs = seal_left_open(dir, &mut chain)?;
        let mut writer = WarcWriter {
            dir: dir.to_path_buf(),
            info,
            rotate_bytes: rotate_bytes.max(1),
            current: None,
            seq: 0,
            closed_files: Vec::new(),
            chain,
            repairs,
        };
        writer.ensure_open()?;
        for repair in writer.repairs.clone() {
            let mut fields = vec![
                ("sealed-file".to_string(), repair.file.clone()),
                ("repair".into(), repair.describe()),
                ("records-kept".into(), repair.records.to_string()),
                ("bytes-kept".into(), repair.bytes.to_string()),
            ];
            if let Some(t) = &repair.torn {
                fields.push(("torn-offset".into(), t.offset.to_string()));
                fields.push(("torn-bytes".into(), t.bytes.to_string()));
                fields.push(("torn-kept-in".into(), t.saved_as.clone()));
                fields.push(("torn-sha256".into(), t.sha256.clone()));
            }
            let uri = format!("urn:pharmwatch:warc-file:{}", repair.file);
            let record = writer.metadata_record(&uri, OffsetDateTime::now_utc(), None, &fields);
            writer.write_group(vec![record])?;
        }
        Ok(writer)
    }

    /// What [`Self::open`] did to files an earlier run left open (empty after a clean stop).
    pub fn repairs(&self) -> &[Repair] {
        &self.repairs
    }

    /// The evidence directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Name of the file records currently go to, if one is open.
    pub fn current_file(&self) -> Option<&str> {
        self.current.as_ref().map(|f| f.name.as_str())
    }

    /// Files finished so far (rotated away), oldest first.
    pub fn closed_files(&self) -> &[String] {
        &self.closed_files
    }

    /// Archives one exchange and returns the location of its `response` record, or of the
    /// `metadata` record describing the error when no response arrived.
    ///
    /// The records of one exchange always go to the same file.
    pub fn write_exchange(&mut self, ex: &HttpExchange) -> Result<RecordLocation, EvidenceError> {
        self.write_exchange_of(ex, None)
    }

    /// As [`WarcWriter::write_exchange`], for an exchange made as part of capturing another
    /// (a request a rendered page made): its records carry `WARC-Concurrent-To` that
    /// capture's record (`page_record`), as the page's rendered DOM and screenshot do.
    pub fn write_exchange_concurrent_to(
        &mut self,
        ex: &HttpExchange,
        page_record: &str,
    ) -> Result<RecordLocation, EvidenceError> {
        self.write_exchange_of(ex, Some(page_record))
    }

    fn write_exchange_of(
        &mut self,
        ex: &HttpExchange,
        page_record: Option<&str>,
    ) -> Result<RecordLocation, EvidenceError> {
        let Some(status) = ex.status else {
            let meta = self.exchange_note(ex, page_record);
            return self.write_group(vec![meta]).map(|mut v| v.remove(0));
        };
        let response_id = new_record_id();
        let warcinfo_id = self.ensure_open()?.to_string();
        let common = exchange_headers(ex, warcinfo_id);

        let mut resp_headers = vec![
            ("WARC-Type".to_string(), "response".to_string()),
            ("WARC-Record-ID".into(), response_id.clone()),
        ];
        resp_headers.extend(common.iter().cloned());
        if let Some(why) = ex.truncated {
            resp_headers.push(("WARC-Truncated".into(), why.as_str().into()));
        }
        if let Some(page) = page_record {
            resp_headers.push(("WARC-Concurrent-To".into(), page.to_string()));
        }
        let response = http_record(
            resp_headers,
            response_block(ex, status),
            "application/http;msgtype=response",
        );

        let mut req_headers = vec![
            ("WARC-Type".to_string(), "request".to_string()),
            ("WARC-Record-ID".into(), new_record_id()),
        ];
        req_headers.extend(common);
        req_headers.push(("WARC-Concurrent-To".into(), response_id.clone()));
        let request = http_record(
            req_headers,
            request_block(ex),
            "application/http;msgtype=request",
        );

        let mut group = vec![request, response];
        if ex.error.is_some() || transfer_encoding_renamed(ex) {
            group.push(self.exchange_note(ex, Some(&response_id)));
        }
        let mut locations = self.write_group(group)?;
        Ok(locations.swap_remove(1))
    }

    /// Archives an answer that confirms an archived response instead of repeating it: a
    /// `request` record and a `revisit` record whose block is the status line and headers
    /// only. A 304 gets the profile [`PROFILE_SERVER_NOT_MODIFIED`]; a 2xx whose body is the
    /// target's payload byte for byte gets [`PROFILE_IDENTICAL_PAYLOAD`] (the body is not
    /// stored again). `WARC-Refers-To`, `-Target-URI` and `-Date` name the target, and
    /// `WARC-Payload-Digest` is the target's: the payload the revisit stands for.
    ///
    /// Returns the location of the `revisit` record. Any other status, or a 2xx body that
    /// is not the target's payload, is refused: the record would claim what did not happen.
    pub fn write_revisit(
        &mut self,
        ex: &HttpExchange,
        target: &RevisitTarget,
    ) -> Result<RecordLocation, EvidenceError> {
        let refused = |why: String| EvidenceError::NotRevisit(why);
        let status = ex
            .status
            .ok_or_else(|| refused(format!("{}: no response", ex.target_uri)))?;
        let profile = match status {
            304 => PROFILE_SERVER_NOT_MODIFIED,
            200..=299 => {
                let same = match &target.payload_digest {
                    Some(d) => crate::digest_matches(d, &ex.body)?,
                    None => false,
                };
                if !same {
                    return Err(refused(format!(
                        "{}: the body is not the payload of {}",
                        ex.target_uri, target.record_id
                    )));
                }
                PROFILE_IDENTICAL_PAYLOAD
            }
            other => {
                return Err(refused(format!(
                    "{}: status {other} confirms no earlier response",
                    ex.target_uri
                )));
            }
        };
        let revisit_id = new_record_id();
        let warcinfo_id = self.ensure_open()?.to_string();
        let common = exchange_headers(ex, warcinfo_id);

        let mut headers = vec![
            ("WARC-Type".to_string(), "revisit".to_string()),
            ("WARC-Record-ID".into(), revisit_id.clone()),
        ];
        headers.extend(common.iter().cloned());
        headers.push(("WARC-Profile".into(), profile.into()));
        headers.push(("WARC-Refers-To".into(), one_line(&target.record_id)));
        headers.push((
            "WARC-Refers-To-Target-URI".into(),
            one_line(&target.target_uri),
        ));
        headers.push(("WARC-Refers-To-Date".into(), one_line(&target.date)));
        headers.push((
            "Content-Type".into(),
            "application/http;msgtype=response".into(),
        ));
        let mut block = response_block(ex, status);
        block.truncate(block.len() - ex.body.len());
        headers.push(("WARC-Block-Digest".into(), warc_digest(&block)));
        if let Some(d) = &target.payload_digest {
            headers.push(("WARC-Payload-Digest".into(), one_line(d)));
        }
        headers.push(("Content-Length".into(), block.len().to_string()));
        let revisit = WarcRecord { headers, block };

        let mut req_headers = vec![
            ("WARC-Type".to_string(), "request".to_string()),
            ("WARC-Record-ID".into(), new_record_id()),
        ];
        req_headers.extend(common);
        req_headers.push(("WARC-Concurrent-To".into(), revisit_id.clone()));
        let request = http_record(
            req_headers,
            request_block(ex),
            "application/http;msgtype=request",
        );
        let mut group = vec![request, revisit];
        if ex.error.is_some() || transfer_encoding_renamed(ex) {
            group.push(self.exchange_note(ex, Some(&revisit_id)));
        }
        let mut locations = self.write_group(group)?;
        Ok(locations.swap_remove(1))
    }

    /// Archives what was captured of `target_uri` other than an HTTP message (a page's
    /// rendered DOM, its screenshot) as a `resource` record of `content_type`, with
    /// `WARC-Concurrent-To` the page's response record when given. `target_uri` names the
    /// capture, not the page (`urn:view:` + the page's URL for a screenshot), so replay
    /// tools never serve it in place of the page.
    pub fn write_resource(
        &mut self,
        target_uri: &str,
        at: Timestamp,
        content_type: &str,
        block: &[u8],
        concurrent_to: Option<&str>,
    ) -> Result<RecordLocation, EvidenceError> {
        let mut headers = vec![
            ("WARC-Type".to_string(), "resource".to_string()),
            ("WARC-Record-ID".into(), new_record_id()),
            ("WARC-Date".into(), warc_date(at)),
            ("WARC-Target-URI".into(), one_line(target_uri)),
        ];
        if let Some(id) = concurrent_to {
            headers.push(("WARC-Concurrent-To".into(), one_line(id)));
        }
        let digest = warc_digest(block);
        headers.push(("Content-Type".into(), one_line(content_type)));
        headers.push(("WARC-Block-Digest".into(), digest.clone()));
        headers.push(("WARC-Payload-Digest".into(), digest));
        headers.push(("Content-Length".into(), block.len().to_string()));
        let record = WarcRecord {
            headers,
            block: block.to_vec(),
        };
        self.write_group(vec![record]).map(|mut v| v.remove(0))
    }

    /// Records a decision about `target_uri` (robots override, extraction profile used,
    /// truncation, …) as a `metadata` record of `application/warc-fields`.
    pub fn write_metadata(
        &mut self,
        target_uri: &str,
        fields: &[(&str, &str)],
    ) -> Result<RecordLocation, EvidenceError> {
        let owned: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let record = self.metadata_record(target_uri, OffsetDateTime::now_utc(), None, &owned);
        self.write_group(vec![record]).map(|mut v| v.remove(0))
    }

    /// Flushes the current file to stable storage (a checkpoint for the caller).
    pub fn sync(&mut self) -> Result<(), EvidenceError> {
        if let Some(f) = &self.current {
            f.file
                .sync_data()
                .map_err(|e| EvidenceError::io(&f.path, e))?;
        }
        Ok(())
    }

    /// Closes the current file (fsync, `.sha256` sidecar) and returns every file written.
    pub fn close(mut self) -> Result<Vec<String>, EvidenceError> {
        self.finish_current()?;
        Ok(std::mem::take(&mut self.closed_files))
    }

    fn exchange_note(&self, ex: &HttpExchange, concurrent_to: Option<&str>) -> WarcRecord {
        let mut fields: Vec<(String, String)> = Vec::new();
        match (&ex.error, ex.status) {
            (Some(e), _) => fields.push(("fetch-error".into(), e.clone())),
            (None, None) => fields.push(("fetch-error".into(), "no response".into())),
            (None, Some(_)) => {}
        }
        if transfer_encoding_renamed(ex) {
            fields.push((
                "transfer-decoding".into(),
                "body de-chunked by the HTTP client; Transfer-Encoding archived as X-Crawler-Transfer-Encoding".into(),
            ));
        }
        fields.push(("method".into(), ex.method.clone()));
        fields.push(("purpose".into(), purpose_name(ex.purpose).into()));
        fields.push(("site".into(), ex.site.clone()));
        if let Some(ip) = &ex.ip {
            fields.push(("ip".into(), ip.clone()));
        }
        self.metadata_record(&ex.target_uri, ex.started_at, concurrent_to, &fields)
    }

    fn metadata_record(
        &self,
        target_uri: &str,
        at: Timestamp,
        concurrent_to: Option<&str>,
        fields: &[(String, String)],
    ) -> WarcRecord {
        let mut headers = vec![
            ("WARC-Type".to_string(), "metadata".to_string()),
            ("WARC-Record-ID".into(), new_record_id()),
            ("WARC-Date".into(), warc_date(at)),
            ("WARC-Target-URI".into(), one_line(target_uri)),
        ];
        if let Some(f) = &self.current {
            headers.push(("WARC-Warcinfo-ID".into(), f.warcinfo_id.clone()));
        }
        if let Some(id) = concurrent_to {
            headers.push(("WARC-Concurrent-To".into(), id.to_string()));
        }
        fields_record(headers, fields)
    }

    /// Writes records as consecutive gzip members of the current file, then rotates if the
    /// file reached the cap.
    fn write_group(
        &mut self,
        records: Vec<WarcRecord>,
    ) -> Result<Vec<RecordLocation>, EvidenceError> {
        self.ensure_open()?;
        let mut out = Vec::with_capacity(records.len());
        for mut record in records {
            if let Some(f) = &self.current
                && record.header("WARC-Warcinfo-ID").is_none()
                && record.record_type() != Some("warcinfo")
            {
                record
                    .headers
                    .push(("WARC-Warcinfo-ID".into(), f.warcinfo_id.clone()));
            }
            out.push(self.append(&record)?);
        }
        if self
            .current
            .as_ref()
            .is_some_and(|f| f.size >= self.rotate_bytes)
        {
            self.finish_current()?;
        }
        Ok(out)
    }

    fn append(&mut self, record: &WarcRecord) -> Result<RecordLocation, EvidenceError> {
        let member = gzip(&record.to_bytes()).map_err(|e| EvidenceError::io(&self.dir, e))?;
        let f = self.current.as_mut().ok_or_else(|| {
            EvidenceError::io(&self.dir, std::io::Error::other("no open WARC file"))
        })?;
        if let Err(e) = f.file.write_all(&member) {
            // Part of the member may be on disk: later offsets would be wrong, so this file
            // is abandoned (left unsealed) and the next record starts a new one.
            let err = EvidenceError::io(&f.path, e);
            tracing::error!(error = %err, file = %f.name, "WARC write failed; abandoning file");
            self.current = None;
            return Err(err);
        }
        f.hasher.update(&member);
        let offset = f.size;
        f.size += member.len() as u64;
        let block_digest = record
            .header("WARC-Block-Digest")
            .unwrap_or_default()
            .to_string();
        Ok(RecordLocation {
            file: f.name.clone(),
            offset,
            length: member.len() as u64,
            record_id: record.record_id().unwrap_or_default().to_string(),
            payload_digest: record
                .header("WARC-Payload-Digest")
                .map(str::to_string)
                .unwrap_or_else(|| block_digest.clone()),
            block_digest,
        })
    }

    /// Opens a new file with its `warcinfo` record when none is open; returns the
    /// warcinfo record id.
    fn ensure_open(&mut self) -> Result<&str, EvidenceError> {
        if self.current.is_none() {
            let opened = self.create_file()?;
            self.current = Some(opened);
            let info = self.warcinfo_record();
            let id = info.record_id().unwrap_or_default().to_string();
            self.append(&info)?;
            if let Some(f) = self.current.as_mut() {
                f.warcinfo_id = id;
            }
        }
        Ok(self
            .current
            .as_ref()
            .map(|f| f.warcinfo_id.as_str())
            .unwrap_or_default())
    }

    fn create_file(&mut self) -> Result<OpenFile, EvidenceError> {
        let stamp = file_stamp(OffsetDateTime::now_utc());
        let run = safe_name(&self.info.run_id);
        loop {
            let name = format!("pharmwatch-{run}-{stamp}-{:05}.warc.gz", self.seq);
            self.seq += 1;
            let path = self.dir.join(&name);
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => {
                    sync_dir(&self.dir)?;
                    tracing::debug!(file = %name, "opened WARC file");
                    return Ok(OpenFile {
                        name,
                        path,
                        file,
                        size: 0,
                        hasher: Sha256::new(),
                        warcinfo_id: String::new(),
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(EvidenceError::io(path, e)),
            }
        }
    }

    fn warcinfo_record(&self) -> WarcRecord {
        let info = &self.info;
        let mut fields = vec![
            ("software".to_string(), info.software.clone()),
            ("format".into(), "WARC File Format 1.1".into()),
            (
                "conformsTo".into(),
                "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
                    .into(),
            ),
            ("operator".into(), info.operator.clone()),
        ];
        if let Some(h) = &info.hostname {
            fields.push(("hostname".into(), h.clone()));
        }
        fields.push(("run-id".into(), info.run_id.clone()));
        fields.push(("config-digest".into(), info.config_digest.clone()));
        // The seal chain inside the archive too: this file's seal will name the same one.
        if let Some(h) = &self.chain {
            fields.push(("previous-seal".into(), format!("{} {}", h.name, h.sha256)));
        }
        let mut headers = vec![
            ("WARC-Type".to_string(), "warcinfo".to_string()),
            ("WARC-Record-ID".into(), new_record_id()),
            ("WARC-Date".into(), warc_date(OffsetDateTime::now_utc())),
        ];
        if let Some(f) = &self.current {
            headers.push(("WARC-Filename".into(), f.name.clone()));
        }
        fields_record(headers, &fields)
    }

    /// Makes the current file durable, seals it (the `.sha256` sidecar, next link of the
    /// chain), forgets it.
    fn finish_current(&mut self) -> Result<(), EvidenceError> {
        let Some(f) = self.current.take() else {
            return Ok(());
        };
        f.file
            .sync_all()
            .map_err(|e| EvidenceError::io(&f.path, e))?;
        let digest = hex::encode(f.hasher.finalize());
        write_seal(&self.dir, &f.name, &digest, &mut self.chain, &[])?;
        tracing::debug!(file = %f.name, bytes = f.size, "closed WARC file");
        self.closed_files.push(f.name);
        Ok(())
    }
}

impl Drop for WarcWriter {
    fn drop(&mut self) {
        if let Err(e) = self.finish_current() {
            tracing::error!(error = %e, "closing WARC file on drop failed");
        }
    }
}

/// WARC headers shared by the request and response records of one exchange.
fn exchange_headers(ex: &HttpExchange, warcinfo_id: String) -> Vec<(String, String)> {
    let mut common = vec![
        ("WARC-Date".to_string(), warc_date(ex.started_at)),
        ("WARC-Target-URI".into(), one_line(&ex.target_uri)),
    ];
    if let Some(ip) = &ex.ip {
        common.push(("WARC-IP-Address".into(), one_line(ip)));
    }
    common.push(("WARC-Warcinfo-ID".into(), warcinfo_id));
    if let (_, Some(protocol)) = wire_version(&ex.http_version) {
        common.push(("WARC-Protocol".into(), protocol.into()));
    }
    common
}

fn http_record(headers: Vec<(String, String)>, block: Vec<u8>, content_type: &str) -> WarcRecord {
    let mut rec = WarcRecord { headers, block };
    rec.headers
        .push(("Content-Type".into(), content_type.into()));
    let block_digest = warc_digest(&rec.block);
    let payload_digest = warc_digest(rec.payload());
    rec.headers.push(("WARC-Block-Digest".into(), block_digest));
    rec.headers
        .push(("WARC-Payload-Digest".into(), payload_digest));
    rec.headers
        .push(("Content-Length".into(), rec.block.len().to_string()));
    rec
}

/// A record whose block is `name: value` lines (`application/warc-fields`).
pub(crate) fn fields_record(
    mut headers: Vec<(String, String)>,
    fields: &[(String, String)],
) -> WarcRecord {
    let mut block = String::new();
    for (k, v) in fields {
        block.push_str(&one_line(k).replace(':', "-"));
        block.push_str(": ");
        block.push_str(&one_line(v));
        block.push_str("\r\n");
    }
    let block = block.into_bytes();
    headers.push(("WARC-Block-Digest".into(), warc_digest(&block)));
    headers.push(("Content-Type".into(), "application/warc-fields".into()));
    headers.push(("Content-Length".into(), block.len().to_string()));
    WarcRecord { headers, block }
}

/// libdeflate's level 1 (its `fastest()` is level 0: no compression at all).
const LEVEL_1: CompressionLvl = match CompressionLvl::new(1) {
    Ok(level) => level,
    Err(_) => panic!("level 1 is valid"),
};

/// One gzip member holding `bytes` (a WARC record is one member, so records can be copied).
pub(crate) fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    thread_local! {
        // Level 1: the crawl spent 7% of its CPU in gzip at level 6. libdeflate compresses
        // a whole record at once, twice as fast as flate2 at level 1 and 7% smaller
        // (bench/RESULTS.md); its compressor is allocated once per thread.
        static COMPRESSOR: RefCell<Compressor> = RefCell::new(Compressor::new(LEVEL_1));
    }
    COMPRESSOR.with_borrow_mut(|compressor| {
        let mut member = vec![0; compressor.gzip_compress_bound(bytes.len())];
        let len = compressor
            .gzip_compress(bytes, &mut member)
            .map_err(|e| std::io::Error::other(format!("gzip: {e:?}")))?;
        member.truncate(len);
        Ok(member)
    })
}

fn purpose_name(p: ExchangePurpose) -> &'static str {
    match p {
        ExchangePurpose::Page => "page",
        ExchangePurpose::Robots => "robots",
        ExchangePurpose::Sitemap => "sitemap",
        ExchangePurpose::Redirect => "redirect",
    }
}

/// `WARC-Date`: UTC, microseconds when the time has a fraction (WARC/1.1 allows it).
pub(crate) fn warc_date(t: Timestamp) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let base = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    match t.microsecond() {
        0 => format!("{base}Z"),
        us => format!("{base}.{us:06}Z"),
    }
}

/// `YYYYMMDDHHMMSSmmm`, the 17-digit timestamp archiving crawlers put in file names.
fn file_stamp(t: OffsetDateTime) -> String {
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}{:03}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// A run id usable inside a file name.
fn safe_name(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    if cleaned.is_empty() {
        "run".into()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_names() {
        let t = time::macros::datetime!(2026-11-23 18:30:05.25 UTC);
        assert_eq!(warc_date(t), "2026-11-23T18:30:05.250000Z");
        let t0 = time::macros::datetime!(2026-11-23 18:30:05 UTC);
        assert_eq!(warc_date(t0), "2026-11-23T18:30:05Z");
        assert_eq!(file_stamp(t), "20261123183005250");
        assert_eq!(safe_name("run 7/../x"), "run_7____x");
        assert_eq!(safe_name(""), "run");
    }
}
