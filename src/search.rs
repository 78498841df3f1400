//! Searching the index as every front end does (`search`, `export case`, the web page): opening
//! a data directory's index, the drug names `drug:` knows, one search with its usage errors, and
//! hits as CSV.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use pharmwatch_indexer::{DrugNames, ListingSearcher, SearchHit, SearchRequest, SearchResults};
use pharmwatch_model::Verdict;
use pharmwatch_rules::Lexicon;

use crate::config::{Config, ConfigError};
use crate::pipeline::DataDir;
use pharmwatch_model::text::csv_safe;

/// Opens the index of a data directory for searching; a missing index is a usage error that
/// says how to make one.
pub fn open_searcher(data_dir: &Path) -> Result<ListingSearcher> {
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
pub fn drug_names(config: &Config) -> DrugNames {
    let dir = config.resolve(&config.rules.lexicon);
    match Lexicon::load(&dir) {
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
        Err(diagnostics) => {
            let first = diagnostics.first().map(ToString::to_string);
            tracing::warn!(
                "drug: takes canonical ids only, the lexicon is unreadable: {}",
                first.unwrap_or_default()
            );
            DrugNames::new()
        }
    }
}

/// Runs one search; a query the language cannot read is a usage error (exit code 2) whose
/// message shows the query with a caret under the mistake.
pub fn run(searcher: &ListingSearcher, request: &SearchRequest) -> Result<SearchResults> {
    searcher
        .search(request)
        .map_err(|e| anyhow::Error::new(ConfigError(e.to_string())))
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
    /// A CSV writer of hits into `writer`; the header is written with the first hit.
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

    fn row(&mut self, hit: &SearchHit) -> Result<()> {
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
fn drug_ids(v: &Verdict) -> String {
    let mut ids: Vec<&str> = Vec::new();
    for d in &v.drugs {
        if !ids.contains(&d.drug.as_str()) {
            ids.push(&d.drug);
        }
    }
    ids.join(";")
}
