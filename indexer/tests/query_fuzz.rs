//! Whatever a user types, search answers with results or a positioned error, never a panic.

use pharmwatch_indexer::{ListingSearcher, SearchError, SearchRequest, query};

use proptest::prelude::*;

mod common;

/// The ~50-listing fixture, built once for all cases.
fn searcher() -> &'static ListingSearcher {
    use std::sync::OnceLock;
    static S: OnceLock<common::Fixture> = OnceLock::new();
    &S.get_or_init(common::fixture).searcher
}

/// Pieces that exercise the grammar far more often than uniform random text would.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("AND".to_string()),
        Just("OR".to_string()),
        Just("NOT".to_string()),
        Just("TO".to_string()),
        Just("*".to_string()),
        Just("奥施康定".to_string()),
        Just("片".to_string()),
        "/[a-z.*+?()|\\[\\]{}^$]{0,8}/".prop_map(|s| s),
        "[a-z_]{1,12}:".prop_map(|s| s),
        "(drug|price_usd|severity|first_seen|flagged|title|site|rule):".prop_map(|s| s),
        "[()\\[\\]{}\"+\\-!~^:*?\\\\<>=&|]".prop_map(|s| s),
        "[0-9]{1,4}(\\.[0-9]{1,2})?".prop_map(|s| s),
        "[0-9]{4}-[01][0-9]-[0-3][0-9]".prop_map(|s| s),
        "now[-+][0-9]{1,20}[smhdw]".prop_map(|s| s),
        "-?[0-9]{1,25}(\\.[0-9]{1,3})?(e[0-9]{1,3})?".prop_map(|s| s),
        "[a-zA-Zа-яё0-9]{1,10}".prop_map(|s| s),
        Just(" ".to_string()),
        any::<char>().prop_map(|c| c.to_string()),
    ]
}

fn check(q: &str) {
    let req = SearchRequest {
        include_unflagged: true,
        facets: true,
        highlight: true,
        ..SearchRequest::new(q)
    };
    match searcher().search(&req) {
        Ok(_) => assert!(query::validate(q).is_ok(), "validate disagrees on {q:?}"),
        Err(SearchError::Query(e)) => {
            assert!(e.position <= q.len(), "{q:?}: {e:?}");
            assert!(q.is_char_boundary(e.position), "{q:?}: {e:?}");
            let shown = e.to_string();
            assert!(shown.contains('^'), "{shown}");
            assert!(query::validate(q).is_err(), "validate disagrees on {q:?}");
        }
        Err(other) => panic!("{q:?}: unexpected error {other}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn structured_queries_never_panic(pieces in prop::collection::vec(piece(), 0..12),
                                      seps in prop::collection::vec(prop::bool::ANY, 12)) {
        let mut q = String::new();
        for (i, p) in pieces.iter().enumerate() {
            q.push_str(p);
            if seps[i] {
                q.push(' ');
            }
        }
        check(&q);
    }

    #[test]
    fn arbitrary_strings_never_panic(q in any::<String>()) {
        check(&q);
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let q = "(".repeat(10_000) + "x" + &")".repeat(10_000);
    check(&q);
    let q = "NOT ".repeat(10_000) + "x";
    check(&q);
    let q = "-".repeat(10_000) + "x";
    check(&q);
}
