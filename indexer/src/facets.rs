//! Counts of matching listings per rule, severity, drug, site and domain.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::facet_table::{FacetTables, SegmentTable};
use crate::schema::{SET_SEPARATOR, names};

/// Facet counts over every listing matching a search (not only the returned page), each list
/// sorted by count (highest first), then by value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facets {
    /// Rule ids that fired.
    pub rule: Vec<(String, u64)>,
    /// Highest severity of each listing (`info` … `critical`).
    pub severity: Vec<(String, u64)>,
    /// Lexicon drug ids found.
    pub drug: Vec<(String, u64)>,
    /// Configured site names.
    pub site: Vec<(String, u64)>,
    /// Hosts.
    pub domain: Vec<(String, u64)>,
}

/// Most values reported per facet (domains can be many).
pub const MAX_FACET_VALUES: usize = 100;

/// The fast columns counted, in the order of [`Facets`]' fields; `true` for the set columns
/// whose values are several ids joined by [`SET_SEPARATOR`].
const COLUMNS: [(&str, bool); 5] = [
    (names::RULE_SET, true),
    (names::SEVERITY_NAME, false),
    (names::DRUG_SET, true),
    (names::SITE, false),
    (names::DOMAIN, false),
];

/// The facet tables of a searcher (one row of [`COLUMNS`] slots per document).
pub(crate) type Tables = FacetTables<{ COLUMNS.len() }>;

/// Collects the facets of matching documents from the per-segment tables (see
/// [`crate::facet_table`]), all five columns in one pass over the matches.
pub struct FacetCollector {
    tables: Arc<Tables>,
}

impl FacetCollector {
    /// A collector reading (and filling) `tables`.
    pub(crate) fn new(tables: Arc<Tables>) -> Self {
        FacetCollector { tables }
    }
}

pub struct FacetSegmentCollector {
    table: Arc<SegmentTable<{ COLUMNS.len() }>>,
    counts: Vec<u32>,
}

type SegmentFacets = Vec<HashMap<String, u64>>;

impl Collector for FacetCollector {
    type Fruit = Facets;
    type Child = FacetSegmentCollector;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let table = self.tables.get(segment, &COLUMNS.map(|(name, _)| name))?;
        let counts = table.new_counts();
        Ok(FacetSegmentCollector { table, counts })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<SegmentFacets>) -> tantivy::Result<Facets> {
        let mut merged: Vec<HashMap<String, u64>> = vec![HashMap::new(); COLUMNS.len()];
        for seg in segments {
            for (i, counts) in seg.into_iter().enumerate() {
                for (value, n) in counts {
                    *merged[i].entry(value).or_default() += n;
                }
            }
        }
        let mut lists = merged.into_iter().map(sorted);
        let mut next = || lists.next().unwrap_or_default();
        Ok(Facets {
            rule: next(),
            severity: next(),
            drug: next(),
            site: next(),
            domain: next(),
        })
    }
}

fn sorted(counts: HashMap<String, u64>) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(MAX_FACET_VALUES);
    v
}

impl SegmentCollector for FacetSegmentCollector {
    type Fruit = SegmentFacets;

    /// Blocks of documents (searches that need no scores).
    fn collect_block(&mut self, docs: &[DocId]) {
        self.table.count(docs, &mut self.counts);
    }

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.table.count(&[doc], &mut self.counts);
    }

    fn harvest(self) -> SegmentFacets {
        let mut out = Vec::new();
        for (column, (_, is_set)) in self.table.columns.iter().zip(COLUMNS) {
            let counts = self
                .counts
                .get(column.offset..column.offset + column.terms())
                .unwrap_or_default();
            out.push(
                column
                    .column
                    .as_ref()
                    .map_or_else(HashMap::new, |c| values(c, counts, is_set)),
            );
        }
        out
    }
}

/// The counted values of one column by name (a set column's values split into their ids).
fn values(column: &StrColumn, counts: &[u32], is_set: bool) -> HashMap<String, u64> {
    let mut map: HashMap<String, u64> = HashMap::new();
    // One sequential pass over the dictionary rather than a lookup per term.
    let present: Vec<u64> = (0..counts.len())
        .filter(|ord| counts[*ord] > 0)
        .map(|ord| ord as u64)
        .collect();
    let mut next = present.iter();
    let lookup = column
        .dictionary()
        .sorted_ords_to_term_cb(&present, |bytes| {
            if let (Some(ord), Ok(value)) = (next.next(), std::str::from_utf8(bytes)) {
                let n = u64::from(counts[*ord as usize]);
                // A set column's value is several ids: count each of them.
                let parts = if is_set {
                    value.split(SET_SEPARATOR).collect()
                } else {
                    vec![value]
                };
                for part in parts {
                    *map.entry(part.to_string()).or_default() += n;
                }
            }
        });
    if let Err(e) = lookup {
        tracing::warn!(error = %e, "facet values unreadable in one segment");
    }
    map
}
