//! Issue 19, items 6 and 7, through the real binary: the reports around a rescan, and the
//! rule author's loop (`rules explain` on a folder, one test policy for `lint` and `test`,
//! one error for an unknown site kind).

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{pharmwatch, pharmwatch_raw, write_config};
use serde_json::Value;

/// A rule the shipped packs do not have, with the tests the policy asks for.
const NEW_RULE: &str = r#"
[[rule]]
id = "rx-on-any-site"
title = "Prescription medicine offered"
severity = "low"
category = "test"

[rule.match]
drug = { class = ["rx"] }

[[rule.test]]
expect = true
title = "Viagra 100mg, 30 tablets"

[[rule.test]]
expect = true
title = "Buy cialis online"

[[rule.test]]
expect = false
title = "Garden chair"

[[rule.test]]
expect = false
title = "Vitamin C 500mg"
"#;

/// The shipped packs without the rule `drop`, plus `extra` as its own file.
fn changed_packs(dir: &Path, drop: &str, extra: &str) {
    common::shipped_packs_without(dir, drop);
    std::fs::write(dir.join("90-extra.toml"), extra).unwrap();
}

fn rule_counts(pairs: &Value) -> BTreeMap<String, u64> {
    pairs
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_str().unwrap().to_string(), p[1].as_u64().unwrap()))
        .collect()
}

/// Rule facet of `search '*'` (flagged listings, as a report counts them).
fn facet_rules(data: &str) -> BTreeMap<String, u64> {
    let out = pharmwatch(&["--data-dir", data, "search", "*", "--facets", "--json"]);
    let lines = common::json_lines(&out);
    let facets = lines
        .iter()
        .find_map(|l| l.get("facets"))
        .expect("a facets line");
    rule_counts(&facets["rule"])
}

/// Every `## Title (n)` heading with n = 0 is followed by `None.`, and every heading has
/// its count.
fn assert_sections_alike(md: &str) {
    let lines: Vec<&str> = md.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let Some(title) = line.strip_prefix("## ") else {
            continue;
        };
        assert!(
            title.ends_with(')'),
            "heading without a count: {line}\n{md}"
        );
        if title.ends_with("(0)") {
            let next = lines[i + 1..].iter().find(|l| !l.trim().is_empty());
            let next = next.copied().unwrap_or("");
            assert_eq!(next, "None.", "empty section {line}\n{md}");
        }
    }
}

#[test]
fn a_rescan_has_its_own_report_and_diffs_against_the_crawl() {
    let crawled = common::crawled_market(20);
    let truth = crawled.running.ground_truth();
    let (tmp, data) = (&crawled.tmp, &crawled.data);
    let data_s = data.to_str().unwrap();
    let stealthy = truth
        .listings
        .iter()
        .filter(|t| t.expected_rules.iter().any(|r| r == "stealth-shipping"))
        .count() as u64;
    assert!(stealthy > 0);

    // The crawl's report counts rules as the search facets do (flagged listings, `info`
    // rules only beside a flagging one), and its header agrees with its site table.
    let crawl: Value = serde_json::from_slice(
        &pharmwatch(&["--data-dir", data_s, "report", "1", "--json"]).stdout,
    )
    .unwrap();
    let crawl_rules = rule_counts(&crawl["top_rules"]);
    assert_eq!(crawl_rules, facet_rules(data_s));
    assert_eq!(crawl_rules["stealth-shipping"], stealthy);
    let crawl_md =
        String::from_utf8(pharmwatch(&["--data-dir", data_s, "report", "1"]).stdout).unwrap();
    assert!(
        crawl_md.starts_with("# pharmwatch run 1 (crawl, finished)"),
        "{crawl_md}"
    );
    let header_listings = crawl["counts"]["listings"].as_u64().unwrap();
    let header_pages = crawl["counts"]["pages"].as_u64().unwrap();
    assert!(
        crawl_md.contains(&format!("- listings seen: {header_listings}\n")),
        "{crawl_md}"
    );
    let total = crawl_md
        .lines()
        .find(|l| l.starts_with("| all sites |"))
        .expect("a total row");
    let cells: Vec<&str> = total.split('|').map(str::trim).collect();
    assert_eq!(
        cells[2],
        header_pages.to_string(),
        "{total} vs pages {header_pages}"
    );
    assert_eq!(
        cells[3],
        header_listings.to_string(),
        "{total} vs listings {header_listings}"
    );
    assert_sections_alike(&crawl_md);

    // Rescan with the stealth-shipping rule gone and a new rule added.
    let packs = tmp.path().join("packs");
    changed_packs(&packs, "stealth-shipping", NEW_RULE);
    let rescan_config = tmp.path().join("rescan.toml");
    let text = std::fs::read_to_string(&crawled.config).unwrap().replace(
        &format!("{:?}", common::root().join("rules/packs")),
        &format!("{packs:?}"),
    );
    std::fs::write(&rescan_config, text).unwrap();
    let out = pharmwatch(&[
        "--data-dir",
        data_s,
        "--config",
        rescan_config.to_str().unwrap(),
        "rescan",
    ]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("`pharmwatch report 2`"), "{said}");

    // Its own report: by rule before/after, gained/lost; top rules as the facets now say.
    let rescan: Value =
        serde_json::from_slice(&pharmwatch(&["--data-dir", data_s, "report", "--json"]).stdout)
            .unwrap();
    assert_eq!(rescan["run"], 2);
    let tally = &rescan["rescan"];
    let stealth = &tally["rules"]["stealth-shipping"];
    assert_eq!(
        (stealth["before"].as_u64(), stealth["after"].as_u64()),
        (Some(stealthy), Some(0))
    );
    assert_eq!(stealth["lost"].as_u64(), Some(stealthy));
    let added = &tally["rules"]["rx-on-any-site"];
    assert_eq!(added["before"], 0);
    assert!(added["after"].as_u64().unwrap() > 0, "{tally}");
    assert_eq!(added["gained"], added["after"]);
    assert_eq!(
        tally["changed"].as_u64(),
        Some(rescan["verdict_changes"].as_array().unwrap().len() as u64)
    );
    let rescan_rules = rule_counts(&rescan["top_rules"]);
    assert_eq!(rescan_rules, facet_rules(data_s));
    assert_eq!(
        rescan_rules["rx-on-any-site"],
        added["after"].as_u64().unwrap()
    );
    assert!(!rescan_rules.contains_key("stealth-shipping"));

    let rescan_md =
        String::from_utf8(pharmwatch(&["--data-dir", data_s, "report", "2", "--md"]).stdout)
            .unwrap();
    assert!(
        rescan_md.starts_with("# pharmwatch run 2 (rescan, finished)"),
        "{rescan_md}"
    );
    assert!(
        rescan_md.contains(&format!(
            "| stealth-shipping | {stealthy} | 0 | 0 | {stealthy} |"
        )),
        "{rescan_md}"
    );
    assert!(rescan_md.contains("| rx-on-any-site | 0 | "), "{rescan_md}");
    assert!(
        !rescan_md.contains("## Sites"),
        "a rescan fetched nothing:\n{rescan_md}"
    );
    assert!(!rescan_md.contains("## Top rules (0)"), "{rescan_md}");
    assert_sections_alike(&rescan_md);

    // The diff is labelled and counts rules alike in both runs: only the removed rule
    // falls to 0, and the new one is there.
    let diff: Value = serde_json::from_slice(
        &pharmwatch(&["--data-dir", data_s, "report", "--diff", "1", "2", "--json"]).stdout,
    )
    .unwrap();
    assert_eq!(
        (
            &diff["from"]["run"],
            &diff["from"]["kind"],
            &diff["to"]["run"],
            &diff["to"]["kind"]
        ),
        (
            &Value::from(1),
            &Value::from("crawl"),
            &Value::from(2),
            &Value::from("rescan")
        )
    );
    let rules = diff["rules"].as_object().unwrap();
    assert_eq!(rules["stealth-shipping"]["from"].as_u64(), Some(stealthy));
    assert_eq!(rules["stealth-shipping"]["to"], 0);
    assert_eq!(rules["rx-on-any-site"]["from"], 0);
    assert_eq!(rules["rx-on-any-site"]["to"], added["after"]);
    for (rule, change) in rules {
        if rule != "stealth-shipping" {
            assert!(
                change["to"].as_u64().unwrap() > 0,
                "{rule} fell to 0: {diff}"
            );
        }
    }
    assert!(diff["counts"].get("pages").is_none(), "{diff}");
    let diff_md =
        String::from_utf8(pharmwatch(&["--data-dir", data_s, "report", "--diff", "1", "2"]).stdout)
            .unwrap();
    assert!(diff_md.starts_with("# pharmwatch runs 1 → 2"), "{diff_md}");
    assert!(diff_md.contains("- run 1: crawl, finished"), "{diff_md}");
    assert!(diff_md.contains("- run 2: rescan, finished"), "{diff_md}");
    assert!(
        diff_md.contains(&format!(
            "| stealth-shipping | {stealthy} | 0 | -{stealthy} |"
        )),
        "{diff_md}"
    );
    assert_sections_alike(&diff_md);
}

/// A config naming the shipped packs and reference data (no sites needed for `rules`).
fn rules_config(dir: &Path) -> String {
    write_config(dir, &[]).to_str().unwrap().to_string()
}

fn rule_file(tests: &str, matcher: &str) -> String {
    format!(
        "[[rule]]\nid = \"onion-shop\"\ntitle = \"t\"\nseverity = \"low\"\ncategory = \"c\"\n[rule.match]\n{matcher}\n{tests}"
    )
}

const FIRES: &str = "[[rule.test]]\nexpect = true\nurl = \"http://pills.onion/a\"\n";
const QUIET: &str = "[[rule.test]]\nexpect = false\nurl = \"https://pills.example/a\"\n";

#[test]
fn rules_explain_takes_a_folder_or_a_file_like_lint_and_test() {
    let tmp = tempfile::tempdir().unwrap();
    let config = rules_config(tmp.path());
    let dir = tmp.path().join("my-rules");
    std::fs::create_dir(&dir).unwrap();
    let file = dir.join("onion.toml");
    std::fs::write(
        &file,
        rule_file(
            &format!("{FIRES}{FIRES}{QUIET}{QUIET}"),
            "site = { tld = [\"onion\"] }",
        ),
    )
    .unwrap();
    for target in [&dir, &file] {
        let out = pharmwatch(&[
            "--config",
            &config,
            "rules",
            "explain",
            "--title",
            "Viagra 100mg",
            "--url",
            "http://pills.onion/x",
            target.to_str().unwrap(),
            "--json",
        ]);
        let explained: Value = serde_json::from_slice(&out.stdout).unwrap();
        let text = explained.to_string();
        // Only the folder's rule was loaded: the shipped packs' rules are not explained.
        assert!(text.contains("onion-shop"), "{text}");
        assert!(!text.contains("rx-without-prescription"), "{text}");
    }
    // A path that does not exist is named, not taken for a listing id.
    let missing = tmp.path().join("no-such-rules");
    let missing_s = format!("{}/", missing.display());
    let out = pharmwatch_raw(&[
        "--config", &config, "rules", "explain", "--title", "x", &missing_s,
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no such rule file or folder") && err.contains("no-such-rules"),
        "{err}"
    );
}

#[test]
fn lint_and_test_hold_every_rule_to_two_tests_each_way() {
    let tmp = tempfile::tempdir().unwrap();
    let config = rules_config(tmp.path());
    let file = tmp.path().join("r.toml");
    let f = file.to_str().unwrap();
    for (tests, ok) in [
        (String::new(), false),
        (FIRES.to_string(), false),
        (format!("{FIRES}{FIRES}{QUIET}"), false),
        (format!("{FIRES}{FIRES}{QUIET}{QUIET}"), true),
    ] {
        std::fs::write(&file, rule_file(&tests, "site = { tld = [\"onion\"] }")).unwrap();
        let lint = pharmwatch_raw(&["--config", &config, "rules", "lint", f]);
        let test = pharmwatch_raw(&["--config", &config, "rules", "test", f]);
        let (lint_out, test_out) = (
            String::from_utf8_lossy(&lint.stdout),
            String::from_utf8_lossy(&test.stdout),
        );
        assert_eq!(lint.status.success(), ok, "{tests}\n{lint_out}");
        assert_eq!(test.status.success(), ok, "{tests}\n{test_out}");
        if !ok {
            assert!(
                lint_out.contains("r.toml:1:1: rule onion-shop: rule has "),
                "{lint_out}"
            );
            assert!(lint_out.contains("at least 2 of each"), "{lint_out}");
            assert!(test_out.contains("rules with too few tests:"), "{test_out}");
            assert!(test_out.contains("test result: FAILED"), "{test_out}");
        } else {
            assert!(lint_out.contains("no problems found"), "{lint_out}");
            assert!(
                test_out.contains("test result: ok. 4 passed; 0 failed"),
                "{test_out}"
            );
        }
    }
    // The shipped packs meet it.
    let packs = common::root().join("rules/packs");
    for cmd in ["lint", "test"] {
        pharmwatch(&["--config", &config, "rules", cmd, packs.to_str().unwrap()]);
    }
}

#[test]
fn an_unknown_site_kind_is_one_error_with_the_valid_kinds() {
    let tmp = tempfile::tempdir().unwrap();
    let config = rules_config(tmp.path());
    let file = tmp.path().join("r.toml");
    std::fs::write(
        &file,
        rule_file(
            &format!("{FIRES}{FIRES}{QUIET}{QUIET}"),
            "site = { kind = [\"shop\"] }",
        ),
    )
    .unwrap();
    let out = pharmwatch_raw(&["--config", &config, "rules", "lint", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let want = format!(
        "{}:7:18: rule onion-shop: unknown site kind `shop`: expected one of pharmacy, marketplace, classifieds, forum, darknet-market",
        file.display()
    );
    assert_eq!(
        text.lines().collect::<Vec<_>>(),
        [want.as_str(), "1 problem"],
        "{text}"
    );
}

/// Issue 20: a rescan ends like a crawl. One that fails (here: its index cannot be opened) marks
/// its run failed with the reason, instead of leaving it "running" for the next crawl to take for
/// a killed run and resume.
#[test]
fn a_failed_rescan_is_a_failed_run_and_the_next_crawl_does_not_resume_it() {
    let crawled = common::crawled_market(3);
    let data_s = crawled.data.to_str().unwrap();
    let index = crawled.data.join("index");
    let aside = crawled.data.join("index.aside");
    std::fs::rename(&index, &aside).unwrap();
    std::fs::write(&index, "not an index").unwrap();

    let out = pharmwatch_raw(&[
        "--data-dir",
        data_s,
        "--config",
        crawled.config.to_str().unwrap(),
        "rescan",
    ]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("cannot open the index"), "{said}");

    let report: Value = serde_json::from_slice(
        &pharmwatch(&["--data-dir", data_s, "report", "2", "--json"]).stdout,
    )
    .unwrap();
    assert_eq!(report["status"], "failed", "{report}");
    assert!(
        report["counts"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("cannot open the index")),
        "{report}"
    );

    std::fs::remove_file(&index).unwrap();
    std::fs::rename(&aside, &index).unwrap();
    let again = common::crawl(&crawled.data, &crawled.config);
    assert!(again.status.success(), "{again:?}");
    let log = String::from_utf8_lossy(&again.stderr);
    assert!(!log.contains("was killed"), "{log}");
    let runs: Value = serde_json::from_slice(
        &pharmwatch(&["--data-dir", data_s, "report", "2", "--json"]).stdout,
    )
    .unwrap();
    assert_eq!(
        runs["status"], "failed",
        "the failed rescan stays failed: {runs}"
    );
}
