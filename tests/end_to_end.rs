//! End to end against the sample marketplace: the real `pharmwatch` binary crawls the shops
//! served on loopback, flags listings with the shipped rule packs, writes the tantivy index on
//! disk, and a second process searches it. Recall and precision are measured against the
//! marketplace's ground truth; robots.txt is checked on the server's own request log.

mod common;

use std::collections::BTreeSet;

use common::{crawl, json_lines, pharmwatch, search_rules, write_config};
use pharmwatch_marketplace::{GroundTruth, Marketplace, MarketplaceOptions};

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

    let first = crawl(&data, &config);

    // The crawl's table: the highest-scoring flagged listings, then how many more there are.
    let suspicious: BTreeSet<&str> = truth
        .listings
        .iter()
        .filter(|t| !t.expected_rules.is_empty())
        .map(|t| t.url.as_str())
        .collect();
    let rows = String::from_utf8_lossy(&first.stdout).lines().count() - 1;
    assert_eq!(rows, suspicious.len().min(100));
    let more = format!("… and {} more flagged listings", suspicious.len() - rows);
    assert!(
        String::from_utf8_lossy(&first.stderr).contains(&more),
        "no `{more}` in:\n{}",
        String::from_utf8_lossy(&first.stderr)
    );

    // `crawl --json` prints every listing the run flagged (a recrawl: seen again unchanged).
    let again = pharmwatch(&[
        "--data-dir",
        data_s,
        "--config",
        config.to_str().unwrap(),
        "crawl",
        "--json",
    ]);
    let rows = json_lines(&again);
    let printed: BTreeSet<&str> = rows
        .iter()
        .map(|row| row["listing"]["url"].as_str().unwrap())
        .collect();
    assert_eq!(printed, suspicious);

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
