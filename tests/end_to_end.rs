//! End to end against the sample marketplace: the real `pharmwatch` binary crawls the shops
//! served on loopback, flags listings with the shipped rule packs, writes the tantivy index on
//! disk, and a second process searches it. Recall and precision are measured against the
//! marketplace's ground truth; robots.txt is checked on the server's own request log.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pharmwatch_marketplace::{GroundTruth, Marketplace, MarketplaceOptions, ShopEndpoint};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn pharmwatch(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_pharmwatch"))
        .args(args)
        .env_remove("PHARMWATCH_CONFIG")
        .env_remove("PHARMWATCH_DATA_DIR")
        .current_dir(root())
        .output()
        .expect("run pharmwatch");
    assert!(
        out.status.success(),
        "pharmwatch {args:?} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A config that points one site at each shop, with the shipped profiles and rule packs.
fn write_config(dir: &Path, shops: &[ShopEndpoint]) -> PathBuf {
    let mut text = String::from("[crawl]\nper_host_concurrency = 4\ntimeout_secs = 10\n\n");
    text.push_str(&format!(
        "[rules]\npacks = [{:?}]\nlexicon = {:?}\n\n",
        root().join("rules/packs"),
        root().join("config/reference")
    ));
    for shop in shops {
        text.push_str(&format!(
            "[[site]]\nname = {:?}\nkind = {:?}\nstart_urls = [{:?}]\nrate = 100.0\ncurrency = {:?}\n",
            shop.name,
            shop.kind.as_str(),
            format!("{}/", shop.base_url),
            shop.currency.as_str()
        ));
        let profile = root().join(format!("config/sites/{}.toml", shop.archetype.base_name()));
        if profile.is_file() {
            text.push_str(&format!("profile = {profile:?}\n"));
        }
        text.push('\n');
    }
    let path = dir.join("pharmwatch.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// URL → rule ids of every listing found by a search, read from a new process.
fn search_rules(
    data: &str,
    query: &str,
    all: bool,
) -> BTreeMap<String, (BTreeSet<String>, String)> {
    let mut args = vec![
        "--data-dir",
        data,
        "search",
        query,
        "--json",
        "--limit",
        "100000",
    ];
    if all {
        args.push("--all");
    }
    json_lines(&pharmwatch(&args))
        .into_iter()
        .filter(|hit| hit.get("doc").is_some())
        .map(|hit| {
            let doc = &hit["doc"];
            let url = doc["listing"]["url"].as_str().unwrap().to_string();
            let rules = doc["verdict"]["hits"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["rule_id"].as_str().unwrap().to_string())
                .collect();
            let severity = doc["verdict"]["severity"]
                .as_str()
                .unwrap_or("")
                .to_string();
            (url, (rules, severity))
        })
        .collect()
}

#[test]
fn crawl_flags_the_ground_truth_and_search_reads_the_index() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = runtime
        .block_on(pharmwatch_marketplace::serve(Marketplace::generate(
            &MarketplaceOptions::default(),
        )))
        .unwrap();
    let truth: GroundTruth = running.ground_truth();
    let tmp = tempfile::tempdir().unwrap();
    let config = write_config(tmp.path(), &running.shops());
    let data = tmp.path().join("data");
    let data_s = data.to_str().unwrap();

    pharmwatch(&[
        "--data-dir",
        data_s,
        "--config",
        config.to_str().unwrap(),
        "crawl",
    ]);

    // robots.txt: the disallowed paths are linked from every page, yet never requested.
    let log = running.request_log();
    assert!(
        log.len() > truth.listings.len(),
        "too few requests: {}",
        log.len()
    );
    let disallowed: Vec<_> = log
        .iter()
        .filter(|r| r.path.starts_with("/cart/") || r.path.starts_with("/account/"))
        .collect();
    assert!(disallowed.is_empty(), "robots.txt broken: {disallowed:?}");
    runtime.block_on(running.shutdown());

    // Every listing page was extracted and indexed.
    let all = search_rules(data_s, "*", true);
    let missing: Vec<_> = truth
        .listings
        .iter()
        .filter(|t| !all.contains_key(&t.url))
        .collect();
    assert!(
        missing.is_empty(),
        "{} listings not indexed, e.g. {:?}",
        missing.len(),
        missing.first()
    );

    // Recall: each expected rule fired on its listing. Precision: clean listings unflagged.
    let flagged = search_rules(data_s, "*", false);
    let mut misses = Vec::new();
    let mut expected_total = 0;
    for t in &truth.listings {
        for rule in &t.expected_rules {
            expected_total += 1;
            if !flagged.get(&t.url).is_some_and(|(r, _)| r.contains(rule)) {
                misses.push(format!("{rule} on {} ({})", t.url, t.title));
            }
        }
    }
    let false_positives: Vec<_> = truth
        .listings
        .iter()
        .filter(|t| t.expected_rules.is_empty())
        .filter_map(|t| {
            flagged
                .get(&t.url)
                .map(|(r, _)| format!("{} {:?} {r:?}", t.url, t.title))
        })
        .collect();
    let recall = 1.0 - misses.len() as f64 / expected_total as f64;
    eprintln!(
        "rule recall {recall:.3} ({} of {expected_total} missed); {} false positives",
        misses.len(),
        false_positives.len()
    );
    assert!(
        recall >= 0.98,
        "recall {recall:.3}; misses: {:#?}",
        &misses[..misses.len().min(20)]
    );
    assert!(
        false_positives.is_empty(),
        "false positives: {false_positives:#?}"
    );
    let suspicious = truth
        .listings
        .iter()
        .filter(|t| !t.expected_rules.is_empty());
    let unflagged: Vec<_> = suspicious
        .filter(|t| !flagged.contains_key(&t.url))
        .collect();
    assert!(
        unflagged.is_empty(),
        "suspicious but unflagged: {unflagged:#?}"
    );

    // The prescription-requiring shop has nothing at high or above.
    let carewell_high: Vec<_> = all
        .iter()
        .filter(|(url, (_, sev))| {
            truth
                .listings
                .iter()
                .any(|t| &t.url == *url && t.shop == "carewell")
                && (sev == "high" || sev == "critical")
        })
        .collect();
    assert!(carewell_high.is_empty(), "{carewell_high:?}");

    // A plain search from a new process finds oxycodone offers.
    let hits = search_rules(data_s, "oxycodone", false);
    assert!(!hits.is_empty());
    assert!(
        hits.values()
            .all(|(rules, _)| rules.contains("controlled-substance-online"))
    );
}

#[test]
fn demo_runs_on_a_fresh_data_dir_and_matches_its_ground_truth() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("demo");
    let out = pharmwatch(&["--data-dir", data.to_str().unwrap(), "demo"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("ground truth:"))
        .unwrap_or_else(|| panic!("no ground-truth line in:\n{stdout}"));
    // "ground truth: N of N suspicious listings flagged; 0 of M clean listings flagged"
    let numbers: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    assert_eq!(numbers.len(), 4, "{line}");
    assert!(numbers[1] > 100, "{line}");
    assert_eq!(numbers[0], numbers[1], "{line}");
    assert_eq!(numbers[2], 0, "{line}");
    assert!(data.join("index").is_dir());
    assert!(data.join("demo-ground-truth.json").is_file());
}
