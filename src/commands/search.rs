//! `pharmwatch search QUERY`: investigators' search over the index.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use pharmwatch_indexer::{ListingSearcher, SearchRequest, SearchResults, SortBy, SortOrder};

use super::{ConfigError, Global};
use crate::output;
use crate::pipeline::DataDir;

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Query in the Lucene-like syntax, e.g. `drug:oxycodone AND price_usd:[0 TO 5]`.
    pub query: String,
    /// Include listings that no rule flagged.
    #[arg(long)]
    pub all: bool,
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
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

pub fn run(global: &Global, args: SearchArgs) -> Result<ExitCode> {
    let searcher = open_searcher(&global.data_dir)?;
    let request = SearchRequest {
        query: args.query.clone(),
        include_unflagged: args.all,
        limit: args.limit,
        offset: args.offset,
        sort: sort_by(args.sort, args.asc),
        facets: args.facets,
        highlight: !args.json && !args.csv,
    };
    let results = run_search(&searcher, &request)?;
    if args.json {
        print_json(&results)?;
    } else if args.csv {
        print_csv(&results)?;
    } else {
        print_human(&results, &args);
    }
    Ok(ExitCode::SUCCESS)
}

/// Opens the index of a data directory for searching (`search`, `export case`); a missing
/// index is a usage error that says how to make one.
pub fn open_searcher(data_dir: &std::path::Path) -> Result<ListingSearcher> {
    let index_dir = DataDir::new(data_dir).index();
    if !index_dir.is_dir() {
        return Err(ConfigError(format!(
            "no index at {}: run `pharmwatch crawl` (or `pharmwatch demo`) with this --data-dir first",
            index_dir.display()
        ))
        .into());
    }
    ListingSearcher::open(&index_dir)
        .with_context(|| format!("cannot open the index at {}", index_dir.display()))
}

/// Runs one search; a query the language cannot read is a usage error (exit code 2) whose
/// message shows the query with a caret under the mistake.
pub fn run_search(searcher: &ListingSearcher, request: &SearchRequest) -> Result<SearchResults> {
    searcher
        .search(request)
        .map_err(|e| anyhow::Error::new(ConfigError(e.to_string())))
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

fn print_json(results: &SearchResults) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for hit in &results.hits {
        serde_json::to_writer(&mut out, hit)?;
        out.write_all(b"\n")?;
    }
    if let Some(facets) = &results.facets {
        serde_json::to_writer(&mut out, &serde_json::json!({ "facets": facets }))?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Columns of the CSV export.
pub const CSV_HEADER: [&str; 14] = [
    "id",
    "url",
    "site",
    "domain",
    "title",
    "price",
    "currency",
    "price_usd",
    "unit_price_usd",
    "severity",
    "score",
    "rules",
    "drugs",
    "evidence_sha256",
];

fn print_csv(results: &SearchResults) -> Result<()> {
    write_csv(results, std::io::stdout().lock())
}

/// Writes the hits as CSV with a header row ([`CSV_HEADER`]): the columns of `search --csv`
/// and of the web page's CSV export. Scraped text is neutralised against CSV injection.
pub fn write_csv(results: &SearchResults, writer: impl Write) -> Result<()> {
    let mut out = csv::Writer::from_writer(writer);
    out.write_record(CSV_HEADER)?;
    for hit in &results.hits {
        let (l, v) = (&hit.doc.listing, &hit.doc.verdict);
        let opt = |x: Option<f64>| x.map(|x| format!("{x:.4}")).unwrap_or_default();
        out.write_record([
            l.id.to_string(),
            csv_safe(&l.url),
            csv_safe(&l.site),
            csv_safe(&l.domain),
            csv_safe(&l.title),
            l.price.map(|p| p.amount.to_string()).unwrap_or_default(),
            l.price.map(|p| p.currency.to_string()).unwrap_or_default(),
            opt(hit.doc.price_usd),
            opt(hit.doc.unit_price_usd),
            v.severity.map(|s| s.to_string()).unwrap_or_default(),
            format!("{:.1}", v.score),
            csv_safe(&v.rule_ids().collect::<Vec<_>>().join(";")),
            csv_safe(
                &v.drugs
                    .iter()
                    .map(|d| d.drug.as_str())
                    .collect::<Vec<_>>()
                    .join(";"),
            ),
            l.evidence_digest.clone().unwrap_or_default(),
        ])?;
    }
    out.flush()?;
    Ok(())
}

/// Scraped text that starts like a spreadsheet formula is prefixed so that opening the CSV
/// in a spreadsheet never evaluates it (CSV injection), also when the formula hides behind
/// zero-width or bidi characters or is written in full-width forms (`＝`).
pub fn csv_safe(text: &str) -> String {
    if pharmwatch_model::text::starts_like_formula(text) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

fn print_human(results: &SearchResults, args: &SearchArgs) {
    output::print_table(
        results
            .hits
            .iter()
            .map(|h| (&h.doc.listing, &h.doc.verdict)),
    );
    let shown = results.hits.len();
    println!(
        "{} of {} {} (offset {})",
        shown,
        results.total,
        if args.all {
            "listings"
        } else {
            "flagged listings"
        },
        args.offset
    );
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

#[cfg(test)]
mod tests {
    use super::csv_safe;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(csv_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_safe("Oxycodone"), "Oxycodone");
        assert_eq!(csv_safe("\u{200B}=1+1"), "'\u{200B}=1+1");
        assert_eq!(csv_safe("＝HYPERLINK(\"x\")"), "'＝HYPERLINK(\"x\")");
    }
}
