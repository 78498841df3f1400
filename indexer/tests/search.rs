//! Every feature of the query language against a real on-disk index of ~50 listings.

mod common;

use common::{ROWS, fixture};
use pharmwatch_indexer::{IndexDoc, SearchError, SearchRequest, SortBy, SortOrder};
use pharmwatch_model::Severity;

fn req(q: &str) -> SearchRequest {
    SearchRequest {
        limit: 100,
        ..SearchRequest::new(q)
    }
}

/// Number of fixture docs satisfying `pred` (flagged only unless `all`).
fn oracle(docs: &[IndexDoc], all: bool, pred: impl Fn(&IndexDoc) -> bool) -> usize {
    docs.iter()
        .filter(|d| all || d.verdict.flagged)
        .filter(|d| pred(d))
        .count()
}

#[test]
fn bare_terms_search_title_description_seller_and_drug() {
    let f = fixture();
    assert_eq!(f.count("oxycodone"), 5, "title, description or drug name");
    assert_eq!(f.count("OXYCODONE"), 5, "case-insensitive");
    assert_eq!(f.count("xanax"), 1);
    assert_eq!(f.count("ксанакс"), 1, "Cyrillic, lower-cased query");
    assert_eq!(f.count("Ксанакс"), 1);
    assert_eq!(f.count("discrete"), 1, "ASCII folding: discrète");
    assert_eq!(f.count("envío"), 1);
    assert_eq!(f.count("feelgood"), 20, "seller");
    assert_eq!(f.count("diazepam"), 10);
    assert_eq!(f.count("nosuchword"), 0);
}

#[test]
fn no_stemming_conflates_names() {
    let f = fixture();
    // "tablets" must not match "tablet"-stemmed words of other names; exact word only.
    assert_eq!(f.count_all("tablet"), 0);
    assert!(f.count_all("tablets") > 0);
    assert_eq!(f.count("oxycontin"), 1);
}

#[test]
fn phrases_and_slop() {
    let f = fixture();
    assert_eq!(
        f.all_titles("\"no prescription\""),
        [
            "Buy OxyContin 80mg x 60 tablets - no prescription needed",
            "Viagra 100mg x 30 tablets"
        ]
    );
    assert_eq!(f.count("\"prescription no\""), 0);
    assert_eq!(f.count("\"oxycodone pills\""), 0);
    assert_eq!(f.count("\"oxycodone pills\"~4"), 1);
    // Letters and digits are split: "30mg" and "30 mg" find each other.
    assert_eq!(f.count("\"Oxycodone 30 mg\""), 1);
    assert_eq!(f.count("oxycodone 30mg"), 2);
    assert_eq!(f.count("\"sin receta\""), 2);
    assert_eq!(f.count("\"без рецепта\""), 1);
}

#[test]
fn chinese_names_are_found_as_bigram_phrases() {
    let f = fixture();
    assert_eq!(f.titles(&req("奥施康定")), ["正品奥施康定40mg无需处方"]);
    assert_eq!(f.titles(&req("西地那非")), ["西地那非片100mg*30片"]);
    assert_eq!(f.titles(&req("司美格鲁肽")), ["司美格鲁肽注射液笔"]);
    assert_eq!(f.titles(&req("羟考酮")), ["羟考酮 10mg 60片 隐秘包装"]);
    assert_eq!(f.titles(&req("阿普唑仑")), ["阿普唑仑 0.4mg 100片"]);
    assert_eq!(f.count("无需处方"), 2);
    // Bigrams find a name inside a longer run: 康定 (a town) also matches 奥施康定.
    assert_eq!(f.count_all("康定"), 2);
    // A single character is found inside bigrams too.
    assert_eq!(f.count("title:片"), 3);
    assert_eq!(f.count("片"), 4);
    // Mixed scripts in one query.
    assert_eq!(f.count("奥施康定 40mg"), 1);
    assert_eq!(f.count("奥施康定 AND site:medsdirect"), 0);
}

#[test]
fn boolean_operators_and_precedence() {
    let f = fixture();
    assert_eq!(f.count("oxycodone AND stealth"), 1);
    assert_eq!(f.count("oxycodone stealth"), 1, "AND is the default");
    assert_eq!(f.count("oxycodone && stealth"), 1);
    assert_eq!(f.count("+oxycodone +stealth"), 1);
    assert_eq!(f.count("oxycodone OR xanax"), 6);
    assert_eq!(f.count("oxycodone || xanax"), 6);
    assert_eq!(f.count("oxycodone NOT stealth"), 4);
    assert_eq!(f.count("oxycodone -stealth"), 4);
    assert_eq!(f.count("oxycodone !stealth"), 4);
    assert_eq!(f.count("oxycodone AND NOT stealth"), 4);
    assert_eq!(f.count("NOT site:pillshop"), 21);
    assert_eq!(f.count("-site:pillshop -site:medsdirect"), 12);
    assert_eq!(
        f.count("xanax OR oxycodone stealth"),
        2,
        "AND binds tighter than OR"
    );
    assert_eq!(f.count("(xanax OR oxycodone) stealth"), 1);
    assert_eq!(f.count("(oxycodone OR tramadol) AND site:quickads"), 2);
    assert_eq!(f.count("site:(quickads OR kangjian)"), 12);
    assert_eq!(f.count("oxycodone OR NOT site:pillshop"), 21);
    assert_eq!(f.count("and"), 0, "lower-case `and` is a word");
}

#[test]
fn every_field() {
    let f = fixture();
    let d = &f.docs;
    assert_eq!(f.count("title:viagra"), 2);
    assert_eq!(f.count("description:bitcoin"), 3);
    assert_eq!(f.count("seller:feelgood"), 20);
    assert_eq!(f.count("seller:\"Dr Feelgood\""), 20);
    assert_eq!(f.count("seller:康健大药房"), 5);
    assert_eq!(f.count("url:\"http://pillshop.test/product/100.html\""), 1);
    assert_eq!(f.count("url:pillshop"), 20);
    assert_eq!(f.count("drug:oxycodone"), 5);
    assert_eq!(f.count("drug:OxyCodone"), 5);
    assert_eq!(f.count("drugs:oxycodone"), 5, "alias");
    assert_eq!(f.count("drug_class:controlled"), 32);
    assert_eq!(f.count("rule:stealth-shipping"), 6);
    assert_eq!(f.count("rule:\"stealth-shipping\""), 6);
    assert_eq!(f.count("site:kangjian"), 5);
    assert_eq!(f.count_all("site:kangjian"), 7);
    assert_eq!(f.count_all("domain:carewell.test"), 3);
    assert_eq!(f.count_all("host:carewell.test"), 3);
    assert_eq!(f.count("site_kind:classifieds"), 7);
    assert_eq!(f.count_all("currency:eur"), 9);
    assert_eq!(f.count_all("currency:CNY"), 7);
    assert_eq!(f.count("contact:pillsdirect"), 1);
    assert_eq!(f.count_all("gtin:050123456789010"), 1);
    assert_eq!(f.count_all("run:0"), oracle(d, true, |x| x.run == Some(0)));
    let digest = d[0].listing.evidence_digest.clone().unwrap();
    assert_eq!(f.count(&format!("digest:{digest}")), 1);
    let id = d[3].listing.id.to_string();
    assert_eq!(
        f.titles(&req(&format!("id:{id}"))),
        ["Viagra 100mg x 30 tablets"]
    );
    assert_eq!(f.count("flagged:true"), 41);
    assert_eq!(
        f.count("flagged:false"),
        9,
        "naming flagged: lifts the default filter"
    );
    assert_eq!(f.count("flagged:true OR flagged:false"), 50);
    assert_eq!(
        f.count("payment:bitcoin"),
        0,
        "no payment methods in the fixture"
    );
}

#[test]
fn numeric_ranges_inclusive_exclusive_open() {
    let f = fixture();
    let d = &f.docs;
    let usd =
        |lo: f64, hi: f64| move |x: &IndexDoc| x.price_usd.is_some_and(|p| p >= lo && p <= hi);
    assert_eq!(f.count("price_usd:[0 TO 5]"), 1);
    assert_eq!(f.count_all("price_usd:[0 TO 5]"), 3);
    assert_eq!(
        f.count_all("price_usd:[0 TO 5]"),
        oracle(d, true, usd(0.0, 5.0))
    );
    assert_eq!(f.count_all("price_usd:[* TO 5]"), 3);
    assert_eq!(f.count_all("price_usd:{4.5 TO 5.5}"), 2);
    assert_eq!(f.count_all("price_usd:[4.5 TO 5.5]"), 3);
    assert_eq!(
        f.count_all("price_usd:[300 TO *]"),
        oracle(d, true, usd(300.0, f64::MAX))
    );
    assert_eq!(f.count_all("price_usd:*"), 49, "exists: all but the sofa");
    assert_eq!(f.count_all("price_usd:<5"), 3);
    assert_eq!(f.count_all("price_usd:<=4.5"), 3);
    assert_eq!(f.count_all("price_usd:<4.5"), 2);
    assert_eq!(
        f.count_all("price_usd:< 4.5"),
        2,
        "space after the operator"
    );
    assert_eq!(f.count_all("price_usd:>1000"), 0);
    assert_eq!(
        f.count_all("price:[0 TO 50]"),
        oracle(d, true, |x| {
            x.listing
                .price
                .is_some_and(|p| p.amount <= rust_decimal::Decimal::from(50))
        })
    );
    assert_eq!(
        f.count_all("price:45"),
        3,
        "exact value: 45 USD twice and 45 EUR"
    );
    assert_eq!(
        f.count("unit_price_usd:<0.5"),
        oracle(d, false, |x| x.unit_price_usd.is_some_and(|p| p < 0.5))
    );
    assert_eq!(
        f.count("score:[100 TO *]"),
        oracle(d, false, |x| x.verdict.score >= 100.0)
    );
    assert_eq!(f.count("score:>=98 AND site:pillshop"), 2);
    assert_eq!(f.count("drug:oxycodone AND price_usd:[0 TO 100]"), 2);
}

#[test]
fn severity_names_and_comparisons() {
    let f = fixture();
    assert_eq!(f.count("severity:critical"), 32);
    assert_eq!(f.count("severity:high"), 8);
    assert_eq!(f.count("severity:HIGH"), 8);
    assert_eq!(f.count("severity:3"), 8);
    assert_eq!(f.count("severity:medium"), 1);
    assert_eq!(f.count("severity:>=high"), 40);
    assert_eq!(f.count("severity:>high"), 32);
    assert_eq!(f.count("severity:<high"), 1);
    assert_eq!(
        f.count_all("severity:<=medium"),
        1,
        "unflagged listings have no severity"
    );
    assert_eq!(f.count("severity:[medium TO high]"), 9);
    assert_eq!(f.count("severity:{medium TO critical}"), 8);
    assert_eq!(f.count("severity:[high TO *]"), 40);
}

#[test]
fn date_ranges() {
    let f = fixture();
    let d = &f.docs;
    assert_eq!(f.count("first_seen:[2026-07-01 TO *]"), 20);
    assert_eq!(f.count("first_seen:2026-07-05"), 1, "a day");
    assert_eq!(f.count("first_seen:2026-07"), 20, "a month");
    assert_eq!(f.count_all("first_seen:2026"), 50, "a year");
    assert_eq!(
        f.count("first_seen:[2026-07-01 TO 2026-07-05]"),
        5,
        "inclusive end day"
    );
    assert_eq!(
        f.count("first_seen:{2026-07-01 TO 2026-07-05}"),
        3,
        "exclusive ends"
    );
    assert_eq!(f.count("first_seen:>=2026-07-19"), 2);
    assert_eq!(f.count("first_seen:>2026-07-19"), 1);
    assert_eq!(f.count_all("first_seen:<2026-01-06"), 2);
    assert_eq!(
        f.count_all("first_seen:[* TO 2026-01-05T08:30:00Z]"),
        2,
        "instant, inclusive"
    );
    assert_eq!(
        f.count_all("first_seen:[* TO 2026-01-05T08:30:00Z}"),
        1,
        "instant, exclusive"
    );
    assert_eq!(f.count_all("first_seen:\"2026-01-05T08:30:00Z\""), 1);
    let july = time::macros::datetime!(2026-07-01 00:00 UTC);
    assert_eq!(
        f.count_all("last_seen:[2026-07-01 TO *]"),
        oracle(d, true, |x| x.last_seen >= july)
    );
    assert_eq!(f.count_all("first_seen:<now"), 50);
    assert_eq!(f.count_all("first_seen:>now-7d"), 0);
    // Far-away dates are clamped to what the index can hold, not an overflow.
    assert_eq!(f.count_all("first_seen:[0001 TO 9999]"), 50);
    assert_eq!(f.count_all("first_seen:>9999-12-31"), 0);
    assert_eq!(f.count_all("last_seen:<now-999999999w"), 0);
}

#[test]
fn negated_phrases_that_match_nothing() {
    // Regression: tantivy's exclusion used to assert on a phrase scorer that had run out.
    let f = fixture();
    assert_eq!(f.count_all("NOT 0奥施康定"), 50);
    assert_eq!(f.count_all("NOT \"nothing like this\""), 50);
    assert_eq!(f.count_all("NOT \"no prescription\""), 48);
    assert_eq!(f.count_all("oxycodone -\"x y\" -奥施康定"), 4);
}

#[test]
fn wildcards_and_fuzzy() {
    let f = fixture();
    assert_eq!(
        f.count("oxy*"),
        5,
        "drug oxycodone ×5; OxyContin is one of them"
    );
    assert_eq!(f.count("title:oxy*"), 2);
    assert_eq!(
        f.count("title:0xyc?d?ne"),
        1,
        "mixed words are indexed whole too"
    );
    assert_eq!(f.count("title:0xyc0d0ne"), 1);
    assert_eq!(f.count("title:0xycodone~1"), 1, "oxycodone");
    assert_eq!(f.count("title:0xycodone~2"), 2, "and 0xyc0d0ne");
    assert_eq!(f.count("v1agra"), 1);
    assert_eq!(f.count("v1a*"), 1);
    assert_eq!(f.count("oxycodon~1"), 5);
    assert_eq!(f.count("oxycodon"), 0);
    assert_eq!(f.count_all("domain:*.test"), 50);
    assert_eq!(f.count("site:pill*"), 20);
    assert_eq!(f.count("rule:*shipping"), 6);
    assert_eq!(f.count("drug:oxycodne~1"), 5);
}

#[test]
fn regular_expressions() {
    let f = fixture();
    assert_eq!(f.count("title:/v[1i]agra/"), 3, "Viagra ×2 and V1agra");
    assert_eq!(f.count("/v[1i]agra/"), 3);
    assert_eq!(f.count("title:/oxyc.*/"), 2, "OxyContin, Oxycodone");
    assert_eq!(f.count("drug:/(oxy|hydro)codone/"), 5);
    assert_eq!(f.count_all("domain:/.*well.*/"), 3);
    assert_eq!(f.count("rule:/.*-shipping/"), 6);
    let res = f
        .searcher
        .search(&SearchRequest {
            highlight: true,
            ..req("title:/v[1i]agra/ site:quickads")
        })
        .unwrap();
    let mut marks: Vec<Vec<&str>> = res
        .hits
        .iter()
        .map(|h| highlighted(h.title_snippet.as_ref().unwrap()))
        .collect();
    marks.sort();
    assert_eq!(marks, [vec!["V1agra"], vec!["Viagra"]]);
}

#[test]
fn match_all_and_empty_queries() {
    let f = fixture();
    assert_eq!(f.count(""), 41);
    assert_eq!(f.count("   "), 41);
    assert_eq!(f.count("*"), 41);
    assert_eq!(f.count_all("*"), 50);
    assert_eq!(f.count("!!!"), 0, "no words: nothing");
}

fn sorted_docs(f: &common::Fixture, sort: SortBy) -> Vec<IndexDoc> {
    f.searcher
        .search(&SearchRequest {
            sort,
            include_unflagged: true,
            ..req("*")
        })
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.doc)
        .collect()
}

#[test]
fn sort_orders() {
    let f = fixture();
    let by_score = sorted_docs(&f, SortBy::Score(SortOrder::Desc));
    assert_eq!(by_score.len(), 50);
    assert!(
        by_score
            .windows(2)
            .all(|w| w[0].verdict.score >= w[1].verdict.score)
    );
    assert_eq!(by_score[0].verdict.score, 175.0);
    let asc = sorted_docs(&f, SortBy::Score(SortOrder::Asc));
    assert!(
        asc.windows(2)
            .all(|w| w[0].verdict.score <= w[1].verdict.score)
    );

    let by_price = sorted_docs(&f, SortBy::Price(SortOrder::Asc));
    let prices: Vec<Option<f64>> = by_price.iter().map(|d| d.price_usd).collect();
    assert!(
        prices[..49]
            .windows(2)
            .all(|w| w[0].unwrap() <= w[1].unwrap())
    );
    assert_eq!(prices[49], None, "missing prices last");
    let desc = sorted_docs(&f, SortBy::Price(SortOrder::Desc));
    assert!(
        desc[..49]
            .windows(2)
            .all(|w| w[0].price_usd >= w[1].price_usd)
    );
    assert_eq!(
        desc[49].price_usd, None,
        "missing prices last in both directions"
    );

    let by_sev = sorted_docs(&f, SortBy::Severity(SortOrder::Desc));
    let rank = |d: &IndexDoc| d.verdict.severity.map(Severity::rank);
    assert!(by_sev.windows(2).all(|w| rank(&w[0]) >= rank(&w[1])));
    assert!(
        by_sev[..32]
            .iter()
            .all(|d| d.verdict.severity == Some(Severity::Critical))
    );
    assert_eq!(by_sev[0].verdict.score, 175.0, "ties broken by score");

    let first = sorted_docs(&f, SortBy::FirstSeen(SortOrder::Asc));
    assert!(first.windows(2).all(|w| w[0].first_seen <= w[1].first_seen));
    let last = sorted_docs(&f, SortBy::LastSeen(SortOrder::Desc));
    assert!(last.windows(2).all(|w| w[0].last_seen >= w[1].last_seen));
    let unit = sorted_docs(&f, SortBy::UnitPrice(SortOrder::Asc));
    let units: Vec<f64> = unit.iter().filter_map(|d| d.unit_price_usd).collect();
    assert!(units.windows(2).all(|w| w[0] <= w[1]));

    let rel = f.searcher.search(&req("oxycodone")).unwrap();
    assert!(
        rel.hits
            .windows(2)
            .all(|w| w[0].relevance >= w[1].relevance)
    );
    assert!(rel.hits[0].relevance > 0.0);
    assert_eq!(rel.hits[0].doc.listing.title, "Oxycodone 30mg x 90 pills");
}

#[test]
fn sort_by_parses_from_cli_text() {
    assert_eq!(
        "price".parse::<SortBy>().unwrap(),
        SortBy::Price(SortOrder::Asc)
    );
    assert_eq!(
        "score".parse::<SortBy>().unwrap(),
        SortBy::Score(SortOrder::Desc)
    );
    assert_eq!(
        "first_seen:asc".parse::<SortBy>().unwrap(),
        SortBy::FirstSeen(SortOrder::Asc)
    );
    assert_eq!("relevance".parse::<SortBy>().unwrap(), SortBy::Relevance);
    assert!("colour".parse::<SortBy>().is_err());
    assert!("score:up".parse::<SortBy>().is_err());
    assert_eq!(SortBy::Price(SortOrder::Desc).to_string(), "price:desc");
}

#[test]
fn pagination() {
    let f = fixture();
    let sort = SortBy::Score(SortOrder::Desc);
    let full: Vec<String> = sorted_docs(&f, sort)
        .into_iter()
        .map(|d| d.listing.id.to_string())
        .collect();
    let mut paged = Vec::new();
    for page in 0..6 {
        let res = f
            .searcher
            .search(&SearchRequest {
                sort,
                include_unflagged: true,
                limit: 10,
                offset: page * 10,
                ..SearchRequest::new("*")
            })
            .unwrap();
        assert_eq!(res.total, 50);
        assert!(res.hits.len() <= 10);
        paged.extend(res.hits.into_iter().map(|h| h.doc.listing.id.to_string()));
    }
    assert_eq!(paged, full);
    let rel_page = f
        .searcher
        .search(&SearchRequest {
            limit: 2,
            offset: 1,
            ..SearchRequest::new("oxycodone")
        })
        .unwrap();
    let rel_all = f.searcher.search(&req("oxycodone")).unwrap();
    assert_eq!(rel_page.hits.len(), 2);
    assert_eq!(
        rel_page.hits[0].doc.listing.id,
        rel_all.hits[1].doc.listing.id
    );
    let count_only = f
        .searcher
        .search(&SearchRequest {
            limit: 0,
            facets: true,
            ..SearchRequest::new("*")
        })
        .unwrap();
    assert_eq!(count_only.total, 41);
    assert!(count_only.hits.is_empty());
    assert!(count_only.facets.is_some());
}

fn facet(list: &[(String, u64)], key: &str) -> u64 {
    list.iter().find(|(k, _)| k == key).map_or(0, |(_, n)| *n)
}

#[test]
fn facet_counts() {
    let f = fixture();
    let res = f
        .searcher
        .search(&SearchRequest {
            facets: true,
            limit: 5,
            ..SearchRequest::new("*")
        })
        .unwrap();
    let facets = res.facets.unwrap();
    assert_eq!(
        facets.site,
        [
            ("pillshop".to_string(), 20),
            ("medsdirect".to_string(), 9),
            ("quickads".to_string(), 7),
            ("kangjian".to_string(), 5)
        ]
    );
    assert_eq!(
        facets.severity,
        [
            ("critical".to_string(), 32),
            ("high".to_string(), 8),
            ("medium".to_string(), 1)
        ]
    );
    assert_eq!(facet(&facets.drug, "oxycodone"), 5);
    assert_eq!(facet(&facets.drug, "sildenafil"), 4);
    assert_eq!(facet(&facets.drug, "diazepam"), 10);
    assert_eq!(
        facet(&facets.drug, "atorvastatin"),
        0,
        "carewell is not flagged"
    );
    assert_eq!(facet(&facets.rule, "controlled-substance-online"), 32);
    assert_eq!(facet(&facets.rule, "stealth-shipping"), 6);
    assert_eq!(facet(&facets.domain, "pillshop.test"), 20);
    // Every rule count agrees with the fixture.
    for (rule, n) in &facets.rule {
        let expected = ROWS
            .iter()
            .filter(|r| r.rules.contains(&rule.as_str()))
            .count()
            + if rule == "controlled-substance-online" {
                20
            } else {
                0
            };
        assert_eq!(*n as usize, expected, "{rule}");
    }
    // Facets follow the query, not the page.
    let narrow = f
        .searcher
        .search(&SearchRequest {
            facets: true,
            limit: 1,
            ..SearchRequest::new("site:quickads")
        })
        .unwrap()
        .facets
        .unwrap();
    assert_eq!(narrow.site, [("quickads".to_string(), 7)]);
    assert_eq!(facet(&narrow.rule, "medicine-on-informal-market"), 7);
    let no = f.searcher.search(&req("*")).unwrap();
    assert!(no.facets.is_none());
    // Searches without scores collect facets block-wise: same counts.
    for (limit, sort) in [
        (0, SortBy::Relevance),
        (5, SortBy::Score(SortOrder::Desc)),
        (5, SortBy::Price(SortOrder::Asc)),
    ] {
        let other = f
            .searcher
            .search(&SearchRequest {
                facets: true,
                limit,
                sort,
                ..SearchRequest::new("*")
            })
            .unwrap()
            .facets
            .unwrap();
        assert_eq!(other, facets, "limit {limit}, {sort}");
    }
}

fn highlighted(s: &pharmwatch_indexer::Snippet) -> Vec<&str> {
    s.highlighted
        .iter()
        .map(|r| &s.fragment[r.clone()])
        .collect()
}

#[test]
fn snippets_highlight_the_matching_words() {
    let f = fixture();
    let res = f
        .searcher
        .search(&SearchRequest {
            highlight: true,
            ..req("oxycodone OR stealth")
        })
        .unwrap();
    let by_title = |t: &str| res.hits.iter().find(|h| h.doc.listing.title == t).unwrap();
    let h = by_title("Oxycodone 30mg x 90 pills");
    assert_eq!(
        highlighted(h.title_snippet.as_ref().unwrap()),
        ["Oxycodone"]
    );
    let h = by_title("Buy OxyContin 80mg x 60 tablets - no prescription needed");
    assert!(h.title_snippet.is_none(), "OxyContin is not oxycodone");
    let d = h.description_snippet.as_ref().unwrap();
    assert_eq!(highlighted(d), ["Stealth"]);
    assert_eq!(
        d.to_html(),
        "Strong opioid pain relief. <mark>Stealth</mark> shipping, no customs. Pay with Bitcoin or Monero."
    );

    let res = f
        .searcher
        .search(&SearchRequest {
            highlight: true,
            ..req("\"no prescription\" -stealth")
        })
        .unwrap();
    assert_eq!(res.total, 1);
    let d = res.hits[0].description_snippet.as_ref().unwrap();
    assert_eq!(highlighted(d), ["no prescription"]);

    let res = f
        .searcher
        .search(&SearchRequest {
            highlight: true,
            ..req("title:oxy* description:bitcoin")
        })
        .unwrap();
    assert_eq!(res.total, 1);
    assert_eq!(
        highlighted(res.hits[0].title_snippet.as_ref().unwrap()),
        ["OxyContin"]
    );
    assert_eq!(
        highlighted(res.hits[0].description_snippet.as_ref().unwrap()),
        ["Bitcoin"]
    );
}

#[test]
fn chinese_snippets() {
    let f = fixture();
    let res = f
        .searcher
        .search(&SearchRequest {
            highlight: true,
            ..req("奥施康定")
        })
        .unwrap();
    let hit = &res.hits[0];
    let t = hit.title_snippet.as_ref().unwrap();
    assert_eq!(highlighted(t), ["奥施康定"]);
    assert_eq!(t.to_html(), "正品<mark>奥施康定</mark>40mg无需处方");
    assert_eq!(
        highlighted(hit.description_snippet.as_ref().unwrap()),
        ["奥施康定"]
    );

    let res = f
        .searcher
        .search(&SearchRequest {
            highlight: true,
            ..req("title:片 AND 西地那非")
        })
        .unwrap();
    let t = res.hits[0].title_snippet.as_ref().unwrap();
    assert_eq!(highlighted(t), ["西地那非片", "片"]);
}

#[test]
fn hits_reconstruct_the_indexed_doc_exactly() {
    let f = fixture();
    let res = f
        .searcher
        .search(&SearchRequest {
            include_unflagged: true,
            ..req("*")
        })
        .unwrap();
    assert_eq!(res.hits.len(), 50);
    for hit in res.hits {
        let original = f
            .docs
            .iter()
            .find(|d| d.listing.id == hit.doc.listing.id)
            .unwrap();
        assert_eq!(&hit.doc, original);
    }
    let got = f.searcher.get(&f.docs[13].listing.id).unwrap().unwrap();
    assert_eq!(got, f.docs[13]);
    let missing = pharmwatch_model::ListingId::from_stored("nope");
    assert!(f.searcher.get(&missing).unwrap().is_none());
}

#[test]
fn results_serialize_to_json() {
    let f = fixture();
    let res = f
        .searcher
        .search(&SearchRequest {
            facets: true,
            highlight: true,
            limit: 2,
            ..SearchRequest::new("xanax")
        })
        .unwrap();
    let json = serde_json::to_value(&res).unwrap();
    assert_eq!(json["total"], 1);
    assert_eq!(
        json["hits"][0]["doc"]["listing"]["title"],
        "Xanax 2mg bars x 100"
    );
    assert_eq!(
        json["hits"][0]["title_snippet"]["highlighted"][0]["start"],
        0
    );
    assert_eq!(json["facets"]["site"][0][0], "medsdirect");
}

fn query_error(q: &str) -> pharmwatch_indexer::QueryError {
    let f = fixture_cached();
    match f.search(&SearchRequest::new(q)) {
        Err(SearchError::Query(e)) => e,
        other => panic!("{q}: expected a query error, got {other:?}"),
    }
}

/// Error tests need only the schema: an empty index in its own directory.
fn fixture_cached() -> pharmwatch_indexer::ListingSearcher {
    let dir = tempfile::tempdir().unwrap();
    let s = pharmwatch_indexer::ListingSearcher::open(dir.path()).unwrap();
    std::mem::forget(dir);
    s
}

#[test]
fn syntax_errors_point_at_the_mistake() {
    let cases: &[(&str, usize, &str)] = &[
        ("(oxycodone AND xanax", 0, "never closed"),
        ("drug:oxycodone AND (price_usd:<5", 19, "never closed"),
        ("oxycodone)", 9, "no matching `(`"),
        ("()", 0, "empty group"),
        ("price_usd:[0 TO ]", 16, "upper bound"),
        ("price_usd:[0 5]", 13, "expected `TO`"),
        ("price_usd:[0 TO 5", 10, "never closed"),
        ("price_usd:[abc TO 5]", 11, "not a number"),
        ("price_usd:[ TO 5]", 12, "lower bound"),
        ("[0 TO 5]", 0, "needs a field"),
        ("colour:red", 0, "unknown field `colour`"),
        ("oxycodone AND", 10, "dangling operator"),
        ("oxycodone OR", 10, "dangling operator"),
        ("AND oxycodone", 0, "needs a clause on its left"),
        ("oxycodone OR OR xanax", 13, "two operators"),
        ("NOT", 0, "dangling operator"),
        ("title:\"no rx", 6, "unterminated phrase"),
        ("title:", 6, "missing value"),
        ("title: AND x", 6, "missing value"),
        ("severity:>=urgent", 11, "not a severity"),
        ("severity:9", 9, "not a severity"),
        ("first_seen:[yesterday TO *]", 12, "not a date"),
        ("flagged:maybe", 8, "not true or false"),
        ("site:>5", 0, "takes no ranges"),
        ("oxycodone~x", 9, "must be followed by a number"),
        ("oxycodone~99", 9, "edit distance"),
        ("title:oxycodone^", 15, "needs a number"),
        ("title:/v[1i/", 6, "invalid regular expression"),
        ("title:/viagra", 6, "unterminated regular expression"),
        ("price_usd:/1.*/", 10, "takes no regular expressions"),
        ("奥施康定 AND (", 17, "never closed"),
    ];
    for (q, pos, msg) in cases {
        let e = query_error(q);
        assert_eq!(e.position, *pos, "{q}: {e}");
        assert!(
            e.message.contains(msg) || e.to_string().contains(msg),
            "{q}: {e}"
        );
    }
}

#[test]
fn error_display_has_a_caret_and_a_hint() {
    let e = query_error("drug:oxycodone AND (price_usd:<5");
    let text = e.to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[1], "  drug:oxycodone AND (price_usd:<5");
    assert_eq!(lines[2], format!("  {}^", " ".repeat(19)));
    assert!(lines[3].starts_with("hint: add `)`"), "{text}");

    let e = query_error("prise_usd:<5");
    assert_eq!(
        e.message,
        "unknown field `prise_usd` (did you mean `price_usd`?)"
    );
    let e = query_error("colour:red");
    assert!(
        e.to_string().contains("valid fields: title, description"),
        "{e}"
    );
    assert!(e.to_string().contains("price_usd"), "{e}");

    // Wide characters take two columns.
    let e = query_error("奥施康定 AND (");
    let caret = e.to_string().lines().nth(2).unwrap().to_string();
    assert_eq!(caret, format!("  {}^", " ".repeat(4 * 2 + 5)));
}

/// Issue 23: a 64 KB query of 3,000 regex terms ran 10–22 s. The term limits refuse it at
/// once, naming the limit; a search past its time budget, or cancelled, stops with an error
/// instead of results.
#[test]
fn expensive_queries_are_refused_or_stopped() {
    let f = fixture();
    let regexes = vec!["/o.*x.*y/"; 3_000].join(" ");
    let started = std::time::Instant::now();
    let e = match f.searcher.search(&req(&regexes)) {
        Err(SearchError::Query(e)) => e,
        other => panic!("expected a query error, got {other:?}"),
    };
    assert!(e.message.contains("query too long"), "{e}");
    let wildcards = vec!["*n*"; 500].join(" OR ");
    let e = match f.searcher.search(&req(&wildcards)) {
        Err(SearchError::Query(e)) => e,
        other => panic!("expected a query error, got {other:?}"),
    };
    assert!(e.message.contains("too many terms"), "{e}");
    let some = ["*n*"; 11].join(" OR ");
    let e = match f.searcher.search(&req(&some)) {
        Err(SearchError::Query(e)) => e,
        other => panic!("expected a query error, got {other:?}"),
    };
    assert!(
        e.message
            .contains("regex, wildcard or fuzzy terms: 11 (at most 10"),
        "{e}"
    );
    // Generous: refused up front rather than searched for seconds.
    assert!(started.elapsed() < std::time::Duration::from_secs(2));

    let spent = pharmwatch_indexer::SearchBudget::new(std::time::Duration::ZERO);
    match f.searcher.search_within(&req("oxycodone"), &spent) {
        Err(e @ SearchError::OverBudget(_)) => {
            assert!(e.to_string().contains("longer than its budget"), "{e}")
        }
        other => panic!("expected over budget, got {other:?}"),
    }
    let budget = pharmwatch_indexer::SearchBudget::new(std::time::Duration::from_secs(60));
    budget.canceller().cancel();
    assert!(matches!(
        f.searcher.search_within(&req("*"), &budget),
        Err(SearchError::Cancelled)
    ));
    // Within the limits and the budget, the same kinds of terms work.
    let fine = pharmwatch_indexer::SearchBudget::new(std::time::Duration::from_secs(60));
    assert!(
        f.searcher
            .search_within(&req("oxy* OR /xan.x/ OR oxycodon~1"), &fine)
            .is_ok()
    );
}
