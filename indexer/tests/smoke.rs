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
