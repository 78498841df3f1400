//! Counts of matching listings per rule, severity, drug, site and domain.

use std::collections::HashMap;

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Cardinality, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

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

/// Collects the facets from the fast fields of matching documents.
pub struct FacetCollector;

pub struct FacetSegmentCollector {
    columns: Vec<Option<StrColumn>>,
    /// Per column, count per term ordinal of this segment.
    counts: Vec<Vec<u64>>,
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
        let fast = segment.fast_fields();
        let mut columns = Vec::new();
        let mut counts = Vec::new();
        for (name, _) in COLUMNS {
            let column = fast.str(name)?;
            counts.push(vec![0; column.as_ref().map_or(0, |c| c.num_terms())]);
            columns.push(column);
        }
        Ok(FacetSegmentCollector { columns, counts })
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

fn count_doc(column: &StrColumn, counts: &mut [u64], doc: DocId) {
    let mut count = |ord: u64| {
        if let Some(c) = counts.get_mut(ord as usize) {
            *c += 1;
        }
    };
    if column.ords().get_cardinality() == Cardinality::Multivalued {
        column.term_ords(doc).for_each(count);
    } else if let Some(ord) = column.ords().first(doc) {
        count(ord);
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

    /// Blocks of documents (searches that need no scores): single-valued columns are read
    /// with one batched lookup per block.
    fn collect_block(&mut self, docs: &[DocId]) {
        let mut ords = vec![None; docs.len()];
        for (column, counts) in self.columns.iter().zip(self.counts.iter_mut()) {
            let Some(column) = column else { continue };
            if column.ords().get_cardinality() == Cardinality::Multivalued {
                for doc in docs {
                    count_doc(column, counts, *doc);
                }
            } else {
                // Batched lookup; `first_vals` fills one slot per document.
                column.ords().first_vals(docs, &mut ords);
                for ord in ords.iter().flatten() {
                    if let Some(c) = counts.get_mut(*ord as usize) {
                        *c += 1;
                    }
                }
            }
        }
    }

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (column, counts) in self.columns.iter().zip(self.counts.iter_mut()) {
            if let Some(column) = column {
                count_doc(column, counts, doc);
            }
        }
    }

    fn harvest(self) -> SegmentFacets {
        let mut out = Vec::new();
        for ((column, counts), (_, is_set)) in self.columns.iter().zip(self.counts).zip(COLUMNS) {
            let mut map: HashMap<String, u64> = HashMap::new();
            if let Some(column) = column {
                // One sequential pass over the dictionary rather than a lookup per term.
                let present: Vec<u64> = (0..counts.len() as u64)
                    .filter(|ord| counts[*ord as usize] > 0)
                    .collect();
                let mut next = present.iter();
                let lookup = column
                    .dictionary()
                    .sorted_ords_to_term_cb(&present, |bytes| {
                        if let (Some(ord), Ok(value)) = (next.next(), std::str::from_utf8(bytes)) {
                            let n = counts[*ord as usize];
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
            }
            out.push(map);
        }
        out
    }
}
