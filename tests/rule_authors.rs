//! The rule author's loop on real crawled data: `rules backtest` with a changed rule set
//! and labels, `rescan` to apply it, `rules explain` on a stored listing.

mod common;

use common::pharmwatch;
use serde_json::Value;

#[test]
fn backtest_rescan_and_explain_on_stored_listings() {
    let crawled = common::crawled_market(25);
    let truth = crawled.running.ground_truth();
    let (tmp, data) = (&crawled.tmp, &crawled.data);
    let (data_s, config_s) = (data.to_str().unwrap(), crawled.config.to_str().unwrap());

    // A changed rule set: the shipped packs without the stealth-shipping rule.
    let changed = tmp.path().join("packs");
    common::shipped_packs_without(&changed, "stealth-shipping");
    let stealthy: Vec<_> = truth
        .listings
        .iter()
        .filter(|t| t.expected_rules.iter().any(|r| r == "stealth-shipping"))
        .collect();
    assert!(!stealthy.is_empty());

    let labels = tmp.path().join("labels.csv");
    let mut csv = String::from("url,flagged,rules\n");
    for t in &truth.listings {
        let rules = t.expected_rules.join(";");
        csv.push_str(&format!(
            "{},{},{rules}\n",
            t.url,
            !t.expected_rules.is_empty()
        ));
    }
    std::fs::write(&labels, csv).unwrap();

    let out = pharmwatch(&[
        "--data-dir",
        data_s,
        "--config",
        config_s,
        "rules",
        "backtest",
        "--rules",
        changed.to_str().unwrap(),
        "--labels",
        labels.to_str().unwrap(),
        "--json",
    ]);
    let result: Value = serde_json::from_slice(&out.stdout).unwrap();
    let stealth = &result["rules"]["stealth-shipping"];
    assert_eq!(stealth["lost_count"].as_u64(), Some(stealthy.len() as u64));
    assert_eq!(stealth["now"].as_u64(), Some(0));
    assert_eq!(
        result["rules"]["controlled-substance-online"]["lost_count"],
        0
    );
    assert_eq!(result["rule_scores"]["stealth-shipping"]["recall"], 0.0);
    assert_eq!(
        result["rule_scores"]["controlled-substance-online"]["recall"],
        1.0
    );
    assert_eq!(result["flagged_score"]["false_positives"], 0);

    // Rescan with the changed packs: the index no longer has stealth-shipping hits.
    let rescan_config = tmp.path().join("rescan.toml");
    let text = std::fs::read_to_string(&crawled.config).unwrap().replace(
        &format!("{:?}", common::root().join("rules/packs")),
        &format!("{changed:?}"),
    );
    std::fs::write(&rescan_config, text).unwrap();
    let rescan_s = rescan_config.to_str().unwrap();
    let out = pharmwatch(&["--data-dir", data_s, "--config", rescan_s, "rescan"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!(
        "{} verdict{} changed",
        stealthy.len(),
        if stealthy.len() == 1 { "" } else { "s" }
    )));
    let hits = pharmwatch(&[
        "--data-dir",
        data_s,
        "search",
        "rule:stealth-shipping",
        "--json",
    ]);
    assert!(
        common::json_lines(&hits)
            .iter()
            .all(|h| h.get("doc").is_none())
    );

    // Explain a stored listing by its page URL: every rule, held or not.
    let obvious = truth
        .listings
        .iter()
        .find(|t| {
            t.expected_rules
                .iter()
                .any(|r| r == "controlled-substance-online")
        })
        .unwrap();
    let out = pharmwatch(&[
        "--data-dir",
        data_s,
        "--config",
        config_s,
        "rules",
        "explain",
        &obvious.url,
        "--json",
    ]);
    let explanation: Value = serde_json::from_slice(&out.stdout).unwrap();
    let fired: Vec<&str> = explanation["verdict"]["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["rule_id"].as_str().unwrap())
        .collect();
    assert!(fired.contains(&"controlled-substance-online"), "{fired:?}");
    assert!(explanation["rules"].as_array().unwrap().len() >= 8);
}
