//! [`ListingSearcher`]: searches served while a crawl writes.

use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use pharmwatch_model::ListingId;
use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::budget::{BudgetQuery, SearchBudget};
use crate::document::IndexDoc;
use crate::drug_names::DrugNames;
use crate::error::{IndexError, SearchError};
use crate::facets::{FacetCollector, Facets, Tables};
use crate::query::{self, Compiled, Lookup};
use crate::schema::{Fields, names};
use crate::snippet::{self, Snippet};
use crate::sort_key::{self, SortField};
use crate::writer::open_index;

/// Most hits one request may return (a page); `total` still counts all matches.
pub const MAX_LIMIT: usize = 10_000;

/// Direction of a sort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    /// Smallest (or oldest) first.
    Asc,
    /// Largest (or newest) first.
    Desc,
}

/// Order of hits. Listings without the sort value (no price, no severity) come last in both
/// directions; ties are broken by score (highest first), then by first seen (newest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortBy {
    /// BM25 relevance to the query's terms (highest first).
    #[default]
    Relevance,
    /// The verdict's score.
    Score(SortOrder),
    /// Highest severity (critical > high > …).
    Severity(SortOrder),
    /// Price in USD.
    Price(SortOrder),
    /// Unit price in USD.
    UnitPrice(SortOrder),
    /// When the listing was first seen.
    FirstSeen(SortOrder),
    /// When the listing was last seen.
    LastSeen(SortOrder),
}

impl FromStr for SortBy {
    type Err = String;

    /// `relevance`, or `score|severity|price|unit_price|first_seen|last_seen` optionally
    /// followed by `:asc` or `:desc` (default: desc, except asc for prices); the CLI's names
    /// (`unit-price`, `first-seen`) are accepted too.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().replace('-', "_");
        let (key, dir) = s.split_once(':').unwrap_or((&s, ""));
        let order = |default| match dir {
            "" => Ok(default),
            "asc" => Ok(SortOrder::Asc),
            "desc" => Ok(SortOrder::Desc),
            other => Err(format!(
                "unknown sort direction `{other}`: expected asc or desc"
            )),
        };
        use SortOrder::*;
        Ok(match key {
            "relevance" => SortBy::Relevance,
            "score" => SortBy::Score(order(Desc)?),
            "severity" => SortBy::Severity(order(Desc)?),
            "price" | "price_usd" => SortBy::Price(order(Asc)?),
            "unit_price" | "unit_price_usd" => SortBy::UnitPrice(order(Asc)?),
            "first_seen" => SortBy::FirstSeen(order(Desc)?),
            "last_seen" => SortBy::LastSeen(order(Desc)?),
            other => {
                return Err(format!(
                    "unknown sort `{other}`: expected relevance, score, severity, price, unit_price, first_seen or last_seen (optionally :asc or :desc)"
                ));
            }
        })
    }
}

impl fmt::Display for SortBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (key, order) = match self {
            SortBy::Relevance => return f.write_str("relevance"),
            SortBy::Score(o) => ("score", o),
            SortBy::Severity(o) => ("severity", o),
            SortBy::Price(o) => ("price", o),
            SortBy::UnitPrice(o) => ("unit_price", o),
            SortBy::FirstSeen(o) => ("first_seen", o),
            SortBy::LastSeen(o) => ("last_seen", o),
        };
        let dir = if *order == SortOrder::Asc {
            "asc"
        } else {
            "desc"
        };
        write!(f, "{key}:{dir}")
    }
}

/// One search. `SearchRequest::new(query)` gives the defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchRequest {
    /// Query text in the query language (see [`crate::query`]); empty means everything.
    pub query: String,
    /// Also search listings no rule flagged (default: only flagged ones, unless the query
    /// names `flagged:` itself).
    pub include_unflagged: bool,
    /// Page size (at most [`MAX_LIMIT`]); 0 returns only `total` and facets.
    pub limit: usize,
    /// Hits to skip (for pages after the first).
    pub offset: usize,
    /// Order of the hits.
    pub sort: SortBy,
    /// Compute [`Facets`] over all matches.
    pub facets: bool,
    /// Compute highlighted snippets of titles and descriptions.
    pub highlight: bool,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            query: String::new(),
            include_unflagged: false,
            limit: 20,
            offset: 0,
            sort: SortBy::Relevance,
            facets: false,
            highlight: false,
        }
    }
}

impl SearchRequest {
    /// A request for `query` with the defaults (flagged only, 20 hits, by relevance).
    pub fn new(query: impl Into<String>) -> Self {
        SearchRequest {
            query: query.into(),
            ..Default::default()
        }
    }
}

/// What a search found.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// Number of matching listings (all pages).
    pub total: usize,
    /// The requested page of hits.
    pub hits: Vec<SearchHit>,
    /// Facet counts, when requested.
    pub facets: Option<Facets>,
    /// What the query names that the index does not hold (a mistyped rule id, an unknown
    /// drug), each with the closest value it does hold: say it to the user, since such a
    /// clause silently matches nothing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<String>,
}

/// One matching listing.
#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    /// The indexed entry, exactly as upserted.
    pub doc: IndexDoc,
    /// BM25 relevance when sorted by relevance; 0 for other sorts.
    pub relevance: f32,
    /// The title with the query's matches highlighted (when requested and something matched).
    pub title_snippet: Option<Snippet>,
    /// The best part of the description, highlighted (when requested and something matched).
    pub description_snippet: Option<Snippet>,
}

/// Reads the index in one directory; reloads by itself shortly after each commit, so searches
/// are served while a crawl writes. Cheap to share (`&self` methods, `Sync`).
pub struct ListingSearcher {
    reader: IndexReader,
    fields: Fields,
    facet_tables: Arc<Tables>,
    drug_names: DrugNames,
    _index: Index,
}

impl ListingSearcher {
    /// Opens the index in `dir` for reading (an empty index is created when there is none).
    pub fn open(dir: &Path) -> Result<Self, IndexError> {
        let (mut index, fields) = open_index(dir)?;
        // Segments are searched in parallel: a match-all query with facets over a million
        // listings takes about half the time on two cores.
        index.set_default_multithread_executor()?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        Ok(ListingSearcher {
            reader,
            fields,
            facet_tables: Arc::default(),
            drug_names: DrugNames::new(),
            _index: index,
        })
    }

    /// `drug:` also finds the drugs these names stand for (`drug:ozempic` → semaglutide).
    pub fn with_drug_names(mut self, names: DrugNames) -> Self {
        self.drug_names = names;
        self
    }

    /// Picks up the latest commit now rather than after the automatic reload's short delay.
    pub fn reload(&self) -> Result<(), IndexError> {
        self.reader.reload()?;
        Ok(())
    }

    /// Number of listings in the index (flagged or not).
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Runs a search within the default budget ([`crate::DEFAULT_SEARCH_TIME`]).
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults, SearchError> {
        self.search_within(req, &SearchBudget::default())
    }

    /// Runs a search that stops with [`SearchError::OverBudget`] or
    /// [`SearchError::Cancelled`] when `budget` is spent or cancelled.
    pub fn search_within(
        &self,
        req: &SearchRequest,
        budget: &SearchBudget,
    ) -> Result<SearchResults, SearchError> {
        let started = std::time::Instant::now();
        let node = query::parse(&req.query)?;
        let Compiled {
            query: compiled,
            mentions_flagged,
            highlights,
            lookups,
        } = query::compile(&req.query, &node, &self.fields, &self.drug_names)?;
        // Relevance says nothing about `*` (every hit scores the same): an investigator
        // listing everything wants the most severe first, then the highest score.
        let match_all_by_severity;
        let req = if compiled.is::<AllQuery>() && req.sort == SortBy::Relevance {
            match_all_by_severity = SearchRequest {
                sort: SortBy::Severity(SortOrder::Desc),
                ..req.clone()
            };
            &match_all_by_severity
        } else {
            req
        };
        let query: Box<dyn Query> = if req.include_unflagged || mentions_flagged {
            compiled
        } else if compiled.is::<AllQuery>() {
            // Everything flagged: the filter alone, with the score `*` gives (1), rather than
            // the filter intersected with every document.
            self.flagged_only(1.0)
        } else {
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, compiled),
                (Occur::Must, self.flagged_only(0.0)),
            ]))
        };
        let query = BudgetQuery {
            query,
            budget: budget.clone(),
        };
        let searcher = self.reader.searcher();
        if req.facets {
            self.facet_tables.retain(&searcher);
        }
        let collected = self.collect(&searcher, &query, req);
        // A spent budget cut the collection short: its results are partial, or an error.
        budget.check()?;
        let (total, page, facets) = collected?;
        let hints = self.hints(&searcher, &lookups)?;
        let mut hits = Vec::with_capacity(page.len());
        for (relevance, addr) in page {
            let stored: TantivyDocument = searcher.doc(addr)?;
            let doc = IndexDoc::from_document(&stored, &self.fields)?;
            let (title_snippet, description_snippet) = if req.highlight {
                (
                    snippet::snippet(&doc.listing.title, &highlights.title),
                    snippet::snippet(&doc.listing.description, &highlights.description),
                )
            } else {
                (None, None)
            };
            hits.push(SearchHit {
                doc,
                relevance,
                title_snippet,
                description_snippet,
            });
        }
        tracing::debug!(
            query = %req.query,
            total,
            elapsed_us = started.elapsed().as_micros() as u64,
            "search"
        );
        Ok(SearchResults {
            total,
            hits,
            facets,
            hints,
        })
    }

    /// A hint for each value the query names that no indexed listing holds and that is no
    /// known drug name.
    fn hints(&self, searcher: &Searcher, lookups: &[Lookup]) -> Result<Vec<String>, SearchError> {
        let mut hints = Vec::new();
        for lookup in lookups {
            let field = lookup.schema_field;
            let mut found = false;
            for term in &lookup.terms {
                found |= searcher.doc_freq(&Term::from_field_text(field, term))? > 0;
            }
            let known_name =
                lookup.field == "drug" && !self.drug_names.ids(&lookup.terms[0]).is_empty();
            if found || known_name {
                continue;
            }
            let mut candidates = indexed_values(searcher, field)?;
            if lookup.field == "drug" {
                candidates.extend(self.drug_names.names().map(str::to_string));
            }
            let what = if lookup.field == "drug" {
                format!(
                    "no drug named `{}` is indexed or known to the lexicon",
                    lookup.value
                )
            } else {
                format!("no listing has {} `{}`", lookup.field, lookup.value)
            };
            hints.push(match closest(&lookup.terms[0], &candidates) {
                Some(near) => format!("{what}; did you mean {}:{near}?", lookup.field),
                None => format!("{what} (`--facets` lists the values of the listings found)"),
            });
        }
        Ok(hints)
    }

    /// Flagged listings, all scored `score` (0 as a filter, so it does not change relevance).
    fn flagged_only(&self, score: f32) -> Box<dyn Query> {
        let flagged = TermQuery::new(
            Term::from_field_u64(self.fields.flagged, 1),
            IndexRecordOption::Basic,
        );
        Box::new(ConstScoreQuery::new(Box::new(flagged), score))
    }

    fn collect(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        req: &SearchRequest,
    ) -> Result<Collected, SearchError> {
        let limit = req.limit.min(MAX_LIMIT);
        let facets = req
            .facets
            .then(|| FacetCollector::new(self.facet_tables.clone()));
        // TopDocs reserves room for offset + limit entries: an offset past the last document
        // can only give an empty page, so it is answered without one.
        let beyond_end = req.offset >= usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
        if limit == 0 || beyond_end {
            let (total, facets) = searcher.search(query, &(Count, facets))?;
            return Ok((total, Vec::new(), facets));
        }
        let top = TopDocs::with_limit(limit).and_offset(req.offset);
        let (key, order) = match req.sort {
            SortBy::Relevance => {
                let (total, page, facets) =
                    searcher.search(query, &(Count, top.order_by_score(), facets))?;
                return Ok((total, page, facets));
            }
            SortBy::Score(o) => (SortField::Score, o),
            SortBy::Severity(o) => (SortField::Severity, o),
            SortBy::Price(o) => (SortField::F64(names::PRICE_USD), o),
            SortBy::UnitPrice(o) => (SortField::F64(names::UNIT_PRICE_USD), o),
            SortBy::FirstSeen(o) => (SortField::Date(names::FIRST_SEEN), o),
            SortBy::LastSeen(o) => (SortField::Date(names::LAST_SEEN), o),
        };
        let sign = if order == SortOrder::Asc { -1.0 } else { 1.0 };
        let collector = top.order_by(sort_key::by(key, sign));
        let (total, page, facets) = run(searcher, query, (Count, collector, facets))?;
        Ok((
            total,
            page.into_iter().map(|(_, addr)| (0.0, addr)).collect(),
            facets,
        ))
    }

    /// The entry of one listing, if indexed.
    pub fn get(&self, id: &ListingId) -> Result<Option<IndexDoc>, IndexError> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(
            Term::from_field_text(self.fields.id, id.as_str()),
            IndexRecordOption::Basic,
        );
        let found = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        match found.first() {
            Some((_, addr)) => {
                let stored: TantivyDocument = searcher.doc(*addr)?;
                IndexDoc::from_document(&stored, &self.fields).map(Some)
            }
            None => Ok(None),
        }
    }
}

/// Most distinct values of one field read for a suggestion (rule ids and drug ids are a few
/// hundred; a field of a million domains is not worth reading whole).
const MAX_SUGGESTION_VALUES: usize = 100_000;

/// The values an identifier field holds in the index (up to [`MAX_SUGGESTION_VALUES`]).
fn indexed_values(
    searcher: &Searcher,
    field: tantivy::schema::Field,
) -> Result<std::collections::BTreeSet<String>, SearchError> {
    let mut values = std::collections::BTreeSet::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut terms = inverted
            .terms()
            .stream()
            .map_err(tantivy::TantivyError::from)?;
        while values.len() < MAX_SUGGESTION_VALUES && terms.advance() {
            if let Ok(value) = std::str::from_utf8(terms.key()) {
                values.insert(value.to_string());
            }
        }
    }
    Ok(values)
}

/// The candidate nearest to `value`, if it is near enough to be a likely typo: at most two
/// edits, or a quarter of the value's length for long ids.
fn closest<'a>(value: &str, candidates: impl IntoIterator<Item = &'a String>) -> Option<&'a str> {
    let allowed = (value.chars().count() / 4).max(2);
    candidates
        .into_iter()
        .map(|c| (crate::snippet::edit_distance(value, c), c))
        .filter(|(d, _)| *d <= allowed)
        .min()
        .map(|(_, c)| c.as_str())
}

/// Total matches, the page (relevance, address), facets.
type Collected = (usize, Vec<(f32, DocAddress)>, Option<Facets>);

fn run<C: Collector>(
    searcher: &Searcher,
    query: &dyn Query,
    collector: C,
) -> tantivy::Result<C::Fruit> {
    searcher.search(query, &collector)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::{SortBy, SortOrder};

    #[test]
    fn sorts_are_read_in_the_index_and_the_cli_spelling() {
        for (text, sort) in [
            ("severity", SortBy::Severity(SortOrder::Desc)),
            ("unit-price", SortBy::UnitPrice(SortOrder::Asc)),
            ("unit_price:desc", SortBy::UnitPrice(SortOrder::Desc)),
            ("first-seen:asc", SortBy::FirstSeen(SortOrder::Asc)),
            (" last-seen ", SortBy::LastSeen(SortOrder::Desc)),
        ] {
            assert_eq!(SortBy::from_str(text), Ok(sort), "{text}");
        }
        assert!(SortBy::from_str("newest").is_err());
    }
}
