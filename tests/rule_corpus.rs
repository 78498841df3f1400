//! The shipped rules on the project's labelled corpus (rules/corpus/listings.jsonl), through
//! the real `rules backtest --corpus`: per-rule precision for every rule of severity medium or
//! above, overall precision and recall, and no clean listing at high or critical.

mod common;

use common::pharmwatch;
use serde_json::Value;

/// Precision every shipped rule of severity medium or above must reach on the corpus.
const RULE_PRECISION: f64 = 0.9;
const OVERALL_PRECISION: f64 = 0.95;
const OVERALL_RECALL: f64 = 0.95;

fn backtest() -> Value {
    let out = pharmwatch(&[
        "--config",
        "config/pharmwatch.toml",
        "rules",
        "backtest",
        "--corpus",
        "rules/corpus/listings.jsonl",
        "--json",
    ]);
    serde_json::from_slice(&out.stdout).expect("backtest --json prints JSON")
}

#[test]
fn shipped_rules_are_precise_on_the_labelled_corpus() {
    let result = backtest();
    let listings = result["listings"].as_u64().unwrap();
    assert!(listings >= 2000, "{listings} listings");

    let mut checked = 0;
    let mut failures = Vec::new();
    for (id, score) in result["rules"].as_object().unwrap() {
        let severity = score["severity"].as_str().unwrap();
        if !matches!(severity, "medium" | "high" | "critical") {
            continue;
        }
        checked += 1;
        let fired =
            score["true_positives"].as_u64().unwrap() + score["false_positives"].as_u64().unwrap();
        assert!(
            fired > 0,
            "{id} never fires on the corpus: it proves nothing"
        );
        let precision = score["precision"].as_f64().unwrap();
        if precision < RULE_PRECISION {
            failures.push(format!(
                "{id}: precision {precision:.3} (false positives {:?})",
                score["false_positive_ids"]
            ));
        }
    }
    assert!(checked >= 10, "only {checked} rules of medium or above");
    assert!(failures.is_empty(), "{failures:#?}");

    let flagged = &result["flagged"];
    let (p, r) = (
        flagged["precision"].as_f64().unwrap(),
        flagged["recall"].as_f64().unwrap(),
    );
    assert!(p >= OVERALL_PRECISION, "overall precision {p}: {flagged}");
    assert!(r >= OVERALL_RECALL, "overall recall {r}: {flagged}");
}

#[test]
fn no_clean_listing_reaches_high_and_critical_ones_are_found() {
    let result = backtest();
    // "Severity high or above" against the labels: a listing the analyst rates below high and
    // the rules rate high or critical is a false positive here.
    let high = &result["severities"]["high"];
    assert_eq!(high["false_positives"], 0, "{high}");
    let critical = &result["severities"]["critical"];
    assert!(
        critical["recall"].as_f64().unwrap() >= 0.95,
        "critical recall: {critical}"
    );
    assert!(
        critical["precision"].as_f64().unwrap() >= 0.95,
        "critical precision: {critical}"
    );
}

#[test]
fn the_corpus_is_what_its_generator_writes() {
    // The committed data is reproducible from its script and seed: a hand edit, or a script
    // change without regenerating, shows up here.
    let python = std::process::Command::new("python3")
        .arg("--version")
        .output();
    if python.is_err() {
        eprintln!("python3 not found: cannot regenerate the corpus");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let script = common::root().join("rules/corpus/generate.py");
    let copy = tmp.path().join("generate.py");
    std::fs::copy(&script, &copy).unwrap();
    let out = std::process::Command::new("python3")
        .arg(&copy)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fresh = std::fs::read(tmp.path().join("listings.jsonl")).unwrap();
    let committed = std::fs::read(common::root().join("rules/corpus/listings.jsonl")).unwrap();
    assert!(
        fresh == committed,
        "rules/corpus/listings.jsonl differs from what generate.py writes: run it and commit"
    );
}
