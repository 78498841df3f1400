//! End-to-end crawler tests against hostile and healthy servers on 127.0.0.1.

mod server;

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use pharmwatch_crawler::url_norm::normalize_url;
use pharmwatch_crawler::{
    ArchivedPage, CrawlSettings, CrawlStats, Crawler, FetchErrorKind, PageRecord, RecordKind,
    Render, SiteConfig, Validators,
};
use pharmwatch_model::SiteKind;
use server::{Body, Reply, Server};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use url::Url;

fn settings() -> CrawlSettings {
    CrawlSettings {
        default_rate: 50.0,
        timeout_secs: 3,
        connect_timeout_secs: 1,
        max_body_bytes: 256 * 1024,
        max_retries: 1,
        retry_base_ms: 50,
        ..CrawlSettings::default()
    }
}

fn site(name: &str, server: &Server) -> SiteConfig {
    SiteConfig {
        name: name.into(),
        kind: SiteKind::Pharmacy,
        start_urls: vec![server.url("/")],
        allowed_hosts: Vec::new(),
        rate: None,
        max_pages: None,
        max_bytes: None,
        max_depth: None,
        include: Vec::new(),
        exclude: Vec::new(),
        profile: None,
        proxy: None,
        schedule: None,
        ignore_robots: false,
        currency: None,
        language: None,
        sitemaps: Vec::new(),
        follow_sitemaps: true,
        render: Render::Http,
        wait_for: None,
    }
}

async fn crawl_with(
    crawler: &Crawler,
    cancel: CancellationToken,
) -> (
    Result<CrawlStats, pharmwatch_crawler::CrawlError>,
    Vec<PageRecord>,
) {
    let (tx, mut rx) = mpsc::channel(16);
    let collect = tokio::spawn(async move {
        let mut records = Vec::new();
        while let Some(r) = rx.recv().await {
            records.push(r);
        }
        records
    });
    let result = tokio::time::timeout(Duration::from_secs(60), crawler.run(tx, cancel))
        .await
        .expect("the crawl finished");
    (result, collect.await.unwrap())
}

async fn crawl(settings: CrawlSettings, sites: Vec<SiteConfig>) -> (CrawlStats, Vec<PageRecord>) {
    let crawler = Crawler::new(settings, sites).unwrap();
    let (stats, records) = crawl_with(&crawler, CancellationToken::new()).await;
    (stats.unwrap(), records)
}

fn product(title: &str, links: &str) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><title>{title}</title>
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"Product","name":"{title}",
"offers":{{"@type":"Offer","price":"89.99","priceCurrency":"USD"}}}}</script></head>
<body><h1>{title}</h1>{links}</body></html>"#
    )
}

const NAV: &str = r#"<a href="/">home</a> <a href="/private/secret.html">secret</a>
<a href="/p/1.html">one</a> <a href="/p/2.html">two</a> <a href="/about.html">about</a>"#;

/// A well-behaved shop: four pages, a robots.txt disallowing /private/ which every page
/// links to.
async fn healthy_site() -> Server {
    Server::pages(vec![
        (
            "/robots.txt",
            Reply::text("User-agent: *\nDisallow: /private/\n"),
        ),
        ("/", Reply::html(format!("<html><body>{NAV}</body></html>"))),
        (
            "/p/1.html",
            Reply::html(product("Sildenafil 100mg x 30 tablets", NAV)),
        ),
        (
            "/p/2.html",
            Reply::html(product("Tadalafil 20mg x 10 tablets", NAV)),
        ),
        (
            "/about.html",
            Reply::html(format!("<html><body>About {NAV}</body></html>")),
        ),
        ("/private/secret.html", Reply::html("secret")),
    ])
    .await
}

const HEALTHY_PAGES: [&str; 4] = ["/", "/p/1.html", "/p/2.html", "/about.html"];

fn pages_of<'a>(records: &'a [PageRecord], site: &str) -> Vec<&'a PageRecord> {
    records
        .iter()
        .filter(|r| r.site == site && r.kind == RecordKind::Page)
        .collect()
}

fn record_for<'a>(records: &'a [PageRecord], url: &str) -> &'a PageRecord {
    records
        .iter()
        .find(|r| r.kind == RecordKind::Page && r.url == url)
        .unwrap_or_else(|| panic!("no page record for {url}"))
}

/// The healthy host was crawled fully, once per page, and never into /private/.
fn assert_healthy(server: &Server, records: &[PageRecord], stats: &CrawlStats, site: &str) {
    let paths = server.paths();
    for p in HEALTHY_PAGES {
        assert_eq!(server.count(p), 1, "{p} fetched once: {paths:?}");
    }
    assert_eq!(server.count("/robots.txt"), 1, "{paths:?}");
    assert!(
        !paths.iter().any(|p| p.starts_with("/private/")),
        "{paths:?}"
    );
    let pages = pages_of(records, site);
    assert_eq!(pages.len(), 4);
    assert!(
        pages
            .iter()
            .all(|r| r.status == Some(200) && r.error.is_none())
    );
    let mut titles: Vec<&str> = pages
        .iter()
        .flat_map(|r| r.listings.iter().map(|l| l.title.as_str()))
        .collect();
    titles.sort();
    assert_eq!(
        titles,
        [
            "Sildenafil 100mg x 30 tablets",
            "Tadalafil 20mg x 10 tablets"
        ]
    );
    let s = &stats.per_site[site];
    assert_eq!((s.fetched, s.listing_pages, s.listings), (4, 2, 2));
    assert!(s.robots_disallowed >= 1);
    assert_eq!(s.errors(), 0, "{:?}", s.errors_by_kind);
}

fn error_kind(r: &PageRecord) -> Option<FetchErrorKind> {
    r.error.as_ref().map(|e| e.kind)
}

#[tokio::test]
async fn healthy_site_is_crawled_and_robots_disallow_is_respected() {
    let shop = healthy_site().await;
    let (stats, records) = crawl(settings(), vec![site("shop", &shop)]).await;
    assert_healthy(&shop, &records, &stats, "shop");
    let robots: Vec<_> = records
        .iter()
        .filter(|r| r.kind == RecordKind::Robots)
        .collect();
    assert_eq!(robots.len(), 1);
    assert_eq!(
        robots[0].body.as_ref(),
        b"User-agent: *\nDisallow: /private/\n"
    );
    let home = record_for(&records, &shop.url("/"));
    assert_eq!(home.depth, 0);
    assert_eq!(
        home.body_sha256.as_deref(),
        Some(pharmwatch_model::sha256_hex(&home.body).as_str())
    );
    assert!(
        home.response_headers
            .iter()
            .any(|(k, _)| k == "content-type")
    );
    assert!(
        home.request_headers
            .iter()
            .any(|(k, v)| k == "User-Agent" && v.starts_with("pharmwatch/"))
    );
    assert_eq!(
        home.remote_addr.as_deref(),
        Some(shop.addr.to_string().as_str())
    );
    assert_eq!(home.http_version.as_deref(), Some("HTTP/1.1"));
    assert_eq!(record_for(&records, &shop.url("/p/1.html")).depth, 1);
    let hit = shop.hits().into_iter().find(|h| h.path == "/").unwrap();
    assert_eq!(hit.header("accept-encoding"), Some("gzip, deflate"));
}

/// Every page links to the same five URLs; the records hand each URL to the persistent
/// frontier once (the page that found it first), not once per page that links to it.
#[tokio::test]
async fn page_records_carry_each_new_link_once() {
    let shop = healthy_site().await;
    let (_, records) = crawl(settings(), vec![site("shop", &shop)]).await;
    let pages = pages_of(&records, "shop");
    assert_eq!(pages.len(), 4);
    assert!(pages.iter().all(|r| r.links_found == 5), "{pages:#?}");
    let mut carried: Vec<String> = pages
        .iter()
        .flat_map(|r| r.links.iter().map(|(url, _)| url.clone()))
        .collect();
    carried.sort();
    // The start page is not carried (it was a seed); the disallowed page is (robots.txt is
    // checked when a URL is fetched, and may allow it in a later run).
    let mut expected: Vec<String> = [
        "/about.html",
        "/p/1.html",
        "/p/2.html",
        "/private/secret.html",
    ]
    .iter()
    .map(|p| shop.url(p))
    .collect();
    expected.sort();
    assert_eq!(carried, expected);
}

#[tokio::test]
async fn robots_503_blocks_the_host_and_404_allows_all() {
    let down = Server::start(|hit| match hit.path.as_str() {
        "/robots.txt" => Reply::status(503),
        _ => Reply::html(format!("<html>{NAV}</html>")),
    })
    .await;
    let open = Server::start(|hit| match hit.path.as_str() {
        "/robots.txt" => Reply::status(404),
        _ => Reply::html(format!("<html>{NAV}</html>")),
    })
    .await;
    let shop = healthy_site().await;
    let mut s = settings();
    s.max_retries = 0;
    let (stats, records) = crawl(
        s,
        vec![
            site("down", &down),
            site("open", &open),
            site("shop", &shop),
        ],
    )
    .await;
    assert_eq!(
        down.paths(),
        vec!["/robots.txt"],
        "nothing but robots.txt on a 503 host"
    );
    let down_stats = &stats.per_site["down"];
    assert_eq!(down_stats.robots_disallowed, 1);
    assert_eq!(
        down_stats.errors_by_kind.get("robots_unavailable"),
        Some(&1)
    );
    let robots = records
        .iter()
        .find(|r| r.site == "down" && r.kind == RecordKind::Robots)
        .unwrap();
    assert_eq!(robots.status, Some(503));
    assert_eq!(error_kind(robots), Some(FetchErrorKind::RobotsUnavailable));
    // 404: everything allowed, the /private/ link included.
    assert!(open.paths().contains(&"/private/secret.html".to_string()));
    assert_eq!(pages_of(&records, "open").len(), 5);
    assert_healthy(&shop, &records, &stats, "shop");
}

#[tokio::test]
async fn redirect_loop_is_detected_and_recorded() {
    let looping = Server::pages(vec![
        ("/robots.txt", Reply::status(404)),
        ("/", Reply::redirect("/a")),
        ("/a", Reply::redirect("/b")),
        ("/b", Reply::redirect("/a")),
    ])
    .await;
    let shop = healthy_site().await;
    let (stats, records) = crawl(
        settings(),
        vec![site("loop", &looping), site("shop", &shop)],
    )
    .await;
    assert_eq!(looping.paths(), vec!["/robots.txt", "/", "/a", "/b"]);
    let failed = pages_of(&records, "loop");
    assert_eq!(failed.len(), 1);
    assert_eq!(
        failed[0].url,
        looping.url("/b"),
        "recorded against the URL that answered"
    );
    assert_eq!(
        failed[0].redirect_chain,
        [looping.url("/"), looping.url("/a")]
    );
    assert_eq!(error_kind(failed[0]), Some(FetchErrorKind::RedirectLoop));
    let hops = records
        .iter()
        .filter(|r| r.site == "loop" && r.kind == RecordKind::Redirect)
        .count();
    assert_eq!(hops, 2, "each hop is its own record");
    assert_eq!(
        stats.per_site["loop"].errors_by_kind.get("redirect_loop"),
        Some(&1)
    );
    assert_healthy(&shop, &records, &stats, "shop");
}

#[tokio::test]
async fn too_many_redirects_and_out_of_scope_redirects_are_refused() {
    let shop = healthy_site().await;
    let outside = shop.url("/");
    let hopping = Server::start(move |hit| match hit.path.as_str() {
        "/robots.txt" => Reply::status(404),
        "/" => Reply::html(r#"<a href="/hop/0">x</a> <a href="/away">y</a>"#),
        "/away" => Reply::redirect(&outside),
        p => {
            let n: u32 = p.trim_start_matches("/hop/").parse().unwrap_or(0);
            Reply::redirect(&format!("/hop/{}", n + 1))
        }
    })
    .await;
    let mut s = settings();
    s.max_redirects = 3;
    let (stats, records) = crawl(s, vec![site("hops", &hopping), site("shop", &shop)]).await;
    // The hop that would have been one too many is the failed page, its chain recorded.
    let hop = record_for(&records, &hopping.url("/hop/3"));
    assert_eq!(error_kind(hop), Some(FetchErrorKind::TooManyRedirects));
    assert_eq!(hop.redirect_chain.len(), 3);
    assert_eq!(hop.redirect_chain[0], hopping.url("/hop/0"));
    assert_eq!(
        hopping
            .paths()
            .iter()
            .filter(|p| p.starts_with("/hop/"))
            .count(),
        4
    );
    let away = record_for(&records, &hopping.url("/away"));
    assert_eq!(error_kind(away), Some(FetchErrorKind::RedirectOutOfScope));
    assert_healthy(&shop, &records, &stats, "shop");
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let busy = Server::start(move |hit| match hit.path.as_str() {
        "/robots.txt" => Reply::status(404),
        _ if c.fetch_add(1, Ordering::SeqCst) == 0 => Reply::status(429).header("Retry-After", "1"),
        _ => Reply::html("<html>finally</html>"),
    })
    .await;
    let shop = healthy_site().await;
    let (stats, records) = crawl(settings(), vec![site("busy", &busy), site("shop", &shop)]).await;
    let hits: Vec<_> = busy.hits().into_iter().filter(|h| h.path == "/").collect();
    assert_eq!(hits.len(), 2);
    let gap = hits[1].at - hits[0].at;
    assert!(gap >= Duration::from_secs(1), "retry came after {gap:?}");
    assert!(gap < Duration::from_secs(3), "retry came after {gap:?}");
    let attempts: Vec<_> = records
        .iter()
        .filter(|r| r.site == "busy" && r.url == busy.url("/"))
        .collect();
    assert_eq!(attempts[0].kind, RecordKind::RetriedAttempt);
    assert_eq!(attempts[0].status, Some(429));
    assert_eq!(attempts[1].kind, RecordKind::Page);
    assert_eq!((attempts[1].status, attempts[1].attempt), (Some(200), 1));
    assert_eq!(stats.per_site["busy"].retries, 1);
    assert_healthy(&shop, &records, &stats, "shop");
}

#[tokio::test]
async fn a_long_retry_after_leaves_the_host_for_a_later_run() {
    let busy = Server::start(|hit| match hit.path.as_str() {
        "/robots.txt" => Reply::status(404),
        "/" => Reply::html(r#"<a href="/a">a</a><a href="/b">b</a><a href="/c">c</a>"#),
        _ => Reply::status(503).header("Retry-After", "3600"),
    })
    .await;
    let shop = healthy_site().await;
    let mut s = settings();
    s.max_retry_wait_secs = 5;
    s.max_retries = 3;
    let mut busy_site = site("busy", &busy);
    busy_site.rate = Some(5.0);
    let (stats, records) = crawl(s, vec![busy_site, site("shop", &shop)]).await;
    assert_eq!(
        busy.paths().len(),
        3,
        "robots, home, one page, then nothing: {:?}",
        busy.paths()
    );
    let failed: Vec<_> = pages_of(&records, "busy")
        .into_iter()
        .filter(|r| r.error.is_some())
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(error_kind(failed[0]), Some(FetchErrorKind::BackedOff));
    let st = &stats.per_site["busy"];
    assert_eq!((st.backed_off, st.retries), (2, 0));
    assert_healthy(&shop, &records, &stats, "shop");
}

#[tokio::test]
async fn persistent_5xx_gives_up_after_max_retries() {
    let broken = Server::pages(vec![
        ("/robots.txt", Reply::status(404)),
        ("/", Reply::status(500)),
    ])
    .await;
    let shop = healthy_site().await;
    let mut s = settings();
    s.max_retries = 2;
    let (stats, records) = crawl(s, vec![site("broken", &broken), site("shop", &shop)]).await;
    assert_eq!(broken.count("/"), 3);
    let page = record_for(&records, &broken.url("/"));
    assert_eq!(
        (error_kind(page), page.attempt),
        (Some(FetchErrorKind::HttpStatus), 2)
    );
    assert_eq!(stats.per_site["broken"].retries, 2);
    assert_healthy(&shop, &records, &stats, "shop");
}

/// 1 MiB of gzip that inflates to 1 GiB: 1024 gzip members of 1 MiB of zeros each.
fn gzip_bomb() -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(&vec![0u8; 1 << 20]).unwrap();
    let member = e.finish().unwrap();
    member.repeat(1024)
}

#[tokio::test]
async fn gzip_bomb_stops_at_the_cap() {
    let bomb = gzip_bomb();
    assert!(bomb.len() < 2 << 20);
    let bomb_len = bomb.len();
    let bomber = Server::pages(vec![
        ("/robots.txt", Reply::status(404)),
        (
            "/",
            Reply::bytes(200, "text/html", bomb).header("Content-Encoding", "gzip"),
        ),
    ])
    .await;
    let shop = healthy_site().await;
    let mut s = settings();
    s.max_body_bytes = 4 << 20;
    let started = Instant::now();
    let (stats, records) = crawl(s, vec![site("bomb", &bomber), site("shop", &shop)]).await;
    let page = record_for(&records, &bomber.url("/"));
    assert_eq!(error_kind(page), Some(FetchErrorKind::BodyTooLarge));
    assert!(
        page.error
            .as_ref()
            .unwrap()
            .message
            .contains("decompressed")
    );
    assert_eq!(page.decoded_len, 4 << 20, "inflated exactly up to the cap");
    assert!(
        page.body_len < bomb_len as u64,
        "stopped reading the wire early"
    );
    assert_eq!(page.truncated, Some(pharmwatch_model::Truncation::Length));
    assert_eq!(
        page.body.len() as u64,
        page.body_len,
        "raw bytes kept for evidence"
    );
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_healthy(&shop, &records, &stats, "shop");
}

#[tokio::test]
async fn endless_body_is_capped() {
    let endless = Server::pages(vec![
        ("/robots.txt", Reply::status(404)),
        (
            "/",
            Reply {
                status: 200,
                headers: vec![("Content-Type".into(), "text/html".into())],
                body: Body::Endless,
            },
        ),
    ])
    .await;
    let shop = healthy_site().await;
    let (stats, records) = crawl(
        settings(),
        vec![site("endless", &endless), site("shop", &shop)],
    )
    .await;
    let page = record_for(&records, &endless.url("/"));
    assert_eq!(error_kind(page), Some(FetchErrorKind::BodyTooLarge));
    assert_eq!(page.body_len, 256 * 1024);
    assert_eq!(page.truncated, Some(pharmwatch_model::Truncation::Length));
    assert_eq!(
        stats.per_site["endless"]
            .errors_by_kind
            .get("body_too_large"),
        Some(&1)
    );
    assert_healthy(&shop, &records, &stats, "shop");
}

#[tokio::test]
async fn dripping_server_hits_the_total_timeout() {
    let drip = Server::pages(vec![
        ("/robots.txt", Reply::status(404)),
        (
            "/",
            Reply {
                status: 200,
                headers: vec![("Content-Type".into(), "text/html".into())],
                body: Body::Drip(vec![b'x'; 600]),
            },
        ),
    ])
    .await;
    let shop = healthy_site().await;
    let mut s = settings();
    s.timeout_secs = 1;
    s.max_retries = 0;
    let started = Instant::now();
    let (stats, records) = crawl(s, vec![site("drip", &drip), site("shop", &shop)]).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let page = record_for(&records, &drip.url("/"));
    assert_eq!(error_kind(page), Some(FetchErrorKind::Timeout));
    assert_eq!(page.truncated, Some(pharmwatch_model::Truncation::Time));
    assert!(
        page.body_len >= 1 && page.body_len < 5,
        "partial body kept: {}",
        page.body_len
    );
    assert_healthy(&shop, &records, &stats, "shop");
}

#[tokio::test]
async fn a_connection_closed_mid_body_is_a_disconnect_truncation() {
    let cut = Server::pages(vec![
        ("/robots.txt", Reply::status(404)),
        (
            "/",
            Reply {
                status: 200,
                headers: vec![("Content-Type".into(), "text/html".into())],
                body: Body::Cut(vec![b'x'; 5000], 100),
            },
        ),
    ])
    .await;
    let mut s = settings();
    s.max_retries = 0;
    let (_, records) = crawl(s, vec![site("cut", &cut)]).await;
    let page = record_for(&records, &cut.url("/"));
    assert_eq!(
        page.truncated,
        Some(pharmwatch_model::Truncation::Disconnect)
    );
    assert!(page.error.is_some());
    assert_eq!(page.body_len, 100, "what arrived is kept");
}

#[tokio::test]
async fn a_site_stops_at_its_byte_budget_and_its_neighbour_does_not() {
    // Forty linked pages of 8 KiB each: 320 KiB in all, against a budget of 40 KiB.
    const PAGE: usize = 8 * 1024;
    let links: String = (0..40)
        .map(|i| format!("<a href=\"/p/{i}.html\">{i}</a>\n"))
        .collect();
    let big = Server::start(move |hit| match hit.path.as_str() {
        "/robots.txt" => Reply::status(404),
        _ => {
            let page = format!("<html><body>{links}</body></html>");
            let pad = "x".repeat(PAGE.saturating_sub(page.len()));
            Reply::html(format!("{page}<!--{pad}-->"))
        }
    })
    .await;
    let shop = healthy_site().await;
    let mut s = settings();
    s.per_host_concurrency = 1;
    let mut budgeted = site("big", &big);
    budgeted.max_bytes = Some(40 * 1024);
    let (stats, records) = crawl(s, vec![budgeted, site("shop", &shop)]).await;

    let big_stats = &stats.per_site["big"];
    let pages = pages_of(&records, "big").len() as u64;
    assert!(
        (5..=7).contains(&pages),
        "about 40 KiB / 8 KiB pages fetched, got {pages}"
    );
    assert!(big_stats.bytes >= 40 * 1024, "{big_stats:?}");
    // One response in flight at a time: at most one page over the budget.
    assert!(
        big_stats.bytes < 40 * 1024 + 2 * PAGE as u64,
        "{big_stats:?}"
    );
    assert_eq!(big_stats.over_byte_budget, 41 - pages, "{big_stats:?}");
    assert_eq!(
        big.paths().len() as u64,
        pages + 1,
        "robots.txt and the fetched pages"
    );
    assert_healthy(&shop, &records, &stats, "shop");
}

#[tokio::test]
async fn calendar_trap_is_capped_by_the_frontier() {
    let links: String = (0..10_000)
        .map(|d| format!("<a href=\"/cal?day={d}\">{d}</a>\n"))
        .collect();
    let calendar = Server::start(move |hit| match hit.path.as_str() {
        "/robots.txt" => Reply::status(404),
        "/" => Reply::html(format!("<html><body>{links}</body></html>")),
        _ => Reply::html("<html><body>a day</body></html>"),
    })
    .await;
    let shop = healthy_site().await;
    let mut s = settings();
    s.max_query_variants = 20;
    s.default_rate = 200.0;
    s.max_body_bytes = 1 << 20;
    let (stats, records) = crawl(s, vec![site("cal", &calendar), site("shop", &shop)]).await;
    let days = calendar
        .paths()
        .iter()
        .filter(|p| p.starts_with("/cal"))
        .count();
    assert_eq!(days, 20);
    assert_eq!(stats.per_site["cal"].traps, 10_000 - 20);
    assert_eq!(pages_of(&records, "cal").len(), 21);
    assert_healthy(&shop, &records, &stats, "shop");
}

#[tokio::test]
async fn hosts_are_crawled_concurrently_each_at_its_own_pace() {
    // fast: 10 req/s; slow: 4 req/s; delayed: 50 req/s asked but Crawl-delay: 1.
    let page = |i: usize| {
        let links: String = (0..6)
            .map(|j| format!("<a href=\"/n/{j}\">{j}</a>"))
            .collect();
        Reply::html(format!("<html><body>page {i} {links}</body></html>"))
    };
    let fast = Server::start(move |hit| match hit.path.as_str() {
        "/robots.txt" => Reply::status(404),
        _ => page(0),
    })
    .await;
    let slow = Server::start(move |hit| match hit.path.as_str() {
        "/robots.txt" => Reply::status(404),
        _ => page(1),
    })
    .await;
    let delayed = Server::start(move |hit| match hit.path.as_str() {
        "/robots.txt" => Reply::text("User-agent: *\nCrawl-delay: 1\n"),
        _ => page(2),
    })
    .await;
    let mut s = settings();
    s.per_host_concurrency = 2;
    let mut sites = vec![
        site("fast", &fast),
        site("slow", &slow),
        site("delayed", &delayed),
    ];
    sites[0].rate = Some(10.0);
    sites[1].rate = Some(4.0);
    sites[2].rate = Some(50.0);
    let (stats, _) = crawl(s, sites).await;
    let tolerance = Duration::from_millis(1);
    for (server, interval) in [
        (&fast, Duration::from_millis(100)),
        (&slow, Duration::from_millis(250)),
        (&delayed, Duration::from_secs(1)),
    ] {
        let hits = server.hits();
        assert_eq!(hits.len(), 8, "robots + home + 6 pages");
        for w in hits.windows(2) {
            let gap = w[1].at - w[0].at;
            assert!(gap + tolerance >= interval, "gap {gap:?} < {interval:?}");
        }
    }
    // The fast host finished long before the Crawl-delay host: nobody waited on it.
    let last = |s: &Server| s.hits().last().unwrap().at;
    let first = |s: &Server| s.hits().first().unwrap().at;
    assert!(last(&fast) + Duration::from_secs(3) < last(&delayed));
    assert!(last(&fast) - first(&fast) < Duration::from_millis(1500));
    let starts = [first(&fast), first(&slow), first(&delayed)];
    let spread = starts
        .iter()
        .max()
        .unwrap()
        .duration_since(*starts.iter().min().unwrap());
    assert!(
        spread < Duration::from_millis(200),
        "hosts started together: {spread:?}"
    );
    assert_eq!(stats.per_site["delayed"].fetched, 7);
}

/// Most requests that were being served at one moment, each taking at least `service`.
fn max_overlap(mut arrivals: Vec<Instant>, service: Duration) -> usize {
    arrivals.sort();
    (0..arrivals.len())
        .map(|i| {
            arrivals[i..]
                .iter()
                .take_while(|a| **a < arrivals[i] + service)
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[tokio::test]
async fn per_host_and_global_concurrency_caps_hold() {
    let service = Duration::from_millis(300);
    let slow_site = || {
        Server::start(move |hit| {
            let links: String = (0..8)
                .map(|j| format!("<a href=\"/s/{j}\">{j}</a>"))
                .collect();
            match hit.path.as_str() {
                "/robots.txt" => Reply::status(404),
                _ => Reply {
                    status: 200,
                    headers: vec![("Content-Type".into(), "text/html".into())],
                    body: Body::Delayed(service, format!("<html>{links}</html>").into_bytes()),
                },
            }
        })
    };
    let (a, b) = (slow_site().await, slow_site().await);
    let mut s = settings();
    s.default_rate = 100.0;
    s.per_host_concurrency = 2;
    s.global_concurrency = 3;
    let (stats, _) = crawl(s, vec![site("a", &a), site("b", &b)]).await;
    assert_eq!(
        stats.per_site["a"].fetched + stats.per_site["b"].fetched,
        18
    );
    let pages = |s: &Server| -> Vec<Instant> {
        s.hits()
            .into_iter()
            .filter(|h| h.path != "/robots.txt")
            .map(|h| h.at)
            .collect()
    };
    assert_eq!(
        max_overlap(pages(&a), service),
        2,
        "per-host cap used, not exceeded"
    );
    assert_eq!(max_overlap(pages(&b), service), 2);
    let all = [pages(&a), pages(&b)].concat();
    assert_eq!(
        max_overlap(all, service),
        3,
        "global cap used, not exceeded"
    );
}

/// A site whose `/` answers 304 to the ETag `"v1"` and otherwise a page linking to `/next`.
async fn cached_site() -> Server {
    Server::start(
        |hit| match (hit.path.as_str(), hit.header("if-none-match")) {
            ("/robots.txt", _) => Reply::status(404),
            ("/", Some("\"v1\"")) => Reply::status(304),
            ("/", _) => Reply::html(r#"<html><a href="/fresh">changed</a></html>"#),
            _ => Reply::html("<html>leaf</html>"),
        },
    )
    .await
}

fn v1() -> Validators {
    Validators {
        etag: Some("\"v1\"".into()),
        last_modified: Some("Sun, 06 Nov 1994 08:49:37 GMT".into()),
    }
}

#[tokio::test]
async fn a_304_is_the_archived_copy_whose_links_are_followed() {
    let cached = cached_site().await;
    let copy = ArchivedPage {
        content_type: Some("text/html".into()),
        content_encoding: None,
        body: br#"<html><a href="/archived-link">kept</a></html>"#.to_vec(),
        sha256: "ab".repeat(32),
    };
    let known: HashMap<String, (Validators, ArchivedPage)> =
        [(cached.url("/"), (v1(), copy))].into_iter().collect();
    let crawler = Crawler::new(settings(), vec![site("cached", &cached)])
        .unwrap()
        .with_known_pages(Arc::new(known));
    let (stats, records) = crawl_with(&crawler, CancellationToken::new()).await;
    stats.unwrap();
    let page = record_for(&records, &cached.url("/"));
    assert_eq!(page.status, Some(304));
    assert!(page.error.is_none() && page.revalidated);
    let hit = cached.hits().into_iter().find(|h| h.path == "/").unwrap();
    assert_eq!(
        hit.header("if-modified-since"),
        Some("Sun, 06 Nov 1994 08:49:37 GMT")
    );
    // The link of the archived copy was followed, not the one the server would send now.
    assert_eq!(cached.paths(), ["/robots.txt", "/", "/archived-link"]);
}

#[tokio::test]
async fn a_304_without_a_readable_copy_is_asked_for_again_unconditionally() {
    let cached = cached_site().await;
    let known: HashMap<String, Validators> = [(cached.url("/"), v1())].into_iter().collect();
    let crawler = Crawler::new(settings(), vec![site("cached", &cached)])
        .unwrap()
        .with_known_pages(Arc::new(known));
    let (stats, records) = crawl_with(&crawler, CancellationToken::new()).await;
    stats.unwrap();
    let first = records
        .iter()
        .find(|r| r.url == cached.url("/") && r.kind == RecordKind::RetriedAttempt)
        .expect("the 304 is recorded as an attempt");
    assert_eq!(first.status, Some(304));
    let page = record_for(&records, &cached.url("/"));
    assert_eq!(page.status, Some(200));
    let asks: Vec<_> = cached
        .hits()
        .into_iter()
        .filter(|h| h.path == "/")
        .map(|h| h.header("if-none-match").map(str::to_string))
        .collect();
    assert_eq!(asks, [Some("\"v1\"".to_string()), None]);
    assert_eq!(cached.paths(), ["/robots.txt", "/", "/", "/fresh"]);
}

#[tokio::test]
async fn robots_cache_is_shared_between_runs_and_ignore_robots_is_recorded() {
    let shop = healthy_site().await;
    let crawler = Crawler::new(settings(), vec![site("shop", &shop)]).unwrap();
    crawl_with(&crawler, CancellationToken::new())
        .await
        .0
        .unwrap();
    crawl_with(&crawler, CancellationToken::new())
        .await
        .0
        .unwrap();
    assert_eq!(
        shop.count("/robots.txt"),
        1,
        "second run used the cached robots.txt"
    );
    assert_eq!(shop.count("/"), 2);

    let other = healthy_site().await;
    let mut cfg = site("rude", &other);
    cfg.ignore_robots = true;
    let (stats, records) = crawl(settings(), vec![cfg]).await;
    assert_eq!(other.count("/robots.txt"), 0);
    assert_eq!(other.count("/private/secret.html"), 1);
    assert!(stats.per_site["rude"].robots_ignored);
    assert!(records.iter().all(|r| r.robots_ignored));
}

#[tokio::test]
async fn cancellation_stops_the_run() {
    let links: String = (0..50)
        .map(|d| format!("<a href=\"/x/{d}\">{d}</a>"))
        .collect();
    let big = Server::start(move |hit| match hit.path.as_str() {
        "/robots.txt" => Reply::status(404),
        _ => Reply::html(format!("<html>{links}</html>")),
    })
    .await;
    let mut s = settings();
    s.default_rate = 5.0;
    let crawler = Crawler::new(s, vec![site("big", &big)]).unwrap();
    let cancel = CancellationToken::new();
    let c = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(700)).await;
        c.cancel();
    });
    let started = Instant::now();
    let (stats, _) = crawl_with(&crawler, cancel).await;
    let stats = stats.unwrap();
    assert!(stats.cancelled);
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(big.paths().len() < 10);
}

#[tokio::test]
async fn closed_output_stops_the_run_with_an_error() {
    let shop = healthy_site().await;
    let crawler = Crawler::new(settings(), vec![site("shop", &shop)]).unwrap();
    let (tx, rx) = mpsc::channel(1);
    drop(rx);
    let result = crawler.run(tx, CancellationToken::new()).await;
    assert!(matches!(
        result,
        Err(pharmwatch_crawler::CrawlError::OutputClosed)
    ));
    assert!(shop.paths().len() <= 2);
}

/// A product page in `encoding`, with or without a declared charset.
fn encoded_page(
    encoding: &'static encoding_rs::Encoding,
    title: &str,
    prose: &str,
    declare: bool,
) -> Reply {
    let meta = if declare {
        format!("<meta charset=\"{}\">", encoding.name())
    } else {
        String::new()
    };
    let html = format!(
        r#"<html><head>{meta}<title>{title}</title>
<script type="application/ld+json">{{"@type":"Product","name":"{title}","offers":{{"price":"128","priceCurrency":"CNY"}}}}</script>
</head><body><h1>{title}</h1><p>{}</p></body></html>"#,
        prose.repeat(8)
    );
    let (bytes, _, unmappable) = encoding.encode(&html);
    assert!(!unmappable);
    Reply::bytes(200, "text/html", bytes.into_owned())
}

#[tokio::test]
async fn legacy_charsets_are_decoded_with_and_without_declaration() {
    use encoding_rs::{GBK, SHIFT_JIS, WINDOWS_1251};
    let cases = [
        (
            GBK,
            "西地那非 100mg 30片",
            "本店药品均为正品，无需处方，全国包邮，请放心购买。",
        ),
        (
            SHIFT_JIS,
            "バイアグラ 100mg 30錠",
            "当店の医薬品はすべて正規品です。処方箋は不要です。",
        ),
        (
            WINDOWS_1251,
            "Виагра 100мг 30 таблеток",
            "Все лекарства оригинальные, без рецепта, доставка по всей России. ",
        ),
    ];
    let mut pages = vec![("/robots.txt".to_string(), Reply::status(404))];
    let mut links = String::new();
    for (i, (enc, title, prose)) in cases.iter().enumerate() {
        for declare in [true, false] {
            let path = format!("/{i}-{declare}.html");
            links.push_str(&format!("<a href=\"{path}\">x</a>"));
            pages.push((path, encoded_page(enc, title, prose, declare)));
        }
    }
    pages.push((
        "/".to_string(),
        Reply::html(format!("<html>{links}</html>")),
    ));
    let multi = Server::start(move |hit| {
        pages
            .iter()
            .find(|(p, _)| *p == hit.path)
            .map(|(_, r)| r.clone())
            .unwrap_or_else(|| Reply::status(404))
    })
    .await;
    let shop = healthy_site().await;
    let (stats, records) =
        crawl(settings(), vec![site("multi", &multi), site("shop", &shop)]).await;
    for (i, (enc, title, _)) in cases.iter().enumerate() {
        for declare in [true, false] {
            let page = record_for(&records, &multi.url(&format!("/{i}-{declare}.html")));
            assert_eq!(
                page.encoding.as_deref(),
                Some(enc.name()),
                "{title} declared={declare}"
            );
            assert_eq!(page.listings.len(), 1, "{title} declared={declare}");
            assert_eq!(page.listings[0].title, *title, "declared={declare}");
        }
    }
    assert_eq!(stats.per_site["multi"].listings, 6);
    assert_healthy(&shop, &records, &stats, "shop");
}

#[tokio::test]
async fn sitemaps_from_robots_and_config_seed_the_frontier() {
    let gz = |xml: String| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(xml.as_bytes()).unwrap();
        e.finish().unwrap()
    };
    let mapped = Server::start(move |hit| {
        let host = hit.header("host").unwrap_or("").to_string();
        match hit.path.as_str() {
            "/robots.txt" => Reply::text(&format!(
                "User-agent: *\nDisallow: /private/\nSitemap: http://{host}/sitemap_index.xml\n"
            )),
            "/sitemap_index.xml" => Reply::bytes(
                200,
                "application/xml",
                format!(
                    "<sitemapindex><sitemap><loc>http://{host}/sm1.xml.gz</loc></sitemap>\
                     <sitemap><loc>http://elsewhere.example/sm.xml</loc></sitemap></sitemapindex>"
                )
                .into_bytes(),
            ),
            "/sm1.xml.gz" => Reply::bytes(
                200,
                "application/x-gzip",
                gz(format!(
                    "<urlset><url><loc>http://{host}/deep/1.html</loc></url>\
                     <url><loc>http://{host}/deep/2.html</loc></url>\
                     <url><loc>http://{host}/private/x.html</loc></url></urlset>"
                )),
            ),
            "/listed.xml" => Reply::bytes(
                200,
                "application/xml",
                format!("<urlset><url><loc>http://{host}/deep/3.html</loc></url></urlset>")
                    .into_bytes(),
            ),
            "/" => Reply::html("<html>no links</html>"),
            p if p.starts_with("/deep/") => Reply::html(product("Tramadol 50mg x 30", "")),
            _ => Reply::status(404),
        }
    })
    .await;
    let mut cfg = site("mapped", &mapped);
    cfg.sitemaps = vec![mapped.url("/listed.xml")];
    let (stats, records) = crawl(settings(), vec![cfg]).await;
    let paths = mapped.paths();
    for p in [
        "/deep/1.html",
        "/deep/2.html",
        "/deep/3.html",
        "/sitemap_index.xml",
        "/sm1.xml.gz",
    ] {
        assert_eq!(mapped.count(p), 1, "{p}: {paths:?}");
    }
    assert!(
        !paths.iter().any(|p| p.starts_with("/private/")),
        "{paths:?}"
    );
    let s = &stats.per_site["mapped"];
    assert_eq!(
        (s.sitemaps, s.sitemap_urls, s.listings),
        (3, 4, 3),
        "/private/x.html admitted, then refused by robots"
    );
    assert_eq!(s.robots_disallowed, 1);
    assert_eq!(
        records
            .iter()
            .filter(|r| r.kind == RecordKind::Sitemap)
            .count(),
        3
    );
}

#[tokio::test]
async fn a_site_proxy_carries_its_requests() {
    // An HTTP proxy sees absolute-form request targets; the host name need not resolve.
    let proxy = Server::start(|hit| match hit.path.as_str() {
        "http://shop.invalid/robots.txt" => Reply::status(404),
        "http://shop.invalid/" => Reply::html(product("Diazepam 10mg x 30 tablets", "")),
        _ => Reply::status(502),
    })
    .await;
    let shop = healthy_site().await;
    let mut cfg = site("proxied", &shop);
    cfg.start_urls = vec!["http://shop.invalid/".into()];
    cfg.proxy = Some(format!("http://{}", proxy.addr));
    let (stats, records) = crawl(settings(), vec![cfg, site("shop", &shop)]).await;
    assert_eq!(
        proxy.paths(),
        vec!["http://shop.invalid/robots.txt", "http://shop.invalid/"]
    );
    assert_eq!(stats.per_site["proxied"].listings, 1);
    assert_eq!(
        record_for(&records, "http://shop.invalid/").status,
        Some(200)
    );
    assert_healthy(&shop, &records, &stats, "shop");
}

#[test]
fn the_crawl_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let crawler = Crawler::new(
        settings(),
        vec![SiteConfig {
            start_urls: vec!["http://127.0.0.1:9/".into()],
            ..toml::from_str("name = \"x\"\nstart_urls = []").unwrap()
        }],
    )
    .unwrap();
    let (tx, _rx) = mpsc::channel(1);
    let run = crawler.run(tx, CancellationToken::new());
    assert_send(&run);
}

#[test]
fn bad_configuration_is_refused_up_front() {
    use pharmwatch_crawler::CrawlError;
    let one: SiteConfig =
        toml::from_str("name = \"a\"\nstart_urls = [\"http://127.0.0.1:9/\"]").unwrap();
    let twice = Crawler::new(settings(), vec![one.clone(), one.clone()]);
    assert!(matches!(twice, Err(CrawlError::DuplicateSite(n)) if n == "a"));
    let mut missing = one.clone();
    missing.profile = Some("/nonexistent/profile.toml".into());
    let err = Crawler::new(settings(), vec![missing]).unwrap_err();
    assert!(matches!(err, CrawlError::Profile { .. }), "{err}");
    assert!(err.to_string().contains("site `a`"), "{err}");
    let mut bad = settings();
    bad.default_rate = 0.0;
    let err = Crawler::new(bad, vec![one]).unwrap_err();
    assert!(err.to_string().contains("default_rate"), "{err}");
}

#[test]
fn url_normalisation_table() {
    let cases = [
        (
            "HTTP://Shop.EXAMPLE:80/a/./b/../c?b=2&a=1#frag",
            "http://shop.example/a/c?a=1&b=2",
        ),
        ("https://shop.example:443/", "https://shop.example/"),
        ("https://shop.example:8443/x", "https://shop.example:8443/x"),
        (
            "http://shop.example/p?utm_source=x&utm_medium=y&id=5",
            "http://shop.example/p?id=5",
        ),
        (
            "http://shop.example/p?gclid=1&fbclid=2&sessionid=3&PHPSESSID=4",
            "http://shop.example/p",
        ),
        (
            "http://shop.example/p;jsessionid=ABC123?x=1",
            "http://shop.example/p?x=1",
        ),
        ("http://shop.example/p?", "http://shop.example/p"),
        ("http://shop.example./p", "http://shop.example/p"),
        (
            "http://shop.example/p?z=1&a=2&z=0",
            "http://shop.example/p?a=2&z=1&z=0",
        ),
        (
            "http://shop.example/%7Euser/",
            "http://shop.example/%7Euser/",
        ),
        ("http://shop.example/a b", "http://shop.example/a%20b"),
        ("http://xn--fiqs8s.example/", "http://xn--fiqs8s.example/"),
        ("http://中国.example/", "http://xn--fiqs8s.example/"),
    ];
    for (input, expected) in cases {
        let got = normalize_url(&Url::parse(input).unwrap());
        assert_eq!(got.as_str(), expected, "normalising {input}");
        assert_eq!(normalize_url(&got), got, "idempotent on {input}");
    }
}

/// Throughput with many hosts (run by hand: `cargo test -p pharmwatch-crawler --release
/// --test crawl many_hosts -- --ignored --nocapture`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn many_hosts_throughput() {
    let hosts = 200;
    let per_host = 25;
    let mut servers = Vec::new();
    for _ in 0..hosts {
        servers.push(
            Server::start(move |hit| {
                let links: String = (0..per_host)
                    .map(|j| format!("<a href=\"/p/{j}.html\">{j}</a>"))
                    .collect();
                match hit.path.as_str() {
                    "/robots.txt" => Reply::text("User-agent: *\nDisallow: /private/\n"),
                    "/" => Reply::html(format!("<html><body>{links}</body></html>")),
                    _ => Reply::html(product("Sildenafil 100mg x 30 tablets", &links)),
                }
            })
            .await,
        );
    }
    let mut s = settings();
    s.default_rate = 20.0;
    let sites: Vec<_> = servers
        .iter()
        .enumerate()
        .map(|(i, sv)| site(&format!("s{i}"), sv))
        .collect();
    let started = std::time::Instant::now();
    let (stats, records) = crawl(s, sites).await;
    let secs = started.elapsed().as_secs_f64();
    let pages: u64 = stats.per_site.values().map(|s| s.fetched).sum();
    let listings: u64 = stats.per_site.values().map(|s| s.listings).sum();
    println!(
        "{hosts} hosts, {pages} pages, {listings} listings, {} records in {secs:.2}s: {:.0} pages/s",
        records.len(),
        pages as f64 / secs
    );
    assert_eq!(pages, (hosts * (per_host + 1)) as u64);
}

/// A site serving pages of 800k nested `<div>`s (under the body cap; before the parse budget
/// each ran past 300 s) next to a normal shop: the shop's pages all arrive, whole, and the
/// hostile pages are cut off and marked, not left running.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pathological_html_is_cut_off_and_does_not_stall_other_sites() {
    let nested = "<div>".repeat(800_000);
    let links: String = (1..=4)
        .map(|i| format!(r#"<a href="/deep/{i}.html">deep {i}</a>"#))
        .collect();
    let mut pages = vec![
        ("/robots.txt", Reply::text("User-agent: *\nAllow: /\n")),
        (
            "/",
            Reply::html(format!("<html><body>{links}</body></html>")),
        ),
    ];
    let paths = [
        "/deep/1.html",
        "/deep/2.html",
        "/deep/3.html",
        "/deep/4.html",
    ];
    for path in paths {
        pages.push((
            path,
            Reply::html(format!("<html><body>{links}{nested}</body></html>")),
        ));
    }
    let hostile = Server::pages(pages).await;
    let shop = healthy_site().await;
    let settings = CrawlSettings {
        max_body_bytes: 10 * 1024 * 1024,
        timeout_secs: 20,
        ..settings()
    };
    let started = std::time::Instant::now();
    let (stats, records) = crawl(
        settings,
        vec![site("hostile", &hostile), site("shop", &shop)],
    )
    .await;
    assert_healthy(&shop, &records, &stats, "shop");
    for path in paths {
        let page = record_for(&records, &hostile.url(path));
        assert_eq!(error_kind(page), Some(FetchErrorKind::OverBudget), "{path}");
        let message = &page.error.as_ref().expect("an error").message;
        assert!(message.contains("nested deeper than 512"), "{message}");
        // The evidence is the whole body as served.
        assert!(page.body.len() > 4_000_000, "{}", page.body.len());
    }
    assert_eq!(
        stats.per_site["hostile"].errors_by_kind.get("over_budget"),
        Some(&4)
    );
    // Generous: the four hostile pages took minutes each before the budget.
    assert!(
        started.elapsed() < Duration::from_secs(50),
        "{:?}",
        started.elapsed()
    );
}

/// A robots.txt that redirects off the site's hosts is not followed (a shop must not make
/// the crawler request any address it likes); it counts as unavailable (RFC 9309 §2.3.1.2),
/// which allows the site, and the record says why. A redirect within the host is followed.
#[tokio::test]
async fn robots_redirects_stay_on_the_sites_hosts() {
    let elsewhere = Server::pages(vec![(
        "/robots.txt",
        Reply::text("User-agent: *\nDisallow: /\n"),
    )])
    .await;
    let target = elsewhere.url("/robots.txt");
    let shop = Server::start(move |hit| match hit.path.as_str() {
        "/robots.txt" => Reply::redirect(&target),
        "/" => Reply::html("<html><body>home</body></html>"),
        _ => Reply::status(404),
    })
    .await;
    let (stats, records) = crawl(settings(), vec![site("shop", &shop)]).await;
    assert_eq!(elsewhere.count("/robots.txt"), 0, "{:?}", elsewhere.paths());
    let robots = records
        .iter()
        .find(|r| r.kind == RecordKind::Robots)
        .expect("a robots record");
    assert_eq!(error_kind(robots), Some(FetchErrorKind::RedirectOutOfScope));
    let message = &robots.error.as_ref().expect("an error").message;
    assert!(
        message.contains("leaves the site's hosts") && message.contains("allow all"),
        "{message}"
    );
    assert_eq!(
        shop.count("/"),
        1,
        "the site is crawled: {:?}",
        shop.paths()
    );
    assert_eq!(stats.per_site["shop"].robots_disallowed, 0);

    // On the same host, the redirect is followed and its rules apply.
    let moved = Server::start(|hit| match hit.path.as_str() {
        "/robots.txt" => Reply::redirect("/files/robots.txt"),
        "/files/robots.txt" => Reply::text("User-agent: *\nDisallow: /\n"),
        _ => Reply::html("<html><body>home</body></html>"),
    })
    .await;
    let (stats, _) = crawl(settings(), vec![site("moved", &moved)]).await;
    assert_eq!(moved.count("/files/robots.txt"), 1, "{:?}", moved.paths());
    assert_eq!(moved.count("/"), 0, "{:?}", moved.paths());
    assert!(stats.per_site["moved"].robots_disallowed >= 1);
}

/// A sitemap index of a thousand sitemaps under `max_pages = 5`: sitemap fetches count
/// against the page budget, so the site gets five requests besides robots.txt, not a
/// thousand (a site downloaded 600 MB of sitemaps under `max_pages = 300`, issue 23).
#[tokio::test]
async fn sitemap_fetches_count_against_max_pages() {
    let shop = Server::start(move |hit| {
        let host = hit.header("host").unwrap_or("").to_string();
        match hit.path.as_str() {
            "/robots.txt" => Reply::text(&format!(
                "User-agent: *\nSitemap: http://{host}/index.xml\n"
            )),
            "/index.xml" => {
                let children: String = (0..1_000)
                    .map(|i| format!("<sitemap><loc>http://{host}/sm{i}.xml</loc></sitemap>"))
                    .collect();
                Reply::bytes(
                    200,
                    "application/xml",
                    format!("<sitemapindex>{children}</sitemapindex>").into_bytes(),
                )
            }
            p if p.starts_with("/sm") => Reply::bytes(
                200,
                "application/xml",
                format!("<urlset><url><loc>http://{host}/p{p}.html</loc></url></urlset>")
                    .into_bytes(),
            ),
            _ => Reply::html("<html>page</html>"),
        }
    })
    .await;
    let mut cfg = site("mapped", &shop);
    cfg.max_pages = Some(5);
    let (_, records) = crawl(settings(), vec![cfg]).await;
    let requests: Vec<String> = shop
        .paths()
        .into_iter()
        .filter(|p| p != "/robots.txt")
        .collect();
    assert_eq!(requests.len(), 5, "{requests:?}");
    let fetched = records
        .iter()
        .filter(|r| matches!(r.kind, RecordKind::Page | RecordKind::Sitemap))
        .count();
    assert_eq!(fetched, 5);
}
