//! Issue 19, item 7, through the real binary: the rule author's loop (`rules explain` on a folder, one test policy for `lint` and `test`,
//! one error for an unknown site kind).

mod common;

use std::path::Path;

use common::{pharmwatch, pharmwatch_raw, write_config};
use serde_json::Value;

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
        [want.as_str(), "1 problem(s)"],
        "{text}"
    );
}
