//! The served marketplace: robots.txt, reachability, request log, conditional GET, changes.

mod common;

use std::collections::{HashSet, VecDeque};

use common::{get, hrefs};
use pharmwatch_marketplace::{
    Flags, Marketplace, MarketplaceOptions, NewListing, Obfuscation, ROBOTS_TXT,
    RunningMarketplace, rule_ids, serve,
};
use pharmwatch_model::SiteKind;
use rust_decimal::Decimal;

async fn start(listings_per_shop: usize) -> RunningMarketplace {
    let market = Marketplace::generate(&MarketplaceOptions {
        seed: 99,
        shops: 4,
        listings_per_shop,
        networks: false,
    });
    serve(market).await.unwrap()
}

fn base(running: &RunningMarketplace, shop: &str) -> String {
    running.shop(shop).unwrap().base_url.clone()
}

#[tokio::test]
async fn each_shop_has_its_own_port_and_robots_txt() {
    let running = start(10).await;
    let shops = running.shops();
    assert_eq!(shops.len(), 4);
    let urls: HashSet<&str> = shops.iter().map(|s| s.base_url.as_str()).collect();
    assert_eq!(urls.len(), 4);
    assert_eq!(shops[2].kind, SiteKind::Classifieds);
    assert_eq!(shops[1].currency.as_str(), "CNY");
    assert_eq!(shops[3].currency.as_str(), "GBP");
    for shop in &shops {
        assert!(shop.base_url.starts_with("http://127.0.0.1:"));
        let r = get(&format!("{}/robots.txt", shop.base_url), &[]).await;
        assert_eq!(r.status, 200);
        assert_eq!(
            r.text(),
            "User-agent: *\nDisallow: /cart/\nDisallow: /account/\n"
        );
        assert_eq!(r.text(), ROBOTS_TXT);
        assert!(r.header("content-type").unwrap().starts_with("text/plain"));
    }
    let kj = get(&format!("{}/", base(&running, "kangjian")), &[]).await;
    assert_eq!(kj.header("content-type"), Some("text/html; charset=GBK"));
    let md = get(&format!("{}/", base(&running, "medsdirect")), &[]).await;
    assert_eq!(md.header("content-type"), Some("text/html; charset=utf-8"));
    let missing = get(
        &format!("{}/nothing-here.html", base(&running, "medsdirect")),
        &[],
    )
    .await;
    assert_eq!(missing.status, 404);
    let missing = get(
        &format!("{}/product/1-nope.html", base(&running, "medsdirect")),
        &[],
    )
    .await;
    assert_eq!(missing.status, 404);
    let beyond = get(
        &format!(
            "{}/category/mens-health?page=999",
            base(&running, "medsdirect")
        ),
        &[],
    )
    .await;
    assert_eq!(beyond.status, 404);
    running.shutdown().await;
}

/// Breadth-first over links from `/`, never entering robots-disallowed paths.
async fn crawl(base: &str) -> (HashSet<String>, usize) {
    let mut seen = HashSet::from(["/".to_string()]);
    let mut queue = VecDeque::from(["/".to_string()]);
    let mut next_links = 0;
    while let Some(path) = queue.pop_front() {
        let r = get(&format!("{base}{path}"), &[]).await;
        assert_eq!(r.status, 200, "{path}");
        let html = r.text();
        next_links += html.matches("rel=\"next\" class=\"next\"").count();
        for href in hrefs(&html) {
            if !href.starts_with('/') || href.starts_with("/cart/") || href.starts_with("/account/")
            {
                continue;
            }
            if href.starts_with("/static/") {
                continue;
            }
            if seen.insert(href.clone()) {
                queue.push_back(href);
            }
        }
    }
    (seen, next_links)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_product_page_is_reachable_from_home() {
    let running = start(110).await;
    let truth = running.ground_truth();
    for shop in running.shops() {
        let (seen, next_links) = crawl(&shop.base_url).await;
        assert!(next_links > 0, "{} paginates", shop.name);
        let mut missing = 0;
        for l in truth.listings.iter().filter(|l| l.shop == shop.name) {
            assert_eq!(l.url, format!("{}{}", shop.base_url, l.path));
            if !seen.contains(&l.path) {
                missing += 1;
            }
        }
        assert_eq!(missing, 0, "{}: product pages not reachable", shop.name);
        assert!(seen.iter().any(|p| p.contains("?page=2")), "{}", shop.name);
    }
    let log = running.request_log();
    assert!(
        log.iter()
            .all(|r| !r.path.starts_with("/cart/") && !r.path.starts_with("/account/"))
    );
    assert!(log.iter().all(|r| r.status == 200));
    running.shutdown().await;
}

#[tokio::test]
async fn request_log_records_requests() {
    let running = start(5).await;
    let b = base(&running, "quickads");
    get(&format!("{b}/about.html"), &[]).await;
    get(
        &format!("{b}/category/bikes?page=1"),
        &[("If-Modified-Since", "Sun, 01 Nov 2026 00:00:00 GMT")],
    )
    .await;
    get(&format!("{b}/missing"), &[("If-None-Match", "\"abc\"")]).await;
    let log = running.request_log();
    assert_eq!(log.len(), 3);
    assert!(
        log.iter()
            .all(|r| r.shop == "quickads" && r.method == "GET")
    );
    assert_eq!(log[0].path, "/about.html");
    assert_eq!(log[0].status, 200);
    assert_eq!(log[0].user_agent.as_deref(), Some("marketplace-test/1.0"));
    assert_eq!(log[1].path, "/category/bikes?page=1");
    assert_eq!(
        log[1].if_modified_since.as_deref(),
        Some("Sun, 01 Nov 2026 00:00:00 GMT")
    );
    assert_eq!(log[2].status, 404);
    assert_eq!(log[2].if_none_match.as_deref(), Some("\"abc\""));
    assert!(log[0].at <= log[2].at);
    assert!(log[0].ms_since_start <= log[2].ms_since_start);
    running.clear_request_log();
    assert!(running.request_log().is_empty());
    running.shutdown().await;
}

#[tokio::test]
async fn conditional_get_answers_304() {
    let running = start(10).await;
    let truth = running.ground_truth();
    let l = truth
        .listings
        .iter()
        .find(|l| l.shop == "carewell")
        .unwrap();
    let first = get(&l.url, &[]).await;
    assert_eq!(first.status, 200);
    let etag = first.header("etag").unwrap().to_string();
    let modified = first.header("last-modified").unwrap().to_string();
    assert!(etag.starts_with('"') && etag.ends_with('"'));
    assert!(modified.ends_with(" GMT"));

    let again = get(&l.url, &[("If-None-Match", &etag)]).await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    let weak = format!("W/{etag}");
    assert_eq!(get(&l.url, &[("If-None-Match", &weak)]).await.status, 304);
    assert_eq!(
        get(&l.url, &[("If-None-Match", "\"other\"")]).await.status,
        200
    );
    assert_eq!(
        get(&l.url, &[("If-Modified-Since", &modified)])
            .await
            .status,
        304
    );
    assert_eq!(
        get(
            &l.url,
            &[("If-Modified-Since", "Mon, 01 Jan 2024 00:00:00 GMT")]
        )
        .await
        .status,
        200
    );
    // If-None-Match wins over If-Modified-Since (RFC 9110).
    assert_eq!(
        get(
            &l.url,
            &[
                ("If-None-Match", "\"other\""),
                ("If-Modified-Since", &modified)
            ]
        )
        .await
        .status,
        200
    );

    running.set_price(&l.url, Decimal::new(99_999, 2)).unwrap();
    let changed = get(&l.url, &[("If-None-Match", &etag)]).await;
    assert_eq!(changed.status, 200);
    assert_ne!(changed.header("etag"), Some(etag.as_str()));
    assert!(changed.text().contains("£999.99"));
    assert_eq!(
        get(&l.url, &[("If-Modified-Since", &modified)])
            .await
            .status,
        200
    );
    let statuses: Vec<u16> = running.request_log().iter().map(|r| r.status).collect();
    assert!(statuses.contains(&304));
    running.shutdown().await;
}

#[tokio::test]
async fn changes_take_effect() {
    let running = start(25).await;
    let truth = running.ground_truth();
    let meds = base(&running, "medsdirect");

    // Re-price: page and ground truth agree.
    let l = truth
        .listings
        .iter()
        .find(|l| l.shop == "medsdirect" && l.drug.is_some())
        .unwrap();
    let updated = running
        .set_price(&l.path, Decimal::new(123_456, 2))
        .unwrap();
    assert_eq!(updated.price.amount, Decimal::new(123_456, 2));
    let page = get(&l.url, &[]).await.text();
    assert!(
        page.contains("1,234.56") || page.contains("1234.56"),
        "new price shown"
    );
    assert_eq!(
        running.ground_truth().find(&l.url).unwrap().price.amount,
        Decimal::new(123_456, 2)
    );

    // Remove: 404 and gone from its category and the ground truth.
    let gone = truth
        .listings
        .iter()
        .filter(|l| l.shop == "quickads")
        .nth(3)
        .unwrap();
    running.remove_listing(&gone.url).unwrap();
    assert_eq!(get(&gone.url, &[]).await.status, 404);
    assert!(running.ground_truth().find(&gone.url).is_none());
    let (seen, _) = crawl(&base(&running, "quickads")).await;
    assert!(!seen.contains(&gone.path));
    assert!(running.remove_listing(&gone.url).is_err());

    // Add: a new obfuscated oxycodone offer with crypto payment, listed in its category.
    let added = running
        .add_listing(
            "medsdirect",
            &NewListing {
                drug: Some("oxycodone".into()),
                obfuscation: Some(Obfuscation::Leet),
                units: Some(60),
                flags: Flags {
                    crypto_only: true,
                    ..Flags::default()
                },
                ..NewListing::default()
            },
        )
        .unwrap();
    assert!(added.url.starts_with(&meds));
    assert_eq!(added.quantity_units, Some(60));
    for rule in [
        rule_ids::CONTROLLED_SUBSTANCE_ONLINE,
        rule_ids::OBFUSCATED_DRUG_NAME,
        rule_ids::CRYPTO_ONLY_PAYMENT,
    ] {
        assert!(added.expected_rules.iter().any(|r| r == rule), "{rule}");
    }
    let page = get(&added.url, &[]).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains(&common_escape(&added.title)));
    let (seen, _) = crawl(&meds).await;
    assert!(seen.contains(&added.path));
    assert_eq!(running.ground_truth().find(&added.url), Some(&added));

    assert!(
        running
            .add_listing(
                "carewell",
                &NewListing {
                    drug: Some("oxycodone".into()),
                    ..NewListing::default()
                }
            )
            .is_err()
    );
    assert!(
        running
            .add_listing("nowhere", &NewListing::default())
            .is_err()
    );
    running.shutdown().await;
}

fn common_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[tokio::test]
async fn shutdown_closes_the_ports() {
    let running = start(3).await;
    let url = base(&running, "carewell");
    assert_eq!(get(&format!("{url}/"), &[]).await.status, 200);
    running.shutdown().await;
    let addr = url.trim_start_matches("http://").to_string();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn head_has_no_body_and_other_methods_are_refused() {
    let running = start(3).await;
    let truth = running.ground_truth();
    let l = &truth.listings[0];
    let head = common::request("HEAD", &l.url, &[]).await;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert!(head.header("etag").is_some());
    let post = common::request("POST", &l.url, &[("Content-Length", "0")]).await;
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
    let log = running.request_log();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].method, "HEAD");
    assert_eq!(log[1].method, "POST");
    assert_eq!(log[1].status, 405);
    running.shutdown().await;
}

#[test]
fn handles_can_be_shared_across_tasks() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<RunningMarketplace>();
    send_sync::<Marketplace>();
}

#[tokio::test]
async fn injected_failures_and_delay() {
    let running = start(3).await;
    let truth = running.ground_truth();
    let l = &truth.listings[0];
    running.fail_next(&l.url, 503, 2);
    running.fail_next("/robots.txt", 429, 1);
    let first = get(&l.url, &[]).await;
    assert_eq!(first.status, 503);
    assert_eq!(first.header("retry-after"), Some("1"));
    assert_eq!(get(&l.url, &[]).await.status, 503);
    assert_eq!(get(&l.url, &[]).await.status, 200);
    let robots = format!("{}/robots.txt", base(&running, "kangjian"));
    assert_eq!(get(&robots, &[]).await.status, 429);
    assert_eq!(get(&robots, &[]).await.status, 200);
    running.set_delay(std::time::Duration::from_millis(150));
    let t = std::time::Instant::now();
    assert_eq!(get(&robots, &[]).await.status, 200);
    assert!(t.elapsed() >= std::time::Duration::from_millis(150));
    running.set_delay(std::time::Duration::ZERO);
    let statuses: Vec<u16> = running.request_log().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 503, 200, 429, 200, 200]);
    running.shutdown().await;
}
