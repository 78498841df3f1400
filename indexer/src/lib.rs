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

#![warn(missing_docs)]

pub mod analysis;
mod document;
mod error;
mod facets;
pub mod query;
mod schema;
mod searcher;
mod snippet;
mod writer;

pub use document::IndexDoc;
pub use error::{IndexError, QueryError, SearchError};
pub use facets::Facets;
pub use searcher::{ListingSearcher, SearchHit, SearchRequest, SearchResults, SortBy, SortOrder};
pub use snippet::Snippet;
pub use writer::{CommitPolicy, ListingIndexWriter};
