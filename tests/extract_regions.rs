//! `pharmwatch extract --json` on a hand-written shop page (issue 17): the listing's fields
//! come from its own block, `regions` says where each was read, and the footer's payment
//! methods and contacts are the shop's, not the listing's.

mod common;

use common::{json_lines, pharmwatch, root};

#[test]
fn extract_json_shows_regions_and_shop_wide_fields() {
    let file = root().join("extract/tests/fixtures/hand_written_shop.html");
    let out = pharmwatch(&[
        "extract",
        file.to_str().unwrap(),
        "--url",
        "https://budgetpharma.example/lipitor.html",
        "--json",
    ]);
    let listings = json_lines(&out);
    assert_eq!(listings.len(), 1, "{listings:#?}");
    let l = &listings[0];
    assert_eq!(l["title"], "Lipitor 20 mg 90 tablets");
    assert_eq!(l["price"]["amount"], "368.99");
    assert_eq!(l["price"]["currency"], "USD");
    assert_eq!(l["seller"], "Pharma Ltd");
    assert!(
        l["description"]
            .as_str()
            .unwrap()
            .starts_with("Lipitor lowers cholesterol"),
        "{l:#}"
    );
    // The listing's own claim, not the menu's "discreet"/"stealth".
    assert_eq!(
        l["shipping_claims"],
        serde_json::json!(["tracked"]),
        "{l:#}"
    );
    assert_eq!(l["payment_methods"], serde_json::json!([]), "{l:#}");
    assert_eq!(
        l["shop"]["payment_methods"],
        serde_json::json!(["bitcoin", "western union"]),
        "{l:#}"
    );
    assert_eq!(
        l["shop"]["contacts"][0]["value"],
        "orders@budgetpharma.example"
    );
    for field in ["title", "price", "seller", "description", "shipping_claims"] {
        assert_eq!(l["regions"][field], "listing", "{field}: {l:#}");
    }
    assert_eq!(l["regions"]["shop.payment_methods"], "shop");
}
