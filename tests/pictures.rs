//! The pictures (issue 22) through the real binary against the sample marketplace, whose
//! planted shop networks are known: `signals networks --format svg|graphml|dot`, the web
//! pages that draw them, and the case package's picture. Each picture is parsed back as XML
//! and its structure compared with the planted truth; hostile shop names and identifiers
//! planted in the store must come out escaped, and the GraphML must load in networkx (CI
//! provides it; see `PHARMWATCH_PYTHON`).

mod common;
#[path = "../crawler/tests/server/mod.rs"]
mod server;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use common::{Server, crawl, pharmwatch, pharmwatch_raw, write_config};
use pharmwatch_marketplace::{GroundTruth, Marketplace, MarketplaceOptions};
use pharmwatch_model::{Contact, ContactKind, IdentifierKind, SiteIdentifier};
use pharmwatch_store::{SqliteStore, StateStore};
use roxmltree::{Document, Node};

/// A site name no page should ever show as markup: tags, quotes, an ampersand, a bidi
/// override (U+202E) and a control character XML cannot hold.
const HOSTILE_SITE: &str = "<script>alert('site')</script> & \"co\" \u{202E}gnp.exe\u{7}";
/// The same as a reader sees it once escaped and parsed back (bidi and control dropped).
const HOSTILE_SITE_SHOWN: &str = "<script>alert('site')</script> & \"co\" gnp.exe";
const HOSTILE_TELEGRAM: &str = "<script>alert(1)</script>\"'&";

struct Data {
    dir: PathBuf,
    truth: GroundTruth,
    /// `127.0.0.1:PORT` → shop name.
    names: BTreeMap<String, String>,
}

/// The sample marketplace crawled once, then two hostile shops planted in the store,
/// linked by a telegram handle and sharing a template.
fn data() -> &'static Data {
    static DATA: OnceLock<Data> = OnceLock::new();
    DATA.get_or_init(|| std::thread::spawn(build).join().unwrap())
}

fn build() -> Data {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = runtime
        .block_on(pharmwatch_marketplace::serve(Marketplace::generate(
            &MarketplaceOptions {
                listings_per_shop: 12,
                ..MarketplaceOptions::default()
            },
        )))
        .unwrap();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pictures");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let config = write_config(&dir, &running.shops());
    let data = dir.join("data");
    crawl(&data, &config);
    plant_hostile_pair(&data);
    let names = running
        .shops()
        .iter()
        .map(|s| {
            (
                s.base_url.trim_start_matches("http://").to_string(),
                s.name.clone(),
            )
        })
        .collect();
    Data {
        dir: data,
        truth: running.ground_truth(),
        names,
    }
}

/// Two shops of one hostile site sharing a hostile "Telegram handle" and template id.
fn plant_hostile_pair(data: &Path) {
    common::plant_listings(data, &["evil-a.example", "evil-b.example"], |listing| {
        listing.site = HOSTILE_SITE.into();
        listing.contacts.push(Contact {
            kind: ContactKind::Telegram,
            value: HOSTILE_TELEGRAM.into(),
        });
        listing.page.identifiers.push(SiteIdentifier {
            kind: IdentifierKind::Template,
            value: "tpl\"<&>".into(),
        });
    });
}

fn networks(format: &[&str]) -> String {
    let mut args = vec![
        "--data-dir",
        data().dir.to_str().unwrap(),
        "signals",
        "networks",
    ];
    args.extend_from_slice(format);
    String::from_utf8(pharmwatch(&args).stdout).unwrap()
}

fn class(node: &Node) -> String {
    node.attribute("class").unwrap_or_default().to_string()
}

/// The text of a drawn node's or edge's `<title>`: a shop's name, or `kind value`.
fn title(node: &Node) -> String {
    node.children()
        .find(|c| c.has_tag_name("title"))
        .and_then(|t| t.text())
        .unwrap_or_default()
        .to_string()
}

/// The identifier value a drawn edge stands for.
fn edge_value(edge: &Node) -> String {
    let kind = edge.attribute("data-kind").unwrap_or_default();
    title(edge)
        .strip_prefix(&format!("{kind} "))
        .unwrap_or_default()
        .to_string()
}

/// The shop name (`pillharbor`) in a label `127.0.0.1:PORT (pillharbor)`.
fn shop_name(label: &str) -> String {
    let site = label.split(' ').next().unwrap_or(label);
    data()
        .names
        .get(site)
        .cloned()
        .unwrap_or_else(|| label.to_string())
}

/// A drawn network: the shop names of its nodes, and each edge's class and kind.
type Drawn = (BTreeSet<String>, Vec<(String, String)>);

/// For each drawn network: the shop names of its nodes and the kinds of its edges.
fn drawn_networks(doc: &Document) -> Vec<Drawn> {
    doc.descendants()
        .filter(|n| class(n) == "network")
        .map(|g| {
            let shops = g
                .descendants()
                .filter(|n| class(n) == "node")
                .map(|n| shop_name(&title(&n)))
                .collect();
            let edges = g
                .descendants()
                .filter(|n| class(n).starts_with("edge "))
                .map(|n| (class(&n), n.attribute("data-kind").unwrap().to_string()))
                .collect();
            (shops, edges)
        })
        .collect()
}

/// Each planted network is drawn with exactly its shops, its strong marks as solid edges
/// between every pair of them.
fn check_planted(drawn: &[Drawn], what: &str) {
    let truth = &data().truth;
    assert!(!truth.networks.is_empty());
    for network in &truth.networks {
        let planted: BTreeSet<String> = network.shops.iter().cloned().collect();
        let (_, edges) = drawn
            .iter()
            .find(|(shops, _)| *shops == planted)
            .unwrap_or_else(|| {
                panic!(
                    "{what}: {} not drawn as {planted:?}: {drawn:?}",
                    network.name
                )
            });
        let pairs = planted.len() * (planted.len() - 1) / 2;
        for mark in network.shared.iter().filter(|m| m.kind != "template") {
            let solid = edges
                .iter()
                .filter(|(c, k)| c == "edge strong" && *k == mark.kind)
                .count();
            assert_eq!(
                solid, pairs,
                "{what}: {} {} edges: {edges:?}",
                network.name, mark.kind
            );
        }
    }
}

#[test]
fn the_svg_draws_the_planted_networks_and_escapes_hostile_names() {
    let svg = networks(&["--format", "svg"]);
    assert_eq!(
        svg,
        networks(&["--format", "svg"]),
        "same store, same bytes"
    );
    assert!(!svg.contains("<script"), "{svg}");
    assert!(!svg.contains('\u{202E}'));
    assert!(
        !svg.contains("style="),
        "inline styles break the web page's CSP"
    );
    let doc = Document::parse(&svg).expect("the SVG is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let drawn = drawn_networks(&doc);
    check_planted(&drawn, "svg");

    // The hostile pair: one network of two nodes, linked by the telegram handle, with the
    // template as a weak (dashed) edge; names and values read back exactly.
    let evil = doc
        .descendants()
        .filter(|n| class(n) == "network")
        .find(|g| {
            g.descendants()
                .any(|n| class(&n).starts_with("edge ") && edge_value(&n) == HOSTILE_TELEGRAM)
        })
        .expect("the hostile network is drawn");
    let labels: Vec<String> = evil
        .descendants()
        .filter(|n| class(n) == "node")
        .map(|n| title(&n))
        .collect();
    assert_eq!(labels.len(), 2);
    assert!(
        labels.iter().all(|l| l.contains(HOSTILE_SITE_SHOWN)),
        "{labels:?}"
    );
    let weak = evil
        .descendants()
        .find(|n| class(n) == "edge weak")
        .expect("a weak edge");
    assert_eq!(edge_value(&weak), "tpl\"<&>");
    let dash = weak.children().find(|c| c.has_tag_name("path")).unwrap();
    assert_ne!(dash.attribute("stroke-dasharray"), Some("none"));
    for node in doc
        .descendants()
        .filter(|n| n.has_tag_name("title") || n.has_tag_name("desc"))
    {
        assert!(!node.text().unwrap_or_default().is_empty());
    }
}

#[test]
fn graphml_holds_every_shop_and_link_and_loads_in_networkx() {
    let file = networks(&["--format", "graphml"]);
    let doc = Document::parse(&file).expect("well-formed GraphML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "graphml");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://graphml.graphdrawing.org/xmlns")
    );
    let json: Vec<serde_json::Value> = common::json_lines(&pharmwatch(&[
        "--data-dir",
        data().dir.to_str().unwrap(),
        "signals",
        "networks",
        "--json",
    ]));
    let clusters: Vec<&serde_json::Value> =
        json.iter().filter(|c| c.get("rank").is_some()).collect();
    let shops: usize = clusters
        .iter()
        .map(|c| c["shops"].as_array().unwrap().len())
        .sum();
    let nodes: Vec<Node> = doc
        .descendants()
        .filter(|n| n.has_tag_name("node"))
        .collect();
    assert_eq!(nodes.len(), shops);
    let key = |n: &Node, k: &str| {
        n.children()
            .find(|d| d.attribute("key") == Some(k))
            .and_then(|d| d.text())
            .unwrap_or_default()
            .to_string()
    };
    // Every planted network's shops share one cluster number.
    for network in &data().truth.networks {
        let ranks: BTreeSet<String> = nodes
            .iter()
            .filter(|n| network.shops.contains(&shop_name(&key(n, "n_label"))))
            .map(|n| key(n, "n_cluster"))
            .collect();
        assert_eq!(ranks.len(), 1, "{}: {ranks:?}", network.name);
    }
    let edges: Vec<Node> = doc
        .descendants()
        .filter(|n| n.has_tag_name("edge"))
        .collect();
    assert!(edges.iter().any(|e| key(e, "e_value") == HOSTILE_TELEGRAM));

    let Some(python) = std::env::var_os("PHARMWATCH_PYTHON") else {
        assert!(
            std::env::var_os("PHARMWATCH_REQUIRE_NETWORKX").is_none(),
            "PHARMWATCH_REQUIRE_NETWORKX is set but PHARMWATCH_PYTHON (a Python with networkx) is not"
        );
        eprintln!("SKIPPED the networkx check: PHARMWATCH_PYTHON is not set (.ci/run sets it)");
        return;
    };
    let path = data().dir.parent().unwrap().join("networks.graphml");
    std::fs::write(&path, &file).unwrap();
    let script = "import sys, json, networkx as nx\n\
                  g = nx.read_graphml(sys.argv[1])\n\
                  print(json.dumps({'nodes': g.number_of_nodes(), 'edges': g.number_of_edges(), \
                  'components': nx.number_connected_components(g), \
                  'values': sorted({d['value'] for _, _, d in g.edges(data=True)}), \
                  'labels': sorted(d['label'] for _, d in g.nodes(data=True))}))\n";
    let out = std::process::Command::new(python)
        .args(["-c", script])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "networkx could not read the GraphML: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(read["nodes"], nodes.len());
    assert_eq!(read["edges"], edges.len());
    assert_eq!(read["components"], clusters.len());
    let values: Vec<&str> = read["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(values.contains(&HOSTILE_TELEGRAM), "{values:?}");
    let labels = read["labels"].as_array().unwrap();
    assert!(
        labels
            .iter()
            .any(|l| l.as_str().unwrap().contains(HOSTILE_SITE_SHOWN))
    );
}

#[test]
fn dot_keeps_hostile_names_inside_their_quotes_and_one_network_can_be_chosen() {
    let dot = networks(&["--format", "dot"]);
    assert!(dot.starts_with("graph networks {"));
    assert!(dot.contains("subgraph cluster_1 {"));
    assert!(
        dot.contains("<script>alert('site')</script> & \\\"co\\\" gnp.exe"),
        "{dot}"
    );
    assert!(!dot.contains('\u{202E}'));
    let one = networks(&["--format", "dot", "--network", "1"]);
    assert!(one.contains("subgraph cluster_1 {"));
    assert!(!one.contains("subgraph cluster_2 {"));

    let out = pharmwatch_raw(&[
        "--data-dir",
        data().dir.to_str().unwrap(),
        "signals",
        "networks",
        "--format",
        "svg",
        "--network",
        "99",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("there is no network 99"), "{err}");
}

/// The `<svg>…</svg>` elements of a page, parsed.
fn pictures(html: &str) -> Vec<String> {
    html.match_indices("<svg ")
        .map(|(start, _)| {
            let end = html[start..].find("</svg>").unwrap() + start + "</svg>".len();
            html[start..end].to_string()
        })
        .collect()
}

#[test]
fn the_web_pages_draw_each_network_with_its_data_linked() {
    let server = Server::start(&data().dir, None);
    let page = server.get("/networks");
    let svgs = pictures(&page);
    let clusters = page.matches("<h2 id=\"network-").count();
    assert_eq!(svgs.len(), clusters);
    assert!(page.contains("href=\"/networks.graphml\""));
    assert!(page.contains("href=\"/networks.graphml?network=1\""));
    let drawn: Vec<_> = svgs
        .iter()
        .map(|svg| {
            let doc = Document::parse(svg).expect("well-formed inline SVG");
            let shops: BTreeSet<String> = doc
                .descendants()
                .filter(|n| class(n) == "node")
                .map(|n| shop_name(&title(&n)))
                .collect();
            let edges = doc
                .descendants()
                .filter(|n| class(n).starts_with("edge "))
                .map(|n| (class(&n), n.attribute("data-kind").unwrap().to_string()))
                .collect();
            (shops, edges)
        })
        .collect();
    check_planted(&drawn, "/networks");
    assert!(!page.to_lowercase().contains("<script"));

    // A network's own page; its nodes link to the shops' domain pages, which draw it too.
    let one = server.get("/networks/1");
    let svg = &pictures(&one)[0];
    let doc = Document::parse(svg).unwrap();
    let href = doc
        .descendants()
        .find(|n| n.has_tag_name("a"))
        .and_then(|a| a.attribute("href"))
        .unwrap()
        .to_string();
    assert!(href.starts_with("/domain/"), "{href}");
    let domain = server.get(&href);
    let drawn = pictures(&domain);
    assert_eq!(
        drawn.len(),
        2,
        "the domain page draws its network and its timeline"
    );
    assert_eq!(
        drawn
            .iter()
            .filter(|svg| svg.contains("Listings over time"))
            .count(),
        1,
        "one of them the timeline"
    );
    assert!(domain.contains("href=\"/networks/1\""));

    let graphml = server.get("/networks.graphml?network=1");
    let doc = Document::parse(&graphml).unwrap();
    let ranks: BTreeSet<&str> = doc
        .descendants()
        .filter(|n| n.attribute("key") == Some("n_cluster"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(ranks, BTreeSet::from(["1"]));

    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let missing = runtime.block_on(async {
        let res = reqwest::get(server.url("/networks/999")).await.unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    });
    assert_eq!(missing.0, 404);
    assert!(missing.1.contains("no network 999"), "{}", missing.1);
}

#[test]
fn the_case_package_draws_the_networks_of_its_shops() {
    let network = &data().truth.networks[0];
    let shop = &network.shops[0];
    let out = data().dir.parent().unwrap().join("case");
    let _ = std::fs::remove_dir_all(&out);
    let query = format!("site:{shop}");
    pharmwatch(&[
        "--data-dir",
        data().dir.to_str().unwrap(),
        "export",
        "case",
        &query,
        "--out",
        out.to_str().unwrap(),
    ]);
    let svg = std::fs::read_to_string(out.join("networks.svg")).unwrap();
    let doc = Document::parse(&svg).unwrap();
    let drawn = drawn_networks(&doc);
    let planted: BTreeSet<String> = network.shops.iter().cloned().collect();
    assert_eq!(drawn.len(), 1, "only the network of {shop}: {drawn:?}");
    assert_eq!(drawn[0].0, planted);
    let graphml = std::fs::read_to_string(out.join("networks.graphml")).unwrap();
    assert_eq!(
        Document::parse(&graphml)
            .unwrap()
            .descendants()
            .filter(|n| n.has_tag_name("node"))
            .count(),
        planted.len()
    );
    let readme = std::fs::read_to_string(out.join("README.txt")).unwrap();
    assert!(readme.contains("networks.svg"));
    pharmwatch(&["export", "verify", out.to_str().unwrap()]);
}

/// Six finished runs of one scope whose semaglutide listings hold near 10, then jump to 40
/// in the last run.
fn runs_with_a_rise() -> (tempfile::TempDir, Vec<i64>) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let store = SqliteStore::open(&data.join("state.sqlite")).unwrap();
    let now = time::macros::datetime!(2026-11-23 12:00 UTC);
    let counts = [10, 11, 9, 10, 12, 40];
    let mut runs = Vec::new();
    for count in counts {
        let run = store.start_run("cfg", now).unwrap();
        let row = |dimension: &str, key: &str, count: u64| pharmwatch_store::RunCount {
            dimension: dimension.into(),
            key: key.into(),
            count,
        };
        store
            .record_run_counts(
                run,
                &[
                    row("drug", "semaglutide", count),
                    row("total", "flagged", count + 5),
                    row("total", "listings", 200),
                ],
            )
            .unwrap();
        let sites = serde_json::json!({ "sites": { "shop": {} } });
        store
            .finish_run(run, pharmwatch_store::RunStatus::Finished, &sites, now)
            .unwrap();
        runs.push(run.0);
    }
    (tmp, runs)
}

/// `(run, count, baseline, signal)` of each point of the first chart in `html`.
fn chart_points(html: &str) -> Vec<(i64, u64, bool, String)> {
    let svg = pictures(html).into_iter().next().expect("a chart");
    let doc = Document::parse(&svg).expect("well-formed chart");
    doc.descendants()
        .filter(|n| class(n) == "point")
        .map(|n| {
            (
                n.attribute("data-run").unwrap().parse().unwrap(),
                n.attribute("data-count").unwrap().parse().unwrap(),
                n.attribute("data-baseline") == Some("yes"),
                n.attribute("data-signal").unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_planted_rise_is_charted_with_its_baseline_on_the_trend_and_report_pages() {
    let (tmp, runs) = runs_with_a_rise();
    let server = Server::start(&tmp.path().join("data"), None);
    let page = server.get("/trends/drug/semaglutide");
    let points = chart_points(&page);
    let counts: Vec<u64> = points.iter().map(|p| p.1).collect();
    assert_eq!(counts, [10, 11, 9, 10, 12, 40]);
    let ids: Vec<i64> = points.iter().map(|p| p.0).collect();
    assert_eq!(ids, runs);
    // The last run was compared with the five before it; only it was signalled.
    let baseline: Vec<bool> = points.iter().map(|p| p.2).collect();
    assert_eq!(baseline, [true, true, true, true, true, false]);
    let signals: Vec<&str> = points.iter().map(|p| p.3.as_str()).collect();
    assert_eq!(
        signals,
        ["none", "none", "none", "none", "none", "rise"],
        "{page}"
    );
    assert!(page.contains("class=\"baseline-band\""));
    assert!(page.contains("<table class=\"trend-points\">"));
    assert!(page.contains(&format!("href=\"/reports/{}\"", runs[5])));

    // The run report charts the run's flagged listings and the signalled series, and links
    // the signal to its trend page.
    let report = server.get(&format!("/reports/{}", runs[5]));
    assert!(
        report.contains("href=\"/trends/drug/semaglutide\""),
        "{report}"
    );
    let charts = pictures(&report);
    assert_eq!(charts.len(), 2, "total flagged, then semaglutide");
    let flagged = chart_points(&charts[0]);
    assert_eq!(
        flagged.last().map(|p| (p.1, p.3.as_str())),
        Some((45, "rise"))
    );

    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let status = runtime.block_on(async {
        reqwest::get(server.url("/trends/vendor/x"))
            .await
            .unwrap()
            .status()
            .as_u16()
    });
    assert_eq!(status, 404);
}

/// A product page; `name` is written JSON-escaped in the structured data and HTML-escaped in
/// the heading, so the extracted title is `name` exactly, markup and all.
fn product_page(name: &str, price: &str) -> server::Reply {
    let json = serde_json::to_string(name).unwrap();
    let html = name
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    server::Reply::html(format!(
        r#"<!doctype html><html><head><title>{html}</title>
<script type="application/ld+json">
{{"@context":"https://schema.org","@type":"Product","name":{json},
  "offers":{{"@type":"Offer","price":"{price}","priceCurrency":"USD"}}}}
</script></head><body><h1>{html}</h1><p class="price">${price}</p>
<p>No prescription needed, discreet shipping.</p></body></html>"#
    ))
}

const HOSTILE_PRODUCT: &str = "Oxycodone 30mg <script>alert('t')</script> & \"co\"";

/// One shop whose first product's price changes in run 2, is gone (404) in run 3 and back
/// in run 4; the second never changes.
fn changing_shop(run: Arc<AtomicUsize>) -> impl Fn(&server::Hit) -> server::Reply {
    move |hit| match hit.path.as_str() {
        "/" => server::Reply::html(
            r#"<html><body><a href="/p/1">one</a> <a href="/p/2">two</a></body></html>"#,
        ),
        "/p/1" => match run.load(Ordering::SeqCst) {
            1 => product_page(HOSTILE_PRODUCT, "12.00"),
            3 => server::Reply::status(404),
            _ => product_page(HOSTILE_PRODUCT, "19.00"),
        },
        "/p/2" => product_page("Steady Paracetamol 500mg", "4.00"),
        _ => server::Reply::status(404),
    }
}

/// `(kind, link, tooltip)` of each point of a timeline picture, in drawing order.
fn timeline_points(svg: &str) -> Vec<(String, Option<String>, String)> {
    let doc = Document::parse(svg).expect("the timeline is well-formed XML");
    doc.descendants()
        .filter(|n| n.attribute("class") == Some("event"))
        .map(|g| {
            let tip = g
                .children()
                .find(|c| c.has_tag_name("title"))
                .and_then(|t| t.text())
                .unwrap_or_default()
                .to_string();
            let kind = ["first seen", "changed", "gone", "back"]
                .into_iter()
                .find(|k| tip.contains(&format!(": {k}")))
                .unwrap_or("?")
                .to_string();
            let link = g
                .parent()
                .filter(|a| a.has_tag_name("a"))
                .and_then(|a| a.attribute("href"))
                .map(str::to_string);
            (kind, link, tip)
        })
        .collect()
}

#[test]
fn timelines_link_every_change_of_a_listing_to_the_page_that_showed_it() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let run = Arc::new(AtomicUsize::new(1));
    let shop = runtime.block_on(server::Server::start(changing_shop(run.clone())));
    let base = format!("http://{}", shop.addr);
    let tmp = tempfile::tempdir().unwrap();
    let root = common::root();
    let config = tmp.path().join("pharmwatch.toml");
    std::fs::write(
        &config,
        format!(
            "[rules]\npacks = [{:?}]\nlexicon = {:?}\n\n[[site]]\nname = \"changing\"\n\
             kind = \"pharmacy\"\nstart_urls = [\"{base}/\"]\nrate = 100.0\n",
            root.join("rules/packs"),
            root.join("config/reference"),
        ),
    )
    .unwrap();
    let data = tmp.path().join("data");
    for n in 1..=4 {
        run.store(n, Ordering::SeqCst);
        crawl(&data, &config);
    }

    let store = SqliteStore::open(&data.join("state.sqlite")).unwrap();
    let changing = format!("{base}/p/1");
    let stored = store.listings_on_page(&changing).unwrap().remove(0);
    let id = stored.listing.id.clone();
    let web = Server::start(&data, None);
    let page = web.get(&format!("/listing/{id}"));
    let svgs = pictures(&page);
    assert_eq!(svgs.len(), 1, "one timeline on the listing page: {page}");
    let points = timeline_points(&svgs[0]);
    let kinds: Vec<&str> = points.iter().map(|(k, _, _)| k.as_str()).collect();
    assert_eq!(
        kinds,
        ["first seen", "changed", "gone", "back"],
        "{points:?}"
    );
    assert!(
        points[0].2.contains("12.00") && points[1].2.contains("19.00"),
        "{points:?}"
    );
    assert!(points[0].2.contains("flagged"), "{points:?}");

    // Every point opens the archived page that showed it, byte for byte: the first one is no
    // longer the page's latest fetch, yet it is still served, with the old price.
    let link = |i: usize| {
        points[i]
            .1
            .clone()
            .unwrap_or_else(|| panic!("point {i} unlinked"))
    };
    for i in 0..points.len() {
        let href = link(i);
        let digest = href.strip_prefix("/archive/").expect("an archive link");
        let body = web.get(&href);
        assert_eq!(
            pharmwatch_model::sha256_hex(body.as_bytes()),
            digest,
            "{href}"
        );
    }
    assert!(web.get(&link(0)).contains("12.00"));
    assert!(web.get(&link(1)).contains("19.00"));
    let latest = store.page(&changing).unwrap().unwrap().body_sha256.unwrap();
    assert_ne!(link(0), format!("/archive/{latest}"));
    assert_eq!(link(3), format!("/archive/{latest}"));

    // The scraped title is text in the picture, never markup.
    let doc = Document::parse(&svgs[0]).unwrap();
    let title = doc.descendants().find(|n| n.has_tag_name("title")).unwrap();
    assert!(title.text().unwrap().contains(HOSTILE_PRODUCT));
    assert!(!page.contains("<script"), "{page}");

    // The domain page draws both listings as lanes, each linked to its listing.
    let domain = web.get(&format!("/domain/{}", shop.addr));
    let svg = pictures(&domain)
        .into_iter()
        .find(|s| s.contains("Listings over time"))
        .unwrap_or_else(|| panic!("no timeline on the domain page: {domain}"));
    let lanes = Document::parse(&svg).unwrap();
    let labels: BTreeSet<String> = lanes
        .descendants()
        .filter(|n| {
            n.has_tag_name("a")
                && n.attribute("href")
                    .is_some_and(|h| h.starts_with("/listing/"))
        })
        .filter_map(|a| {
            a.children()
                .find(|c| c.has_tag_name("text"))
                .and_then(|t| t.text())
        })
        .map(str::to_string)
        .collect();
    assert_eq!(labels.len(), 2, "{labels:?}");
    assert!(labels.contains("Steady Paracetamol 500mg"), "{labels:?}");
    assert_eq!(
        timeline_points(&svg).len(),
        5,
        "4 points for one, 1 for the other"
    );
    assert!(!domain.contains("<script"), "{domain}");
}
