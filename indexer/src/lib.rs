//! The index investigators search: listings with their verdicts in tantivy.
//!
//! * [`ListingIndexWriter`] adds or replaces listings (one writer per index directory).
//! * [`ListingSearcher`] answers [`SearchRequest`]s written in a Lucene-like query language
//!   (see the [`query`] module for the syntax) with hits, facets and highlighted snippets.
//!
//! Text is analysed by one analyzer for every script (see [`analysis`]): words of Latin,
//! Cyrillic and other alphabetic scripts become lower-cased, ASCII-folded tokens (never
//! stemmed, so drug names are not conflated); Chinese, Japanese and Korean runs become
//! overlapping bigrams, and queries are analysed the same way.
//!
//! ```
//! use pharmwatch_indexer::{IndexDoc, ListingIndexWriter, ListingSearcher, SearchRequest};
//! use pharmwatch_model::{Listing, RuleHit, Severity, SiteKind, Verdict};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let now = time::OffsetDateTime::now_utc();
//! let listing = Listing::new("http://shop.test/p/1", 0, "shop", SiteKind::Pharmacy,
//!                            "shop.test", "正品奥施康定40mg无需处方", now);
//! let mut verdict = Verdict::clean(listing.id.clone());
//! verdict.flagged = true;
//! verdict.severity = Some(Severity::Critical);
//! verdict.hits.push(RuleHit {
//!     rule_id: "controlled-substance-online".into(),
//!     title: "Controlled substance offered online".into(),
//!     severity: Severity::Critical,
//!     category: "controlled".into(),
//!     evidence: vec![],
//! });
//! let doc = IndexDoc { listing, verdict, price_usd: None, unit_price_usd: None,
//!                      first_seen: now, last_seen: now, run: None, gone_since: None };
//!
//! let mut writer = ListingIndexWriter::open_or_create(dir.path())?;
//! writer.upsert(&doc)?;
//! writer.commit()?;
//!
//! let searcher = ListingSearcher::open(dir.path())?;
//! let request = SearchRequest { highlight: true, ..SearchRequest::new("奥施康定 AND severity:>=high") };
//! let results = searcher.search(&request)?;
//! assert_eq!(results.total, 1);
//! let title = results.hits[0].title_snippet.as_ref().unwrap();
//! assert_eq!(title.to_html(), "正品<mark>奥施康定</mark>40mg无需处方");
//!
//! let error = searcher.search(&SearchRequest::new("price_usd:[0 TO")).unwrap_err();
//! println!("{error}"); // the query, a caret under the mistake, and a hint
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

pub mod analysis;
mod budget;
mod document;
mod drug_names;
mod error;
mod facet_table;
mod facets;
pub mod query;
mod schema;
mod searcher;
mod snippet;
mod sort_key;
mod writer;

pub use budget::{DEFAULT_SEARCH_TIME, SearchBudget, SearchCancel};
pub use document::IndexDoc;
pub use drug_names::DrugNames;
pub use error::{IndexError, QueryError, SearchError};
pub use facets::Facets;
pub use searcher::{
    ListingSearcher, MAX_LIMIT, SearchHit, SearchRequest, SearchResults, SortBy, SortOrder,
};
pub use snippet::Snippet;
pub use writer::{CommitPolicy, ListingIndexWriter, WriterBudget};
