//! `pharmwatch extract` on every product page of the sample marketplace (written as static
//! files) agrees with the ground truth on title, price, currency and quantity for at least
//! 98% of the pages; `pharmwatch parse` reads strings as documented.

mod common;

use common::{json_lines, pharmwatch, pharmwatch_raw, root};
use pharmwatch_marketplace::{Marketplace, MarketplaceOptions};
use rust_decimal::Decimal;

#[test]
fn extract_agrees_with_the_ground_truth_on_every_product_page() {
    let market = Marketplace::generate(&MarketplaceOptions::default());
    let truth = market.ground_truth();
    let tmp = tempfile::tempdir().unwrap();
    let summary = market.write_static(tmp.path()).unwrap();
    let shops = market.shops();
    let mut agree = 0;
    let mut disagreements = Vec::new();
    for t in &truth.listings {
        let shop = shops.iter().position(|s| s.name == t.shop).unwrap();
        let file = summary.shop_dirs[shop].join(t.path.trim_start_matches('/'));
        let url = format!("http://{}.example{}", t.shop, t.path);
        let profile = root().join(format!("config/sites/{}.toml", t.shop));
        let mut args = vec![
            "extract".to_string(),
            file.to_string_lossy().into_owned(),
            "--url".into(),
            url,
            "--json".into(),
        ];
        if profile.is_file() {
            args.extend(["--profile".into(), profile.to_string_lossy().into_owned()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let listings = json_lines(&pharmwatch(&args));
        let Some(l) = listings.first() else {
            disagreements.push(format!("{}: no listing", t.path));
            continue;
        };
        let price = l["price"]["amount"]
            .as_str()
            .and_then(|a| a.parse::<Decimal>().ok());
        let same = listings.len() == 1
            && l["title"].as_str() == Some(t.title.as_str())
            && price == Some(t.price.amount)
            && l["price"]["currency"].as_str() == Some(t.price.currency.as_str())
            && l["quantity"]["units"].as_u64().map(|u| u as u32) == t.quantity_units;
        if same {
            agree += 1;
        } else {
            disagreements.push(format!("{}: got {l}", t.path));
        }
    }
    let share = agree as f64 / truth.listings.len() as f64;
    eprintln!(
        "extract agrees on {agree} of {} pages",
        truth.listings.len()
    );
    assert!(
        share >= 0.98,
        "{share:.3}; e.g. {:#?}",
        &disagreements[..disagreements.len().min(5)]
    );
}

#[test]
fn parse_reads_prices_quantities_and_contacts() {
    let price = |args: &[&str]| -> serde_json::Value {
        serde_json::from_slice(&pharmwatch(args).stdout).unwrap()
    };
    assert_eq!(
        price(&["parse", "price", "1.299,00 €", "--json"]),
        serde_json::json!({"amount": "1299.00", "currency": "EUR", "per_unit": false})
    );
    assert_eq!(
        price(&["parse", "price", "¥128.00", "--currency-hint", "CNY"]),
        serde_json::json!({"amount": "128.00", "currency": "CNY", "per_unit": false})
    );
    assert_eq!(
        price(&["parse", "price", "call for price"]),
        serde_json::json!({"amount": null, "currency": null, "per_unit": false})
    );
    // A page's currency text as the hint; a bare number; a leading minus; a per-unit price.
    assert_eq!(
        price(&["parse", "price", "1 400 Р", "--currency-hint", "руб. (шт)"]),
        serde_json::json!({"amount": "1400", "currency": "RUB", "per_unit": false})
    );
    assert_eq!(
        price(&["parse", "price", "49.99"]),
        serde_json::json!({"amount": "49.99", "currency": null, "per_unit": false})
    );
    assert_eq!(
        price(&["parse", "price", "- $44.99"])["amount"],
        serde_json::json!("44.99")
    );
    assert_eq!(
        price(&["parse", "price", "--", "- $44.99"])["amount"],
        serde_json::json!("44.99")
    );
    assert_eq!(
        price(&["parse", "price", "$1.04/pill"])["per_unit"],
        serde_json::json!(true)
    );
    let unknown = pharmwatch_raw(&["parse", "price", "12", "--currency-hint", "XYZ"]);
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("no currency in `XYZ`"),
        "{}",
        String::from_utf8_lossy(&unknown.stderr)
    );
    let q = price(&["parse", "quantity", "20 tabs x 100mg"]);
    assert_eq!(q["units"], 20);
    assert_eq!(q["strength"]["unit"], "mg");
    let c = price(&[
        "parse",
        "contacts",
        "Telegram: @pillsdirect, mail SALES@Example.com",
    ]);
    let kinds: Vec<&str> = c
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"telegram") && kinds.contains(&"email"),
        "{c}"
    );
}
