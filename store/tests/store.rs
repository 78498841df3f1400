//! State store behaviour: migrations, frontier resume, listing changes and history,
//! validators, robots cache, transactions and crash safety.
//!
//! The behaviours every backend must share are functions taking a [`Backend`]; the
//! `sqlite` and `postgres` modules at the end run each of them on their store. The
//! PostgreSQL ones run on a real server (see `support/postgres_server.rs`).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pharmwatch_model::{
    Currency, Listing, ListingId, Money, RuleHit, Severity, SiteKind, Timestamp, Verdict,
};
use pharmwatch_store::schema::SCHEMA_VERSION;
use pharmwatch_store::{
    AllListings, FrontierCounts, FrontierEntry, HistoryEvidence, HistoryKind, ListingChange,
    PageAvailability, PageCommit, PageRecord, RobotsEntry, RunCount, RunId, RunStatus, SqliteStore,
    StateStore, StoreError, Validators, WarcPointer,
};
use rust_decimal::Decimal;
use time::macros::datetime;

#[cfg(feature = "postgres")]
#[path = "support/postgres_server.rs"]
mod postgres_server;

const T0: Timestamp = datetime!(2026-11-23 12:00 UTC);

/// A store implementation under test: each `open` connects to the same database afresh, as
/// a process restarting would.
trait Backend {
    fn open(&self) -> Box<dyn StateStore>;
}

struct Sqlite {
    dir: tempfile::TempDir,
}

impl Backend for Sqlite {
    fn open(&self) -> Box<dyn StateStore> {
        Box::new(SqliteStore::open(&self.dir.path().join("state.sqlite")).unwrap())
    }
}

#[cfg(feature = "postgres")]
struct Postgres {
    db: postgres_server::TestDb,
}

#[cfg(feature = "postgres")]
impl Backend for Postgres {
    fn open(&self) -> Box<dyn StateStore> {
        Box::new(pharmwatch_store::PgStore::open(&self.db.url).unwrap())
    }
}

/// Runs each named behaviour on every backend: `sqlite::NAME` and `postgres::NAME`.
macro_rules! on_every_backend {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    super::$name(&super::Sqlite { dir: tempfile::tempdir().unwrap() });
                }
            )*
        }

        #[cfg(feature = "postgres")]
        mod postgres {
            $(
                #[test]
                fn $name() {
                    if let Some(db) = super::postgres_server::fresh_database() {
                        super::$name(&super::Postgres { db });
                    }
                }
            )*
        }
    };
}

on_every_backend!(
    runs_finish_or_are_found_interrupted,
    killed_crawl_resumes_from_its_frontier,
    listing_changes_are_detected_and_history_written_only_on_change,
    rescan_updates_verdicts_without_touching_last_seen,
    all_listings_pages_through_everything,
    validators_come_from_the_last_successful_fetch,
    robots_cache_expires,
    a_page_commit_is_all_or_nothing,
    a_batch_of_page_commits_is_stored_in_order_and_all_or_nothing,
    listings_on_page_returns_what_the_page_offered,
    pages_are_found_by_body_digest,
    frontier_snapshot_splits_finished_from_pending_without_changing_state,
    run_counts_are_replaced_per_run_and_read_back_grouped,
    a_listing_is_gone_only_when_its_page_no_longer_carries_it,
    a_failing_page_keeps_its_content_and_listings_until_it_failed_in_enough_runs,
    redirect_hops_are_pages_that_lead_to_the_next,
    two_stores_on_one_database_never_hand_out_the_same_url,
    listing_ids_page_in_byte_order,
    every_history_row_points_at_the_fetch_that_showed_it,
);

fn listing(url: &str, index: usize, cents: i64) -> Listing {
    let mut l = Listing::new(
        url,
        index,
        "medsdirect",
        SiteKind::Pharmacy,
        "127.0.0.1",
        "Oxycodone 30mg x 60 tablets",
        T0,
    );
    l.price = Some(Money::new(Decimal::new(cents, 2), Currency::USD));
    l
}

fn verdict(id: &ListingId, rules: &[(&str, Severity)]) -> Verdict {
    let mut v = Verdict::clean(id.clone());
    for (rule, sev) in rules {
        v.hits.push(RuleHit {
            rule_id: rule.to_string(),
            title: rule.to_string(),
            severity: *sev,
            category: "test".into(),
            evidence: Vec::new(),
        });
    }
    v.severity = v.hits.iter().map(|h| h.severity).max();
    v.flagged = v.severity.is_some_and(|s| s >= Severity::Low);
    v.score = v.hits.iter().map(|h| h.severity.weight()).sum();
    v
}

fn page(url: &str, run: RunId) -> PageRecord {
    PageRecord {
        url: url.into(),
        site: "medsdirect".into(),
        status: Some(200),
        etag: None,
        last_modified: None,
        body_sha256: Some("ab".repeat(32)),
        warc: Some(WarcPointer {
            file: "pharmwatch-1-x-00000.warc.gz".into(),
            offset: 1234,
            length: 567,
        }),
        fetched_at: T0,
        run,
        redirect_to: None,
        depth: 1,
    }
}

fn entry(url: &str, priority: i64) -> FrontierEntry {
    FrontierEntry {
        site: "medsdirect".into(),
        url: url.into(),
        depth: 1,
        priority,
    }
}

#[test]
fn fresh_database_is_migrated_and_reopening_keeps_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.sqlite");
    let store = SqliteStore::open(&path).unwrap();
    let run = store.start_run("cfg", T0).unwrap();
    drop(store);
    let raw = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = raw
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    let mode: String = raw
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!((version, mode.as_str()), (SCHEMA_VERSION, "wal"));
    drop(raw);

    let store = SqliteStore::open(&path).unwrap();
    let runs = store.runs().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!((runs[0].id, runs[0].status), (run, RunStatus::Running));
}

fn runs_finish_or_are_found_interrupted(backend: &dyn Backend) {
    let store = backend.open();
    let a = store.start_run("cfg-a", T0).unwrap();
    let b = store.start_run("cfg-b", T0).unwrap();
    let counts = serde_json::json!({"pages": 3});
    store
        .finish_run(a, RunStatus::Finished, &counts, T0)
        .unwrap();
    assert_eq!(store.mark_interrupted_runs().unwrap(), vec![b]);
    let ra = store.run(a).unwrap().unwrap();
    assert_eq!(
        (ra.status, &ra.counts, ra.finished_at),
        (RunStatus::Finished, &counts, Some(T0))
    );
    assert_eq!(
        store.run(b).unwrap().unwrap().status,
        RunStatus::Interrupted
    );
    assert!(matches!(
        store.finish_run(RunId(99), RunStatus::Failed, &counts, T0),
        Err(StoreError::UnknownRun(99))
    ));
    assert_eq!(store.runs().unwrap()[0].id, b, "newest first");
}

fn killed_crawl_resumes_from_its_frontier(backend: &dyn Backend) {
    let store = backend.open();
    let run = store.start_run("cfg", T0).unwrap();
    let added = store
        .enqueue_many(
            &[
                entry("http://h/a", 0),
                entry("http://h/list", 10),
                entry("http://h/b", 0),
                entry("http://h/a", 5), // duplicate: ignored
                entry("http://h/c", 0),
            ],
            run,
        )
        .unwrap();
    assert_eq!(added, 4);
    let batch = store.next_batch("medsdirect", 2).unwrap();
    let urls: Vec<_> = batch.iter().map(|e| e.url.as_str()).collect();
    assert_eq!(
        urls,
        ["http://h/list", "http://h/a"],
        "priority first, then age"
    );
    assert_eq!(batch[0].priority, 10);
    store.mark_done("medsdirect", "http://h/list").unwrap();
    assert_eq!(store.next_batch("other-site", 5).unwrap(), vec![]);
    drop(store); // killed with http://h/a in flight

    let store = backend.open();
    assert_eq!(
        store.frontier_counts("medsdirect").unwrap(),
        FrontierCounts {
            queued: 2,
            in_flight: 1,
            done: 1,
            failed: 0
        }
    );
    assert_eq!(store.mark_interrupted_runs().unwrap(), vec![run]);
    assert_eq!(store.requeue_in_flight(None).unwrap(), 1);
    let rest: Vec<_> = store
        .next_batch("medsdirect", 10)
        .unwrap()
        .into_iter()
        .map(|e| e.url)
        .collect();
    assert_eq!(rest, ["http://h/a", "http://h/b", "http://h/c"]);
    store
        .mark_failed("medsdirect", "http://h/c", "timeout")
        .unwrap();
    let c = store.frontier_counts("medsdirect").unwrap();
    assert_eq!((c.in_flight, c.failed, c.queued), (2, 1, 0));
    assert_eq!(store.clear_frontier("medsdirect").unwrap(), 4);
}

fn listing_changes_are_detected_and_history_written_only_on_change(backend: &dyn Backend) {
    let store = backend.open();
    let r1 = store.start_run("cfg", T0).unwrap();
    let l = listing("http://h/p/1", 0, 9000);
    let other = listing("http://h/p/2", 0, 500);
    let v = verdict(
        &l.id,
        &[("controlled-substance-online", Severity::Critical)],
    );

    assert_eq!(
        store.upsert_listing(&l, &v, r1).unwrap(),
        ListingChange::New
    );
    store
        .upsert_listing(&other, &Verdict::clean(other.id.clone()), r1)
        .unwrap();
    let r2 = store.start_run("cfg", T0).unwrap();
    let mut seen_again = l.clone();
    seen_again.fetched_at = T0 + time::Duration::days(1);
    assert_eq!(
        store.upsert_listing(&seen_again, &v, r2).unwrap(),
        ListingChange::Unchanged
    );

    // Same amount written differently is not a change; a new amount is.
    let mut cheaper = seen_again.clone();
    cheaper.price = Some(Money::new(Decimal::new(45, 0), Currency::USD));
    let v2 = verdict(
        &l.id,
        &[
            ("implausible-price", Severity::High),
            ("controlled-substance-online", Severity::Critical),
        ],
    );
    match store.upsert_listing(&cheaper, &v2, r2).unwrap() {
        ListingChange::Changed {
            price: Some((old, new)),
            verdict: Some((vold, vnew)),
            returned: false,
        } => {
            assert_eq!(old.unwrap().amount, Decimal::new(90, 0));
            assert_eq!(new.unwrap().amount, Decimal::new(45, 0));
            assert_eq!(vold.rule_ids, ["controlled-substance-online"]);
            assert_eq!(
                vnew.rule_ids,
                ["controlled-substance-online", "implausible-price"]
            );
        }
        other => panic!("expected a price and verdict change, got {other:?}"),
    }

    // Run 3: `l`'s page answers 404, so `l` is gone (and only `l`); then it comes back.
    let r3 = store.start_run("cfg", T0).unwrap();
    let removed = PageCommit {
        page: PageRecord {
            status: Some(404),
            ..page("http://h/p/1", r3)
        },
        discovered: Vec::new(),
        listings: Vec::new(),
        error: Some("HTTP 404".into()),
        availability: PageAvailability::Removed,
    };
    let gone = store.commit_page(&removed, r3).unwrap().gone;
    assert_eq!(gone, vec![l.id.clone()]);
    assert!(store.commit_page(&removed, r3).unwrap().gone.is_empty());
    assert!(
        store
            .listing(&other.id)
            .unwrap()
            .unwrap()
            .gone_since
            .is_none()
    );
    let stored = store.listing(&l.id).unwrap().unwrap();
    assert!(stored.gone_since.is_some() && stored.flagged);
    assert_eq!(stored.first_seen, T0);
    assert_eq!(stored.last_seen, T0 + time::Duration::days(1));
    let back = store.upsert_listing(&cheaper, &v2, r3).unwrap();
    assert!(matches!(
        back,
        ListingChange::Changed {
            returned: true,
            price: None,
            verdict: None
        }
    ));
    assert!(store.listing(&l.id).unwrap().unwrap().gone_since.is_none());

    let kinds: Vec<_> = store
        .listing_history(&l.id)
        .unwrap()
        .iter()
        .map(|h| (h.run, h.kind, h.availability.clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            (r1, HistoryKind::New, "available".to_string()),
            (r2, HistoryKind::Changed, "available".to_string()),
            (r3, HistoryKind::Gone, "gone".to_string()),
            (r3, HistoryKind::Returned, "available".to_string()),
        ]
    );
    let in_r2 = store.listings_changed_in(r2).unwrap();
    assert_eq!(in_r2.len(), 1);
    assert_eq!(in_r2[0].price.unwrap().amount, Decimal::new(45, 0));
    assert_eq!(in_r2[0].verdict.severity, Some(Severity::Critical));
    assert_eq!(in_r2[0].score, v2.score);
    assert_eq!(store.listings_changed_in(r1).unwrap().len(), 2);
    assert!(
        store
            .listing(&ListingId::from_stored("nope"))
            .unwrap()
            .is_none()
    );
}

fn rescan_updates_verdicts_without_touching_last_seen(backend: &dyn Backend) {
    let store = backend.open();
    let r1 = store.start_run("cfg", T0).unwrap();
    let l = listing("http://h/p/1", 0, 9000);
    store
        .upsert_listing(&l, &Verdict::clean(l.id.clone()), r1)
        .unwrap();
    let v = verdict(&l.id, &[("stealth-shipping", Severity::Medium)]);
    let change = store.update_verdict(&v, r1).unwrap().unwrap();
    assert!(matches!(
        change,
        ListingChange::Changed {
            verdict: Some(_),
            ..
        }
    ));
    assert_eq!(
        store.update_verdict(&v, r1).unwrap(),
        Some(ListingChange::Unchanged)
    );
    let missing = Verdict::clean(ListingId::from_stored("unknown"));
    assert_eq!(store.update_verdict(&missing, r1).unwrap(), None);
    let stored = store.listing(&l.id).unwrap().unwrap();
    assert!(stored.flagged);
    assert_eq!(stored.verdict, v);
    assert_eq!(stored.last_seen, T0);
}

fn all_listings_pages_through_everything(backend: &dyn Backend) {
    let store = backend.open();
    let run = store.start_run("cfg", T0).unwrap();
    let mut ids = Vec::new();
    for i in 0..1203 {
        let l = listing(&format!("http://h/p/{i}"), 0, 100 + i);
        store
            .upsert_listing(&l, &Verdict::clean(l.id.clone()), run)
            .unwrap();
        ids.push(l.id);
    }
    ids.sort();
    let got: Vec<ListingId> = AllListings::new(&*store)
        .map(|r| r.unwrap().listing.id)
        .collect();
    assert_eq!(got, ids);
    let dyn_store: &dyn StateStore = &*store;
    let first_two = dyn_store.listings_after(None, 2).unwrap();
    let next = dyn_store
        .listings_after(Some(&first_two[1].listing.id), 1)
        .unwrap();
    assert_eq!(next[0].listing.id, ids[2]);
    assert_eq!(pharmwatch_store::AllListings::new(dyn_store).count(), 1203);
}

fn validators_come_from_the_last_successful_fetch(backend: &dyn Backend) {
    let store = backend.open();
    let run = store.start_run("cfg", T0).unwrap();
    assert_eq!(store.validators("http://h/a").unwrap(), None);
    let mut p = page("http://h/a", run);
    store.record_page(&p).unwrap();
    assert_eq!(
        store.validators("http://h/a").unwrap(),
        None,
        "no validators sent"
    );
    p.etag = Some("\"v1\"".into());
    p.last_modified = Some("Mon, 23 Nov 2026 10:00:00 GMT".into());
    store.record_page(&p).unwrap();
    let expected = Validators {
        etag: Some("\"v1\"".into()),
        last_modified: Some("Mon, 23 Nov 2026 10:00:00 GMT".into()),
    };
    assert_eq!(
        store.validators("http://h/a").unwrap(),
        Some(expected.clone())
    );

    // A 304 without validators keeps the old ones and the evidence of the content.
    let not_modified = PageRecord {
        status: Some(304),
        etag: None,
        last_modified: None,
        body_sha256: None,
        warc: None,
        ..p.clone()
    };
    store.record_page(&not_modified).unwrap();
    assert_eq!(store.validators("http://h/a").unwrap(), Some(expected));
    let stored = store.page("http://h/a").unwrap().unwrap();
    assert_eq!(stored.status, Some(304));
    assert_eq!(stored.warc, p.warc);

    let gone = PageRecord {
        status: Some(404),
        ..p
    };
    store.record_page(&gone).unwrap();
    assert_eq!(store.validators("http://h/a").unwrap(), None);
}

fn robots_cache_expires(backend: &dyn Backend) {
    let store = backend.open();
    let e = RobotsEntry {
        host: "127.0.0.1:8081".into(),
        fetched_at: T0,
        expires_at: T0 + time::Duration::hours(24),
        status: Some(200),
        body: b"User-agent: *\nDisallow: /cart/\n".to_vec(),
    };
    store.put_robots(&e).unwrap();
    let hit = store
        .robots("127.0.0.1:8081", T0 + time::Duration::hours(23))
        .unwrap();
    assert_eq!(hit, Some(e.clone()));
    assert_eq!(
        store
            .robots("127.0.0.1:8081", T0 + time::Duration::hours(24))
            .unwrap(),
        None
    );
    assert_eq!(store.robots("other", T0).unwrap(), None);
    let refreshed = RobotsEntry {
        status: None,
        body: Vec::new(),
        expires_at: T0 + time::Duration::hours(48),
        ..e
    };
    store.put_robots(&refreshed).unwrap();
    let hit = store
        .robots("127.0.0.1:8081", T0 + time::Duration::hours(30))
        .unwrap();
    assert_eq!(hit, Some(refreshed));
}

fn commit_for(url: &str, run: RunId, n_listings: usize) -> PageCommit {
    PageCommit {
        page: page(url, run),
        discovered: (0..3)
            .map(|i| entry(&format!("{url}/link{i}"), 0))
            .collect(),
        listings: (0..n_listings)
            .map(|i| {
                let l = listing(url, i, 1000 + i as i64);
                let v = verdict(&l.id, &[("stealth-shipping", Severity::Medium)]);
                (l, v)
            })
            .collect(),
        error: None,
        availability: PageAvailability::Offered,
    }
}

fn a_page_commit_is_all_or_nothing(backend: &dyn Backend) {
    let store = backend.open();
    let run = store.start_run("cfg", T0).unwrap();
    store.enqueue_many(&[entry("http://h/p", 0)], run).unwrap();
    store.next_batch("medsdirect", 1).unwrap();
    let changes = store
        .commit_page(&commit_for("http://h/p", run, 2), run)
        .unwrap();
    assert_eq!(
        changes.listings,
        vec![ListingChange::New, ListingChange::New]
    );
    let c = store.frontier_counts("medsdirect").unwrap();
    assert_eq!((c.done, c.queued), (1, 3));

    // A commit that fails half-way (unknown run: foreign key) leaves nothing behind.
    let bad = commit_for("http://h/q", RunId(999), 2);
    assert!(store.commit_page(&bad, RunId(999)).is_err());
    assert_eq!(store.page("http://h/q").unwrap(), None);
    assert_eq!(store.frontier_counts("medsdirect").unwrap().queued, 3);
    assert_eq!(AllListings::new(&*store).count(), 2);
}

fn a_batch_of_page_commits_is_stored_in_order_and_all_or_nothing(backend: &dyn Backend) {
    let store = backend.open();
    let run = store.start_run("cfg", T0).unwrap();
    let changes = store
        .commit_pages(
            &[
                commit_for("http://h/1", run, 2),
                commit_for("http://h/2", run, 1),
            ],
            run,
        )
        .unwrap();
    let listings: Vec<_> = changes.into_iter().map(|c| c.listings).collect();
    assert_eq!(
        listings,
        vec![
            vec![ListingChange::New, ListingChange::New],
            vec![ListingChange::New]
        ]
    );
    assert!(store.page("http://h/1").unwrap().is_some());
    assert!(store.page("http://h/2").unwrap().is_some());
    assert_eq!(store.frontier_counts("medsdirect").unwrap().queued, 6);

    // The second page of this batch fails (unknown run: foreign key): the first is not kept.
    let batch = [
        commit_for("http://h/3", run, 1),
        commit_for("http://h/4", RunId(999), 1),
    ];
    assert!(store.commit_pages(&batch, run).is_err());
    assert_eq!(store.page("http://h/3").unwrap(), None);
    assert_eq!(store.frontier_counts("medsdirect").unwrap().queued, 6);
    assert_eq!(AllListings::new(&*store).count(), 3);
}

#[test]
fn a_second_connection_mid_transaction_sees_a_consistent_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.sqlite");
    let store = SqliteStore::open(&path).unwrap();
    let run = store.start_run("cfg", T0).unwrap();
    store
        .commit_page(&commit_for("http://h/1", run, 1), run)
        .unwrap();

    // Another process is in the middle of writing a page.
    let mut writer = rusqlite::Connection::open(&path).unwrap();
    let tx = writer.transaction().unwrap();
    tx.execute(
        "INSERT INTO pages (url, site, fetched_at, run_id) VALUES ('http://h/2', 'medsdirect', 'x', ?1)",
        [run.0],
    )
    .unwrap();

    let reader = SqliteStore::open(&path).unwrap();
    assert_eq!(
        reader.page("http://h/2").unwrap(),
        None,
        "uncommitted data is invisible"
    );
    assert!(reader.page("http://h/1").unwrap().is_some());
    assert_eq!(reader.integrity_check().unwrap(), ["ok"]);
    drop(tx); // the writer dies: rolled back
    drop(writer);
    drop(store); // the first process "crashes" with its run unfinished

    let after = SqliteStore::open(&path).unwrap();
    assert_eq!(after.page("http://h/2").unwrap(), None);
    assert_eq!(after.mark_interrupted_runs().unwrap(), vec![run]);
    assert_eq!(after.integrity_check().unwrap(), ["ok"]);
}

const CHILD_ENV: &str = "PHARMWATCH_STORE_CRASH_CHILD";
const LISTINGS_PER_PAGE: usize = 3;

/// Child-process mode of the kill test: commits pages in a loop until killed.
#[test]
fn crash_child_helper() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return; // only does something when started by `sigkill_mid_write_leaves_no_half_page`
    };
    let store = SqliteStore::open(Path::new(&path)).unwrap();
    let run = store.start_run("cfg", T0).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut i = 0u64;
    while Instant::now() < deadline {
        let url = format!("http://h/page/{i}");
        store.enqueue_many(&[entry(&url, 0)], run).unwrap();
        store
            .commit_page(&commit_for(&url, run, LISTINGS_PER_PAGE), run)
            .unwrap();
        i += 1;
        if i == 20 {
            println!("CHILD-READY");
        }
    }
}

#[test]
fn sigkill_mid_write_leaves_no_half_page() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.sqlite");
    drop(SqliteStore::open(&path).unwrap());
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "crash_child_helper",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let ready = lines.any(|l| l.map(|l| l.contains("CHILD-READY")).unwrap_or(false));
    assert!(ready, "child never reported progress");
    std::thread::sleep(Duration::from_millis(150));
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();

    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.integrity_check().unwrap(), ["ok"]);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    let pages = count("SELECT COUNT(*) FROM pages");
    assert!(pages >= 20, "only {pages} pages committed");
    assert_eq!(
        count("SELECT COUNT(*) FROM listings"),
        pages * LISTINGS_PER_PAGE as i64
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM listing_history"),
        pages * LISTINGS_PER_PAGE as i64
    );
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM pages p WHERE EXISTS (SELECT 1 FROM frontier f WHERE f.url = p.url AND f.state = 'done')"
        ),
        pages,
        "every stored page has its frontier entry marked done"
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM frontier WHERE url LIKE '%/link%'"),
        pages * 3,
        "every stored page has its links enqueued"
    );
    let unfinished =
        count("SELECT COUNT(*) FROM frontier WHERE state = 'queued' AND url NOT LIKE '%/link%'");
    assert!(unfinished <= 1, "at most the page in flight is left queued");
    assert_eq!(store.mark_interrupted_runs().unwrap().len(), 1);
}

const LOCK_CHILD_ENV: &str = "PHARMWATCH_STORE_LOCK_CHILD";

/// Child-process mode of the lock test: holds the lock until its stdin closes.
#[test]
fn lock_child_helper() {
    let Ok(dir) = std::env::var(LOCK_CHILD_ENV) else {
        return; // only does something when started by `lock_held_by_another_process_names_its_pid`
    };
    let _lock = pharmwatch_store::DataDirLock::acquire(Path::new(&dir)).unwrap();
    println!("LOCKED");
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
}

#[test]
fn lock_held_by_another_process_names_its_pid() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "lock_child_helper",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(LOCK_CHILD_ENV, dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let locked = BufReader::new(stdout)
        .lines()
        .any(|l| l.map(|l| l.contains("LOCKED")).unwrap_or(false));
    assert!(locked, "child never took the lock");

    let err = pharmwatch_store::DataDirLock::acquire(dir.path()).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains(&format!("pid {}", child.id())), "{msg}");
    assert!(
        msg.contains("in use by another pharmwatch process"),
        "{msg}"
    );

    drop(child.stdin.take()); // let the child exit
    child.wait().unwrap();
    assert!(pharmwatch_store::DataDirLock::acquire(dir.path()).is_ok());
}

#[test]
fn lock_is_released_when_the_holder_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "lock_child_helper",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(LOCK_CHILD_ENV, dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    assert!(
        BufReader::new(stdout)
            .lines()
            .any(|l| l.map(|l| l.contains("LOCKED")).unwrap_or(false))
    );
    assert!(pharmwatch_store::DataDirLock::acquire(dir.path()).is_err());
    child.kill().unwrap(); // SIGKILL: no destructor runs, the OS drops the lock
    child.wait().unwrap();
    assert!(pharmwatch_store::DataDirLock::acquire(dir.path()).is_ok());
}

fn listings_on_page_returns_what_the_page_offered(backend: &dyn Backend) {
    let store = backend.open();
    let run = store.start_run("cfg", T0).unwrap();
    store
        .commit_page(&commit_for("http://h/p", run, 2), run)
        .unwrap();
    store
        .commit_page(&commit_for("http://h/q", run, 1), run)
        .unwrap();
    let on_p = store.listings_on_page("http://h/p").unwrap();
    assert_eq!(on_p.len(), 2);
    assert!(on_p.iter().all(|s| s.listing.url == "http://h/p"));
    assert_eq!(store.listings_on_page("http://h/q").unwrap().len(), 1);
    assert!(store.listings_on_page("http://h/none").unwrap().is_empty());
}

fn pages_are_found_by_body_digest(backend: &dyn Backend) {
    let store = backend.open();
    let run = store.start_run("cfg", T0).unwrap();
    store.record_page(&page("http://h/p", run)).unwrap();
    let found = store.page_by_digest(&"ab".repeat(32)).unwrap().unwrap();
    assert_eq!(found.url, "http://h/p");
    assert!(store.page_by_digest(&"cd".repeat(32)).unwrap().is_none());
}

fn frontier_snapshot_splits_finished_from_pending_without_changing_state(backend: &dyn Backend) {
    let store = backend.open();
    let run = store.start_run("cfg", T0).unwrap();
    let urls = ["http://h/a", "http://h/b", "http://h/c", "http://h/d"];
    let entries: Vec<_> = urls.iter().map(|u| entry(u, 0)).collect();
    store.enqueue_many(&entries, run).unwrap();
    store.mark_done("medsdirect", "http://h/a").unwrap();
    store
        .mark_failed("medsdirect", "http://h/b", "timeout")
        .unwrap();
    store.next_batch("medsdirect", 1).unwrap(); // c in flight
    let (finished, pending) = store.frontier_snapshot("medsdirect").unwrap();
    let names = |v: &[FrontierEntry]| v.iter().map(|e| e.url.clone()).collect::<Vec<_>>();
    assert_eq!(names(&finished), vec!["http://h/a", "http://h/b"]);
    assert_eq!(names(&pending), vec!["http://h/c", "http://h/d"]);
    let c = store.frontier_counts("medsdirect").unwrap();
    assert_eq!((c.done, c.failed, c.in_flight, c.queued), (1, 1, 1, 1));
}

fn count(dimension: &str, key: &str, count: u64) -> RunCount {
    RunCount {
        dimension: dimension.into(),
        key: key.into(),
        count,
    }
}

fn run_counts_are_replaced_per_run_and_read_back_grouped(backend: &dyn Backend) {
    let store = backend.open();
    let r1 = store.start_run("cfg", T0).unwrap();
    let r2 = store.start_run("cfg", T0).unwrap();
    let empty = store.start_run("cfg", T0).unwrap();
    assert!(store.run_counts().unwrap().is_empty());

    store
        .record_run_counts(r2, &[count("rule", "b", 1), count("drug", "a", 5)])
        .unwrap();
    store
        .record_run_counts(r1, &[count("drug", "old", 9)])
        .unwrap();
    store
        .record_run_counts(r1, &[count("total", "flagged", 0), count("drug", "a", 2)])
        .unwrap();
    store.record_run_counts(empty, &[]).unwrap();
    drop(store);

    let store = backend.open();
    assert_eq!(
        store.run_counts().unwrap(),
        [
            (
                r1,
                vec![count("drug", "a", 2), count("total", "flagged", 0)]
            ),
            (r2, vec![count("drug", "a", 5), count("rule", "b", 1)]),
        ],
        "r1's first counts replaced; a run without counts has no entry"
    );
    assert!(matches!(
        store.record_run_counts(RunId(999), &[count("drug", "a", 1)]),
        Err(StoreError::UnknownRun(999))
    ));
}

#[test]
fn an_old_database_migrates_without_losing_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.sqlite");
    let store = SqliteStore::open(&path).unwrap();
    let run = store.start_run("cfg", T0).unwrap();
    let l = listing("http://127.0.0.1/p/1", 0, 999);
    store
        .upsert_listing(&l, &verdict(&l.id, &[("r", Severity::High)]), run)
        .unwrap();
    store.record_page(&page("http://127.0.0.1/p", run)).unwrap();
    drop(store);
    // Turn the file back into what an older build wrote: schema version 1, without the
    // run counts table, the pages' redirect and failure columns and the history's evidence.
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute_batch(
        "DROP TABLE run_counts; DROP INDEX pages_redirect_to;
         ALTER TABLE pages DROP COLUMN redirect_to; ALTER TABLE pages DROP COLUMN failed_runs;
         ALTER TABLE pages DROP COLUMN last_error; ALTER TABLE pages DROP COLUMN depth;
         DROP INDEX history_evidence;
         ALTER TABLE listing_history DROP COLUMN evidence_sha256;
         ALTER TABLE listing_history DROP COLUMN warc_file;
         ALTER TABLE listing_history DROP COLUMN warc_offset;
         ALTER TABLE listing_history DROP COLUMN warc_length;
         PRAGMA user_version = 1;",
    )
    .unwrap();
    drop(raw);

    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.runs().unwrap().len(), 1);
    assert_eq!(
        store.page("http://127.0.0.1/p").unwrap(),
        Some(PageRecord {
            depth: 0,
            ..page("http://127.0.0.1/p", run)
        }),
        "pages kept"
    );
    let kept = store.listing(&l.id).unwrap().expect("listing kept");
    assert!(kept.flagged);
    let history = store.listing_history(&l.id).unwrap();
    assert_eq!(history.len(), 1, "history kept");
    assert_eq!(
        history[0].evidence, None,
        "rows from before schema 4 have no evidence"
    );
    store
        .record_run_counts(run, &[count("drug", "oxycodone", 1)])
        .unwrap();
    assert_eq!(
        store.run_counts().unwrap()[0].1,
        [count("drug", "oxycodone", 1)]
    );
    drop(store);
    let raw = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = raw
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
}

/// A page commit in `run` that says `availability`, carrying the first `n` listings of
/// [`commit_for`]'s page.
fn answer(url: &str, run: RunId, n: usize, availability: PageAvailability) -> PageCommit {
    let mut commit = commit_for(url, run, 3);
    commit.listings.truncate(n);
    commit.page.fetched_at = T0 + time::Duration::days(run.0);
    if !matches!(availability, PageAvailability::Offered) {
        commit.page.status = Some(503);
        commit.page.body_sha256 = Some("cd".repeat(32));
        commit.error = Some("HTTP 503".into());
    }
    commit.availability = availability;
    commit
}

fn live(store: &dyn StateStore) -> usize {
    AllListings::new(store)
        .filter(|l| l.as_ref().unwrap().gone_since.is_none())
        .count()
}

fn a_listing_is_gone_only_when_its_page_no_longer_carries_it(backend: &dyn Backend) {
    let store = backend.open();
    let r1 = store.start_run("cfg", T0).unwrap();
    store
        .commit_page(&answer("http://h/p", r1, 3, PageAvailability::Offered), r1)
        .unwrap();
    store
        .commit_page(&answer("http://h/q", r1, 2, PageAvailability::Offered), r1)
        .unwrap();
    assert_eq!(live(&*store), 5);

    // A run that never fetches a page leaves its listings alone; one that fetches it and
    // finds two of three makes exactly the third gone, and no listing of another page.
    let r2 = store.start_run("cfg", T0).unwrap();
    let changes = store
        .commit_page(&answer("http://h/p", r2, 2, PageAvailability::Offered), r2)
        .unwrap();
    assert_eq!(changes.gone.len(), 1);
    assert_eq!(
        changes.listings,
        vec![ListingChange::Unchanged, ListingChange::Unchanged]
    );
    assert_eq!(live(&*store), 4);

    // Back in the next run: the report's "returned".
    let r3 = store.start_run("cfg", T0).unwrap();
    let changes = store
        .commit_page(&answer("http://h/p", r3, 3, PageAvailability::Offered), r3)
        .unwrap();
    assert!(matches!(
        changes.listings[2],
        ListingChange::Changed { returned: true, .. }
    ));
    assert_eq!(live(&*store), 5);
}

fn a_failing_page_keeps_its_content_and_listings_until_it_failed_in_enough_runs(
    backend: &dyn Backend,
) {
    let store = backend.open();
    let r1 = store.start_run("cfg", T0).unwrap();
    store
        .commit_page(&answer("http://h/p", r1, 2, PageAvailability::Offered), r1)
        .unwrap();
    let content = store.page("http://h/p").unwrap().unwrap();

    assert_eq!(
        store.pages_with_live_listings("medsdirect").unwrap(),
        [("http://h/p".to_string(), 1)]
    );
    let failed = PageAvailability::Failed { gone_after: 3 };
    for n in 2..=3 {
        let run = store.start_run("cfg", T0).unwrap();
        // Twice in one run (a resumed page) counts once.
        for _ in 0..2 {
            let changes = store
                .commit_page(&answer("http://h/p", run, 0, failed.clone()), run)
                .unwrap();
            assert!(changes.gone.is_empty(), "run {n}: gone too early");
        }
        let kept = store.page("http://h/p").unwrap().unwrap();
        assert_eq!(kept.body_sha256, content.body_sha256, "content kept");
        assert_eq!(kept.warc, content.warc, "evidence pointer kept");
        assert_eq!(kept.status, Some(200));
    }
    assert_eq!(live(&*store), 2);

    // The third consecutive failed run takes them.
    let r4 = store.start_run("cfg", T0).unwrap();
    let changes = store
        .commit_page(&answer("http://h/p", r4, 0, failed.clone()), r4)
        .unwrap();
    assert_eq!(changes.gone.len(), 2);
    assert_eq!(live(&*store), 0);
    assert!(
        store
            .pages_with_live_listings("medsdirect")
            .unwrap()
            .is_empty()
    );

    // An answer resets the count: one failure later is not enough again.
    let r5 = store.start_run("cfg", T0).unwrap();
    store
        .commit_page(&answer("http://h/p", r5, 2, PageAvailability::Offered), r5)
        .unwrap();
    let r6 = store.start_run("cfg", T0).unwrap();
    let changes = store
        .commit_page(&answer("http://h/p", r6, 0, failed), r6)
        .unwrap();
    assert!(changes.gone.is_empty());
    assert_eq!(live(&*store), 2);
}

fn redirect_hops_are_pages_that_lead_to_the_next(backend: &dyn Backend) {
    let store = backend.open();
    let run = store.start_run("cfg", T0).unwrap();
    let hop = |from: &str, to: &str| PageCommit {
        page: PageRecord {
            status: Some(301),
            redirect_to: Some(to.into()),
            ..page(from, run)
        },
        discovered: vec![entry(to, 0)],
        listings: Vec::new(),
        error: None,
        availability: PageAvailability::Redirected,
    };
    store
        .commit_page(&hop("http://h/a", "http://h/b"), run)
        .unwrap();
    store
        .commit_page(&hop("http://h/b", "http://h/c"), run)
        .unwrap();
    store
        .commit_page(&commit_for("http://h/c", run, 1), run)
        .unwrap();
    let chain: Vec<String> = store
        .redirects_to("http://h/c")
        .unwrap()
        .into_iter()
        .map(|p| p.url)
        .collect();
    assert_eq!(chain, ["http://h/a", "http://h/b"]);
    assert!(store.redirects_to("http://h/a").unwrap().is_empty());
    // A cycle stored over several runs ends the walk.
    store
        .commit_page(&hop("http://h/c", "http://h/a"), run)
        .unwrap();
    assert_eq!(store.redirects_to("http://h/a").unwrap().len(), 2);
}

/// Two processes on one database (two crawler machines on PostgreSQL, two connections on
/// SQLite) taking batches of one site at once: every URL is handed out exactly once.
fn two_stores_on_one_database_never_hand_out_the_same_url(backend: &dyn Backend) {
    let first = backend.open();
    let run = first.start_run("cfg", T0).unwrap();
    let entries: Vec<_> = (0..200)
        .map(|i| entry(&format!("http://h/{i:03}"), i % 3))
        .collect();
    assert_eq!(first.enqueue_many(&entries, run).unwrap(), 200);
    let second = backend.open();
    let taken: Vec<Vec<String>> = std::thread::scope(|s| {
        let workers: Vec<_> = [&first, &second]
            .into_iter()
            .map(|store| {
                s.spawn(move || {
                    let mut mine = Vec::new();
                    loop {
                        let batch = store.next_batch("medsdirect", 7).unwrap();
                        if batch.is_empty() {
                            return mine;
                        }
                        mine.extend(batch.into_iter().map(|e| e.url));
                    }
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let mut all: Vec<String> = taken.concat();
    all.sort();
    let expected: Vec<String> = entries.into_iter().map(|e| e.url).collect();
    assert_eq!(all, expected, "each URL handed out once");
    assert_eq!(second.frontier_counts("medsdirect").unwrap().in_flight, 200);
}

/// Keyset pagination compares ids as bytes in every backend, whatever the database's
/// collation (a locale-aware order would skip or repeat listings).
fn listing_ids_page_in_byte_order(backend: &dyn Backend) {
    let store = backend.open();
    let run = store.start_run("cfg", T0).unwrap();
    let mut ids = Vec::new();
    for (i, id) in ["B", "a", "_", "Z", "é", "a-c", "ab", "A b"]
        .into_iter()
        .enumerate()
    {
        let mut l = listing(&format!("http://h/{i}"), 0, 100);
        l.id = ListingId::from_stored(id);
        store
            .upsert_listing(&l, &Verdict::clean(l.id.clone()), run)
            .unwrap();
        ids.push(l.id.as_str().to_string());
    }
    ids.sort();
    let mut paged = Vec::new();
    let mut after: Option<ListingId> = None;
    loop {
        let page = store.listings_after(after.as_ref(), 2).unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.listing.id.clone());
        paged.extend(page.iter().map(|l| l.listing.id.as_str().to_string()));
    }
    assert_eq!(paged, ids);
}

// Each history row keeps the archived page that showed the change, so a listing's
// timeline links every point to its own evidence after the page has changed again.

const HISTORY_URL: &str = "http://127.0.0.1/p/1";

/// History evidence: the page's fetch in run `run`, with a body of digest `sha` archived at `offset`.
fn history_fetch(run: RunId, sha: char, offset: u64, cents: Option<i64>) -> PageCommit {
    let page = PageRecord {
        url: HISTORY_URL.into(),
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
                HISTORY_URL,
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

fn every_history_row_points_at_the_fetch_that_showed_it(backend: &dyn Backend) {
    let store = backend.open();
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
        let commit = history_fetch(run, sha, offset, cents);
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

#[cfg(feature = "postgres")]
mod postgres_only {
    use super::*;
    use pharmwatch_store::PgStore;
    use pharmwatch_store::schema::postgres::{SCHEMA_VERSION, schema_version};

    fn client(db: &super::postgres_server::TestDb) -> ::postgres::Client {
        ::postgres::Client::connect(&db.url, ::postgres::NoTls).unwrap()
    }

    #[test]
    fn migrations_are_recorded_once_and_reopening_keeps_data() {
        let Some(db) = super::postgres_server::fresh_database() else {
            return;
        };
        let store = PgStore::open(&db.url).unwrap();
        let run = store.start_run("cfg", T0).unwrap();
        drop(store);
        let store = PgStore::open(&db.url).unwrap();
        assert_eq!(store.runs().unwrap()[0].id, run);
        let mut raw = client(&db);
        assert_eq!(schema_version(&mut raw).unwrap(), SCHEMA_VERSION);
        let rows: i64 = raw
            .query_one("SELECT COUNT(*) FROM schema_migrations", &[])
            .unwrap()
            .get(0);
        assert_eq!(rows, SCHEMA_VERSION, "one row per migration, none twice");
    }

    #[test]
    fn processes_starting_at_once_migrate_without_racing() {
        let Some(db) = super::postgres_server::fresh_database() else {
            return;
        };
        let opened: Vec<_> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..6).map(|_| s.spawn(|| PgStore::open(&db.url))).collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for store in &opened {
            assert!(store.is_ok(), "{:?}", store.as_ref().err());
        }
        assert_eq!(schema_version(&mut client(&db)).unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn a_newer_schema_is_refused_and_left_alone() {
        let Some(db) = super::postgres_server::fresh_database() else {
            return;
        };
        drop(PgStore::open(&db.url).unwrap());
        client(&db)
            .execute(
                "INSERT INTO schema_migrations (version) VALUES ($1)",
                &[&(SCHEMA_VERSION + 1)],
            )
            .unwrap();
        assert!(matches!(
            PgStore::open(&db.url),
            Err(StoreError::SchemaTooNew { found, .. }) if found == SCHEMA_VERSION + 1
        ));
    }

    #[test]
    fn an_unreachable_server_is_named_without_its_password() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("postgres://crawler:s3cret@127.0.0.1:{port}/cases");
        let message = match pharmwatch_store::open(&url) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("nothing listens on port {port}"),
        };
        assert!(
            message.contains(&format!("127.0.0.1:{port}/cases")),
            "{message}"
        );
        assert!(!message.contains("s3cret"), "{message}");
    }

    /// Queues `sites` with two URLs each.
    fn queue_sites(store: &PgStore, sites: &[&str]) {
        let run = store.start_run("cfg", T0).unwrap();
        let entries: Vec<FrontierEntry> = sites
            .iter()
            .flat_map(|site| {
                (0..2).map(move |i| FrontierEntry {
                    site: site.to_string(),
                    url: format!("http://{site}/{i}"),
                    depth: 0,
                    priority: 0,
                })
            })
            .collect();
        store.enqueue_many(&entries, run).unwrap();
    }

    #[test]
    fn queue_leases_go_to_one_worker_until_released_or_expired() {
        let Some(db) = super::postgres_server::fresh_database() else {
            return;
        };
        let (a, b) = (
            PgStore::open(&db.url).unwrap(),
            PgStore::open(&db.url).unwrap(),
        );
        queue_sites(&a, &["s1", "s2", "s3"]);
        let minute = Duration::from_secs(60);
        assert_eq!(a.lease_queues("a", 2, minute).unwrap(), ["s1", "s2"]);
        assert_eq!(b.lease_queues("b", 5, minute).unwrap(), ["s3"]);
        assert!(b.lease_queues("b2", 5, minute).unwrap().is_empty());
        assert_eq!(a.renew_leases("a", minute).unwrap(), ["s1", "s2"]);
        assert_eq!(a.lease_queues("a", 2, minute).unwrap(), ["s1", "s2"]);

        // Released: the next worker gets it. Expired (a zero lease is over at once): too.
        assert_eq!(a.release_queues("a", &["s1", "s3"]).unwrap(), 1);
        assert_eq!(b.lease_queues("c", 5, minute).unwrap(), ["s1"]);
        assert_eq!(
            b.lease_queues("d", 1, Duration::ZERO).unwrap(),
            Vec::<String>::new()
        );
        assert_eq!(a.release_queues("a", &["s2"]).unwrap(), 1);
        assert_eq!(b.lease_queues("d", 1, Duration::ZERO).unwrap(), ["s2"]);
        assert!(b.renew_leases("d", minute).unwrap().is_empty(), "expired");
        assert_eq!(a.lease_queues("e", 5, minute).unwrap(), ["s2"]);

        // A queue with nothing queued is not leased.
        a.next_batch("s2", 10).unwrap();
        assert!(b.lease_queues("f", 5, minute).unwrap().is_empty());
    }

    #[test]
    fn workers_leasing_at_once_each_get_other_queues() {
        let Some(db) = super::postgres_server::fresh_database() else {
            return;
        };
        let sites: Vec<String> = (0..12).map(|i| format!("site{i:02}")).collect();
        let names: Vec<&str> = sites.iter().map(String::as_str).collect();
        queue_sites(&PgStore::open(&db.url).unwrap(), &names);
        let workers: Vec<PgStore> = (0..4).map(|_| PgStore::open(&db.url).unwrap()).collect();
        let leased: Vec<Vec<String>> = std::thread::scope(|s| {
            let handles: Vec<_> = workers
                .iter()
                .enumerate()
                .map(|(i, store)| {
                    s.spawn(move || {
                        store
                            .lease_queues(&format!("w{i}"), 3, Duration::from_secs(60))
                            .unwrap()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut all = leased.concat();
        all.sort();
        all.dedup();
        assert_eq!(leased.concat().len(), all.len(), "no queue leased twice");
        assert_eq!(all.len(), 12, "{leased:?}");
    }
}
