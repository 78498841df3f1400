//! `rules check` and `rules explain --stdin` on real input, through the real binary: prices
//! as printed (read by the extractor's price parser), shop and review fields, `extract --json`
//! piped straight in, bad lines named by number, `--keep-going`, and the severity that follows
//! context with its reason.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const CONFIG: &str = "config/pharmwatch.toml";

/// Runs the binary with `stdin` piped in.
fn with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pharmwatch"))
        .args(args)
        .env_remove("PHARMWATCH_CONFIG")
        .env_remove("PHARMWATCH_DATA_DIR")
        .current_dir(common::root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run pharmwatch");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn check(lines: &str, extra: &[&str]) -> Output {
    let mut args = vec!["--config", CONFIG, "rules", "check"];
    args.extend_from_slice(extra);
    with_stdin(&args, lines.as_bytes())
}

fn rows(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn rule_ids(row: &Value) -> Vec<&str> {
    row["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["rule_id"].as_str().unwrap())
        .collect()
}

#[test]
fn printed_prices_use_their_basis_and_every_field_is_read() {
    let input = [
        // A per-unit price of a big pack: $1.04 a tablet is above tramadol's $0.80.
        r#"{"id":"unit","title":"Tramadol 50mg x 180 tablets","price":"$1.04/pill","units":180}"#,
        // The same pack at $0.05 a tablet is implausible.
        r#"{"id":"cheap","title":"Tramadol 50mg x 180 tablets","price":"$0.05/pill","units":180}"#,
        // A pack price in euros as printed, read as 1,299.00 €.
        r#"{"id":"pack","title":"Viagra 100mg x 30 tablets","price":"1.299,00 €","units":30}"#,
        // Shop policy and contacts as printed.
        r#"{"id":"shop","title":"Xanax 2mg x 100","shop_shipping":["Every order ships in a neutral envelope"],"contacts":["Telegram: @benzo_plug"],"payment":["Bitcoin"],"seller":"plug","site_kind":"classifieds","site":"ads"}"#,
        // A review praising stealth is the buyer's word, not the seller's claim.
        r#"{"id":"review","title":"Sildenafil 50mg x 8","description":"Discreet treatments for erectile dysfunction.","reviews":["Great stealth, vacuum sealed!"],"contacts":["email:help@pharmacy.example"]}"#,
    ]
    .join("\n");
    let out = check(&input, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = rows(&out);
    assert_eq!(rows.len(), 5);
    assert!(
        !rule_ids(&rows[0]).contains(&"implausible-price"),
        "{}",
        rows[0]
    );
    assert!(
        rule_ids(&rows[1]).contains(&"implausible-price"),
        "{}",
        rows[1]
    );
    assert!(
        !rule_ids(&rows[2]).contains(&"implausible-price"),
        "{}",
        rows[2]
    );
    let shop = rule_ids(&rows[3]);
    for id in [
        "stealth-shipping",
        "messaging-only-contact",
        "crypto-only-payment",
        "medicine-on-informal-market",
    ] {
        assert!(shop.contains(&id), "{id} missing: {}", rows[3]);
    }
    assert_eq!(rows[3]["severity"], "critical", "{}", rows[3]);
    assert!(rule_ids(&rows[4]).is_empty(), "{}", rows[4]);
    assert_eq!(rows[4]["flagged"], false);
}

#[test]
fn a_bad_line_is_named_and_keep_going_skips_it() {
    let input = "{\"id\":\"a\",\"title\":\"Oxycodone 30mg\"}\n{\"id\":\"b\",\"pric\":12}\n\n{\"id\":\"c\",\"title\":\"Ibuprofen 400mg\",\"price\":\"call us\"}\n{\"id\":\"d\",\"title\":\"Aspirin\"}\n";
    let out = check(input, &[]);
    assert_eq!(out.status.code(), Some(2), "bad input is a usage error");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 2")
            && err.contains("unknown field `pric`")
            && err.contains("--keep-going"),
        "{err}"
    );
    assert_eq!(rows(&out).len(), 1, "lines before the bad one are checked");

    let out = check(input, &["--keep-going"]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "skipped lines make a partial run"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 2"), "{err}");
    assert!(
        err.contains("line 4") && err.contains("field `price`") && err.contains("call us"),
        "{err}"
    );
    let ids: Vec<String> = rows(&out)
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["a", "d"]);
}

#[test]
fn extract_json_pipes_straight_into_check() {
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("page.html");
    std::fs::write(
        &page,
        r#"<html><head><title>Tramadol</title></head><body><main>
<h1>Tramadol 100 mg 180 tablets</h1><p>Only $1.04/pill, discreet shipping</p>
</main></body></html>"#,
    )
    .unwrap();
    let extracted = common::pharmwatch(&[
        "--config",
        CONFIG,
        "extract",
        page.to_str().unwrap(),
        "--url",
        "https://pills.example/p/1",
        "--json",
    ]);
    assert!(!extracted.stdout.is_empty());
    let out = with_stdin(&["--config", CONFIG, "rules", "check"], &extracted.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = rows(&out);
    assert_eq!(rows.len(), 1, "{rows:?}");
    let ids = rule_ids(&rows[0]);
    assert!(ids.contains(&"controlled-substance-online"), "{ids:?}");
    assert!(ids.contains(&"stealth-shipping"), "{ids:?}");
    // $1.04 is the price of one tablet, not of 180.
    assert!(!ids.contains(&"implausible-price"), "{ids:?}");
    // The stealth claim makes the controlled medicine critical.
    assert_eq!(rows[0]["severity"], "critical");
}

fn explain(line: &str) -> String {
    let out = with_stdin(
        &["--config", CONFIG, "rules", "explain", "--stdin"],
        line.as_bytes(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn explain_says_why_a_controlled_medicine_is_critical_or_a_note() {
    let licensed = explain(
        r#"{"title":"Oxycodone 10mg x 28 tablets","description":"Prescription required.","price":98,"units":28,"postal_address":true,"licence_claim":true,"contacts":["email:rx@pharmacy.example"]}"#,
    );
    assert!(
        licensed.contains("not flagged (severity info"),
        "{licensed}"
    );
    assert!(
        licensed.contains(
            "severity info (rule's own: medium) because sold only against a prescription"
        ),
        "{licensed}"
    );
    let telegram = explain(
        r#"{"title":"Oxycodone 10mg x 28 tablets","description":"Prescription required.","price":98,"units":28,"postal_address":true,"licence_claim":true,"contacts":["telegram:@oxyplug"]}"#,
    );
    assert!(
        telegram.contains("FLAGGED (severity critical"),
        "{telegram}"
    );
    assert!(
        telegram.contains(
            "severity critical (rule's own: medium) because offered without a prescription"
        ),
        "{telegram}"
    );
    assert!(
        telegram.contains("fired: messaging-only-contact"),
        "{telegram}"
    );
    assert!(
        telegram.contains("(not consulted: an earlier one held)"),
        "{telegram}"
    );
}
