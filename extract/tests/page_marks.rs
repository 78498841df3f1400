//! Operator marks (`Listing::page`) and product claims (`Listing::claims`) through the public
//! extraction entry points.

use pharmwatch_extract::{SiteContext, extract_bytes, extract_page};
use pharmwatch_model::{ContactKind, Currency, IdentifierKind, Listing, SiteKind, Timestamp};
use url::Url;

fn now() -> Timestamp {
    time::macros::datetime!(2026-11-23 18:00 UTC)
}

fn ctx() -> SiteContext {
    SiteContext {
        name: "pillharbor".into(),
        kind: SiteKind::Pharmacy,
        currency: Some(Currency::USD),
        language: None,
        profile: None,
    }
}

/// A product page of a shop theme: analytics in the head, a checkout link, an affiliate
/// banner, a wallet and a fact list in the product, and a footer licence claim.
fn product_page(theme: &str, id: u32, product: &str, facts: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><title>{product}</title>
<script async src="https://www.googletagmanager.com/gtag/js?id=UA-48213377-1"></script>
<script>window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments);}}gtag('js',new Date());gtag('config','UA-48213377-1');</script>
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"Product","name":"{product}",
"manufacturer":{{"@type":"Organization","name":"Cipla Ltd"}},
"offers":{{"@type":"Offer","price":"49.99","priceCurrency":"USD"}}}}</script>
</head><body class="shop-pharmacy theme-{theme}">
<header class="site-header"><a class="logo" href="/">PillHarbor</a><nav class="main-nav"><a href="/">Home</a>
<a class="nav-category" href="/category/mens-health">Men's Health</a><a class="nav-category" href="/category/pain-relief">Pain</a>
<a class="cart" href="/cart/">Cart</a></nav></header>
<main><article class="listing" id="listing-{id}"><h1 class="listing-title">{product}</h1>
<p class="listing-price">$49.99</p>
<a class="checkout-link" href="https://checkout.stripe.com/c/pay/pillharbor-{id}">Secure checkout</a>
<ul class="product-facts">{facts}</ul>
<ul class="listing-contacts"><li class="listing-contact">Phone: +1 646 555 0199</li>
<li class="listing-contact">BTC: 1F5LqhXCj9n6Pw3SmiRn82bru22rKRKf4s</li></ul></article></main>
<footer class="site-footer"><p>Licensed Canadian pharmacy · CIPA certified</p>
<a class="partner-link" href="https://rxpartners.example/join?aff=RX7731">Affiliate program</a></footer>
</body></html>"#
    )
}

fn extract(html: &str, url: &str) -> Vec<Listing> {
    let url = Url::parse(url).unwrap();
    let (_, page) = extract_bytes(
        html.as_bytes(),
        Some("text/html; charset=utf-8"),
        &url,
        &ctx(),
        now(),
    );
    page.listings
}

fn of_kind(l: &Listing, kind: IdentifierKind) -> Vec<&str> {
    l.page
        .identifiers
        .iter()
        .filter(|i| i.kind == kind)
        .map(|i| i.value.as_str())
        .collect()
}

#[test]
fn product_pages_carry_marks_and_claims() {
    let facts =
        "<li>Manufacturer: Sun Pharma</li><li>Batch No.: CP23K117</li><li>Exp: 11/2027</li>";
    let listings = extract(
        &product_page("harbor", 1042, "Sildenafil 100mg x 30 tablets", facts),
        "http://127.0.0.1:4001/product/1042-sildenafil-100mg.html",
    );
    let [l] = listings.as_slice() else {
        panic!("{listings:#?}")
    };
    assert_eq!(of_kind(l, IdentifierKind::AnalyticsId), ["UA-48213377-1"]);
    assert_eq!(of_kind(l, IdentifierKind::AffiliateId), ["aff=rx7731"]);
    assert_eq!(
        of_kind(l, IdentifierKind::PaymentHost),
        ["checkout.stripe.com"]
    );
    assert_eq!(of_kind(l, IdentifierKind::Template).len(), 1);
    let mut sorted = l.page.identifiers.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, l.page.identifiers, "sorted, no duplicates");
    assert!(l.page.licence_claim);
    assert!(!l.page.postal_address);
    // JSON-LD's manufacturer wins over the printed one; batch and expiry as printed.
    assert_eq!(l.claims.manufacturer.as_deref(), Some("Cipla Ltd"));
    assert_eq!(l.claims.batch.as_deref(), Some("CP23K117"));
    assert_eq!(l.claims.expiry.as_deref(), Some("11/2027"));
    // Contacts stay where they were: the shared phone and the wallet.
    assert!(
        l.contacts
            .iter()
            .any(|c| c.kind == ContactKind::Phone && c.value == "+16465550199")
    );
    assert!(
        l.contacts
            .iter()
            .any(|c| c.kind == ContactKind::BitcoinWallet)
    );
}

#[test]
fn same_theme_same_template_other_theme_differs() {
    let template = |theme: &str, id: u32, product: &str, facts: &str| {
        let listings = extract(
            &product_page(theme, id, product, facts),
            &format!("http://127.0.0.1:4001/product/{id}-x.html"),
        );
        of_kind(&listings[0], IdentifierKind::Template)[0].to_string()
    };
    let a = template("harbor", 1, "Sildenafil 100mg", "<li>Batch: A1B2C3</li>");
    let b = template("harbor", 2, "Tramadol 50mg x 60", "");
    let c = template("slate", 3, "Sildenafil 100mg", "<li>Batch: A1B2C3</li>");
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn pages_without_marks_have_none_and_no_claims() {
    let html = r#"<html><body><h1>Paracetamol 500mg x 16 tablets</h1>
        <p class="price">$3.99</p><p>A lot of customers, express delivery.</p></body></html>"#;
    let page = extract_page(
        html,
        &Url::parse("https://shop.example/p/1").unwrap(),
        &ctx(),
        now(),
        None,
    );
    let [l] = page.listings.as_slice() else {
        panic!("{page:#?}")
    };
    assert!(l.page.identifiers.is_empty(), "{:?}", l.page);
    assert!(!l.page.licence_claim && !l.page.postal_address);
    assert_eq!(l.claims, Default::default());
}

#[test]
fn a_page_of_many_listings_reads_claims_per_description() {
    let html = r#"<html><head><script type="application/ld+json">[
        {"@type":"Product","name":"Amoxicillin 500mg","description":"Lot: AX9921. Exp: 2027-01",
         "offers":{"price":"9.99","priceCurrency":"USD"}},
        {"@type":"Product","name":"Ibuprofen 200mg","description":"Pain relief.",
         "offers":{"price":"4.99","priceCurrency":"USD"}}]</script></head>
        <body><address>Farmacia Sol, Calle Mayor 5, 28013 Madrid</address></body></html>"#;
    let page = extract_page(
        html,
        &Url::parse("https://shop.example/list").unwrap(),
        &ctx(),
        now(),
        None,
    );
    assert_eq!(page.listings.len(), 2);
    assert_eq!(page.listings[0].claims.batch.as_deref(), Some("AX9921"));
    assert_eq!(page.listings[0].claims.expiry.as_deref(), Some("2027-01"));
    assert_eq!(page.listings[1].claims, Default::default());
    assert!(page.listings.iter().all(|l| l.page.postal_address));
}
