//! Property tests: the parsers and the extractor accept any input without panicking and
//! keep their output within the documented bounds.

use pharmwatch_extract::{
    SiteContext, SiteProfile, decode_html, extract_page, parse_contacts, parse_gtins,
    parse_payment_methods, parse_price, parse_quantity, parse_shipping_claims,
    price::{currency_in_text, parse_price_in, parse_price_parts},
};
use pharmwatch_model::Currency;
use proptest::prelude::*;
use url::Url;

fn pricey() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("$".to_string()),
            Just("€".to_string()),
            Just("¥".to_string()),
            Just("元".to_string()),
            Just("руб.".to_string()),
            Just(" ".to_string()),
            Just(",".to_string()),
            Just(".".to_string()),
            Just("'".to_string()),
            Just("-".to_string()),
            Just(",-".to_string()),
            Just("kr".to_string()),
            Just("USD".to_string()),
            Just("x".to_string()),
            Just("mg".to_string()),
            Just("片".to_string()),
            Just("tablets".to_string()),
            Just("pack of".to_string()),
            Just("/pill".to_string()),
            Just(" per tab".to_string()),
            Just("за таблетку".to_string()),
            Just("+".to_string()),
            Just(". ".to_string()),
            Just(", ".to_string()),
            Just("грн".to_string()),
            Just("تومان".to_string()),
            Just("Kč".to_string()),
            Just("US $".to_string()),
            Just("strips of".to_string()),
            Just(" for ".to_string()),
            "[0-9]{1,12}",
            "\\PC{0,3}",
        ],
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

fn htmlish() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("<h1>".to_string()),
            Just("</h1>".to_string()),
            Just("<div class=\"price\">".to_string()),
            Just("</div>".to_string()),
            Just("<a href=\"".to_string()),
            Just("\">".to_string()),
            Just("</a>".to_string()),
            Just("<script type=\"application/ld+json\">".to_string()),
            Just("</script>".to_string()),
            Just("{\"@type\":\"Product\",\"name\":".to_string()),
            Just("\"offers\":{\"price\":".to_string()),
            Just("[".to_string()),
            Just("]".to_string()),
            Just("}".to_string()),
            Just(",".to_string()),
            Just("<div itemscope itemtype=\"http://schema.org/Product\">".to_string()),
            Just("<span itemprop=\"name\">".to_string()),
            Just("<meta property=\"product:price:amount\" content=\"".to_string()),
            Just("<base href=\"".to_string()),
            Just("&quot;".to_string()),
            Just("$12.99".to_string()),
            Just("<nav class=\"menu\">".to_string()),
            Just("</nav>".to_string()),
            Just("<footer>Visa, Bitcoin ".to_string()),
            Just("</footer>".to_string()),
            Just("<div class=\"review\">".to_string()),
            Just("<div class=\"post\"><h3>Xanax 2mg</h3>".to_string()),
            Just("<table><tr><th>Price</th><td>".to_string()),
            Just("</td></tr><tr><th>Sold by</th><td>".to_string()),
            Just("<p>".to_string()),
            Just("stealth shipping ".to_string()),
            Just("<img alt=\"Western Union\">".to_string()),
            Just("javascript:".to_string()),
            Just("//x.example/".to_string()),
            "\\PC{0,8}",
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

fn profile_ctx() -> SiteContext {
    let profile = SiteProfile::from_toml_str(
        "currency = \"EUR\"\nlisting_urls = ['.']\n[fields]\ntitle = \"h1\"\nprice = \".price\"\ncontacts = \"a\"\nimages = { selector = \"a\", attr = \"href\" }\n",
        "prop.toml",
    )
    .unwrap();
    SiteContext {
        name: "p".into(),
        profile: Some(std::sync::Arc::new(profile)),
        ..Default::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn parse_price_never_panics(s in "\\PC{0,64}", t in pricey()) {
        for text in [&s, &t] {
            if let Some(m) = parse_price(text, Some(Currency::EUR)) {
                prop_assert!(m.amount > rust_decimal::Decimal::ZERO);
            }
            let _ = parse_price(text, None);
            let _ = parse_price_in(text, None, Some("zh"));
            let parts = parse_price_parts(text, None, None);
            prop_assert!(parts.amount.is_none_or(|a| a >= rust_decimal::Decimal::ZERO));
            let _ = currency_in_text(text, None);
        }
    }

    /// Work is bounded by the 2 KiB read: a long hostile string of price-like pieces parses
    /// fast even in a debug build.
    #[test]
    fn parse_price_is_bounded_in_time(t in pricey(), n in 1usize..400) {
        let long = t.repeat(n);
        let started = std::time::Instant::now();
        let _ = parse_price_parts(&long, Some(Currency::EUR), None);
        let _ = currency_in_text(&long, None);
        prop_assert!(started.elapsed() < std::time::Duration::from_millis(500));
    }

    #[test]
    fn parse_quantity_never_panics(s in "\\PC{0,64}", t in pricey()) {
        for text in [&s, &t] {
            if let Some(q) = parse_quantity(text) {
                prop_assert!(q.units != Some(0));
            }
        }
    }

    #[test]
    fn text_scanners_never_panic(s in "\\PC{0,128}") {
        let _ = parse_contacts(&s);
        let _ = parse_gtins(&s);
        let _ = parse_payment_methods(&s);
        let _ = parse_shipping_claims(&s);
    }

    #[test]
    fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512), ct in "\\PC{0,40}") {
        let d = decode_html(&bytes, Some(&ct), Some("cn"));
        prop_assert!(std::str::from_utf8(d.text.as_bytes()).is_ok());
    }

    #[test]
    fn extract_page_never_panics(html in htmlish(), raw in "\\PC{0,200}") {
        let url = Url::parse("https://shop.example/product/1-x.html").unwrap();
        let now = time::macros::datetime!(2026-11-23 18:00 UTC);
        for text in [&html, &raw] {
            for ctx in [SiteContext::default(), profile_ctx()] {
                let page = extract_page(text, &url, &ctx, now, None);
                prop_assert!(page.links.len() <= pharmwatch_extract::MAX_LINKS);
                prop_assert!(page.listings.len() <= pharmwatch_extract::MAX_LISTINGS);
                for l in &page.listings {
                    prop_assert!(!l.title.is_empty() && l.title.len() <= 1024);
                    prop_assert!(l.description.len() <= 64 * 1024);
                    // Reviews are bounded in number and size; every field with a method has
                    // a region, and only fields that were read have one.
                    prop_assert!(l.reviews.len() <= 50);
                    prop_assert!(l.reviews.iter().all(|r| r.len() <= 4 * 1024));
                    for field in l.methods.keys().filter(|f| f.as_str() != "language") {
                        prop_assert!(l.regions.contains_key(field), "{field} has no region");
                    }
                    prop_assert_eq!(l.regions.contains_key("reviews"), !l.reviews.is_empty());
                }
                for link in &page.links {
                    prop_assert!(matches!(link.url.scheme(), "http" | "https"));
                    prop_assert!(link.url.fragment().is_none());
                }
            }
        }
    }
}
