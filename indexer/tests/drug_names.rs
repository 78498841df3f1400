//! Brand names and synonyms in `drug:`, hints for values the index does not hold, and the
//! order of a match-all query, against a real on-disk index.

mod common;

use common::fixture;
use pharmwatch_indexer::{DrugNames, ListingSearcher, SearchRequest, SearchResults, SortBy};

fn names() -> DrugNames {
    [
        ("viagra", "sildenafil"),
        ("kamagra", "sildenafil"),
        ("西地那非", "sildenafil"),
        ("xanax", "alprazolam"),
        ("ozempic", "semaglutide"),
        ("mounjaro", "tirzepatide"),
    ]
    .into_iter()
    .collect()
}

fn search(searcher: &ListingSearcher, query: &str) -> SearchResults {
    searcher
        .search(&SearchRequest {
            include_unflagged: true,
            facets: true,
            limit: 100,
            ..SearchRequest::new(query)
        })
        .unwrap_or_else(|e| panic!("{query}\n{e}"))
}

#[test]
fn brand_names_find_the_canonical_drug_and_facets_show_its_id() {
    let f = fixture();
    let with_names = ListingSearcher::open(f.dir.path())
        .unwrap()
        .with_drug_names(names());
    let canonical = search(&with_names, "drug:sildenafil");
    assert!(canonical.total >= 3, "the fixture has sildenafil listings");
    for query in [
        "drug:viagra",
        "drug:VIAGRA",
        "drug:kamagra",
        "drug:西地那非",
    ] {
        let found = search(&with_names, query);
        assert_eq!(found.total, canonical.total, "{query}");
        let drugs = &found.facets.as_ref().unwrap().drug;
        assert_eq!(
            drugs[0].0, "sildenafil",
            "{query}: facets name the canonical id"
        );
        assert!(found.hints.is_empty(), "{query}: {:?}", found.hints);
    }
    assert_eq!(
        search(&with_names, "drug:xanax").total,
        search(&with_names, "drug:alprazolam").total
    );

    // Without the names (as before), the brand finds nothing and says so.
    let bare = search(&f.searcher, "drug:viagra");
    assert_eq!(bare.total, 0);
    assert_eq!(bare.hints.len(), 1, "{:?}", bare.hints);
    assert!(bare.hints[0].contains("`viagra`"), "{}", bare.hints[0]);
}

#[test]
fn a_known_drug_without_listings_is_no_typo() {
    let f = fixture();
    let searcher = ListingSearcher::open(f.dir.path())
        .unwrap()
        .with_drug_names(names());
    let none = search(&searcher, "drug:mounjaro");
    assert_eq!(none.total, 0);
    assert!(none.hints.is_empty(), "{:?}", none.hints);
}

#[test]
fn unknown_values_get_a_hint_with_the_nearest_indexed_value() {
    let f = fixture();
    let searcher = ListingSearcher::open(f.dir.path())
        .unwrap()
        .with_drug_names(names());
    let typo = search(
        &searcher,
        "rule:controled-substance-online OR drug:oxycodone",
    );
    assert!(typo.total > 0, "the other clause still matches");
    assert_eq!(
        typo.hints,
        [
            "no listing has rule `controled-substance-online`; did you mean rule:controlled-substance-online?"
        ]
    );
    let drug = search(&searcher, "drug:sildenafl");
    assert_eq!(
        drug.hints,
        [
            "no drug named `sildenafl` is indexed or known to the lexicon; did you mean drug:sildenafil?"
        ]
    );
    let far = search(&searcher, "site:nowhere-at-all");
    assert_eq!(far.hints.len(), 1);
    assert!(far.hints[0].contains("--facets"), "{}", far.hints[0]);
    // Values that are there, wildcards and fuzzy values are not questioned.
    for query in ["rule:stealth-shipping", "rule:stealth*", "drug:oxycodon~1"] {
        assert!(search(&searcher, query).hints.is_empty(), "{query}");
    }
}

#[test]
fn match_all_lists_severity_then_score_then_newest() {
    let f = fixture();
    let all = f
        .searcher
        .search(&SearchRequest {
            limit: 100,
            ..SearchRequest::new("*")
        })
        .unwrap();
    let key = |h: &pharmwatch_indexer::SearchHit| {
        (
            h.doc.verdict.severity.map(|s| s.rank()),
            h.doc.verdict.score,
            h.doc.first_seen,
        )
    };
    let keys: Vec<_> = all.hits.iter().map(key).collect();
    let ties = keys
        .windows(2)
        .filter(|w| w[0].0 == w[1].0 && w[0].1 == w[1].1)
        .count();
    assert!(
        ties > 0,
        "the fixture has listings of equal severity and score"
    );
    assert!(
        keys.windows(2).all(|w| w[0] >= w[1]),
        "severity, then score, then newest first: {keys:?}"
    );
    // The explicit sort agrees with the default of `*`.
    let explicit = f
        .searcher
        .search(&SearchRequest {
            limit: 100,
            sort: "severity".parse::<SortBy>().unwrap(),
            ..SearchRequest::new("*")
        })
        .unwrap();
    let explicit: Vec<_> = explicit.hits.iter().map(key).collect();
    assert_eq!(explicit, keys);
}
