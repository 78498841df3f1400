//! Search output an investigator can rely on (issue 19, items 1 and 4): machine-readable
//! output holds every hit unless `--limit` says otherwise, and `*` lists the most severe first.

mod common;

use common::{json_lines, pharmwatch};

#[test]
fn case_files_hold_every_hit_and_match_all_is_ordered_by_severity() {
    let crawled = common::crawled_market(12);
    let data = crawled.data.to_str().unwrap();
    let search = |args: &[&str]| {
        let mut all = vec!["--data-dir", data, "search"];
        all.extend_from_slice(args);
        pharmwatch(&all)
    };

    // The table shows 20 and says so; the total is in its last line.
    let table = search(&["*"]);
    let stdout = String::from_utf8_lossy(&table.stdout);
    let last = stdout.lines().last().unwrap();
    let total: usize = last
        .split(" of ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no total in {last:?}"));
    assert!(
        total > 20,
        "the test needs more flagged listings than a page: {total}"
    );
    assert!(last.starts_with("20 of "), "{last}");
    assert!(String::from_utf8_lossy(&table.stderr).contains("--json or --csv for every one"));

    // Every severity row of the table is at least as severe as the next.
    let rank = |s: &str| {
        ["critical", "high", "medium", "low", "info"]
            .iter()
            .position(|r| *r == s)
    };
    let ranks: Vec<usize> = stdout
        .lines()
        .skip(1)
        .filter_map(|l| rank(l.split_whitespace().next()?))
        .collect();
    assert_eq!(ranks.len(), 20);
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{stdout}");

    // CSV and JSON hold every hit, not 20.
    let csv = search(&["*", "--csv"]);
    let text = String::from_utf8_lossy(&csv.stdout).into_owned();
    assert_eq!(text.lines().count() - 1, total);
    // The drugs column names each drug once (item 9).
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let drugs_at = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "drugs")
        .unwrap();
    let mut with_drugs = 0;
    for row in reader.records() {
        let drugs: Vec<String> = row.unwrap()[drugs_at]
            .split(';')
            .map(str::to_string)
            .collect();
        let unique: std::collections::BTreeSet<&String> = drugs.iter().collect();
        assert_eq!(unique.len(), drugs.len(), "{drugs:?}");
        with_drugs += usize::from(!drugs[0].is_empty());
    }
    assert!(with_drugs > 0);
    assert_eq!(json_lines(&search(&["*", "--json"])).len(), total);
    // The web page's CSV holds the same rows.
    let web = common::Server::start(&crawled.data, None);
    let web_csv = web.get("/search.csv?q=*");
    assert_eq!(web_csv.lines().count() - 1, total);
    drop(web);
    // Unless a limit is given, which is honoured as given.
    assert_eq!(
        json_lines(&search(&["*", "--json", "--limit", "5"])).len(),
        5
    );
    let paged = json_lines(&search(&["*", "--json", "--limit", "7", "--offset", "3"]));
    let whole = json_lines(&search(&["*", "--json"]));
    assert_eq!(paged, whole[3..10].to_vec());
}
