//! Issue 19, items 3, 4 and 9, through the real binary over a crawled sample marketplace:
//! brand names in `drug:`, hints for values nothing has, the order of `*`, `extract`'s
//! summary, `run` as a number, base32 and hex digests in `evidence show --headers`, and
//! "1 file" rather than "1 files".

mod common;

use common::{crawled_market, json_lines, pharmwatch, search_docs};
use pharmwatch_model::sha256_hex;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn search_edges_over_a_crawled_marketplace() {
    let market = crawled_market(6);
    let data = market.data.to_str().unwrap();

    // Brand names find the canonical drug; facets name it by its id.
    let canonical = search_docs(data, "drug:sildenafil", true);
    assert!(!canonical.is_empty(), "the marketplace sells sildenafil");
    for brand in ["drug:viagra", "drug:Viagra", "drug:kamagra"] {
        let found = search_docs(data, brand, true);
        assert_eq!(found.len(), canonical.len(), "{brand}");
    }
    let facets = pharmwatch(&[
        "--data-dir",
        data,
        "search",
        "drug:viagra",
        "--all",
        "--facets",
    ]);
    let text = stdout(&facets);
    assert!(text.contains("drug: sildenafil="), "{text}");
    assert!(
        stderr(&facets).is_empty() || !stderr(&facets).contains("hint"),
        "{}",
        stderr(&facets)
    );

    // A mistyped rule id or an unknown drug is pointed out, not silently empty.
    let typo = pharmwatch(&["--data-dir", data, "search", "rule:stealth-shiping"]);
    assert!(
        stderr(&typo).contains(
            "hint: no listing has rule `stealth-shiping`; did you mean rule:stealth-shipping?"
        ),
        "{}",
        stderr(&typo)
    );
    let unknown = pharmwatch(&["--data-dir", data, "search", "drug:zzzfakedrug", "--json"]);
    assert!(
        stderr(&unknown).contains("no drug named `zzzfakedrug`"),
        "{}",
        stderr(&unknown)
    );

    // `*` lists severity, then score, then the newest first (to the second).
    let all = search_docs(data, "*", false);
    let rank = |s: &serde_json::Value| match s.as_str() {
        Some("critical") => 4,
        Some("high") => 3,
        Some("medium") => 2,
        Some("low") => 1,
        _ => 0,
    };
    let keys: Vec<(i32, f64, String)> = all
        .iter()
        .map(|d| {
            (
                rank(&d["verdict"]["severity"]),
                d["verdict"]["score"].as_f64().unwrap(),
                // The index keeps dates to the second.
                d["first_seen"].as_str().unwrap()[..19].to_string(),
            )
        })
        .collect();
    assert!(
        keys.windows(2).all(|w| w[0].0 > w[1].0
            || (w[0].0 == w[1].0 && w[0].1 > w[1].1)
            || (w[0].0 == w[1].0 && w[0].1 == w[1].1 && w[0].2 >= w[1].2)),
        "{keys:?}"
    );

    // `run` is a number.
    assert!(all.iter().all(|d| d["run"].is_i64()), "{}", all[0]["run"]);

    // `evidence show --headers`: the WARC's base32 digest and its hex form.
    let url = all[0]["listing"]["url"].as_str().unwrap();
    let body = pharmwatch(&["--data-dir", data, "evidence", "show", url]).stdout;
    let shown = pharmwatch(&["--data-dir", data, "evidence", "show", url, "--headers"]);
    let head = stdout(&shown);
    let base32 = head
        .lines()
        .find_map(|l| l.strip_prefix("WARC-Payload-Digest: sha256:"))
        .unwrap_or_else(|| panic!("{head}"));
    assert_eq!(base32.len(), 56, "{base32}");
    let hex = head
        .lines()
        .find_map(|l| l.strip_prefix("WARC-Payload-Digest (hex): sha256:"))
        .unwrap_or_else(|| panic!("{head}"));
    assert_eq!(hex, sha256_hex(&body), "the hex form is the body's SHA-256");

    // "1 file", never "1 files".
    let verified = stdout(&pharmwatch(&["--data-dir", data, "evidence", "verify"]));
    let summary = verified.lines().last().unwrap();
    for noun in ["file", "record", "mismatch"] {
        assert!(!summary.contains(&format!(" 1 {noun}s")), "{summary}");
        assert!(!summary.starts_with(&format!("1 {noun}s")), "{summary}");
    }
    assert!(summary.ends_with(" 0 mismatches"), "{summary}");
}

const PAGE: &str = r#"<!doctype html><html><head><title>Shop</title>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Product",
"name":"Oxycodone 30mg x 90 pills","offers":{"@type":"Offer","price":"270.00","priceCurrency":"USD"}}</script>
</head><body><h1>Oxycodone 30mg x 90 pills</h1>
<a href="/product/2">next</a> <a href="/category/pain">pain</a></body></html>"#;

#[test]
fn extract_prints_a_summary_and_says_why_a_file_has_no_links() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("page.html");
    std::fs::write(&file, PAGE).unwrap();
    let path = file.to_str().unwrap();

    let plain = stdout(&pharmwatch(&["extract", path]));
    assert!(
        plain.contains("0 links (links resolve against the page's address"),
        "{plain}"
    );
    assert!(plain.contains("--url https://"), "{plain}");
    assert!(
        plain.contains("1 listing\n"),
        "one listing, singular: {plain}"
    );
    assert!(plain.contains("1. Oxycodone 30mg x 90 pills"), "{plain}");
    assert!(plain.contains("   price: 270.00 USD"), "{plain}");
    assert!(!plain.contains('{'), "a summary, not JSON: {plain}");

    let with_url = stdout(&pharmwatch(&[
        "extract",
        path,
        "--url",
        "https://shop.example/p/1",
    ]));
    assert!(with_url.contains(", 2 links, 1 listing"), "{with_url}");
    assert!(!with_url.contains("without --url"), "{with_url}");

    let json = pharmwatch(&["extract", path, "--json"]);
    let listings = json_lines(&json);
    assert_eq!(listings.len(), 1);
    assert_eq!(listings[0]["title"], "Oxycodone 30mg x 90 pills");
}
