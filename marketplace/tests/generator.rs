//! Generator and ground truth: determinism, size, and the rule semantics of the contract.

mod common;

use std::collections::{BTreeSet, HashSet};

use pharmwatch_marketplace::{
    Archetype, GroundTruth, ListingTruth, Marketplace, MarketplaceOptions, MarkupStyle, drug_names,
    reference_usd_per_unit, rule_ids, usd_rate_of,
};
use rust_decimal::Decimal;

fn default_truth() -> (Marketplace, GroundTruth) {
    let market = Marketplace::generate(&MarketplaceOptions::default());
    let truth = market.ground_truth();
    (market, truth)
}

fn decode(bytes: &[u8], gbk: bool) -> String {
    let enc = if gbk {
        encoding_rs::GBK
    } else {
        encoding_rs::UTF_8
    };
    enc.decode(bytes).0.into_owned()
}

#[test]
fn same_seed_same_bytes_other_seed_differs() {
    let opts = MarketplaceOptions {
        seed: 42,
        shops: 4,
        listings_per_shop: 60,
        networks: true,
    };
    let a = Marketplace::generate(&opts);
    let b = Marketplace::generate(&opts);
    let ta = a.ground_truth();
    assert_eq!(
        serde_json::to_string(&ta).unwrap(),
        serde_json::to_string(&b.ground_truth()).unwrap()
    );
    for l in &ta.listings {
        let pa = a.render(&l.shop, &l.path).unwrap();
        let pb = b.render(&l.shop, &l.path).unwrap();
        assert_eq!(pa.body, pb.body, "{}", l.path);
        assert_eq!(pa.validators, pb.validators);
    }
    for shop in ["medsdirect", "kangjian", "quickads", "carewell"] {
        assert_eq!(
            a.render(shop, "/").unwrap().body,
            b.render(shop, "/").unwrap().body
        );
    }
    let c = Marketplace::generate(&MarketplaceOptions { seed: 43, ..opts });
    let tc = c.ground_truth();
    assert_ne!(
        serde_json::to_string(&ta.listings).unwrap(),
        serde_json::to_string(&tc.listings).unwrap()
    );
}

#[test]
fn defaults_give_four_archetypes_and_at_least_400_pages() {
    let (market, truth) = default_truth();
    assert!(truth.listings.len() >= 400, "{}", truth.listings.len());
    assert_eq!(market.listing_count(), truth.listings.len());
    let names: Vec<&str> = truth.shops.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "medsdirect",
            "kangjian",
            "quickads",
            "carewell",
            "pillharbor",
            "rxbayside",
            "medcove",
            "genericspot",
            "tabsmart",
            "pharmacorner",
            "rxwarehouse"
        ]
    );
    let archetypes: HashSet<Archetype> = truth.shops.iter().map(|s| s.archetype).collect();
    assert_eq!(archetypes.len(), 4);
    for (i, shop) in truth.shops.iter().enumerate() {
        let n = truth
            .listings
            .iter()
            .filter(|l| l.shop == shop.name)
            .count();
        if i < 4 {
            assert!(n >= 100, "{}: {n}", shop.name);
        } else {
            assert_eq!(
                n,
                pharmwatch_marketplace::NETWORK_SHOP_LISTINGS,
                "{}",
                shop.name
            );
            assert_eq!(shop.archetype, Archetype::RoguePharmacy);
        }
    }
    let paths: HashSet<&str> = truth.listings.iter().map(|l| l.path.as_str()).collect();
    assert_eq!(paths.len(), truth.listings.len(), "paths are unique");
}

#[test]
fn more_shops_cycle_archetypes_under_new_names() {
    let market = Marketplace::generate(&MarketplaceOptions {
        seed: 1,
        shops: 6,
        listings_per_shop: 5,
        networks: false,
    });
    let names: Vec<String> = market.shops().into_iter().map(|s| s.name).collect();
    assert_eq!(
        names,
        [
            "medsdirect",
            "kangjian",
            "quickads",
            "carewell",
            "medsdirect2",
            "kangjian2"
        ]
    );
    assert_eq!(market.listing_count(), 30);
}

#[test]
fn carewell_never_expects_a_rule() {
    let (_, truth) = default_truth();
    let carewell: Vec<&ListingTruth> = truth
        .listings
        .iter()
        .filter(|l| l.shop == "carewell")
        .collect();
    assert!(!carewell.is_empty());
    for l in carewell {
        assert!(
            l.expected_rules.is_empty(),
            "{} {:?}",
            l.path,
            l.expected_rules
        );
        assert!(!l.flagged);
        assert_ne!(l.drug_class.as_deref(), Some("controlled"), "{}", l.path);
    }
}

#[test]
fn rule_sets_follow_the_contract_table() {
    let (_, truth) = default_truth();
    let known: BTreeSet<&str> = rule_ids::ALL.into_iter().collect();
    for l in &truth.listings {
        let rules: BTreeSet<&str> = l.expected_rules.iter().map(String::as_str).collect();
        assert!(rules.is_subset(&known), "{:?}", l.expected_rules);
        let mut sorted = l.expected_rules.clone();
        sorted.sort();
        assert_eq!(sorted, l.expected_rules, "sorted");
        assert_eq!(l.flagged, !rules.is_empty());
        let class = l.drug_class.as_deref();
        assert_eq!(
            class == Some("controlled"),
            rules.contains(rule_ids::CONTROLLED_SUBSTANCE_ONLINE),
            "{}",
            l.path
        );
        assert_eq!(
            l.obfuscated,
            rules.contains(rule_ids::OBFUSCATED_DRUG_NAME),
            "{}",
            l.path
        );
        assert_eq!(
            l.shop.starts_with("quickads") && l.drug.is_some(),
            rules.contains(rule_ids::MEDICINE_ON_INFORMAL_MARKET),
            "{}",
            l.path
        );
        if rules.contains(rule_ids::RX_WITHOUT_PRESCRIPTION) {
            assert!(matches!(class, Some("rx" | "controlled")), "{}", l.path);
        }
        if l.drug.is_none() {
            assert!(
                rules.is_empty(),
                "non-medicines trigger nothing: {}",
                l.path
            );
        }
    }
}

const NO_RX_PHRASES: [&str; 12] = [
    "no prescription",
    "no rx",
    "without prescription",
    "without a prescription",
    "no doctor",
    "无需处方",
    "免处方",
    "sin receta",
    "sans ordonnance",
    "sem receita",
    "без рецепта",
    "prescription needed!",
];

#[test]
fn red_flag_texts_appear_exactly_when_expected() {
    let (_, truth) = default_truth();
    let crypto = [
        "bitcoin", "btc", "monero", "xmr", "usdt", "ethereum", "litecoin",
    ];
    let stealth = [
        "stealth",
        "discreet",
        "no customs",
        "customs-free",
        "through customs",
    ];
    let messaging = ["whatsapp", "telegram", "wechat", "微信", "signal", "wickr"];
    for l in &truth.listings {
        let has = |id: &str| l.expected_rules.iter().any(|r| r == id);
        let text = format!("{}\n{}", l.title, l.description).to_lowercase();
        let says_no_rx = NO_RX_PHRASES.iter().any(|p| text.contains(p));
        if has(rule_ids::RX_WITHOUT_PRESCRIPTION) {
            assert!(says_no_rx, "{}: {text}", l.path);
        } else if matches!(l.drug_class.as_deref(), Some("rx" | "controlled")) {
            assert!(!says_no_rx, "{}: {text}", l.path);
        }
        let payment = l.payment.to_lowercase();
        let methods: Vec<&str> = payment
            .split_once(':')
            .map(|(_, m)| m)
            .unwrap_or(&payment)
            .split(',')
            .map(|m| m.trim())
            .collect();
        let all_crypto = methods.iter().all(|m| crypto.contains(m));
        assert_eq!(
            has(rule_ids::CRYPTO_ONLY_PAYMENT),
            all_crypto,
            "{}: {payment}",
            l.path
        );
        let all_messaging = l
            .contacts
            .iter()
            .all(|c| messaging.iter().any(|m| c.to_lowercase().starts_with(m)));
        assert!(!l.contacts.is_empty());
        assert_eq!(
            has(rule_ids::MESSAGING_ONLY_CONTACT),
            all_messaging,
            "{}: {:?}",
            l.path,
            l.contacts
        );
        let all_text = format!("{text}\n{}", l.shipping.to_lowercase());
        let stealthy = stealth.iter().any(|s| all_text.contains(s));
        assert_eq!(
            has(rule_ids::STEALTH_SHIPPING),
            stealthy,
            "{}: {all_text}",
            l.path
        );
    }
}

#[test]
fn obfuscated_names_hide_every_plain_name_and_plain_names_show() {
    let (_, truth) = default_truth();
    let mut kinds = HashSet::new();
    for l in truth.listings.iter().filter(|l| l.drug.is_some()) {
        let names = drug_names(l.drug.as_deref().unwrap()).unwrap();
        let fields = format!("{}\n{}\n{}", l.title, l.description, l.path).to_lowercase();
        let plain = names.iter().any(|n| fields.contains(&n.to_lowercase()));
        if l.obfuscated {
            kinds.insert(l.obfuscation.unwrap());
            if l.shop == "kangjian" {
                // GBK has no zero-width joiner: it would turn into a character reference.
                assert_ne!(
                    l.obfuscation,
                    Some(pharmwatch_marketplace::Obfuscation::ZeroWidth)
                );
            }
            assert!(!plain, "{} shows a plain name: {fields}", l.path);
            let shown = l.displayed_drug_name.as_deref().unwrap();
            assert!(l.title.contains(shown));
        } else {
            assert!(
                names
                    .iter()
                    .any(|n| l.title.to_lowercase().contains(&n.to_lowercase())),
                "{} has no drug name in its title",
                l.path
            );
        }
    }
    assert!(kinds.len() >= 4, "obfuscation kinds used: {kinds:?}");
}

/// Unit price of a listing as a fraction of the catalogue reference.
fn price_ratio(l: &ListingTruth) -> Option<Decimal> {
    let reference = reference_usd_per_unit(l.drug.as_deref()?)?;
    let rate = usd_rate_of(l.price.currency.as_str())?;
    let units = Decimal::from(l.quantity_units?);
    Some(l.price.amount / rate / units / reference)
}

#[test]
fn prices_are_plausible_or_clearly_implausible() {
    let (_, truth) = default_truth();
    for l in truth.listings.iter().filter(|l| l.drug.is_some()) {
        let ratio = price_ratio(l).unwrap();
        let implausible = l
            .expected_rules
            .iter()
            .any(|r| r == rule_ids::IMPLAUSIBLE_PRICE);
        // Far from the 25 % threshold even if the lexicon's reference differs by ±30 %.
        if implausible {
            assert!(ratio < Decimal::new(16, 2), "{} ratio {ratio}", l.path);
        } else {
            assert!(ratio > Decimal::new(70, 2), "{} ratio {ratio}", l.path);
            assert!(ratio < Decimal::new(165, 2), "{} ratio {ratio}", l.path);
        }
        assert!(l.quantity_units.unwrap() > 0);
        assert!(l.strength.is_some());
    }
}

#[test]
fn suspicious_shares_are_roughly_as_promised() {
    let truth = Marketplace::generate(&MarketplaceOptions {
        seed: 7,
        shops: 4,
        listings_per_shop: 500,
        networks: false,
    })
    .ground_truth();
    let rogue: Vec<&ListingTruth> = truth
        .listings
        .iter()
        .filter(|l| l.drug.is_some() && l.shop != "carewell")
        .collect();
    let share = |id: &str| {
        rogue
            .iter()
            .filter(|l| l.expected_rules.iter().any(|r| r == id))
            .count() as f64
            / rogue.len() as f64
    };
    let obf = share(rule_ids::OBFUSCATED_DRUG_NAME);
    let cheap = share(rule_ids::IMPLAUSIBLE_PRICE);
    assert!((0.15..=0.25).contains(&obf), "obfuscated share {obf}");
    assert!((0.11..=0.19).contains(&cheap), "implausible share {cheap}");
    let flagged =
        truth.listings.iter().filter(|l| l.flagged).count() as f64 / truth.listings.len() as f64;
    assert!((0.4..=0.8).contains(&flagged), "flagged share {flagged}");
}

#[test]
fn markup_varies_as_the_contract_says() {
    let (_, truth) = default_truth();
    let styles = |shop: &str| -> HashSet<MarkupStyle> {
        truth
            .listings
            .iter()
            .filter(|l| l.shop == shop)
            .map(|l| l.markup)
            .collect()
    };
    let meds = styles("medsdirect");
    for s in [
        MarkupStyle::JsonLd,
        MarkupStyle::JsonLdGraph,
        MarkupStyle::JsonLdArray,
        MarkupStyle::JsonLdOffersArray,
    ] {
        assert!(meds.contains(&s), "{s:?}");
    }
    assert_eq!(styles("kangjian"), HashSet::from([MarkupStyle::Profile]));
    assert_eq!(styles("quickads"), HashSet::from([MarkupStyle::Profile]));
    assert!(styles("carewell").contains(&MarkupStyle::JsonLdAndMicrodata));
    let langs: HashSet<&str> = truth
        .listings
        .iter()
        .filter(|l| l.shop == "quickads")
        .map(|l| l.language.as_str())
        .collect();
    assert!(langs.len() >= 4, "{langs:?}");
}

#[test]
fn product_pages_show_the_truth() {
    let (market, truth) = default_truth();
    for l in &truth.listings {
        let page = market.render(&l.shop, &l.path).unwrap();
        assert_eq!(page.status, 200);
        let gbk = l.shop == "kangjian";
        let html = decode(&page.body, gbk);
        let h1 = common::between(&html, "<h1 class=\"listing-title\"", "</h1>").unwrap();
        let h1 = decode_ncr(&common::unescape(h1));
        assert_eq!(h1, l.title, "{}", l.path);
        let price = common::between(&html, "<p class=\"listing-price\"", "</p>").unwrap();
        assert_eq!(decode_ncr(&common::unescape(price)), l.price_text);
        for c in &l.contacts {
            assert!(html.contains(&common_escape(c)), "{} lacks {c}", l.path);
        }
        assert!(html.contains(&format!(
            "<p class=\"listing-payment\">{}</p>",
            common_escape(&l.payment)
        )));
        assert!(html.contains("href=\"/cart/"));
        assert!(html.contains("href=\"/account/login\""));
        if let Some(json) =
            common::between(&html, "<script type=\"application/ld+json\"", "</script>")
        {
            let doc: serde_json::Value = serde_json::from_str(json).unwrap();
            let product = find_product(&doc).expect("a Product");
            assert_eq!(product["name"], l.title.as_str(), "{}", l.path);
            let offers = &product["offers"];
            let offer = if offers.is_array() {
                &offers[0]
            } else {
                offers
            };
            let price: Decimal = match &offer["price"] {
                serde_json::Value::String(s) => s.parse().unwrap(),
                v => v.to_string().parse().unwrap(),
            };
            assert_eq!(price, l.price.amount);
            assert_eq!(offer["priceCurrency"], l.price.currency.as_str());
        } else {
            assert!(matches!(
                l.markup,
                MarkupStyle::Profile | MarkupStyle::Microdata
            ));
        }
        if matches!(
            l.markup,
            MarkupStyle::Microdata | MarkupStyle::JsonLdAndMicrodata
        ) {
            assert!(html.contains("itemtype=\"https://schema.org/Product\""));
            assert!(html.contains(&format!(
                "<meta itemprop=\"price\" content=\"{}\">",
                l.price.amount
            )));
        }
    }
}

fn common_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Decodes `&#NNN;` references (GBK pages carry characters GBK lacks that way).
fn decode_ncr(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("&#") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 2..];
        match tail
            .find(';')
            .and_then(|e| tail[..e].parse::<u32>().ok().map(|n| (e, n)))
        {
            Some((e, n)) => {
                out.push(char::from_u32(n).unwrap());
                rest = &tail[e + 1..];
            }
            None => {
                out.push_str("&#");
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

fn find_product(doc: &serde_json::Value) -> Option<&serde_json::Value> {
    match doc {
        serde_json::Value::Array(items) => items.iter().find_map(find_product),
        serde_json::Value::Object(map) => {
            if map.get("@type").and_then(|t| t.as_str()) == Some("Product") {
                return Some(doc);
            }
            map.get("@graph").and_then(find_product)
        }
        _ => None,
    }
}

#[test]
fn titles_exercise_escaping() {
    let (market, truth) = default_truth();
    let tricky = truth
        .listings
        .iter()
        .find(|l| l.title.contains('&') && l.title.contains('"'))
        .expect("a title with & and quotes");
    let html = decode(
        &market.render(&tricky.shop, &tricky.path).unwrap().body,
        false,
    );
    assert!(html.contains(&common_escape(&tricky.title)));
    assert!(!html.contains(&format!(">{}<", tricky.title)));
    assert!(truth.listings.iter().any(|l| l.title.contains('<')));
}

#[test]
fn gbk_pages_decode_to_the_chinese_title() {
    let (market, truth) = default_truth();
    let l = truth
        .listings
        .iter()
        .find(|l| {
            l.shop == "kangjian"
                && l.title.contains("片")
                && l.title
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
                && !l.obfuscated
        })
        .unwrap();
    let page = market.render("kangjian", &l.path).unwrap();
    assert_eq!(page.content_type, "text/html; charset=GBK");
    assert!(
        std::str::from_utf8(&page.body).is_err(),
        "GBK bytes are not UTF-8"
    );
    let (text, _, had_errors) = encoding_rs::GBK.decode(&page.body);
    assert!(!had_errors);
    assert!(text.contains("<meta charset=\"gbk\">"));
    assert!(text.contains(&format!(
        "<h1 class=\"listing-title\">{}</h1>",
        common_escape(&l.title)
    )));
    let (bytes, _, _) = encoding_rs::GBK.encode(&l.title);
    assert!(page.body.windows(bytes.len()).any(|w| w == &bytes[..]));
}

#[test]
fn ground_truth_round_trips_through_a_file() {
    let (_, truth) = default_truth();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("truth.json");
    truth.write_json(&path).unwrap();
    let back = GroundTruth::read_json(&path).unwrap();
    assert_eq!(back, truth);
    let raw = std::fs::read_to_string(&path).unwrap();
    assert!(raw.contains("\"expected_rules\""));
    assert!(
        raw.contains("\"amount\": \""),
        "amounts are decimal strings"
    );
}

#[test]
fn static_site_has_every_page() {
    let market = Marketplace::generate(&MarketplaceOptions {
        seed: 3,
        shops: 4,
        listings_per_shop: 30,
        networks: false,
    });
    let dir = tempfile::tempdir().unwrap();
    let summary = market.write_static(dir.path()).unwrap();
    assert_eq!(summary.shop_dirs.len(), 4);
    let root = dir.path();
    assert_eq!(
        std::fs::read_to_string(root.join("medsdirect/robots.txt")).unwrap(),
        pharmwatch_marketplace::ROBOTS_TXT
    );
    for l in market.ground_truth().listings {
        let file = root.join(&l.shop).join(l.path.trim_start_matches('/'));
        let bytes = std::fs::read(&file).unwrap();
        assert_eq!(bytes, market.render(&l.shop, &l.path).unwrap().body);
    }
    assert!(root.join("quickads/category/bikes/page-1.html").exists());
    assert!(root.join("kangjian/index.html").exists());
    let conf = std::fs::read_to_string(root.join("nginx.conf")).unwrap();
    assert_eq!(conf.matches("server {").count(), 4);
    assert!(conf.contains("charset gbk;"));
    assert!(conf.contains("$uri/page-$arg_page.html"));
    let page_1 = root.join("medsdirect/category/mens-health/page-1.html");
    assert!(
        std::fs::read_to_string(page_1)
            .unwrap()
            .contains("product-card")
    );
    assert!(summary.files > 120);
}

#[test]
fn every_listing_is_on_its_category_pages_in_id_order() {
    let (market, truth) = default_truth();
    for shop in &truth.shops {
        let mut listed: Vec<String> = Vec::new();
        let cats: HashSet<&str> = truth
            .listings
            .iter()
            .filter(|l| l.shop == shop.name)
            .map(|l| l.category.as_str())
            .collect();
        for cat in cats {
            let mut page = 1;
            loop {
                let url = if page == 1 {
                    format!("/category/{cat}")
                } else {
                    format!("/category/{cat}?page={page}")
                };
                let r = market.render(&shop.name, &url).unwrap();
                assert_eq!(r.status, 200, "{url}");
                let html = decode(&r.body, shop.charset == "GBK");
                let cards = html.matches("class=\"product-card\"").count();
                assert!(cards <= pharmwatch_marketplace::PAGE_SIZE);
                listed.extend(
                    common::hrefs(&html)
                        .into_iter()
                        .filter(|h| h.starts_with("/product/") || h.starts_with("/ad/"))
                        .filter(|h| html.contains(&format!("class=\"card-link\" href=\"{h}\""))),
                );
                if !html.contains("rel=\"next\"") {
                    break;
                }
                assert_eq!(
                    cards,
                    pharmwatch_marketplace::PAGE_SIZE,
                    "only the last page is short"
                );
                page += 1;
            }
        }
        let mut expected: Vec<String> = truth
            .listings
            .iter()
            .filter(|l| l.shop == shop.name)
            .map(|l| l.path.clone())
            .collect();
        expected.sort();
        listed.sort();
        assert_eq!(listed, expected, "{}", shop.name);
    }
}

#[test]
fn a_hundred_thousand_pages_are_cheap() {
    let market = Marketplace::generate(&MarketplaceOptions {
        seed: 5,
        shops: 8,
        listings_per_shop: 12_500,
        networks: false,
    });
    assert_eq!(market.listing_count(), 100_000);
    let truth = market.ground_truth();
    assert_eq!(truth.listings.len(), 100_000);
    let last = truth.listings.last().unwrap();
    assert_eq!(last.shop, "carewell2");
    let page = market.render(&last.shop, &last.path).unwrap();
    assert_eq!(page.status, 200);
    let deep = market
        .render("medsdirect2", "/category/mens-health?page=50")
        .unwrap();
    assert_eq!(deep.status, 200);
    assert!(decode(&deep.body, false).contains("rel=\"next\""));
}
