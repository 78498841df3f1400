//! `pharmwatch search QUERY`: investigators' search over the index.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, ValueEnum};
use pharmwatch_indexer::{DrugNames, MAX_LIMIT, SearchRequest, SearchResults, SortBy, SortOrder};

use super::Global;
use pharmwatch::output;
use pharmwatch::search::{CsvHits, open_searcher, run as run_search};

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Query in the Lucene-like syntax, e.g. `drug:oxycodone AND price_usd:[0 TO 5]`.
    pub query: String,
    /// Include listings that no rule flagged.
    #[arg(long)]
    pub all: bool,
    /// Hits to print (default: 20 in the table; every hit with --json or --csv).
    #[arg(long)]
    pub limit: Option<usize>,
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Sort order (highest or newest first unless --asc).
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub sort: SortArg,
    /// Ascending order (lowest price, oldest first).
    #[arg(long)]
    pub asc: bool,
    /// Print counts by rule, severity, drug, site and domain.
    #[arg(long)]
    pub facets: bool,
    /// One JSON object per line.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// CSV with a header row, for case files.
    #[arg(long)]
    pub csv: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SortArg {
    Relevance,
    Score,
    Severity,
    Price,
    UnitPrice,
    FirstSeen,
    LastSeen,
}

/// Hits the table shows unless `--limit` says otherwise.
const TABLE_LIMIT: usize = 20;

pub fn run(global: &Global, args: SearchArgs) -> Result<ExitCode> {
    let searcher = open_searcher(&global.data_dir)?.with_drug_names(drug_names(global));
    let machine = args.json || args.csv;
    let mut request = SearchRequest {
        query: args.query.clone(),
        include_unflagged: args.all,
        limit: args.limit.unwrap_or(TABLE_LIMIT),
        offset: args.offset,
        sort: sort_by(args.sort, args.asc),
        facets: args.facets,
        highlight: !machine,
    };
    if !machine {
        let results = run_search(&searcher, &request)?;
        print_hints(&results);
        print_human(&results, &args);
        return Ok(ExitCode::SUCCESS);
    }
    // A case file is never silently incomplete: every hit unless --limit says otherwise, read
    // in pages of the index's page size, so there is no cap.
    let wanted = args.limit.unwrap_or(usize::MAX);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut csv = args.csv.then(|| CsvHits::new(&mut out));
    let mut written = 0usize;
    let mut facets = None;
    loop {
        request.limit = (wanted - written).min(MAX_LIMIT);
        let results = run_search(&searcher, &request)?;
        if written == 0 {
            print_hints(&results);
        }
        if facets.is_none() {
            facets = results.facets.clone();
            request.facets = false;
        }
        match csv.as_mut() {
            Some(csv) => csv.write(&results)?,
            None => print_json_hits(&results)?,
        }
        written += results.hits.len();
        request.offset += results.hits.len();
        if results.hits.is_empty() || written >= wanted || request.offset >= results.total {
            break;
        }
    }
    match csv {
        Some(csv) => csv.finish()?,
        None => print_json_facets(facets.as_ref())?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The lexicon's drug names for `drug:`; without a readable configuration, canonical ids only
/// (logged), so a search still answers with what the index holds.
pub fn drug_names(global: &Global) -> DrugNames {
    match global.load_config() {
        Ok(config) => pharmwatch::search::drug_names(&config),
        Err(e) => {
            tracing::warn!(
                "drug: takes canonical ids only, the configuration is unreadable: {e:#}"
            );
            DrugNames::new()
        }
    }
}

/// Says on stderr what the query names that the index does not hold (it matched nothing).
fn print_hints(results: &SearchResults) {
    for hint in &results.hints {
        eprintln!("hint: {}", output::sanitize(hint));
    }
}

/// The index's sort order for a `--sort` choice.
pub fn sort_by(arg: SortArg, asc: bool) -> SortBy {
    let order = if asc { SortOrder::Asc } else { SortOrder::Desc };
    match arg {
        SortArg::Relevance => SortBy::Relevance,
        SortArg::Score => SortBy::Score(order),
        SortArg::Severity => SortBy::Severity(order),
        SortArg::Price => SortBy::Price(order),
        SortArg::UnitPrice => SortBy::UnitPrice(order),
        SortArg::FirstSeen => SortBy::FirstSeen(order),
        SortArg::LastSeen => SortBy::LastSeen(order),
    }
}

fn print_json_hits(results: &SearchResults) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for hit in &results.hits {
        serde_json::to_writer(&mut out, hit)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

fn print_json_facets(facets: Option<&pharmwatch_indexer::Facets>) -> Result<()> {
    if let Some(facets) = facets {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        serde_json::to_writer(&mut out, &serde_json::json!({ "facets": facets }))?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

fn print_human(results: &SearchResults, args: &SearchArgs) {
    output::print_table(
        results
            .hits
            .iter()
            .map(|h| (&h.doc.listing, &h.doc.verdict)),
    );
    let shown = results.hits.len();
    let (one, many) = if args.all {
        ("listing", "listings")
    } else {
        ("flagged listing", "flagged listings")
    };
    println!(
        "{shown} of {} (offset {})",
        output::count(results.total, one, many),
        args.offset
    );
    if args.offset + shown < results.total {
        eprintln!("more hits than shown: --limit N for more, --json or --csv for every one");
    }
    if let Some(facets) = &results.facets {
        let groups = [
            ("rule", &facets.rule),
            ("severity", &facets.severity),
            ("drug", &facets.drug),
            ("site", &facets.site),
            ("domain", &facets.domain),
        ];
        for (name, counts) in groups {
            let parts: Vec<String> = counts
                .iter()
                .map(|(k, n)| format!("{}={n}", output::sanitize(k)))
                .collect();
            println!("{name}: {}", parts.join("  "));
        }
    }
}
