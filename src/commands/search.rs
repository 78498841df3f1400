//! `pharmwatch search QUERY`: investigators' search over the index.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use pharmwatch_indexer::{
    DrugNames, ListingSearcher, MAX_LIMIT, SearchRequest, SearchResults, SortBy, SortOrder,
};
use pharmwatch_rules::Lexicon;

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

/// The lexicon's drug names for `drug:` (`drug:ozempic` finds semaglutide). Without a
/// readable lexicon, `drug:` takes canonical ids only and the reason is logged: a search
/// still answers with what the index holds.
pub fn drug_names(global: &Global) -> DrugNames {
    let lexicon = global.load_config().and_then(|config| {
        let dir = config.resolve(&config.rules.lexicon);
        Lexicon::load(&dir).map_err(|diagnostics| {
            let first = diagnostics.first().map(ToString::to_string);
            anyhow::anyhow!("{}", first.unwrap_or_default())
        })
    });
    match lexicon {
        Ok(lexicon) => lexicon
            .drugs()
            .iter()
            .flat_map(|d| {
                let names = d.names.iter().chain(&d.context_names);
                std::iter::once(d.id.as_str())
                    .chain(names.map(String::as_str))
                    .map(|name| (name, d.id.as_str()))
            })
            .collect(),
        Err(e) => {
            tracing::warn!("drug: takes canonical ids only, the lexicon is unreadable: {e:#}");
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

/// Hits as CSV with a header row ([`CSV_HEADER`]), written page by page: the columns of
/// `search --csv` and of the web page's CSV export. Scraped text is neutralised against CSV
/// injection.
pub struct CsvHits<W: Write> {
    out: csv::Writer<W>,
    header_written: bool,
}

impl<W: Write> CsvHits<W> {
    pub fn new(writer: W) -> Self {
        CsvHits {
            out: csv::Writer::from_writer(writer),
            header_written: false,
        }
    }

    /// Writes one page of hits (and the header before the first).
    pub fn write(&mut self, results: &SearchResults) -> Result<()> {
        if !self.header_written {
            self.out.write_record(CSV_HEADER)?;
            self.header_written = true;
        }
        for hit in &results.hits {
            self.row(hit)?;
        }
        Ok(())
    }

    /// Writes the header when no page did, and flushes.
    pub fn finish(mut self) -> Result<()> {
        if !self.header_written {
            self.out.write_record(CSV_HEADER)?;
        }
        self.out.flush()?;
        Ok(())
    }

    fn row(&mut self, hit: &pharmwatch_indexer::SearchHit) -> Result<()> {
        let out = &mut self.out;
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
            csv_safe(&drug_ids(v)),
            l.evidence_digest.clone().unwrap_or_default(),
        ])?;
        Ok(())
    }
}

/// The verdict's drugs, each once (a name found in title and description is one drug), in
/// the order first found.
fn drug_ids(v: &pharmwatch_model::Verdict) -> String {
    let mut ids: Vec<&str> = Vec::new();
    for d in &v.drugs {
        if !ids.contains(&d.drug.as_str()) {
            ids.push(&d.drug);
        }
    }
    ids.join(";")
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
