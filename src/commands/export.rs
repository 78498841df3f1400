//! `pharmwatch export case|verify`: a case package for regulators from a search, and the
//! check that a package is unchanged.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};

use super::search::{SortArg, sort_by};
use super::{ConfigError, Global, exit};
use pharmwatch::export::{self, CaseQuery, manifest};
use pharmwatch::output::sanitize;
use pharmwatch::search::open_searcher;

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Write a case package (listings.csv/json, evidence.warc.gz, manifest) for the listings
    /// a search query selects.
    Case(CaseArgs),
    /// Recheck every file of a package against its manifest.json and SHA256SUMS.
    Verify {
        /// The package directory.
        dir: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct CaseArgs {
    /// Query in the search syntax (see `pharmwatch search`), e.g. `drug:oxycodone site:quickads`.
    pub query: String,
    /// The package directory to create: new, or empty.
    #[arg(long)]
    pub out: PathBuf,
    /// Include listings that no rule flagged.
    #[arg(long)]
    pub all: bool,
    /// At most this many listings (default: every hit).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Order of the rows (highest or newest first unless --asc).
    #[arg(long, value_enum, default_value_t = SortArg::Score)]
    pub sort: SortArg,
    /// Ascending order.
    #[arg(long)]
    pub asc: bool,
    /// Also write the package as one WACZ 1.1.1 file (case.wacz) that web-archive players
    /// such as ReplayWeb.page open.
    #[arg(long)]
    pub wacz: bool,
}

/// Runs an `export` subcommand.
pub fn run(global: &Global, cmd: ExportCommand) -> Result<ExitCode> {
    match cmd {
        ExportCommand::Case(args) => case(global, args),
        ExportCommand::Verify { dir } => verify(&dir),
    }
}

fn case(global: &Global, args: CaseArgs) -> Result<ExitCode> {
    // Refused before any work, and again right before the package is moved into place.
    export::check_target(&args.out)?;
    let data = global.data()?;
    let searcher = open_searcher(&data.root)?;
    let query = CaseQuery {
        query: args.query.clone(),
        include_unflagged: args.all,
        sort: sort_by(args.sort, args.asc),
        limit: args.limit,
        wacz: args.wacz,
    };
    let docs = export::all_hits(&searcher, &query)?;
    if docs.is_empty() {
        bail!(
            "the query `{}` matched no {}: nothing exported, no package written{}",
            sanitize(&args.query),
            if args.all {
                "listings"
            } else {
                "flagged listings"
            },
            if args.all {
                ""
            } else {
                " (add --all to include listings no rule flagged)"
            }
        );
    }
    let store = data.open_existing_store()?;
    let summary = export::write_atomically(&args.out, |dir| {
        export::write_case(&data.root, &*store, &query, &docs, dir)
    })?;
    for url in &summary.without_evidence {
        eprintln!(
            "warning: no archived record of {} (its evidence columns are empty)",
            sanitize(url)
        );
    }
    println!(
        "exported {} with {} from {} to {}",
        pharmwatch::output::count(summary.listings, "listing", "listings"),
        pharmwatch::output::count(summary.records, "archived record", "archived records"),
        pharmwatch::output::count(summary.source_files, "evidence file", "evidence files"),
        args.out.display()
    );
    if let Some(pages) = summary.wacz_pages {
        println!(
            "{} lists {} for web-archive players",
            export::WACZ_FILE,
            pharmwatch::output::count(pages, "page", "pages")
        );
    }
    println!(
        "check it with `pharmwatch export verify {}` or `sha256sum -c SHA256SUMS` inside it",
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn verify(dir: &std::path::Path) -> Result<ExitCode> {
    if !dir.is_dir() {
        return Err(ConfigError(format!(
            "{} is not a directory: give the package directory written by `pharmwatch export case`",
            dir.display()
        ))
        .into());
    }
    let (checked, problems) = manifest::verify(dir)?;
    for p in &problems {
        println!("MISMATCH {}: {}", sanitize(&p.file), sanitize(&p.what));
    }
    println!(
        "{} checked, {}",
        pharmwatch::output::count(checked, "file", "files"),
        pharmwatch::output::count(problems.len(), "mismatch", "mismatches")
    );
    Ok(if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(exit::FAILED)
    })
}
