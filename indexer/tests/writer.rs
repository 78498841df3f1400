//! Writing: upserts replace, commits become visible, one writer per directory.

mod common;

use std::time::{Duration, Instant};

use pharmwatch_indexer::{
    CommitPolicy, IndexError, ListingIndexWriter, ListingSearcher, SearchRequest,
};

fn count(s: &ListingSearcher, q: &str) -> usize {
    s.search(&SearchRequest {
        include_unflagged: true,
        ..SearchRequest::new(q)
    })
    .unwrap()
    .total
}

#[test]
fn upsert_replaces_instead_of_duplicating() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = ListingIndexWriter::open_or_create(dir.path()).unwrap();
    let mut doc = common::doc(0, &common::ROWS[0]);
    w.upsert(&doc).unwrap();
    doc.listing.title = "Changed title once".into();
    w.upsert(&doc).unwrap(); // same batch
    w.commit().unwrap();
    doc.listing.title = "Changed title twice".into();
    doc.verdict.score = 1.5;
    w.upsert(&doc).unwrap(); // next batch
    w.commit().unwrap();

    let s = ListingSearcher::open(dir.path()).unwrap();
    assert_eq!(s.num_docs(), 1);
    assert_eq!(count(&s, "*"), 1);
    assert_eq!(count(&s, "twice"), 1);
    assert_eq!(count(&s, "once"), 0);
    assert_eq!(count(&s, "oxycontin"), 0);
    assert_eq!(s.get(&doc.listing.id).unwrap().unwrap(), doc);
}

#[test]
fn delete_removes_a_listing() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = ListingIndexWriter::open_or_create(dir.path()).unwrap();
    let a = common::doc(0, &common::ROWS[0]);
    let b = common::doc(1, &common::ROWS[1]);
    w.upsert(&a).unwrap();
    w.upsert(&b).unwrap();
    w.commit().unwrap();
    w.delete(&a.listing.id);
    w.commit().unwrap();
    let s = ListingSearcher::open(dir.path()).unwrap();
    assert_eq!(s.num_docs(), 1);
    assert!(s.get(&a.listing.id).unwrap().is_none());
    assert!(s.get(&b.listing.id).unwrap().is_some());
}

#[test]
fn searcher_sees_new_docs_after_commit() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = ListingIndexWriter::open_or_create(dir.path()).unwrap();
    let s = ListingSearcher::open(dir.path()).unwrap();
    assert_eq!(count(&s, "*"), 0);

    w.upsert(&common::doc(0, &common::ROWS[0])).unwrap();
    s.reload().unwrap();
    assert_eq!(count(&s, "*"), 0, "not visible before the commit");
    w.commit().unwrap();
    s.reload().unwrap();
    assert_eq!(count(&s, "*"), 1, "visible after commit + reload");

    // Without an explicit reload the reader picks the commit up on its own.
    w.upsert(&common::doc(1, &common::ROWS[1])).unwrap();
    w.commit().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while count(&s, "*") < 2 {
        assert!(
            Instant::now() < deadline,
            "reader did not reload within 10 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Counts per value, highest first.
type Counts = Vec<(String, u64)>;

/// The site and domain facets of everything flagged.
fn facet_counts(s: &ListingSearcher) -> (Counts, Counts) {
    let facets = s
        .search(&SearchRequest {
            facets: true,
            limit: 0,
            ..SearchRequest::new("*")
        })
        .unwrap()
        .facets
        .unwrap();
    (facets.site, facets.domain)
}

fn counts(pairs: &[(&str, u64)]) -> Counts {
    pairs.iter().map(|(k, n)| (k.to_string(), *n)).collect()
}

/// Facet counts are read from per-segment tables that a searcher keeps between searches: they
/// must follow replaced listings (deleted in an older segment), new segments and merges.
#[test]
fn facets_follow_upserts_and_merges_on_a_long_lived_searcher() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = ListingIndexWriter::open_or_create(dir.path()).unwrap();
    let docs: Vec<_> = (0..20).map(common::pillshop_doc).collect();
    for batch in docs.chunks(10) {
        for d in batch {
            w.upsert(d).unwrap();
        }
        w.commit().unwrap();
    }
    let s = ListingSearcher::open(dir.path()).unwrap();
    assert_eq!(
        facet_counts(&s),
        (
            counts(&[("pillshop", 20)]),
            counts(&[("pillshop.test", 20)])
        )
    );

    let moved = |i: usize| {
        let mut d = docs[i].clone();
        d.listing.site = "movedshop".into();
        d.listing.domain = "movedshop.test".into();
        d
    };
    for i in 0..5 {
        w.upsert(&moved(i)).unwrap();
    }
    w.commit().unwrap();
    s.reload().unwrap();
    assert_eq!(
        facet_counts(&s),
        (
            counts(&[("pillshop", 15), ("movedshop", 5)]),
            counts(&[("pillshop.test", 15), ("movedshop.test", 5)])
        )
    );

    // One commit per listing: enough segments for the merge policy to merge some.
    for i in 5..15 {
        w.upsert(&moved(i)).unwrap();
        w.commit().unwrap();
        s.reload().unwrap();
        let n = i as u64 + 1;
        let mut expected = counts(&[("movedshop", n), ("pillshop", 20 - n)]);
        // Highest count first, then by name.
        expected.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        assert_eq!(facet_counts(&s).0, expected, "after moving {n}");
    }
    w.close().unwrap();
    s.reload().unwrap();
    assert_eq!(
        facet_counts(&s),
        (
            counts(&[("movedshop", 15), ("pillshop", 5)]),
            counts(&[("movedshop.test", 15), ("pillshop.test", 5)])
        )
    );
    assert_eq!(count(&s, "*"), 20);
}

#[test]
fn a_second_writer_gets_a_clear_lock_error() {
    let dir = tempfile::tempdir().unwrap();
    let first = ListingIndexWriter::open_or_create(dir.path()).unwrap();
    let err = match ListingIndexWriter::open_or_create(dir.path()) {
        Err(e) => e,
        Ok(_) => panic!("second writer must fail"),
    };
    assert!(matches!(err, IndexError::Locked { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains(&dir.path().display().to_string()), "{msg}");
    assert!(msg.contains("locked"), "{msg}");
    // Searchers are not blocked by the writer.
    assert!(ListingSearcher::open(dir.path()).is_ok());
    first.close().unwrap();
    assert!(
        ListingIndexWriter::open_or_create(dir.path()).is_ok(),
        "lock released"
    );
}

#[test]
fn maybe_commit_follows_the_policy() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = ListingIndexWriter::open_or_create(dir.path())
        .unwrap()
        .with_commit_policy(CommitPolicy {
            max_docs: 3,
            max_interval: Duration::from_secs(3600),
        });
    let s = ListingSearcher::open(dir.path()).unwrap();
    let docs = common::all_docs();
    let mut commits = 0;
    for d in docs.iter().take(7) {
        w.upsert(d).unwrap();
        if w.maybe_commit().unwrap() {
            commits += 1;
        }
    }
    assert_eq!(commits, 2);
    assert_eq!(w.pending(), 1);
    s.reload().unwrap();
    assert_eq!(s.num_docs(), 6);
    assert!(
        !w.maybe_commit().unwrap(),
        "1 pending < 3 and the interval has not passed"
    );

    let mut w = w.with_commit_policy(CommitPolicy {
        max_docs: 1000,
        max_interval: Duration::ZERO,
    });
    assert!(
        w.maybe_commit().unwrap(),
        "interval passed with a pending change"
    );
    assert!(!w.maybe_commit().unwrap(), "nothing pending");
    s.reload().unwrap();
    assert_eq!(s.num_docs(), 7);
}

#[test]
fn reopening_keeps_the_documents() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut w = ListingIndexWriter::open_or_create(dir.path()).unwrap();
        for d in common::all_docs() {
            w.upsert(&d).unwrap();
        }
        w.commit().unwrap();
    }
    let mut w = ListingIndexWriter::open_or_create(dir.path()).unwrap();
    w.upsert(&common::doc(0, &common::ROWS[0])).unwrap();
    w.commit().unwrap();
    let s = ListingSearcher::open(dir.path()).unwrap();
    assert_eq!(s.num_docs(), 50);
}

#[test]
fn unusable_directory_is_a_typed_error() {
    let file = tempfile::NamedTempFile::new().unwrap();
    let err = ListingIndexWriter::open_or_create(file.path())
        .err()
        .unwrap();
    assert!(
        matches!(err, IndexError::Io { .. } | IndexError::Open { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains(&file.path().display().to_string()));
}

#[test]
fn a_score_that_json_cannot_hold_is_rejected_at_upsert() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = ListingIndexWriter::open_or_create(dir.path()).unwrap();
    let mut doc = common::doc(0, &common::ROWS[0]);
    doc.verdict.score = f64::NAN;
    let err = w.upsert(&doc).unwrap_err();
    assert!(matches!(err, IndexError::InvalidDocument { .. }), "{err:?}");
    assert_eq!(w.pending(), 0);
}

#[test]
fn an_index_with_another_schema_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut sb = tantivy::schema::Schema::builder();
    sb.add_text_field("title", tantivy::schema::TEXT);
    tantivy::Index::create_in_dir(dir.path(), sb.build()).unwrap();
    let err = ListingIndexWriter::open_or_create(dir.path())
        .err()
        .unwrap();
    assert!(matches!(err, IndexError::Open { .. }), "{err:?}");
    assert!(err.to_string().contains("re-index"), "{err}");
    assert!(ListingSearcher::open(dir.path()).is_err());
}
