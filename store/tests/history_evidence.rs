//! Each history row keeps the archived page that showed the change, so a listing's timeline
//! links every point to its own evidence after the page has changed again.

use pharmwatch_model::{Currency, Listing, Money, SiteKind, Timestamp, Verdict};
use pharmwatch_store::{
    HistoryEvidence, HistoryKind, PageAvailability, PageCommit, PageRecord, RunId, SqliteStore,
    StateStore, WarcPointer,
};
use rust_decimal::Decimal;
use time::macros::datetime;

const T0: Timestamp = datetime!(2026-11-23 12:00 UTC);
const URL: &str = "http://127.0.0.1/p/1";

/// The page's fetch in run `run`, with a body of digest `sha` archived at `offset`.
fn fetch(run: RunId, sha: char, offset: u64, cents: Option<i64>) -> PageCommit {
    let page = PageRecord {
        url: URL.into(),
        site: "medsdirect".into(),
        status: Some(200),
        etag: None,
        last_modified: None,
        body_sha256: Some(sha.to_string().repeat(64)),
        warc: Some(WarcPointer {
            file: "pharmwatch-1-x-00000.warc.gz".into(),
            offset,
            length: 100,
        }),
        fetched_at: T0 + time::Duration::hours(run.0),
        run,
        redirect_to: None,
        depth: 1,
    };
    let listings = cents
        .map(|cents| {
            let mut l = Listing::new(
                URL,
                0,
                "medsdirect",
                SiteKind::Pharmacy,
                "127.0.0.1",
                "Oxycodone 30mg",
                page.fetched_at,
            );
            l.price = Some(Money::new(Decimal::new(cents, 2), Currency::USD));
            l.evidence_digest = page.body_sha256.clone();
            let v = Verdict::clean(l.id.clone());
            (l, v)
        })
        .into_iter()
        .collect();
    PageCommit {
        page,
        discovered: Vec::new(),
        listings,
        error: None,
        availability: PageAvailability::Offered,
    }
}

#[test]
fn every_history_row_points_at_the_fetch_that_showed_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("state.sqlite")).unwrap();
    let mut id = None;
    for (n, (sha, offset, cents)) in [
        ('a', 10, Some(1200)),
        ('b', 20, Some(1900)),
        ('c', 30, None),
    ]
    .into_iter()
    .enumerate()
    {
        let run = store.start_run("cfg", T0).unwrap();
        let commit = fetch(run, sha, offset, cents);
        if n == 0 {
            id = Some(commit.listings[0].0.id.clone());
        }
        store.commit_page(&commit, run).unwrap();
    }
    let id = id.unwrap();
    let history = store.listing_history(&id).unwrap();
    let seen: Vec<(HistoryKind, Option<HistoryEvidence>)> = history
        .iter()
        .map(|h| (h.kind, h.evidence.clone()))
        .collect();
    let evidence = |sha: char, offset| {
        Some(HistoryEvidence {
            sha256: sha.to_string().repeat(64),
            warc: Some(WarcPointer {
                file: "pharmwatch-1-x-00000.warc.gz".into(),
                offset,
                length: 100,
            }),
        })
    };
    assert_eq!(
        seen,
        [
            (HistoryKind::New, evidence('a', 10)),
            (HistoryKind::Changed, evidence('b', 20)),
            (HistoryKind::Gone, evidence('c', 30)),
        ]
    );

    // The pages table keeps only the latest fetch; the first one is found through history.
    assert!(store.page_by_digest(&"a".repeat(64)).unwrap().is_none());
    assert_eq!(
        store.history_evidence_record(&"a".repeat(64)).unwrap(),
        evidence('a', 10).and_then(|e| e.warc)
    );
    assert_eq!(
        store.history_evidence_record(&"f".repeat(64)).unwrap(),
        None
    );

    // A rescan's row names the body the listing was last extracted from.
    let run = store.start_run("cfg", T0).unwrap();
    let mut flagged = Verdict::clean(id.clone());
    flagged.flagged = true;
    flagged.severity = Some(pharmwatch_model::Severity::High);
    store.update_verdict(&flagged, run).unwrap();
    let last = store.listing_history(&id).unwrap().pop().unwrap();
    assert_eq!(last.kind, HistoryKind::Changed);
    assert_eq!(
        last.evidence.map(|e| e.sha256),
        Some("b".repeat(64)),
        "the listing was last extracted from fetch b"
    );
}
