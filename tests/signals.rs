//! Signals through the real binary against the sample marketplace: the networks found equal
//! the planted ones, risk classes agree with what the shops are, a rise planted between runs
//! is signalled (in `signals trends` and the run report) while stable repeats are not, and
//! the web page shows a shop's network with scraped text escaped.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::{Server, crawl, json_lines, pharmwatch, pharmwatch_raw, write_config};
use pharmwatch_marketplace::{
    Flags, GroundTruth, Marketplace, MarketplaceOptions, NewListing, RunningMarketplace,
    ShopEndpoint,
};
use pharmwatch_model::{Contact, ContactKind, SiteKind};
use pharmwatch_store::{RunId, SqliteStore, StateStore};
use serde_json::Value;

fn serve(runtime: &tokio::runtime::Runtime, options: MarketplaceOptions) -> RunningMarketplace {
    runtime
        .block_on(pharmwatch_marketplace::serve(Marketplace::generate(
            &options,
        )))
        .unwrap()
}

/// `127.0.0.1:PORT` → shop name.
fn shop_names(shops: &[ShopEndpoint]) -> BTreeMap<String, String> {
    shops
        .iter()
        .map(|s| {
            let site = s.base_url.trim_start_matches("http://").to_string();
            (site, s.name.clone())
        })
        .collect()
}

/// The shop name of a serialised `Shop` (a seller on a platform keeps its seller name).
fn shop_name(shop: &Value, names: &BTreeMap<String, String>) -> String {
    let domain = shop["domain"].as_str().unwrap();
    let name = names
        .get(domain)
        .cloned()
        .unwrap_or_else(|| domain.to_string());
    match shop["kind"].as_str().unwrap() {
        "domain" => name,
        "seller" => format!("{} on {name}", shop["seller"].as_str().unwrap()),
        _ => format!("ad {} on {name}", shop["listing"].as_str().unwrap()),
    }
}

fn signals(data: &str, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["--data-dir", data, "signals"];
    all.extend_from_slice(args);
    json_lines(&pharmwatch(&all))
}

fn stdout(args: &[&str]) -> String {
    String::from_utf8(pharmwatch(args).stdout).unwrap()
}

// ---------------------------------------------------------------------------------------
// Networks, risk classes and the web page.

#[test]
fn networks_and_risk_classes_match_the_planted_truth_and_the_web_page_shows_them() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = serve(
        &runtime,
        MarketplaceOptions {
            listings_per_shop: 24,
            ..MarketplaceOptions::default()
        },
    );
    let truth = running.ground_truth();
    assert_eq!(truth.networks.len(), 2, "planted networks");
    let names = shop_names(&running.shops());
    let tmp = tempfile::tempdir().unwrap();
    let config = write_config(tmp.path(), &running.shops());
    let data = tmp.path().join("data");
    let data_s = data.to_str().unwrap();
    crawl(&data, &config);
    runtime.block_on(running.shutdown());

    check_networks(data_s, &truth, &names);
    check_risk(data_s, &truth, &names);

    // Human output: readable tables with the evidence.
    let text = stdout(&["--data-dir", data_s, "signals", "networks"]);
    assert!(text.contains(" · 3 shops · "), "{text}");
    assert!(text.contains("phone +16465550199"), "{text}");
    assert!(text.contains("bitcoin_wallet 1F5LqhXCj9n6Pw3SmiRn82bru22rKRKf4s"));
    let text = stdout(&["--data-dir", data_s, "signals", "risk"]);
    assert!(text.contains("rx_without_prescription"), "{text}");

    check_web(&data, &names);
}

fn check_networks(data: &str, truth: &GroundTruth, names: &BTreeMap<String, String>) {
    let lines = signals(data, &["networks", "--json"]);
    let (clusters, summary): (Vec<&Value>, Vec<&Value>) =
        lines.iter().partition(|l| l.get("rank").is_some());
    assert_eq!(summary.len(), 1, "one summary line: {summary:?}");
    assert_eq!(summary[0]["clusters"], clusters.len());
    // The truth names shops, not sellers: a cluster is compared by the truth shops of its
    // members. Posters on the classifieds site are unrelated people with their own numbers,
    // so no cluster may stay inside one truth shop.
    let truth_shops = |c: &Value| -> BTreeSet<String> {
        c["shops"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| names[n["shop"]["domain"].as_str().unwrap()].clone())
            .collect()
    };
    let (across, within): (Vec<&Value>, Vec<&Value>) =
        clusters.iter().partition(|c| truth_shops(c).len() > 1);
    let within: Vec<Vec<String>> = within
        .iter()
        .map(|c| {
            c["shops"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| shop_name(&n["shop"], names))
                .collect()
        })
        .collect();
    assert!(
        within.is_empty(),
        "unrelated sellers of one platform linked: {within:?}"
    );
    let found: BTreeSet<BTreeSet<String>> = across.iter().map(|c| truth_shops(c)).collect();
    let planted: BTreeSet<BTreeSet<String>> = truth
        .networks
        .iter()
        .map(|n| n.shops.iter().cloned().collect())
        .collect();
    if found != planted {
        let links: Vec<&Value> = across.iter().map(|c| &c["links"]).collect();
        panic!("clusters found {found:?}\nplanted {planted:?}\nlinks: {links:#?}");
    }
    // Each planted network is one cluster of exactly its shops' sites.
    for c in &across {
        assert!(
            c["shops"]
                .as_array()
                .unwrap()
                .iter()
                .all(|n| n["shop"]["kind"] == "domain")
        );
    }
    for decoy in &truth.decoys {
        assert!(
            !found
                .iter()
                .any(|c| decoy.shops.iter().all(|s| c.contains(s))),
            "decoy {} linked",
            decoy.name
        );
    }
    // Each planted network's strong marks are among its cluster's links, with example URLs
    // on every shop's side.
    for network in &truth.networks {
        let cluster = clusters
            .iter()
            .find(|c| {
                c["shops"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|n| shop_name(&n["shop"], names) == network.shops[0])
            })
            .unwrap();
        let links = cluster["links"].as_array().unwrap();
        for mark in network.shared.iter().filter(|m| m.kind != "template") {
            let link = links
                .iter()
                .find(|l| l["identifier"]["kind"] == mark.kind.as_str())
                .unwrap_or_else(|| panic!("{}: no {} link: {links:#?}", network.name, mark.kind));
            assert!(
                link["identifier"]["value"]
                    .as_str()
                    .unwrap()
                    .eq_ignore_ascii_case(&mark.value),
                "{}: {link}",
                network.name
            );
            let holders = link["holders"].as_array().unwrap();
            assert_eq!(holders.len(), network.shops.len(), "{link}");
            for holder in holders {
                let url = holder["examples"][0]["url"].as_str().unwrap();
                let site = url.trim_start_matches("http://").split('/').next().unwrap();
                assert_eq!(names[site], shop_name(&holder["shop"], names));
            }
        }
    }
}

fn check_risk(data: &str, truth: &GroundTruth, names: &BTreeMap<String, String>) {
    let lines = signals(data, &["risk", "--json"]);
    let class: BTreeMap<String, String> = lines
        .iter()
        .map(|r| {
            (
                shop_name(&r["shop"], names),
                r["class"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(class["carewell"], "no_concern", "the legitimate pharmacy");
    let carewell = lines
        .iter()
        .find(|r| shop_name(&r["shop"], names) == "carewell")
        .unwrap();
    assert_eq!(carewell["reasons"][0]["code"], "address_and_licence");
    // A shop with a listing that sells prescription or controlled drugs without a
    // prescription is rogue.
    let rogue: BTreeSet<&str> = truth
        .listings
        .iter()
        .filter(|t| t.site_kind == SiteKind::Pharmacy)
        .filter(|t| {
            t.expected_rules
                .iter()
                .any(|r| r == "rx-without-prescription" || r == "controlled-substance-online")
        })
        .map(|t| t.shop.as_str())
        .collect();
    assert!(rogue.len() >= 8, "{rogue:?}");
    for shop in &rogue {
        assert_eq!(class[*shop], "rogue", "{shop}");
    }
    let only_rogue = signals(data, &["risk", "--json", "--class", "rogue"]);
    assert!(only_rogue.len() >= rogue.len());
    assert!(only_rogue.iter().all(|r| r["class"] == "rogue"));
}

/// Two shops sharing a hostile "Telegram handle".
fn plant_hostile_pair(data: &Path) {
    common::plant_listings(data, &["evil-a.example", "evil-b.example"], |listing| {
        listing.contacts.push(Contact {
            kind: ContactKind::Telegram,
            value: "<script>alert(1)</script>".into(),
        });
    });
}

fn check_web(data: &Path, names: &BTreeMap<String, String>) {
    let server = Server::start(data, None);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // The server computes the analyses once and keeps them while the store is unchanged; a
    // commit by another process (here: the planted pair) must show on the next page.
    let before = runtime.block_on(ok(&server, "/networks"));
    assert!(before.contains("Network 1"));
    assert!(!before.contains("evil-a.example"));
    plant_hostile_pair(data);
    let site_of = |name: &str| {
        names
            .iter()
            .find(|(_, n)| n.as_str() == name)
            .map(|(site, _)| site.clone())
            .unwrap()
    };

    // pillharbor's page: its class and reasons, and the other two harbor shops linked.
    let page = runtime.block_on(ok(&server, &format!("/domain/{}", site_of("pillharbor"))));
    assert!(page.contains("Risk class"), "{page}");
    assert!(page.contains("rx_without_prescription"));
    for other in ["rxbayside", "medcove"] {
        let href = format!("href=\"/domain/{}\"", site_of(other).replace(':', "%3A"));
        assert!(page.contains(&href), "no link to {other} ({href})");
    }
    assert!(page.contains("+16465550199"));
    assert!(page.contains("UA-48213377-1"));
    assert!(
        page.contains("(rxbayside)"),
        "shops are named by their site too"
    );
    assert!(!page.contains(&site_of("genericspot").replace(':', "%3A")));
    assert!(!page.contains("genericspot"));

    // The legitimate pharmacy: no concern, in no network.
    let page = runtime.block_on(ok(&server, &format!("/domain/{}", site_of("carewell"))));
    assert!(page.contains("no_concern"));
    assert!(page.contains("Not linked to any other shop"));

    // Scraped identifiers are escaped.
    let page = runtime.block_on(ok(&server, "/domain/evil-a.example"));
    assert!(page.contains("href=\"/domain/evil-b.example\""), "{page}");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert!(!page.contains("<script"), "{page}");

    let page = runtime.block_on(ok(&server, "/networks"));
    assert!(page.contains("Network 1"));
    assert!(page.contains("evil-b.example"), "{page}");
    assert!(page.contains("1F5LqhXCj9n6Pw3SmiRn82bru22rKRKf4s"));
    assert!(!page.contains("<script"));
}

/// GET that must answer 200; the body.
async fn ok(server: &Server, path: &str) -> String {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let url = server.url(path);
    let res = reqwest::get(&url).await.unwrap();
    let status = res.status();
    let body = res.text().await.unwrap();
    assert_eq!(status, 200, "GET {url}: {body}");
    body
}

// ---------------------------------------------------------------------------------------
// Trends across real runs.

#[test]
fn a_rise_planted_between_runs_is_signalled_and_stable_runs_are_not() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = serve(
        &runtime,
        MarketplaceOptions {
            listings_per_shop: 12,
            networks: false,
            ..MarketplaceOptions::default()
        },
    );
    let truth = running.ground_truth();
    let tmp = tempfile::tempdir().unwrap();
    let config = write_config(tmp.path(), &running.shops());
    let data = tmp.path().join("data");
    let data_s = data.to_str().unwrap();

    // Four runs of an unchanged marketplace: nothing to signal.
    for _ in 0..4 {
        crawl(&data, &config);
    }
    let stable = signals(data_s, &["trends", "--json"]);
    let (lines, summary) = split_trends(&stable);
    assert!(lines.is_empty(), "stable runs signalled: {lines:#?}");
    assert_eq!(summary["run"], 4);
    assert_eq!(summary["compared_with"], serde_json::json!([1, 2, 3]));
    let second = signals(data_s, &["trends", "--json", "--run", "2"]);
    assert!(split_trends(&second).0.is_empty(), "{second:#?}");
    let counts = run_counts(&data, RunId(4));
    for run in 1..4 {
        assert_eq!(run_counts(&data, RunId(run)), counts, "run {run} vs run 4");
    }

    // Between runs 4 and 5: fifteen new no-prescription offers of the rx drug that was the
    // rarest among flagged listings.
    let drug = rarest_rx_drug(&truth, &counts);
    for _ in 0..15 {
        let added = running
            .add_listing(
                "medsdirect",
                &NewListing {
                    drug: Some(drug.clone()),
                    flags: Flags {
                        no_prescription: true,
                        ..Flags::default()
                    },
                    ..NewListing::default()
                },
            )
            .unwrap();
        assert!(added.flagged, "{added:?}");
    }
    crawl(&data, &config);
    let risen = signals(data_s, &["trends", "--json"]);
    let (lines, summary) = split_trends(&risen);
    assert_eq!(summary["run"], 5);
    assert!(
        lines
            .iter()
            .any(|s| s["kind"] == "rise" && s["dimension"] == "drug" && s["key"] == drug.as_str()),
        "no rise of {drug}: {lines:#?}"
    );
    let text = stdout(&["--data-dir", data_s, "signals", "trends"]);
    assert!(text.contains("compared with runs 1, 2, 3, 4"), "{text}");
    assert!(text.contains(&drug), "{text}");

    // The run report says it too.
    let report: Value =
        serde_json::from_slice(&std::fs::read(data.join("reports/5.json")).unwrap()).unwrap();
    let in_report = report["signals"]["signals"].as_array().unwrap();
    assert!(
        in_report
            .iter()
            .any(|s| s["kind"] == "rise" && s["key"] == drug.as_str()),
        "{in_report:#?}"
    );
    let md = stdout(&["--data-dir", data_s, "report", "5", "--md"]);
    let section = md
        .split("## Trend signals")
        .nth(1)
        .expect("a trend section");
    assert!(
        section.contains(&format!("| rise | drug | {drug} |")),
        "{md}"
    );
    let md4 = stdout(&["--data-dir", data_s, "report", "4", "--md"]);
    assert!(md4.contains("## Trend signals (0)"), "{md4}");
    let server = Server::start(&data, None);
    let page = runtime.block_on(ok(&server, "/reports/5"));
    let section = page.split("Trend signals").nth(1).expect("a trend section");
    assert!(section.contains(&format!("<code>{drug}</code>")), "{page}");
    drop(server);

    // A crawl of another set of sites is compared with nothing of the full crawls.
    let one_site: Vec<ShopEndpoint> = running
        .shops()
        .into_iter()
        .filter(|s| s.name == "carewell")
        .collect();
    let dir = tmp.path().join("one");
    std::fs::create_dir_all(&dir).unwrap();
    crawl(&data, &write_config(&dir, &one_site));
    let other = signals(data_s, &["trends", "--json"]);
    let (lines, summary) = split_trends(&other);
    assert_eq!(summary["run"], 6);
    assert!(lines.is_empty(), "{lines:#?}");
    assert_eq!(summary["compared_with"], serde_json::json!([]));
    assert_eq!(summary["other_scope"], serde_json::json!([1, 2, 3, 4, 5]));
    runtime.block_on(running.shutdown());

    let out = pharmwatch_raw(&["--data-dir", data_s, "signals", "trends", "--run", "99"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an uncounted run is a usage error"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("there is no run 99") && stderr.contains("--run"),
        "the message names the missing run and the fix: {stderr}"
    );
}

/// Signal lines and the summary's `trends` object.
fn split_trends(lines: &[Value]) -> (Vec<&Value>, &Value) {
    let (summary, signals): (Vec<&Value>, Vec<&Value>) =
        lines.iter().partition(|l| l.get("trends").is_some());
    assert_eq!(summary.len(), 1, "{lines:#?}");
    (signals, &summary[0]["trends"])
}

fn run_counts(data: &Path, run: RunId) -> Vec<(String, String, u64)> {
    let store = SqliteStore::open(&data.join("state.sqlite")).unwrap();
    store
        .run_counts()
        .unwrap()
        .into_iter()
        .find(|(id, _)| *id == run)
        .map(|(_, rows)| {
            rows.into_iter()
                .map(|r| (r.dimension, r.key, r.count))
                .collect()
        })
        .unwrap_or_else(|| panic!("no counts for run {run}"))
}

/// The prescription drug with the fewest flagged listings in `counts` (at least one).
fn rarest_rx_drug(truth: &GroundTruth, counts: &[(String, String, u64)]) -> String {
    let rx: BTreeSet<&str> = truth
        .listings
        .iter()
        .filter(|t| t.drug_class.as_deref() == Some("rx"))
        .filter_map(|t| t.drug.as_deref())
        .collect();
    counts
        .iter()
        .filter(|(d, k, c)| d == "drug" && rx.contains(k.as_str()) && *c > 0)
        .min_by_key(|(_, k, c)| (*c, k.clone()))
        .map(|(_, k, _)| k.clone())
        .expect("a flagged rx drug")
}
