//! `pharmwatch evidence show|verify`: the archived bytes behind a finding, and proof that the
//! archive is unchanged.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;
use pharmwatch_evidence::{http_response_parts, read_record_at, verify};
use pharmwatch_store::StateStore;

use super::{ConfigError, Global, exit};
use crate::pipeline::DataDir;

#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Print the archived response body of a page, exactly as received.
    Show {
        /// The page's URL, or the SHA-256 (hex) of its body as received.
        page: String,
        /// Print the status line and headers (with the WARC record's location) before the body.
        #[arg(long)]
        headers: bool,
    },
    /// Re-read every archived record, recompute its digests, report any mismatch.
    Verify,
}

pub fn run(global: &Global, cmd: EvidenceCommand) -> Result<ExitCode> {
    let data = DataDir::new(&global.data_dir);
    match cmd {
        EvidenceCommand::Show { page, headers } => show(&data, &page, headers),
        EvidenceCommand::Verify => verify_all(&data),
    }
}

fn show(data: &DataDir, page: &str, with_headers: bool) -> Result<ExitCode> {
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
        .with_context(|| format!("{} was recorded without an archived copy", stored.url))?;
    let record = read_record_at(&data.evidence(), &pointer.file, pointer.offset)?;
    let response = http_response_parts(&record)?;
    let mut out = std::io::stdout().lock();
    if with_headers {
        writeln!(out, "WARC-File: {} @ {}", pointer.file, pointer.offset)?;
        for (name, value) in &record.headers {
            if name.starts_with("WARC-") {
                writeln!(out, "{name}: {value}")?;
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

fn verify_all(data: &DataDir) -> Result<ExitCode> {
    let report = verify(&data.evidence())
        .with_context(|| format!("cannot read the evidence in {}", data.evidence().display()))?;
    for m in &report.mismatches {
        println!(
            "MISMATCH {} @ {} {}: {}",
            m.file, m.offset, m.record_id, m.what
        );
    }
    for f in &report.file_digest_mismatches {
        println!("MISMATCH {f}: the file differs from its sealed .sha256");
    }
    for m in &report.cut_short {
        println!(
            "note: {} ends at {} with a record cut short by a crash (never referenced)",
            m.file, m.offset
        );
    }
    for f in &report.unsealed_files {
        println!("note: {f} is not sealed (being written, or cut short by a crash)");
    }
    println!(
        "{} files, {} records, {} mismatches",
        report.files,
        report.records,
        report.mismatches.len() + report.file_digest_mismatches.len()
    );
    Ok(if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(exit::FAILED)
    })
}
