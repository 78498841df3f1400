//! The index round trip from documents to search hits, and the handles' thread safety.

mod common;

use pharmwatch_indexer::SearchRequest;

#[test]
fn basic_search_round_trip() {
    let f = common::fixture();
    assert_eq!(f.searcher.num_docs(), 50);
    let res = f.searcher.search(&SearchRequest::new("oxycodone")).unwrap();
    assert!(res.total >= 3, "{}", res.total);
    let hit = &res.hits[0];
    let original = f
        .docs
        .iter()
        .find(|d| d.listing.id == hit.doc.listing.id)
        .unwrap();
    assert_eq!(&hit.doc, original);
    assert_eq!(f.count("*"), 41);
    assert_eq!(f.count_all("*"), 50);
}

#[test]
fn handles_can_be_shared_and_moved_across_threads() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<pharmwatch_indexer::ListingSearcher>();
    send::<pharmwatch_indexer::ListingIndexWriter>();
    send_sync::<pharmwatch_indexer::SearchResults>();
}

#[test]
fn huge_offsets_and_limits_are_safe() {
    let f = common::fixture();
    let res = f
        .searcher
        .search(&SearchRequest {
            offset: usize::MAX,
            limit: usize::MAX,
            ..SearchRequest::new("*")
        })
        .unwrap();
    assert_eq!(res.total, 41);
    assert!(res.hits.is_empty());
    let res = f
        .searcher
        .search(&SearchRequest {
            offset: 40,
            limit: usize::MAX,
            ..SearchRequest::new("*")
        })
        .unwrap();
    assert_eq!(res.hits.len(), 1);
}
