//! Planted networks of shops: the ground truth says which shops share what, the pages show
//! it, and real extraction finds exactly that — shared marks inside a network, nothing
//! shared between unrelated shops beyond a common checkout host and the decoys' theme.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use pharmwatch_extract::{SiteContext, SiteProfile, extract_bytes};
use pharmwatch_marketplace::{
    GroundTruth, MarkTruth, Marketplace, MarketplaceOptions, NetworkTruth, ShopTruth,
};
use pharmwatch_model::{ContactKind, Listing};
use url::Url;

fn default_truth() -> (Marketplace, GroundTruth) {
    let market = Marketplace::generate(&MarketplaceOptions::default());
    let truth = market.ground_truth();
    (market, truth)
}

fn mark(kind: &str, value: &str) -> MarkTruth {
    MarkTruth {
        kind: kind.into(),
        value: value.into(),
    }
}

fn shop<'a>(truth: &'a GroundTruth, name: &str) -> &'a ShopTruth {
    truth.shops.iter().find(|s| s.name == name).unwrap()
}

#[test]
fn ground_truth_names_the_planted_networks_and_decoys() {
    let (_, truth) = default_truth();
    assert_eq!(
        truth.networks,
        [
            NetworkTruth {
                name: "harbor-group".into(),
                shops: vec!["pillharbor".into(), "rxbayside".into(), "medcove".into()],
                shared: vec![
                    mark("phone", "+16465550199"),
                    mark("analytics_id", "UA-48213377-1"),
                    mark("template", "harbor"),
                ],
            },
            NetworkTruth {
                name: "spot-group".into(),
                shops: vec!["genericspot".into(), "tabsmart".into()],
                shared: vec![
                    mark("bitcoin_wallet", "1F5LqhXCj9n6Pw3SmiRn82bru22rKRKf4s"),
                    mark("affiliate_id", "aff=rx7731"),
                ],
            },
        ]
    );
    assert_eq!(truth.decoys.len(), 1);
    assert_eq!(truth.decoys[0].shops, ["pharmacorner", "rxwarehouse"]);
    // The decoys' payment host is common: the legitimate pharmacy uses it too.
    let common = mark("payment_host", "checkout.stripe.com");
    assert!(truth.decoys[0].shared.contains(&common));
    let users: Vec<&str> = truth
        .shops
        .iter()
        .filter(|s| s.marks.contains(&common))
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(
        users,
        ["medsdirect", "carewell", "pharmacorner", "rxwarehouse"]
    );
    // Themes follow the networks.
    assert_eq!(shop(&truth, "medcove").theme, "harbor");
    assert_eq!(shop(&truth, "rxwarehouse").theme, "storefront");
    let themes: BTreeSet<&str> = truth.shops.iter().map(|s| s.theme.as_str()).collect();
    assert_eq!(themes.len(), truth.shops.len() - 2 - 1, "{themes:?}");
    // Site-level facts for risk classes.
    let carewell = shop(&truth, "carewell");
    assert!(carewell.postal_address && carewell.licence_claim);
    for s in &truth.shops {
        if s.name != "carewell" {
            assert!(!s.postal_address, "{}", s.name);
        }
        let faked = ["pillharbor", "rxbayside", "medcove"].contains(&s.name.as_str());
        assert_eq!(s.licence_claim, s.name == "carewell" || faked, "{}", s.name);
    }
    // Without the network shops, no networks.
    let plain = Marketplace::generate(&MarketplaceOptions {
        networks: false,
        ..MarketplaceOptions::default()
    })
    .ground_truth();
    assert!(plain.networks.is_empty() && plain.decoys.is_empty());
    assert_eq!(plain.shops.len(), 4);
}

#[test]
fn network_shops_sell_like_rogue_pharmacies_and_print_product_facts() {
    let (market, truth) = default_truth();
    for s in truth.shops.iter().skip(4) {
        let listings: Vec<_> = truth.listings.iter().filter(|l| l.shop == s.name).collect();
        assert!(
            listings.iter().any(|l| l.flagged),
            "{} flags nothing",
            s.name
        );
    }
    let with_facts: Vec<_> = truth
        .listings
        .iter()
        .filter(|l| l.claims.batch.is_some())
        .collect();
    assert!(with_facts.len() > 50, "{}", with_facts.len());
    for l in &with_facts {
        assert!(l.drug.is_some(), "{}", l.path);
        assert!(l.shop != "carewell" && l.shop != "quickads", "{}", l.path);
        assert!(l.claims.manufacturer.is_some() && l.claims.expiry.is_some());
    }
    assert!(with_facts.iter().any(|l| l.shop == "kangjian"));
    let l = with_facts.iter().find(|l| l.shop == "medsdirect").unwrap();
    let html = String::from_utf8(market.render(&l.shop, &l.path).unwrap().body).unwrap();
    assert!(html.contains("class=\"product-facts\""));
    assert!(html.contains(l.claims.batch.as_deref().unwrap()));
}

/// Extracts every product page the way the crawler would, with the shipped profiles.
fn extract_all(market: &Marketplace, truth: &GroundTruth) -> Vec<(String, Listing)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut ctxs: BTreeMap<&str, SiteContext> = BTreeMap::new();
    for s in &truth.shops {
        let profile = root.join(format!("config/sites/{}.toml", s.archetype.base_name()));
        ctxs.insert(
            &s.name,
            SiteContext {
                name: s.name.clone(),
                kind: s.kind,
                currency: Some(s.currency),
                language: Some(s.language.clone()),
                profile: profile
                    .is_file()
                    .then(|| Arc::new(SiteProfile::load(&profile).unwrap())),
            },
        );
    }
    let mut out = Vec::new();
    for t in &truth.listings {
        let page = market.render(&t.shop, &t.path).unwrap();
        let url = Url::parse(&format!("http://{}.example{}", t.shop, t.path)).unwrap();
        let now = time::macros::datetime!(2026-11-23 18:00 UTC);
        let (_, extracted) = extract_bytes(
            &page.body,
            Some(page.content_type),
            &url,
            &ctxs[t.shop.as_str()],
            now,
        );
        assert_eq!(extracted.listings.len(), 1, "{}", t.path);
        out.push((
            t.path.clone(),
            extracted.listings.into_iter().next().unwrap(),
        ));
    }
    out
}

/// Per shop, the identifiers extraction found: `kind:value` strings.
fn marks_by_shop(listings: &[(String, Listing)]) -> BTreeMap<String, BTreeSet<String>> {
    let mut by_shop: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (_, l) in listings {
        let set = by_shop.entry(l.site.clone()).or_default();
        for i in &l.page.identifiers {
            set.insert(format!("{}:{}", i.kind, i.value));
        }
        for c in &l.contacts {
            set.insert(format!("{}:{}", contact_kind(c.kind), c.value));
        }
    }
    by_shop
}

fn contact_kind(kind: ContactKind) -> String {
    serde_json::to_value(kind)
        .unwrap()
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn extraction_finds_the_networks_and_nothing_else() {
    let (market, truth) = default_truth();
    let listings = extract_all(&market, &truth);
    let by_shop = marks_by_shop(&listings);
    let template = |shop: &str| -> String {
        by_shop[shop]
            .iter()
            .filter(|m| m.starts_with("template:"))
            .cloned()
            .collect::<Vec<_>>()
            .join(",")
    };
    // One template per shop, the same on every page.
    for s in &truth.shops {
        let t = template(&s.name);
        assert!(!t.is_empty() && !t.contains(','), "{}: {t}", s.name);
    }
    // Each network's shops show every shared mark.
    for n in &truth.networks {
        for m in &n.shared {
            if m.kind == "template" {
                let first = template(&n.shops[0]);
                assert!(n.shops.iter().all(|s| template(s) == first), "{}", n.name);
            } else {
                let want = format!("{}:{}", m.kind, m.value);
                for s in &n.shops {
                    assert!(by_shop[s].contains(&want), "{s} lacks {want}");
                }
            }
        }
    }
    // Every shop's own marks are found.
    for s in &truth.shops {
        for m in &s.marks {
            let want = format!("{}:{}", m.kind, m.value);
            assert!(by_shop[&s.name].contains(&want), "{} lacks {want}", s.name);
        }
    }
    // Shops in different networks share nothing but the common checkout host and, for the
    // decoys, their theme: not a phone, e-mail, handle, wallet, analytics or affiliate id.
    let same_group = |a: &str, b: &str| {
        truth
            .networks
            .iter()
            .any(|n| n.shops.iter().any(|s| s == a) && n.shops.iter().any(|s| s == b))
    };
    let decoys = |a: &str, b: &str| {
        truth.decoys[0].shops.iter().any(|s| s == a) && truth.decoys[0].shops.iter().any(|s| s == b)
    };
    let names: Vec<&str> = truth.shops.iter().map(|s| s.name.as_str()).collect();
    for (i, a) in names.iter().enumerate() {
        for b in &names[i + 1..] {
            if same_group(a, b) {
                continue;
            }
            let shared: Vec<&String> = by_shop[*a]
                .intersection(&by_shop[*b])
                .filter(|m| *m != "payment_host:checkout.stripe.com")
                .filter(|m| !(decoys(a, b) && m.starts_with("template:")))
                .collect();
            assert!(shared.is_empty(), "{a} and {b} share {shared:?}");
        }
    }
}

#[test]
fn extraction_reads_claims_addresses_and_licences_as_the_truth_says() {
    let (market, truth) = default_truth();
    let listings = extract_all(&market, &truth);
    let mut wrong = Vec::new();
    for ((path, l), t) in listings.iter().zip(&truth.listings) {
        assert_eq!(path, &t.path);
        if l.claims != t.claims {
            wrong.push(format!(
                "{path}: got {:?}, printed {:?}",
                l.claims, t.claims
            ));
        }
        let s = shop(&truth, &t.shop);
        assert_eq!(l.page.postal_address, s.postal_address, "{path}");
        assert_eq!(l.page.licence_claim, s.licence_claim, "{path}");
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn cycled_shops_get_their_own_theme_analytics_and_contacts() {
    let truth = Marketplace::generate(&MarketplaceOptions {
        seed: 11,
        shops: 8,
        listings_per_shop: 30,
        networks: false,
    })
    .ground_truth();
    let themes: BTreeSet<&str> = truth.shops.iter().map(|s| s.theme.as_str()).collect();
    assert_eq!(themes.len(), 8);
    assert!(
        themes
            .iter()
            .all(|t| !t.chars().any(|c| c.is_ascii_digit()))
    );
    let analytics: BTreeSet<&MarkTruth> = truth
        .shops
        .iter()
        .flat_map(|s| &s.marks)
        .filter(|m| m.kind == "analytics_id")
        .collect();
    assert_eq!(analytics.len(), 8);
    let contacts_of = |shop: &str| -> BTreeSet<String> {
        truth
            .listings
            .iter()
            .filter(|l| l.shop == shop)
            .flat_map(|l| l.contacts.iter().cloned())
            .collect()
    };
    for (a, b) in [
        ("medsdirect", "medsdirect2"),
        ("kangjian", "kangjian2"),
        ("carewell", "carewell2"),
    ] {
        let (ca, cb) = (contacts_of(a), contacts_of(b));
        assert!(!ca.is_empty() && !cb.is_empty());
        assert!(
            ca.is_disjoint(&cb),
            "{a} and {b}: {:?}",
            ca.intersection(&cb)
        );
    }
}
