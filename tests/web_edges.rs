//! The web server's edges, through the real binary over real sockets: refusals of requests
//! hyper cannot read carry the security headers, a search whose client hangs up stops, brand
//! names find their drug and unknown values get a hint, and the CLI's sort names work.
//!
//! The indexes are written here with the indexer itself (the real on-disk format the server
//! reads), so a large one takes seconds rather than a crawl.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::Server;
use pharmwatch_indexer::{IndexDoc, ListingIndexWriter};
use pharmwatch_model::{DrugMatch, Field, Listing, RuleHit, Severity, SiteKind, Verdict};
use serde_json::Value;

const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
                        form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// A data directory under the target directory, emptied first.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// One flagged listing: `drug` found in its title, flagged by `rule`.
fn listing(n: usize, title: &str, description: &str, drug: &str, rule: &str) -> IndexDoc {
    let now = time::OffsetDateTime::now_utc();
    let url = format!("http://shop{}.test/p/{n}", n % 7);
    let mut listing = Listing::new(&url, 0, "shop", SiteKind::Pharmacy, "shop.test", title, now);
    listing.description = description.to_string();
    let mut verdict = Verdict::clean(listing.id.clone());
    verdict.flagged = true;
    verdict.severity = Some(if n.is_multiple_of(3) {
        Severity::Critical
    } else {
        Severity::High
    });
    verdict.score = (n % 5) as f64 * 10.0;
    verdict.hits.push(RuleHit {
        rule_id: rule.into(),
        title: rule.into(),
        severity: Severity::High,
        category: "test".into(),
        evidence: vec![],
    });
    verdict.drugs.push(DrugMatch {
        drug: drug.into(),
        class: "rx".into(),
        category: "test".into(),
        field: Field::Title,
        start: 0,
        end: 1,
        text: drug.into(),
    });
    IndexDoc {
        listing,
        verdict,
        price_usd: Some(n as f64),
        unit_price_usd: None,
        first_seen: now,
        last_seen: now,
        run: Some(1),
        gone_since: None,
    }
}

/// Writes `docs` as the data directory's index.
fn write_index(data: &Path, docs: impl Iterator<Item = IndexDoc>) {
    let mut writer = ListingIndexWriter::open_or_create(&data.join("index")).unwrap();
    for doc in docs {
        writer.upsert(&doc).unwrap();
    }
    writer.commit().unwrap();
}

/// Sends `request` on a new connection and reads the whole answer (the server closes it).
fn raw(server: &Server, request: &[u8]) -> String {
    let addr = server.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    // A refused head is answered before the request is read to its end: the rest may be
    // refused by the closed socket, which is fine.
    let _ = stream.write_all(request);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

fn header<'a>(answer: &'a str, name: &str) -> Option<&'a str> {
    let head = answer.split("\r\n\r\n").next()?;
    head.lines().find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

#[test]
fn requests_hyper_cannot_read_are_refused_with_the_security_headers() {
    let data = fresh_dir("web-edges-refusals");
    let server = Server::start(&data, None);

    // 100 KB of request line: over hyper's own limit, which answered 414 with no headers.
    let long = format!(
        "GET /search?q={} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(100_000)
    );
    let headers = format!(
        "GET / HTTP/1.1\r\nHost: x\r\n{}\r\n",
        "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".repeat(2_000)
    );
    for (request, status) in [
        (long.as_str(), "414"),
        ("GET / HTTP/9.9\r\n\r\n", "400"),
        ("GET /\u{1}x HTTP/1.1\r\n\r\n", "400"),
        (
            "POST /login HTTP/1.1\r\nContent-Length: nine\r\n\r\n",
            "400",
        ),
        (headers.as_str(), "431"),
    ] {
        let answer = raw(&server, request.as_bytes());
        let what = &request[..request.len().min(40)];
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status} ")),
            "{what:?}: {answer}"
        );
        assert_eq!(
            header(&answer, "content-security-policy"),
            Some(PAGE_CSP),
            "{what:?}"
        );
        assert_eq!(header(&answer, "x-content-type-options"), Some("nosniff"));
        assert_eq!(header(&answer, "x-frame-options"), Some("DENY"));
    }

    // A request that is fine is answered by the pages, with the same headers.
    let addr = server.base.trim_start_matches("http://");
    let get_css = format!("GET /static/style.css HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    let css = raw(&server, get_css.as_bytes());
    assert!(css.starts_with("HTTP/1.1 200 "), "{css}");
    assert_eq!(header(&css, "content-security-policy"), Some(PAGE_CSP));
    // A request split across several packets is read whole.
    let mut slow = TcpStream::connect(addr).unwrap();
    let rest = format!("st: {addr}\r\n\r\n");
    for part in ["GET /static/st", "yle.css HTTP/1.1\r\nHo", &rest] {
        slow.write_all(part.as_bytes()).unwrap();
        slow.flush().unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut answer = String::new();
    slow.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
}

fn status(server: &Server) -> Value {
    serde_json::from_str(&server.get("/api/status")).unwrap()
}

/// Polls the server's search counters until `done` holds (or fails after a minute).
fn wait_for(server: &Server, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        let now = status(server);
        if done(&now) {
            return now;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "{what}: {now}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Words for descriptions: many distinct ones, so a regex over every word has much to union.
fn word(n: usize) -> String {
    let letters = b"abcdefghijklmnopqrstuvwxyz";
    let mut n = n;
    let mut w = String::new();
    for _ in 0..5 {
        w.push(letters[n % 26] as char);
        n /= 26;
    }
    w
}

#[test]
fn a_search_whose_client_hangs_up_is_cancelled() {
    let data = fresh_dir("web-edges-cancel");
    write_index(
        &data,
        (0..30_000).map(|n| {
            let description: Vec<String> = (0..24).map(|i| word(n * 31 + i * 7919)).collect();
            listing(n, &word(n), &description.join(" "), "oxycodone", "r")
        }),
    );
    let server = Server::start(&data, None);
    let before = status(&server);
    assert_eq!(before["searches"]["running"], 0, "{before}");

    // Ten regular expressions that match most words of every listing (the most the query
    // limits allow), sorted by price so no hit can be skipped: seconds of work.
    let query: Vec<String> = "aeioubcdfg".chars().map(|l| format!("/.*{l}.*/")).collect();
    let q = url::form_urlencoded::byte_serialize(query.join(" OR ").as_bytes()).collect::<String>();
    let addr = server.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    let request = format!("GET /api/search?q={q}&sort=price:asc HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    wait_for(&server, "the search never started", |s| {
        s["searches"]["running"] == 1
    });

    // The client hangs up: the server stops the search instead of finishing it for nobody.
    drop(stream);
    let after = wait_for(&server, "the search kept running", |s| {
        s["searches"]["running"] == 0
    });
    assert_eq!(after["searches"]["cancelled"], 1, "{after}");
    assert_eq!(
        after["searches"]["finished"], before["searches"]["finished"],
        "{after}"
    );
}

#[test]
fn brand_names_hints_and_cli_sort_names_on_the_page() {
    let data = fresh_dir("web-edges-names");
    write_index(
        &data,
        [
            listing(
                0,
                "Blue pills 100mg",
                "no prescription",
                "sildenafil",
                "rx-without-prescription",
            ),
            listing(1, "Oxy 30mg", "discreet", "oxycodone", "stealth-shipping"),
            listing(2, "Oxy 80mg", "discreet", "oxycodone", "stealth-shipping"),
        ]
        .into_iter(),
    );
    // The server reads the lexicon of the repository's config (its working directory).
    let server = Server::start(&data, None);

    let viagra: Value = serde_json::from_str(&server.get("/api/search?q=drug:viagra")).unwrap();
    assert_eq!(viagra["total"], 1, "{viagra}");
    assert_eq!(viagra["facets"]["drug"][0][0], "sildenafil", "{viagra}");
    let page = server.get("/search?q=drug%3Aviagra");
    assert!(page.contains("Blue pills 100mg"), "{page}");

    let typo = server.get("/search?q=rule%3Astelth-shipping");
    assert!(
        typo.contains("no listing has rule `stelth-shipping`; did you mean rule:stealth-shipping?"),
        "{typo}"
    );
    let api: Value = serde_json::from_str(&server.get("/api/search?q=drug:notadrugatall")).unwrap();
    assert!(
        api["hints"][0]
            .as_str()
            .unwrap()
            .contains("`notadrugatall`"),
        "{api}"
    );

    // `?sort=severity` (the CLI's name) sorts and is the choice the form shows.
    let sorted = server.get("/search?sort=severity");
    assert!(
        sorted.contains(r#"<option value="severity:desc" selected>"#),
        "{sorted}"
    );
    let api: Value =
        serde_json::from_str(&server.get("/api/search?sort=severity&limit=10")).unwrap();
    let severities: Vec<&str> = api["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["doc"]["verdict"]["severity"].as_str().unwrap())
        .collect();
    assert_eq!(severities[0], "critical", "{severities:?}");
    assert_eq!(api["hits"][0]["doc"]["run"], 1, "run is a number: {api}");
}
