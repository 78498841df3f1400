//! Whose words a page's parts are (issue 17): a listing's claims come from its own block;
//! menus, blurbs, breadcrumbs and related items are nobody's; footers and contact blocks are
//! the shop's; reviews are buyers'. Also pages of several offers and per-unit JSON-LD prices.

use std::str::FromStr;

use pharmwatch_extract::{SiteContext, extract_page};
use pharmwatch_model::{
    ContactKind, Currency, Listing, ListingId, PriceBasis, Region, SiteKind, Timestamp,
};
use rust_decimal::Decimal;
use url::Url;

fn now() -> Timestamp {
    time::macros::datetime!(2026-12-07 12:00 UTC)
}

fn run(html: &str, url: &str) -> Vec<Listing> {
    let ctx = SiteContext {
        name: "shop".into(),
        kind: SiteKind::Pharmacy,
        currency: Some(Currency::USD),
        language: None,
        profile: None,
    };
    extract_page(html, &Url::parse(url).unwrap(), &ctx, now(), None).listings
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn page(title: &str, head: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>{title}</title>{head}</head><body>{body}</body></html>"
    )
}

/// A shop page in the usual frame: a mega-menu with a claim-laden blurb, breadcrumbs, a
/// category blurb, the product, related items with prices, reviews and a footer.
fn framed_product(product: &str) -> String {
    page(
        "Tadalafil 20 mg 30 tablets | GoodMeds",
        "",
        &format!(
            r#"<header class="site-header"><a class="logo" href="/">GoodMeds</a>
  <div class="mega-menu"><a href="/ed">Erectile dysfunction</a>
    <p class="menu-blurb">Discreet treatments for erectile dysfunction, shipped worldwide. Pay with Bitcoin.</p></div>
</header>
<nav class="breadcrumb"><a href="/">Home</a> › <a href="/ed">ED</a> › Tadalafil</nav>
<div class="category-description">Overnight delivery with no customs checks on every ED order.</div>
<div class="content">{product}</div>
<div class="related-products"><h2>Customers also bought</h2>
  <div class="item"><span class="name">Sildenafil 100 mg</span> <span class="price">$39.00</span> Stealth shipping</div>
  <div class="item"><span class="name">Vardenafil 20 mg</span> <span class="price">$45.00</span> Stealth shipping</div>
</div>
<section class="reviews"><h2>Reviews</h2>
  <div class="review">Arrived in discreet packaging, no customs problems. 5 stars.</div>
  <div class="review">Stealth shipping, came in 6 days. Contact me at buyer@mail.example</div>
</section>
<footer class="site-footer"><p>We accept Visa and Mastercard.</p><img src="/wu.png" alt="Western Union">
  <p>Questions? support@goodmeds.example · WhatsApp +1 202 555 0143</p></footer>"#
        ),
    )
}

const PRODUCT: &str = r#"<h1>Tadalafil 20 mg 30 tablets</h1>
<div class="product-price">$59.00</div>
<p>Generic tadalafil from an Indian manufacturer, 30 film-coated tablets in blister strips.</p>
<p class="ship-note">Ships with tracking number within 24 hours.</p>"#;

#[test]
fn menus_blurbs_breadcrumbs_and_related_blocks_are_not_the_listings_claims() {
    let l = run(
        &framed_product(PRODUCT),
        "https://goodmeds.example/tadalafil",
    );
    assert_eq!(l.len(), 1, "{l:#?}");
    let l = &l[0];
    assert_eq!(l.title, "Tadalafil 20 mg 30 tablets");
    assert_eq!(l.price.unwrap().amount, dec("59.00"));
    // Only the product's own words: no "discreet"/"worldwide" from the menu blurb, no
    // "overnight"/"no customs" from the category blurb, no "stealth" from related items or
    // reviews, no Bitcoin from the menu.
    assert_eq!(l.shipping_claims, ["tracked"], "{l:#?}");
    assert!(l.payment_methods.is_empty(), "{:?}", l.payment_methods);
    assert!(l.contacts.is_empty(), "{:?}", l.contacts);
    assert!(
        l.description.starts_with("Generic tadalafil"),
        "{}",
        l.description
    );
    assert_eq!(l.regions["title"], Region::Listing);
    assert_eq!(l.regions["price"], Region::Listing);
    assert_eq!(l.regions["shipping_claims"], Region::Listing);
}

#[test]
fn the_footers_payment_and_contacts_are_the_shops() {
    let l = &run(
        &framed_product(PRODUCT),
        "https://goodmeds.example/tadalafil",
    )[0];
    assert_eq!(
        l.shop.payment_methods,
        ["visa", "mastercard", "western union"],
        "{:?}",
        l.shop
    );
    assert!(
        l.shop
            .contacts
            .iter()
            .any(|c| c.kind == ContactKind::Email && c.value == "support@goodmeds.example")
    );
    assert!(
        l.shop
            .contacts
            .iter()
            .any(|c| c.kind == ContactKind::Whatsapp),
        "{:?}",
        l.shop.contacts
    );
    // The buyer's address in a review is no one's contact.
    assert!(
        !l.shop
            .contacts
            .iter()
            .chain(&l.contacts)
            .any(|c| c.value.contains("buyer"))
    );
    assert_eq!(l.regions["shop.payment_methods"], Region::Shop);
    assert_eq!(l.regions["shop.contacts"], Region::Shop);
}

#[test]
fn reviews_are_kept_as_buyers_words() {
    let l = &run(
        &framed_product(PRODUCT),
        "https://goodmeds.example/tadalafil",
    )[0];
    assert_eq!(l.reviews.len(), 2, "{:?}", l.reviews);
    assert!(l.reviews[0].contains("discreet packaging"));
    assert_eq!(l.regions["reviews"], Region::Reviews);
    assert!(
        !l.shipping_claims
            .iter()
            .any(|c| c == "discreet" || c == "stealth")
    );
}

#[test]
fn a_hand_written_page_without_structured_data_keeps_its_own_fields() {
    // The issue's page: title in an <h2> inside div.ttl, price and seller in table rows, a
    // description paragraph, then a related-products table with six more prices.
    let mut related = String::new();
    for i in 0..6 {
        related.push_str(&format!(
            "<tr><td><a href=\"/item/{i}.html\">Atorvastatin {i}0 mg</a></td><td><span class=\"cost\">US$ {}.50</span></td></tr>",
            100 + i
        ));
    }
    let body = format!(
        r#"<div class="top"><a href="/">Pharma Catalogue</a></div>
<div class="ttl"><h2>Lipitor 20 mg 90 tablets</h2></div>
<table class="info"><tr><th>Price</th><td><span class="cost">US$ 368.99</span></td></tr>
<tr><th>Sold by</th><td>Pharma Ltd</td></tr></table>
<p>Lipitor lowers cholesterol. This pack holds 90 tablets of 20 mg, shipped in the original box.</p>
<h3>Related products</h3><table class="others">{related}</table>"#
    );
    let l = run(
        &page("Lipitor 20 mg 90 tablets - Pharma Catalogue", "", &body),
        "https://catalogue.example/lipitor.html",
    );
    assert_eq!(l.len(), 1, "{l:#?}");
    let l = &l[0];
    assert_eq!(l.title, "Lipitor 20 mg 90 tablets");
    let p = l.price.unwrap();
    assert_eq!((p.amount, p.currency), (dec("368.99"), Currency::USD));
    assert_eq!(l.seller.as_deref(), Some("Pharma Ltd"));
    assert!(
        l.description.starts_with("Lipitor lowers cholesterol"),
        "description: {:?}",
        l.description
    );
    assert_eq!(l.quantity.as_ref().and_then(|q| q.units), Some(90));
    assert_eq!(l.regions["description"], Region::Listing);
}

#[test]
fn a_thread_of_several_offers_gives_one_listing_each_with_its_own_price_and_claims() {
    let body = r#"<h1>WTS: pharma thread</h1>
<div class="posts">
  <div class="post"><h3>Xanax 2 mg bars x 100</h3><p>Price: $150. Pressed locally, stealth shipping only.</p></div>
  <div class="post"><h3>Oxycodone 30 mg x 60</h3><p>Price: $900. Pay with Monero, tracked delivery.</p></div>
  <div class="post"><h3>Modafinil 200 mg x 30</h3><p>Price: $45. Worldwide. Telegram: @modaguy</p></div>
</div>"#;
    let url = "https://forum.example/thread/42";
    let l = run(&page("WTS thread", "", body), url);
    assert_eq!(l.len(), 3, "{l:#?}");
    let prices: Vec<Decimal> = l.iter().map(|x| x.price.unwrap().amount).collect();
    assert_eq!(prices, [dec("150"), dec("900"), dec("45")]);
    assert_eq!(l[1].title, "Oxycodone 30 mg x 60");
    assert_eq!(l[0].shipping_claims, ["stealth"]);
    assert_eq!(l[1].payment_methods, ["monero"]);
    assert!(l[1].shipping_claims.iter().all(|c| c != "stealth"));
    assert!(
        l[2].contacts
            .iter()
            .any(|c| c.kind == ContactKind::Telegram)
    );
    assert!(l[0].contacts.is_empty());
    let ids: Vec<ListingId> = l.iter().map(|x| x.id.clone()).collect();
    assert_eq!(ids[1], ListingId::derive(url, 1));
    assert!(ids[0] != ids[1] && ids[1] != ids[2]);
    assert_eq!(l[0].quantity.as_ref().and_then(|q| q.units), Some(100));
}

#[test]
fn a_price_list_table_gives_one_listing_per_row() {
    let body = r#"<h1>Price list</h1><table class="prices">
<tr><td>Sildenafil 100 mg x 10</td><td>€ 19.90</td><td><a href="/cart?add=1">Order</a></td></tr>
<tr><td>Sildenafil 100 mg x 30</td><td>€ 49.90</td><td><a href="/cart?add=2">Order</a></td></tr>
<tr><td>Tadalafil 20 mg x 30</td><td>€ 59.90</td><td><a href="/cart?add=3">Order</a></td></tr>
</table>"#;
    let l = run(
        &page("Price list", "", body),
        "https://static.example/prices.html",
    );
    assert_eq!(l.len(), 3, "{l:#?}");
    assert_eq!(l[2].title, "Tadalafil 20 mg x 30");
    let p = l[2].price.unwrap();
    assert_eq!((p.amount, p.currency), (dec("59.90"), Currency::EUR));
}

#[test]
fn related_products_beside_a_product_do_not_become_offers() {
    // Related items without links, in a block not labelled as related: the product's own
    // price is next to its title, so the page is one product.
    let body = r#"<div class="main"><h1>Tadalafil 20 mg 30 tablets</h1><div class="price">$59.00</div></div>
<div class="more"><div class="box"><b>Sildenafil 100 mg</b> <span class="price">$39.00</span></div>
<div class="box"><b>Vardenafil 20 mg</b> <span class="price">$45.00</span></div></div>"#;
    let l = run(
        &page("Tadalafil 20 mg 30 tablets", "", body),
        "https://x.example/t",
    );
    assert_eq!(l.len(), 1, "{l:#?}");
    assert_eq!(l[0].price.unwrap().amount, dec("59.00"));
}

fn jsonld(offer: &str) -> String {
    page(
        "Tramadol",
        &format!(
            r#"<script type="application/ld+json">{{"@context":"https://schema.org","@type":"Product",
            "name":"Tramadol 100 mg 180 tablets","offers":{offer}}}</script>"#
        ),
        "<h1>Tramadol 100 mg 180 tablets</h1>",
    )
}

#[test]
fn jsonld_per_unit_prices_are_unit_prices() {
    let cases = [
        r#"{"@type":"Offer","price":"1.04","priceCurrency":"USD","unitText":"pill"}"#,
        r#"{"@type":"Offer","priceSpecification":{"@type":"UnitPriceSpecification","price":1.04,"priceCurrency":"USD","referenceQuantity":{"@type":"QuantitativeValue","value":1,"unitText":"tablet"}}}"#,
        r#"{"@type":"Offer","price":"1.04","priceCurrency":"USD","name":"180 tablets, $1.04/pill"}"#,
        r#"{"@type":"Offer","price":"$1.04/pill"}"#,
        r#"{"@type":"Offer","price":"1.04","priceCurrency":"USD","unitCode":"C62"}"#,
    ];
    for offer in cases {
        let l = run(&jsonld(offer), "https://x.example/tramadol");
        assert_eq!(l.len(), 1, "{offer}");
        assert_eq!(l[0].price.unwrap().amount, dec("1.04"), "{offer}");
        assert_eq!(l[0].price_basis, PriceBasis::Unit, "{offer}");
        assert_eq!(l[0].unit_price().unwrap().amount, dec("1.04"), "{offer}");
        assert_eq!(l[0].offer_price().unwrap().amount, dec("187.20"), "{offer}");
        assert_eq!(l[0].regions["price"], Region::StructuredData);
    }
    // A pack's price stays the offer's, whatever else the offer says.
    let pack = r#"{"@type":"Offer","price":"187.20","priceCurrency":"USD","unitText":"bottle"}"#;
    let l = run(&jsonld(pack), "https://x.example/tramadol");
    assert_eq!(l[0].price_basis, PriceBasis::Offer);
    assert_eq!(l[0].unit_price().unwrap().amount, dec("1.04"));
}

#[test]
fn a_page_without_a_title_element_reads_claims_from_the_page_minus_its_menus() {
    // JSON-LD names the product, no heading on the page: the region is the page, menus and
    // related blocks still left out.
    let html = page(
        "x",
        r#"<script type="application/ld+json">{"@type":"Product","name":"Ambien 10 mg x 30","offers":{"price":"79","priceCurrency":"USD"}}</script>"#,
        r#"<nav><p>Stealth shipping on all orders</p></nav><div>Pay by Bitcoin. Discreet packaging.</div>"#,
    );
    let l = &run(&html, "https://x.example/ambien")[0];
    assert_eq!(l.payment_methods, ["bitcoin"]);
    assert_eq!(l.shipping_claims, ["discreet"]);
    assert_eq!(l.regions["payment_methods"], Region::Page);
}

#[test]
fn a_page_of_thousands_of_offers_is_capped() {
    let mut posts = String::new();
    for i in 0..3_000 {
        posts.push_str(&format!(
            "<div class=\"post\"><h3>Offer number {i}</h3><p>Price: ${}.00</p></div>",
            10 + i % 90
        ));
    }
    let l = run(
        &page("Offers", "", &format!("<div class=\"posts\">{posts}</div>")),
        "https://forum.example/t/1",
    );
    assert!(!l.is_empty() && l.len() <= pharmwatch_extract::MAX_LISTINGS);
    assert_eq!(l[7].title, "Offer number 7");
}

#[test]
fn a_table_layout_pages_side_column_and_footer_are_not_the_listings_claims() {
    let html = page(
        "Sildenafil 100 mg (28 tablets) - Old Chemist",
        "",
        r#"<table width="760"><tr><td colspan="2" class="hdr"><a href="/">Old Chemist</a></td></tr>
<tr><td class="left" valign="top"><b>Categories</b><br><a href="/c">All products</a>
  <p class="col">Discreet treatments for erectile dysfunction. Bitcoin accepted.</p></td>
<td valign="top" class="main"><div class="ttl"><h2>Sildenafil 100 mg (28 tablets)</h2></div>
  <table class="prod"><tr><th>Price</th><td><span class="cost">US$ 46.01</span></td></tr>
  <tr><th>Sold by</th><td>Global Generics Inc.</td></tr>
  <tr><th>Terms</th><td>Prescription required.<br>Payment: Visa, Mastercard<br>Dispatched by tracked post.</td></tr></table>
  <p>Sildenafil 100 mg contains sildenafil. Pack of 28 tablets.</p></td></tr>
<tr><td colspan="2" class="ftr">We accept Visa, MasterCard and Bitcoin. Worldwide delivery.</td></tr></table>"#,
    );
    let l = run(&html, "https://old.example/catalog/item-1.html");
    assert_eq!(l.len(), 1, "{l:#?}");
    let l = &l[0];
    assert_eq!(l.price.as_ref().map(|p| p.amount), Some(dec("46.01")));
    assert!(
        !l.shipping_claims
            .iter()
            .any(|c| c == "discreet" || c == "worldwide"),
        "{:?}",
        l.shipping_claims
    );
    assert!(
        !l.payment_methods
            .iter()
            .any(|p| p.to_lowercase().contains("bitcoin")),
        "{:?}",
        l.payment_methods
    );
    assert!(
        l.description.contains("Pack of 28 tablets"),
        "{:?}",
        l.description
    );
    assert!(
        l.shop
            .payment_methods
            .iter()
            .any(|p| p.to_lowercase().contains("bitcoin")),
        "the footer's payment is the shop's: {:?}",
        l.shop
    );
}
