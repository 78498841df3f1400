use std::collections::BTreeMap;

use pharmwatch_model::PriceBasis;

use super::*;
use crate::render::escape;

fn catalogue() -> FamilyCatalogue {
    FamilyCatalogue::generate(&FamilyOptions::default())
}

#[test]
fn same_seed_same_pages_and_truth() {
    let (a, b) = (catalogue(), catalogue());
    assert_eq!(a.ground_truth(None), b.ground_truth(None));
    for (sa, sb) in a.sites.iter().zip(&b.sites) {
        assert_eq!(sa.pages, sb.pages);
    }
    let other = FamilyCatalogue::generate(&FamilyOptions {
        seed: 7,
        ..FamilyOptions::default()
    });
    assert_ne!(
        a.ground_truth(None).listings,
        other.ground_truth(None).listings
    );
}

#[test]
fn every_offer_is_on_its_page_as_the_truth_says() {
    let cat = catalogue();
    let truth = cat.ground_truth(None);
    assert_eq!(truth.listings.len(), cat.listing_count());
    for t in &truth.listings {
        let shop = cat.shops().iter().position(|s| s.name == t.shop).unwrap();
        let page = cat
            .page(shop, &t.path)
            .unwrap_or_else(|| panic!("no page {}", t.path));
        for text in [&t.title, &t.price_text, &t.seller]
            .into_iter()
            .chain(&t.own_claims)
            .chain(&t.contacts)
        {
            assert!(
                page.contains(&escape(text)),
                "{}: {text:?} not on the page",
                t.path
            );
        }
        if let Some(old) = &t.old_price_text {
            assert!(page.contains(&format!("<s class=\"price-old\">{}</s>", escape(old))));
        }
        // Each outside word is printed on the page (outside the offer, which does not say it).
        let lower = page.to_lowercase();
        for w in &t.outside_claim_words {
            assert!(
                lower.contains(w.as_str()),
                "{}: {w} not on the page",
                t.path
            );
        }
    }
}

#[test]
fn about_fifteen_percent_are_suspicious_and_every_family_has_both_labels() {
    let truth = catalogue().ground_truth(None);
    let suspicious = truth
        .listings
        .iter()
        .filter(|l| l.label == Label::Suspicious)
        .count();
    let share = suspicious as f64 / truth.listings.len() as f64;
    assert!((0.10..=0.20).contains(&share), "{share}");
    let mut labels: BTreeMap<Family, Vec<Label>> = BTreeMap::new();
    for l in &truth.listings {
        labels.entry(l.family).or_default().push(l.label);
        assert_eq!(l.label, l.reason.label());
        assert_eq!(l.obfuscated, l.reason == Reason::ObfuscatedName);
    }
    for family in Family::ALL {
        let got = &labels[&family];
        assert!(
            got.contains(&Label::Suspicious) && got.contains(&Label::Clean),
            "{family:?}"
        );
    }
}

#[test]
fn unit_prices_are_per_unit_with_the_pack_apart_and_boards_hold_several_offers() {
    let truth = catalogue().ground_truth(None);
    let unit: Vec<_> = truth
        .listings
        .iter()
        .filter(|l| l.family == Family::UnitPricePharmacy && l.drug.is_some())
        .collect();
    assert!(!unit.is_empty());
    for l in &unit {
        assert_eq!(l.price_basis, PriceBasis::Unit, "{}", l.price_text);
        assert!(l.quantity_units.is_some());
    }
    let mut per_page: BTreeMap<&str, usize> = BTreeMap::new();
    for l in truth.listings.iter().filter(|l| l.family == Family::Board) {
        *per_page.entry(l.url.as_str()).or_default() += 1;
    }
    assert!(per_page.values().all(|n| *n > 1), "{per_page:?}");
}

#[test]
fn disguised_names_are_not_spelt_plainly_in_the_listing_or_its_url() {
    let truth = catalogue().ground_truth(None);
    let disguised: Vec<_> = truth.listings.iter().filter(|l| l.obfuscated).collect();
    assert!(!disguised.is_empty());
    for l in disguised {
        let drug = l.drug.as_deref().unwrap();
        for text in [&l.title, &l.description, &l.path] {
            assert!(!text.to_lowercase().contains(drug), "{text}");
        }
    }
}

#[test]
fn static_files_hold_the_served_bytes_and_an_nginx_config() {
    let cat = FamilyCatalogue::generate(&FamilyOptions {
        shops_per_family: 1,
        listings_per_shop: 4,
        ..FamilyOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let summary = cat.write_static(dir.path()).unwrap();
    assert_eq!(summary.files, cat.page_count() + 1);
    let truth = cat.ground_truth(None);
    let first = &truth.listings[0];
    let file = summary.shop_dirs[0].join(first.path.trim_start_matches('/'));
    assert_eq!(
        std::fs::read_to_string(file).unwrap(),
        cat.page(0, &first.path).unwrap()
    );
    let conf = std::fs::read_to_string(dir.path().join("nginx.conf")).unwrap();
    assert_eq!(conf.matches("server {").count(), 3);
}

#[test]
fn rouble_prices_follow_the_reference_rate() {
    let truth = catalogue().ground_truth(None);
    let rouble_tablets: Vec<_> = truth
        .listings
        .iter()
        .filter(|l| l.price.currency.as_str() == "RUB" && l.reason == Reason::PrescriptionRequired)
        .collect();
    assert!(!rouble_tablets.is_empty());
    // A prescription medicine at a normal price costs tens of roubles a unit, not one.
    for l in rouble_tablets {
        assert!(
            l.price.amount >= rust_decimal::Decimal::new(4, 0),
            "{}",
            l.price_text
        );
    }
}
