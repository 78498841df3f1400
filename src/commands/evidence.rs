//! `pharmwatch evidence show|verify`: the archived bytes behind a finding, and proof that the
//! archive is unchanged.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;
use pharmwatch_evidence::{
    StorePayload, StorePointer, VerifyOptions, VerifyReport, body_record_at, http_response_parts,
    read_record_at, verify_with, warc_digest_to_hex,
};
use pharmwatch_model::sha256_hex;
use pharmwatch_store::{DataDirLock, LockError};

use super::{ConfigError, Global, exit};
use pharmwatch::output;
use pharmwatch::pipeline::DataDir;

#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Print the archived response body of a page, exactly as received.
    Show {
        /// The page's URL, or the SHA-256 (hex) of its body as received.
        page: String,
        /// Print the status line and headers (with the WARC record's location) before the body.
        #[arg(long)]
        headers: bool,
        /// Write the page's screenshot (a `render = "browser"` site's, taken at capture time,
        /// PNG) to this file instead of printing the body; its digest is checked first.
        #[arg(long, value_name = "FILE")]
        screenshot: Option<std::path::PathBuf>,
    },
    /// Re-read every archived record and recompute its digests, check every file's seal and
    /// the seal chain, and check every body digest the state store recorded against the
    /// archived record it points to. Exits non-zero on any failure.
    Verify {
        /// Print the full report as JSON instead of lines.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(global: &Global, cmd: EvidenceCommand) -> Result<ExitCode> {
    let data = global.data()?;
    match cmd {
        EvidenceCommand::Show {
            page,
            headers,
            screenshot: Some(file),
        } if !headers => write_screenshot(&data, &page, &file),
        EvidenceCommand::Show {
            page,
            headers,
            screenshot: None,
        } => show(&data, &page, headers),
        EvidenceCommand::Show { .. } => Err(ConfigError(
            "--headers and --screenshot do not go together: the screenshot is written to its file alone"
                .into(),
        )
        .into()),
        EvidenceCommand::Verify { json } => verify_all(&data, json),
    }
}

/// The stored page for a URL or body digest, with the location of its archived response.
fn archived_page(
    data: &DataDir,
    page: &str,
) -> Result<(pharmwatch_store::PageRecord, pharmwatch_store::WarcPointer)> {
    let store = data.open_existing_store()?;
    let is_digest = page.len() == 64 && page.bytes().all(|b| b.is_ascii_hexdigit());
    let stored = if is_digest {
        store.page_by_digest(&page.to_ascii_lowercase())?
    } else {
        store.page(page)?
    };
    let stored = stored.ok_or_else(|| {
        ConfigError(format!(
            "no archived page for `{page}`: give the exact URL as crawled or the body's SHA-256"
        ))
    })?;
    let pointer = stored
        .warc
        .clone()
        .with_context(|| format!("{} was recorded without an archived copy", stored.url))?;
    Ok((stored, pointer))
}

/// `evidence show URL --screenshot FILE`: the screenshot archived with the page's response
/// (a `resource` record `urn:view:URL`, `WARC-Concurrent-To` that response), digest checked.
fn write_screenshot(data: &DataDir, page: &str, file: &std::path::Path) -> Result<ExitCode> {
    let (stored, pointer) = archived_page(data, page)?;
    let dir = data.evidence();
    let response = read_record_at(&dir, &pointer.file, pointer.offset)?;
    let response_id = response.record_id().unwrap_or_default().to_string();
    let target = format!("urn:view:{}", stored.url);
    let found = find_concurrent(&dir, &pointer.file, pointer.offset, &target, &response_id)?;
    let Some((shot, at)) = found else {
        return Err(ConfigError(format!(
            "no screenshot archived with {} (only pages of render = \"browser\" sites have one)",
            stored.url
        ))
        .into());
    };
    let digest = shot.header("WARC-Block-Digest").unwrap_or_default();
    if !pharmwatch_evidence::digest_matches(digest, &shot.block)? {
        anyhow::bail!(
            "the screenshot record at {} @ {} does not match its digest; run `pharmwatch evidence verify`",
            at.0,
            at.1
        );
    }
    std::fs::write(file, &shot.block)
        .with_context(|| format!("cannot write {}", file.display()))?;
    eprintln!(
        "screenshot of {} ({} bytes, {} @ {}) written to {}",
        output::sanitize(&stored.url),
        shot.block.len(),
        at.0,
        at.1,
        file.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// How many records after a page's response its rendering's records may be looked for.
const CONCURRENT_SCAN_RECORDS: usize = 10_000;

/// The record for `target` tied to `record_id` (`WARC-Concurrent-To`), looked for after
/// `offset` in `file` and in the file after it (the writer may have rotated meanwhile).
fn find_concurrent(
    dir: &std::path::Path,
    file: &str,
    offset: u64,
    target: &str,
    record_id: &str,
) -> Result<Option<(pharmwatch_evidence::WarcRecord, (String, u64))>> {
    let files = pharmwatch_evidence::warc_files(dir)?;
    let start = files.iter().position(|f| f == file).unwrap_or(files.len());
    let mut seen = 0;
    for (i, name) in files.iter().enumerate().skip(start).take(2) {
        let mut reader = pharmwatch_evidence::WarcReader::open(&dir.join(name))?;
        if i == start {
            reader.seek(offset)?;
        }
        while let Some(next) = reader.next_record() {
            let at = next?;
            let record = &at.record;
            if record.target_uri() == Some(target)
                && record.header("WARC-Concurrent-To") == Some(record_id)
            {
                return Ok(Some((at.record, (name.clone(), at.offset))));
            }
            seen += 1;
            if seen >= CONCURRENT_SCAN_RECORDS {
                return Ok(None);
            }
        }
    }
    Ok(None)
}

fn show(data: &DataDir, page: &str, with_headers: bool) -> Result<ExitCode> {
    let (stored, pointer) = archived_page(data, page)?;
    let dir = data.evidence();
    // A revisit holds no body: show the response it confirms.
    let (record, at) = body_record_at(
        &dir,
        &pointer.file,
        pointer.offset,
        stored.body_sha256.as_deref(),
    )?;
    let response = http_response_parts(&record)?;
    // Never print bytes as the page's body that are not what the store recorded.
    if let Some(sha) = &stored.body_sha256
        && !sha256_hex(response.body).eq_ignore_ascii_case(sha)
    {
        anyhow::bail!(
            "the archived record at {} @ {} does not hold the body recorded for {} (sha256 {sha}); run `pharmwatch evidence verify`",
            at.0,
            at.1,
            stored.url
        );
    }

    let mut out = std::io::stdout().lock();
    if with_headers {
        writeln!(out, "WARC-File: {} @ {}", at.0, at.1)?;
        for (name, value) in &record.headers {
            if name.starts_with("WARC-") {
                writeln!(out, "{name}: {value}")?;
                // WARC digests are base32 (the format's convention); everything else
                // pharmwatch prints (the store, search, case files, sha256sum) is hex.
                if name.ends_with("-Digest")
                    && let Some(hex) = warc_digest_to_hex(value)
                {
                    writeln!(out, "{name} (hex): sha256:{hex}")?;
                }
            }
        }
        writeln!(
            out,
            "\n{} {} {}",
            response.version, response.status, response.reason
        )?;
        for (name, value) in &response.headers {
            writeln!(out, "{name}: {value}")?;
        }
        writeln!(out)?;
    }
    out.write_all(response.body)?;
    Ok(ExitCode::SUCCESS)
}

fn verify_all(data: &DataDir, json: bool) -> Result<ExitCode> {
    let dir = data.evidence();
    let mut options = store_claims(data)?;
    // A crawl holding the data directory lock is writing the newest file: asked before and
    // after the pass, so a crawl that starts meanwhile is seen too.
    let active_before = crawl_running(data);
    options.writer_active = active_before;
    let mut report = verify_with(&dir, &options)
        .with_context(|| format!("cannot read the evidence in {}", dir.display()))?;
    if !active_before && !report.unsealed_files.is_empty() && crawl_running(data) {
        options.writer_active = true;
        report = verify_with(&dir, &options)
            .with_context(|| format!("cannot read the evidence in {}", dir.display()))?;
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report, data.store_url.is_some() || data.state().is_file());
    }
    Ok(if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(exit::FAILED)
    })
}

/// What the state store says the archive holds: each page's body digest at its record, and
/// each listing's source digest. Empty without a store.
fn store_claims(data: &DataDir) -> Result<VerifyOptions> {
    let mut options = VerifyOptions::default();
    if data.store_url.is_none() && !data.state().is_file() {
        return Ok(options);
    }
    let store = data.open_existing_store()?;
    for page in store.all_pages()? {
        if let (Some(warc), Some(sha)) = (page.warc, page.body_sha256) {
            options.store_pointers.push(StorePointer {
                url: page.url,
                file: warc.file,
                offset: warc.offset,
                length: warc.length,
                payload_sha256: sha.to_ascii_lowercase(),
            });
        }
    }
    for stored in pharmwatch_store::AllListings::new(&*store) {
        let listing = stored?.listing;
        if let Some(sha) = listing.evidence_digest {
            options.store_payloads.push(StorePayload {
                claimant: format!("listing {}", listing.id),
                url: listing.url,
                payload_sha256: sha.to_ascii_lowercase(),
            });
        }
    }
    Ok(options)
}

/// True when another process holds the data directory lock (a crawl is writing evidence).
fn crawl_running(data: &DataDir) -> bool {
    // Acquiring creates the directory: a missing one has no crawl either.
    data.root.is_dir()
        && matches!(
            DataDirLock::acquire(&data.root),
            Err(LockError::Held { .. })
        )
}

fn print_report(report: &VerifyReport, with_store: bool) {
    for m in &report.mismatches {
        let url = m
            .url
            .as_deref()
            .map(|u| format!(" ({u})"))
            .unwrap_or_default();
        let record = if m.record_id.is_empty() {
            "record".to_string()
        } else {
            m.record_id.clone()
        };
        if m.file.is_empty() {
            println!("MISMATCH{url}: {}", m.what);
        } else {
            println!(
                "MISMATCH {} @ {} {record}{url}: {}",
                m.file, m.offset, m.what
            );
        }
    }
    for f in &report.file_digest_mismatches {
        println!("MISMATCH {f}: the file differs from its seal ({f}.sha256)");
    }
    for f in &report.unsealed_files {
        println!(
            "MISMATCH {f}: not sealed (its seal was deleted, or a killed run left it open and no crawl has started since to seal it)"
        );
    }
    for p in &report.seal_problems {
        println!("MISMATCH seal chain: {p}");
    }
    if let Some(f) = &report.open_file {
        println!("note: {f} is being written by the running crawl (sealed when it is closed)");
    }
    for m in &report.cut_short {
        println!(
            "note: {} ends at {} with a record cut short by a crash{}",
            m.file,
            m.offset,
            if m.record_id.is_empty() {
                String::new()
            } else {
                format!(" ({})", m.record_id)
            }
        );
    }
    for r in &report.repairs {
        println!("note: sealed after a crash: {r}");
    }
    if !report.unchained_seals.is_empty() {
        println!(
            "note: {} predate the seal chain (checked against their files only)",
            output::count(report.unchained_seals.len(), "seal", "seals")
        );
    }
    if !with_store {
        println!("note: no state store; only the archive was checked");
    }
    if let Some(head) = &report.chain_head {
        println!("seal chain head: {head}");
    }
    println!(
        "{}, {}, {} checked, {}",
        output::count(report.files, "file", "files"),
        output::count(report.records, "record", "records"),
        output::count(report.store_entries, "store entry", "store entries"),
        output::count(report.failures(), "mismatch", "mismatches"),
    );
}
