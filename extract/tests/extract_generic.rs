//! Generic extraction: JSON-LD, microdata, OpenGraph, heuristics, links.

use std::str::FromStr;

use pharmwatch_extract::{ExtractedPage, LinkKind, SiteContext, extract_page};
use pharmwatch_model::{ContactKind, Currency, ExtractionMethod, ListingId, SiteKind, Timestamp};
use rust_decimal::Decimal;
use url::Url;

fn now() -> Timestamp {
    time::macros::datetime!(2026-11-23 18:00 UTC)
}

fn ctx() -> SiteContext {
    SiteContext {
        name: "medsdirect".into(),
        kind: SiteKind::Pharmacy,
        currency: Some(Currency::USD),
        language: None,
        profile: None,
    }
}

fn run(html: &str, url: &str) -> ExtractedPage {
    extract_page(
        html,
        &Url::parse(url).unwrap(),
        &ctx(),
        now(),
        Some("abc123"),
    )
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn wrap(head: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>t</title>{head}</head><body>{body}</body></html>"
    )
}

const SIGNALS: &str = r#"<ul><li class="listing-contact">Telegram: @pillsdirect</li><li class="listing-contact">orders@medsdirect.example</li></ul>
<p class="listing-payment">Payment: Bitcoin, Monero</p><p class="listing-shipping">Stealth shipping, no customs</p>"#;

#[test]
fn jsonld_product_with_nested_offer() {
    let head = r#"<script type="application/ld+json">{"@context":"https://schema.org","@type":"Product",
      "name":"Oxycodone 30mg x 60 tablets","description":"No prescription needed",
      "image":["/img/oxy.jpg",{"@type":"ImageObject","url":"https://cdn.example/oxy2.jpg"}],
      "gtin13":"4006381333931",
      "offers":{"@type":"Offer","price":"180.00","priceCurrency":"USD","seller":{"@type":"Organization","name":"MedsDirect"}}}</script>"#;
    let page = run(
        &wrap(head, &format!("<h1>Oxycodone</h1>{SIGNALS}")),
        "http://127.0.0.1:8081/product/7-oxy.html#top",
    );
    assert_eq!(page.listings.len(), 1);
    let l = &page.listings[0];
    assert_eq!(l.title, "Oxycodone 30mg x 60 tablets");
    assert_eq!(l.description, "No prescription needed");
    let price = l.price.unwrap();
    assert_eq!(
        (price.amount, price.currency),
        (dec("180.00"), Currency::USD)
    );
    assert_eq!(l.seller.as_deref(), Some("MedsDirect"));
    let q = l.quantity.as_ref().unwrap();
    assert_eq!(q.units, Some(60));
    assert_eq!(q.strength.as_ref().unwrap().value, dec("30"));
    assert_eq!(
        l.images,
        [
            "http://127.0.0.1:8081/img/oxy.jpg",
            "https://cdn.example/oxy2.jpg"
        ]
    );
    assert_eq!(l.gtins.len(), 1);
    assert!(l.gtins[0].valid);
    assert_eq!(l.payment_methods, ["bitcoin", "monero"]);
    assert_eq!(l.shipping_claims, ["stealth", "no customs"]);
    assert!(
        l.contacts
            .iter()
            .any(|c| c.kind == ContactKind::Telegram && c.value == "pillsdirect")
    );
    assert!(l.contacts.iter().any(|c| c.kind == ContactKind::Email));
    assert_eq!(
        l.domain, "127.0.0.1:8081",
        "the shop host keeps a non-default port"
    );
    assert_eq!(l.url, "http://127.0.0.1:8081/product/7-oxy.html");
    assert_eq!(
        l.id,
        ListingId::derive("http://127.0.0.1:8081/product/7-oxy.html", 0)
    );
    assert_eq!(l.site, "medsdirect");
    assert_eq!(l.language.as_deref(), Some("en"));
    assert_eq!(l.evidence_digest.as_deref(), Some("abc123"));
    assert_eq!(l.methods["title"], ExtractionMethod::JsonLd);
    assert_eq!(l.methods["price"], ExtractionMethod::JsonLd);
    assert_eq!(l.methods["quantity"], ExtractionMethod::Heuristic);
    assert_eq!(l.methods["payment_methods"], ExtractionMethod::Heuristic);
}

#[test]
fn jsonld_graph_array_and_aggregate_offer() {
    let graph = r#"<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
        {"@type":"WebSite","name":"MedsDirect"},
        {"@type":"WebPage","mainEntity":{"@type":"Product","name":"Tramadol 50mg x 90 pills",
          "offers":{"@type":"AggregateOffer","lowPrice":"45.50","highPrice":"99","priceCurrency":"USD","offerCount":3}}}]}</script>"#;
    let l = &run(&wrap(graph, "<h1>x</h1>"), "https://shop.example/p/1").listings;
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].title, "Tramadol 50mg x 90 pills");
    assert_eq!(l[0].price.unwrap().amount, dec("45.50"));

    let array = r#"<script type="application/ld+json">[{"@type":"BreadcrumbList","itemListElement":[]},
        {"@type":["Product","Drug"],"name":"Xanax 2mg","offers":[{"@type":"Offer","price":99.9,"priceCurrency":"EUR"},{"@type":"Offer","price":150,"priceCurrency":"EUR"}]}]</script>"#;
    let l = &run(&wrap(array, ""), "https://shop.example/p/2").listings;
    assert_eq!(l.len(), 1);
    let p = l[0].price.unwrap();
    assert_eq!((p.amount, p.currency), (dec("99.9"), Currency::EUR));

    let spec = r#"<script type="application/ld+json">{"@type":"Product","name":"Cialis 20mg",
        "offers":{"@type":"Offer","priceSpecification":{"@type":"UnitPriceSpecification","price":"1,299.00","priceCurrency":"GBP"}}}</script>"#;
    let l = &run(&wrap(spec, ""), "https://shop.example/p/3").listings;
    assert_eq!(l[0].price.unwrap().amount, dec("1299.00"));
    assert_eq!(l[0].price.unwrap().currency.as_str(), "GBP");
}

#[test]
fn jsonld_several_products_give_several_listings_with_distinct_ids() {
    let head = r#"<script type="application/ld+json">{"@type":"ItemList","itemListElement":[
        {"@type":"ListItem","item":{"@type":"Product","name":"A 10mg x 30 tablets","offers":{"price":"10","priceCurrency":"USD"}}},
        {"@type":"ListItem","item":{"@type":"Product","name":"B 20mg x 30 tablets","offers":{"price":"20","priceCurrency":"USD"}}}]}</script>"#;
    let l = run(&wrap(head, ""), "https://shop.example/list").listings;
    assert_eq!(l.len(), 2);
    assert_ne!(l[0].id, l[1].id);
    assert_eq!(l[1].id, ListingId::derive("https://shop.example/list", 1));
}

#[test]
fn malformed_jsonld_is_tolerated() {
    // Trailing commas, HTML entities, a raw newline inside a string, comment wrapper.
    let head = "<script type=\"application/ld+json\"><!--\n{&quot;@type&quot;:&quot;Product&quot;,&quot;name&quot;:&quot;Viagra 100mg x 30 &amp; more&quot;,\
        &quot;description&quot;:&quot;line one\nline two&quot;,\
        &quot;offers&quot;:{&quot;price&quot;:&quot;59.00&quot;,&quot;priceCurrency&quot;:&quot;USD&quot;,},}\n--></script>\
        <script type=\"application/ld+json\">{ this is not json </script>";
    let l = run(&wrap(head, ""), "https://shop.example/p/4").listings;
    assert_eq!(l.len(), 1, "{l:?}");
    assert_eq!(l[0].title, "Viagra 100mg x 30 & more");
    assert_eq!(l[0].description, "line one line two");
    assert_eq!(l[0].price.unwrap().amount, dec("59.00"));

    let concatenated = r#"<script type="application/ld+json">{"@type":"Organization","name":"X"}{"@type":"Product","name":"Y 5mg","offers":{"price":"5","priceCurrency":"USD"}}</script>"#;
    let l = run(&wrap(concatenated, ""), "https://shop.example/p/5").listings;
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].title, "Y 5mg");
}

#[test]
fn microdata_product() {
    let body = r#"<article itemscope itemtype="https://schema.org/Product">
      <h1 class="listing-title" itemprop="name">Atorvastatin 20mg x 28 tablets</h1>
      <p class="rx-badge">Prescription required</p>
      <div itemprop="offers" itemscope itemtype="https://schema.org/Offer">
        <p class="listing-price">£12.49</p>
        <meta itemprop="price" content="12.49"><meta itemprop="priceCurrency" content="GBP">
        <div itemprop="seller" itemscope itemtype="https://schema.org/Organization"><span itemprop="name">CareWell Pharmacy</span></div>
      </div>
      <div itemprop="description">Lowers cholesterol.</div>
      <meta itemprop="gtin13" content="5901234123457">
      <img itemprop="image" src="/i/a.png">
      <div itemscope itemtype="https://schema.org/Product" itemprop="isRelatedTo"><span itemprop="name">Other</span></div>
    </article><p class="listing-payment">Visa, Mastercard</p>"#;
    let l = run(
        &wrap("", body),
        "https://carewell.example/product/3-atorva.html",
    )
    .listings;
    // The nested related product is its own scope; the outer product comes first.
    assert_eq!(l[0].title, "Atorvastatin 20mg x 28 tablets");
    let p = l[0].price.unwrap();
    assert_eq!((p.amount, p.currency.as_str()), (dec("12.49"), "GBP"));
    assert_eq!(l[0].seller.as_deref(), Some("CareWell Pharmacy"));
    assert_eq!(l[0].description, "Lowers cholesterol.");
    assert_eq!(l[0].gtins[0].digits, "5901234123457");
    assert_eq!(l[0].images, ["https://carewell.example/i/a.png"]);
    assert_eq!(l[0].methods["price"], ExtractionMethod::Microdata);
    assert_eq!(l[0].payment_methods, ["visa", "mastercard"]);
    assert_eq!(l[0].quantity.as_ref().unwrap().units, Some(28));
}

#[test]
fn opengraph_product() {
    let head = r#"<meta property="og:type" content="product"><meta property="og:title" content="Modafinil 200mg x 30 tablets">
      <meta property="og:image" content="/og.jpg"><meta property="product:price:amount" content="64.00">
      <meta property="product:price:currency" content="EUR">"#;
    let l = run(&wrap(head, "<p>hello</p>"), "https://shop.example/x").listings;
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].title, "Modafinil 200mg x 30 tablets");
    let p = l[0].price.unwrap();
    assert_eq!((p.amount, p.currency), (dec("64.00"), Currency::EUR));
    assert_eq!(l[0].methods["price"], ExtractionMethod::OpenGraph);
    assert_eq!(l[0].images, ["https://shop.example/og.jpg"]);
}

#[test]
fn heuristic_product_page() {
    let body = r#"<main><h1>Ambien 10mg x 30 pills</h1><div class="product-price"><span>US$</span> <span>79.00</span></div>
        <div class="description">Sleep well. No prescription.</div><p>Contact: WhatsApp +1 202 555 0143</p></main>"#;
    let l = run(&wrap("", body), "https://rogue.example/ambien").listings;
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].title, "Ambien 10mg x 30 pills");
    assert_eq!(l[0].price.unwrap().amount, dec("79.00"));
    assert_eq!(l[0].description, "Sleep well. No prescription.");
    assert_eq!(l[0].methods["title"], ExtractionMethod::Heuristic);
    assert!(
        l[0].contacts
            .iter()
            .any(|c| c.kind == ContactKind::Whatsapp && c.value == "+12025550143")
    );
}

#[test]
fn a_per_unit_price_is_the_unit_price_not_divided_again() {
    let body = r#"<main><h1>Tramadol 100 mg 180 tablets</h1><p>Only $1.04/pill, discreet shipping</p></main>"#;
    let l = run(&wrap("", body), "https://rogue.example/tramadol").listings;
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].price.unwrap().amount, dec("1.04"));
    assert_eq!(l[0].price_basis, pharmwatch_model::PriceBasis::Unit);
    assert_eq!(l[0].quantity.as_ref().unwrap().units, Some(180));
    assert_eq!(l[0].unit_price().unwrap().amount, dec("1.04"));
    assert_eq!(l[0].offer_price().unwrap().amount, dec("187.20"));

    // A pack price stays the offer's price and is divided by the count.
    let body =
        r#"<main><h1>Tramadol 100 mg 180 tablets</h1><div class="price">$187.20</div></main>"#;
    let l = run(&wrap("", body), "https://rogue.example/tramadol-pack").listings;
    assert_eq!(l[0].price_basis, pharmwatch_model::PriceBasis::Offer);
    assert_eq!(l[0].unit_price().unwrap().amount, dec("1.04"));
}

#[test]
fn a_price_in_a_label_value_table_row_is_the_listing_price() {
    // No structured data: title in an <h2>-less block, price in a table row, seller below.
    let body = r#"<div class="main"><h1>Lipitor 20 mg 90 tablets</h1><table class="spec">
        <tr><th>Price</th><td><span class="cost price">US$ 368.99</span> <a href="/help">Details</a></td></tr>
        <tr><th>Sold by</th><td>Pharma Ltd</td></tr></table></div>"#;
    let l = run(&wrap("", body), "https://shop.example/lipitor").listings;
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].price.unwrap().amount, dec("368.99"));
}

#[test]
fn the_main_price_is_the_one_in_the_title_block_not_old_or_related_prices() {
    let mut related = String::new();
    for i in 0..6 {
        related.push_str(&format!(
            "<div class=\"sims\"><div class=\"sims-item\"><span class=\"sims-price\">£{}.49</span></div></div>",
            20 + i
        ));
    }
    let body = format!(
        r#"<div id="header"><span class="header-price">£0.00</span></div>
        <div id="product"><div id="center"><h1 id="title">Voltaren 50 mg 30 tablets</h1>
        <div id="price-box"><table><tr><td>RRP:</td><td><span class="a-text-strike">£55.00</span></td></tr>
        <tr><td>Price:</td><td><span id="ourprice" class="price-now">£48.99</span></td></tr>
        <tr><td>You save:</td><td class="price-savings">£6.01</td></tr></table></div></div></div>
        <div id="also-bought">{related}</div>"#
    );
    let l = run(
        &wrap("<title>Voltaren 50 mg 30 tablets: shop</title>", &body),
        "https://shop.example/voltaren",
    )
    .listings;
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].price.unwrap().amount, dec("48.99"));
    assert_eq!(l[0].price.unwrap().currency.as_str(), "GBP");
}

#[test]
fn many_equally_placed_prices_are_a_list_not_a_product() {
    let mut items = String::new();
    for i in 0..8 {
        items.push_str(&format!(
            "<div class=\"item\"><span class=\"price\">${}.99</span></div>",
            10 + i
        ));
    }
    let body = format!(r#"<h1>Pain relief</h1><div class="grid">{items}</div>"#);
    let l = run(
        &wrap("<title>Pain relief</title>", &body),
        "https://shop.example/pain",
    )
    .listings;
    assert!(l.is_empty(), "{l:?}");
}

#[test]
fn category_home_and_about_pages_give_no_listings() {
    let mut cards = String::new();
    for i in 0..20 {
        cards.push_str(&format!(
            "<li class=\"product-card\"><a class=\"card-link\" href=\"/product/{i}-x.html\">Drug {i} 10mg x 30 tablets</a> <span class=\"card-price\">${}.99</span></li>",
            10 + i
        ));
    }
    let category = wrap(
        "",
        &format!(
            "<h1 class=\"category-title\">Pain relief</h1><ul class=\"product-grid\">{cards}</ul>\
         <nav class=\"pagination\"><a rel=\"next\" class=\"next\" href=\"/category/pain?page=2\">Next</a></nav>"
        ),
    );
    let page = run(&category, "http://127.0.0.1:9000/category/pain?page=1");
    assert!(page.listings.is_empty(), "{:?}", page.listings);
    let next: Vec<_> = page
        .links
        .iter()
        .filter(|l| l.kind == LinkKind::Next)
        .collect();
    assert_eq!(next.len(), 1);
    assert_eq!(
        next[0].url.as_str(),
        "http://127.0.0.1:9000/category/pain?page=2"
    );
    assert_eq!(
        page.links
            .iter()
            .filter(|l| l.kind == LinkKind::Listing)
            .count(),
        20
    );

    // A category page with a single card must not become a listing either.
    let one = wrap(
        "",
        "<h1>Sleep</h1><ul class=\"product-grid\"><li class=\"product-card\"><a href=\"/product/1-a.html\">A</a> <span class=\"card-price\">$9.99</span></li></ul>",
    );
    assert!(
        run(&one, "http://127.0.0.1:9000/category/sleep")
            .listings
            .is_empty()
    );

    let home = wrap(
        "",
        "<section class=\"hero\"><h1>Welcome to MedsDirect</h1></section><p>Best prices!</p>",
    );
    assert!(run(&home, "http://127.0.0.1:9000/").listings.is_empty());
    let about = wrap(
        "",
        "<h1>About us</h1><p class=\"about\">Founded in 2010. Call +44 20 7946 0958.</p>",
    );
    assert!(
        run(&about, "http://127.0.0.1:9000/about.html")
            .listings
            .is_empty()
    );
}

#[test]
fn links_are_absolute_http_and_fragment_free() {
    let body = r#"<base href="/shop/"><a href="item/1#reviews">1</a><a href="item/1">dup</a><a href="mailto:x@y.z">m</a>
        <a href="javascript:void(0)">j</a><a href="https://other.example/ad/9.html#x">ad</a><a href="ftp://f.example/">f</a>
        <link rel="stylesheet" href="/s.css"><link rel="next" href="?page=3"><a href="  /cart/  ">cart</a><a href="">self</a>"#;
    let page = run(&wrap("", body), "https://shop.example/base/page?page=2");
    let urls: Vec<&str> = page.links.iter().map(|l| l.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "https://shop.example/shop/item/1",
            "https://other.example/ad/9.html",
            "https://shop.example/shop/?page=3",
            "https://shop.example/cart/",
        ]
    );
    assert_eq!(page.links[1].kind, LinkKind::Listing);
    assert_eq!(page.links[2].kind, LinkKind::Next);
    assert_eq!(page.links[3].kind, LinkKind::Other);
}

#[test]
fn hostile_input_is_bounded() {
    let title = "A".repeat(100_000);
    let mut body = format!("<h1>{title}</h1><p class=\"price\">$10</p>");
    for i in 0..12_000 {
        body.push_str(&format!("<a href=\"/p{i}\">x</a>"));
    }
    let page = run(&wrap("", &body), "https://shop.example/");
    assert_eq!(page.links.len(), pharmwatch_extract::MAX_LINKS);
    assert_eq!(page.listings.len(), 1);
    assert!(page.listings[0].title.len() <= 1024);
    let cjk = format!("<h1>{}</h1><p class=\"price\">¥10</p>", "药".repeat(1000));
    let l = &run(&wrap("", &cjk), "https://shop.example/").listings[0];
    assert!(l.title.len() <= 1024 && l.title.chars().all(|c| c == '药'));
    // Deep nesting does not overflow the stack.
    let deep = format!(
        "{}<h1>Deep 10mg</h1><p class=\"price\">$5</p>{}",
        "<div>".repeat(5_000),
        "</div>".repeat(5_000)
    );
    let _ = run(&wrap("", &deep), "https://shop.example/deep");
}

#[test]
fn jsonld_text_keeps_angle_bracket_words_and_strips_real_markup() {
    let head = r#"<script type="application/ld+json">{"@type":"Product","name":"Generic Tadalafil 5mg x 120 tablets \u003cBest Price\u003e",
        "description":"<p>Fast <b>acting</b>.</p><p>Discreet.</p>","offers":{"price":"59","priceCurrency":"USD"}}</script>"#;
    let body = r#"<h1 class="listing-title">Generic Tadalafil</h1><p class="seller-line">Sold by: <span class="listing-seller">MedsDirect Pharmacy</span></p>"#;
    let l = &run(&wrap(head, body), "https://shop.example/product/1-t.html").listings[0];
    assert_eq!(l.title, "Generic Tadalafil 5mg x 120 tablets <Best Price>");
    assert_eq!(l.description, "Fast acting. Discreet.");
    // The JSON-LD has no seller: the innermost seller-labelled element fills it.
    assert_eq!(l.seller.as_deref(), Some("MedsDirect Pharmacy"));
    assert_eq!(l.methods["seller"], ExtractionMethod::Heuristic);
}

/// A marketplace product page without structured data: other sellers' offers ("more buying
/// choices", a "New (4) from" link to the offer list) print lower prices before the buy box
/// in document order; neither is the listing's price.
#[test]
fn other_sellers_prices_are_not_the_listings_price() {
    let body = r#"<div id="rightCol">
      <div id="moreBuyingChoices_feature_div"><h3>More buying choices</h3>
        <span class="offer-price">$8.10</span> + $3.99 shipping, sold by pb Recommerce</div>
      <div class="olp-link"><a href="/gp/offer-listing/B00SVBPJI8">New (4) from <span class="a-color-price">$8.32</span></a></div>
    </div>
    <div id="centerCol"><h1 id="title">Ankerkraut Texas Chicken rub, 230 g shaker</h1>
      <table><tr><td>Price:</td><td><span id="priceblock_ourprice" class="price">$8.33</span></td></tr></table>
      <a href="/cart/add?asin=B00SVBPJI8">Add to cart</a></div>"#;
    let page = run(&wrap("", body), "https://shop.example/dp/B00SVBPJI8");
    assert_eq!(page.listings.len(), 1);
    let l = &page.listings[0];
    assert_eq!(l.title, "Ankerkraut Texas Chicken rub, 230 g shaker");
    assert_eq!(l.price.unwrap().amount, dec("8.33"));
}

/// Shops in Spanish or French write accented letters as HTML references inside JSON-LD.
#[test]
fn jsonld_names_with_accented_letter_references_are_decoded() {
    let head = r#"<script type="application/ld+json">{"@context":"https://schema.org","@type":"Product",
      "name":"Cama Elo&iacute;sa Single 1.5 Plazas","offers":{"@type":"Offer","price":"229990","priceCurrency":"CLP"}}</script>"#;
    let page = run(
        &wrap(head, "<h1>Cama Eloísa</h1>"),
        "https://tienda.example/cama-eloisa.html",
    );
    assert_eq!(page.listings.len(), 1);
    assert_eq!(page.listings[0].title, "Cama Eloísa Single 1.5 Plazas");
}

/// A deal page without structured data or a price near its title, whose only price is the
/// whole price string in `og:price` ("from 30,000 won": the `~` reads "and up").
#[test]
fn a_whole_price_string_in_og_price_is_the_listings_price() {
    let head = r#"<meta property="og:title" content="Good Thoughts: one-year subscription (gift)">
      <meta property="og:price" content="30,000원~">"#;
    let page = run(
        &wrap(head, "<div id=\"app\"><p>Deal of the day</p></div>"),
        "http://deals.example/deal/4548094738",
    );
    assert_eq!(page.listings.len(), 1);
    let price = page.listings[0].price.unwrap();
    assert_eq!(price.amount, dec("30000"));
    assert_eq!(price.currency, Currency::from_str("KRW").unwrap());
}

/// The offer's own terms, written as a list or as a "Terms" row of its table, are the listing's
/// words: "Prescription required" must reach the fields the rules read.
#[test]
fn the_offers_own_terms_lines_are_part_of_its_description() {
    let as_list = r#"<div class="product"><h1>Ultram 100 mg, 30 capsules</h1>
      <p class="price">$0.76 / capsule</p>
      <p class="lead">Ultram 100 mg contains tramadol as its active ingredient. Pack of 30 capsules.</p>
      <ul class="terms"><li>Prescription required: upload or post your prescription before we dispense.</li>
      <li>Payment: Visa, Mastercard</li></ul>
      <button>Add to cart</button></div>"#;
    let as_row = r#"<div class="main"><h1>Oxycodone 20 mg 60 tablets</h1><table class="spec">
      <tr><th>Price</th><td><span class="cost price">US$ 221.40</span></td></tr>
      <tr><th>Sold by</th><td>PharmaLink Ltd</td></tr>
      <tr><th>Terms</th><td>Prescription required: upload or post your prescription before we dispense.<br>Payment: Visa</td></tr></table>
      <p>Oxycodone 20 mg contains oxycodone as its active ingredient. Pack of 60 tablets.</p></div>"#;
    let short_russian = r#"<article class="product-detail"><h1>Oxycodone 80 mg — 20 таблеток</h1>
      <div class="price-box"><span class="price-now">262 ₽ за таблетку</span></div>
      <p class="lead">Oxycodone 80 mg: действующее вещество — Oxycodone. В упаковке 20 таблеток.</p>
      <ul class="terms"><li>Отпускается строго по рецепту врача.</li><li>Оплата: Visa, МИР</li></ul></article>"#;
    let page = run(&wrap("", short_russian), "https://apteka.example/p/1");
    let description = &page.listings[0].description;
    assert!(description.contains("по рецепту врача"), "{description}");
    assert!(
        !description.contains("Оплата"),
        "a label line is not prose: {description}"
    );
    for body in [as_list, as_row] {
        let page = run(&wrap("", body), "https://pharmacy.example/p/1");
        assert_eq!(page.listings.len(), 1, "{body}");
        let description = &page.listings[0].description;
        assert!(
            description.contains("Prescription required: upload"),
            "{description}"
        );
        assert!(description.contains("active ingredient"), "{description}");
    }
}
