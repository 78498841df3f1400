//! Site profiles: the shipped files load, extract the sample marketplace's pages, and
//! broken profiles give errors that name the file, the field and how to fix it.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use pharmwatch_extract::{
    LinkKind, ProfileError, SiteContext, SiteProfile, decode_html, extract_page,
};
use pharmwatch_model::{ContactKind, Currency, ExtractionMethod, SiteKind, Timestamp};
use rust_decimal::Decimal;
use url::Url;

fn now() -> Timestamp {
    time::macros::datetime!(2026-11-23 18:00 UTC)
}

fn sites_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../config/sites")
}

fn load(name: &str) -> SiteProfile {
    SiteProfile::load(sites_dir().join(format!("{name}.toml"))).unwrap()
}

fn ctx(profile: SiteProfile, kind: SiteKind) -> SiteContext {
    SiteContext {
        name: profile.name.clone(),
        kind,
        currency: profile.currency,
        language: profile.language.clone(),
        profile: Some(Arc::new(profile)),
    }
}

const KANGJIAN_PAGE: &str = r#"<!DOCTYPE html><html lang="zh-CN"><head><meta charset="gbk"><title>西地那非</title></head>
<body class="shop-pharmacy"><header class="site-header"><a class="logo" href="/">康健大药房</a>
<nav class="main-nav"><a href="/category/pde5">男科</a><a href="/account/login">登录</a><a class="cart" href="/cart/">购物车</a></nav></header>
<main><article class="listing" id="listing-12">
<h1 class="listing-title">西地那非 100mg 30片 无需处方</h1>
<div class="listing-offer"><p class="listing-price">¥128.00</p><p class="listing-quantity">30片/盒</p>
<a class="buy-button" rel="nofollow" href="/cart/?add=12">加入购物车</a></div>
<div class="listing-description">正品保证，隐秘包装。</div>
<p class="listing-gtin">EAN: 6901234567892</p>
<p class="seller-line">卖家：<span class="listing-seller">康健大药房</span></p>
<ul class="listing-contacts"><li class="listing-contact">微信: kangjian888</li><li class="listing-contact">WhatsApp: +86 138 0013 8000</li></ul>
<p class="listing-payment">付款方式：比特币、支付宝</p><p class="listing-shipping">隐秘包装，包过海关</p>
</article><aside class="related"><h2>相关产品</h2><ul><li><a href="/product/13-tadalafil.html">他达拉非</a></li></ul></aside></main>
<footer class="site-footer">客服邮箱 help@kangjian.example</footer></body></html>"#;

#[test]
fn shipped_profiles_load() {
    let k = load("kangjian");
    assert_eq!(k.name, "kangjian");
    assert_eq!(k.currency, Some(Currency::CNY));
    assert_eq!(k.language.as_deref(), Some("zh-CN"));
    let q = load("quickads");
    assert_eq!(q.currency, Some(Currency::EUR));
    assert!(q.is_listing_url(&Url::parse("http://127.0.0.1:9003/ad/77.html").unwrap()));
    assert!(!q.is_listing_url(&Url::parse("http://127.0.0.1:9003/category/x?page=2").unwrap()));
}

#[test]
fn kangjian_gbk_page_with_profile() {
    let (bytes, _, _) = encoding_rs::GBK.encode(KANGJIAN_PAGE);
    let decoded = decode_html(&bytes, Some("text/html; charset=GBK"), Some("127.0.0.1"));
    assert_eq!(decoded.encoding, "GBK");
    let url = Url::parse("http://127.0.0.1:9002/product/12-sildenafil.html").unwrap();
    let page = extract_page(
        &decoded.text,
        &url,
        &ctx(load("kangjian"), SiteKind::Pharmacy),
        now(),
        None,
    );
    assert_eq!(page.listings.len(), 1);
    let l = &page.listings[0];
    assert_eq!(l.title, "西地那非 100mg 30片 无需处方");
    let p = l.price.unwrap();
    assert_eq!(
        (p.amount, p.currency),
        (Decimal::from_str("128.00").unwrap(), Currency::CNY)
    );
    let q = l.quantity.as_ref().unwrap();
    assert_eq!((q.units, q.form.as_deref()), (Some(30), Some("tablet")));
    assert_eq!(q.strength.as_ref().unwrap().unit, "mg");
    assert_eq!(l.seller.as_deref(), Some("康健大药房"));
    assert_eq!(l.description, "正品保证，隐秘包装。");
    assert!(
        l.contacts
            .iter()
            .any(|c| c.kind == ContactKind::Wechat && c.value == "kangjian888")
    );
    assert!(
        l.contacts
            .iter()
            .any(|c| c.kind == ContactKind::Whatsapp && c.value == "+8613800138000")
    );
    // Profile selectors, not the footer, decide the contacts.
    assert!(
        !l.contacts.iter().any(|c| c.kind == ContactKind::Email),
        "{:?}",
        l.contacts
    );
    assert_eq!(l.payment_methods, ["bitcoin", "alipay"]);
    assert_eq!(l.shipping_claims, ["discreet", "no customs"]);
    assert_eq!(l.gtins.len(), 1);
    assert!(l.gtins[0].valid);
    assert_eq!(l.language.as_deref(), Some("zh-CN"));
    for field in [
        "title",
        "price",
        "seller",
        "description",
        "contacts",
        "payment_methods",
        "shipping_claims",
        "gtins",
        "quantity",
    ] {
        assert_eq!(l.methods[field], ExtractionMethod::Profile, "{field}");
    }
    let related = page
        .links
        .iter()
        .find(|x| x.url.path() == "/product/13-tadalafil.html")
        .unwrap();
    assert_eq!(related.kind, LinkKind::Listing);
    assert!(
        page.links
            .iter()
            .any(|x| x.url.path() == "/cart/" && x.kind == LinkKind::Other)
    );
}

#[test]
fn quickads_ad_in_another_language() {
    let html = r#"<html lang="en"><body><main><article class="listing" lang="es">
      <h1 class="listing-title">Xanax 2mg 60 pastillas sin receta</h1>
      <div class="listing-offer"><p class="listing-price">1.299,00 €</p></div>
      <div class="listing-description">Envío discreto.</div><span class="listing-seller">pedro_m</span>
      <ul><li class="listing-contact">Telegram: @pedro_pills</li></ul>
      <p class="listing-payment">Pago: USDT</p><p class="listing-shipping">Envío discreto, sin aduana</p></article></main></body></html>"#;
    let url = Url::parse("http://127.0.0.1:9003/ad/501.html").unwrap();
    let l = &extract_page(
        html,
        &url,
        &ctx(load("quickads"), SiteKind::Classifieds),
        now(),
        None,
    )
    .listings[0];
    assert_eq!(
        l.price.unwrap().amount,
        Decimal::from_str("1299.00").unwrap()
    );
    assert_eq!(l.price.unwrap().currency, Currency::EUR);
    assert_eq!(l.quantity.as_ref().unwrap().units, Some(60));
    assert_eq!(l.language.as_deref(), Some("es"));
    assert_eq!(l.site_kind, SiteKind::Classifieds);
    assert_eq!(l.payment_methods, ["usdt"]);
    assert_eq!(l.shipping_claims, ["discreet", "no customs"]);
}

#[test]
fn list_fields_fall_back_to_page_text_only_when_their_selector_matches_nothing() {
    let html = r#"<html><body><h1 class="listing-title">Tramadol 50mg 20 tablets</h1><p class="listing-price">20 €</p>
      <p>Contact: Telegram: @tram_seller. Payment: Bitcoin.</p><p class="listing-shipping">Shipping at buyer's cost</p></body></html>"#;
    let url = Url::parse("http://127.0.0.1:9003/ad/9.html").unwrap();
    let l = &extract_page(
        html,
        &url,
        &ctx(load("quickads"), SiteKind::Classifieds),
        now(),
        None,
    )
    .listings[0];
    // No .listing-contact / .listing-payment element: the page text is scanned.
    assert!(
        l.contacts
            .iter()
            .any(|c| c.kind == ContactKind::Telegram && c.value == "tram_seller")
    );
    assert_eq!(l.methods["contacts"], ExtractionMethod::Heuristic);
    assert_eq!(l.payment_methods, ["bitcoin"]);
    // A .listing-shipping element exists and names no claim: the profile has spoken.
    assert!(l.shipping_claims.is_empty());
}

#[test]
fn profile_falls_back_to_generic_off_listing_urls() {
    let html = r#"<html><body><h1 class="listing-title">Not a listing</h1><ul><li class="card"><a href="/ad/1.html">A</a> <span class="card-price">5 €</span></li></ul>
      <a rel="next" class="next" href="/category/pills?page=2">›</a></body></html>"#;
    let url = Url::parse("http://127.0.0.1:9003/category/pills?page=1").unwrap();
    let page = extract_page(
        html,
        &url,
        &ctx(load("quickads"), SiteKind::Classifieds),
        now(),
        None,
    );
    assert!(page.listings.is_empty());
    assert!(
        page.links
            .iter()
            .any(|l| l.kind == LinkKind::Next && l.url.query() == Some("page=2"))
    );
    assert!(
        page.links
            .iter()
            .any(|l| l.kind == LinkKind::Listing && l.url.path() == "/ad/1.html")
    );
}

#[test]
fn item_containers_give_one_listing_each() {
    let profile = SiteProfile::from_toml_str(
        r#"
        currency = "USD"
        item = ".post"
        [fields]
        title = ".post-title"
        price = { selector = ".post-body", regex = '(\$\s?[\d.,]+)' }
        "#,
        "forum.toml",
    )
    .unwrap();
    assert_eq!(profile.name, "forum");
    let html = r#"<div class="post"><h2 class="post-title">Selling percs</h2><div class="post-body">M30 blues $25 each</div></div>
        <div class="post"><h2 class="post-title">Bars</h2><div class="post-body">price on request</div></div>
        <div class="post"><div class="post-body">no title here</div></div>"#;
    let url = Url::parse("https://forum.example/t/1").unwrap();
    let l = extract_page(html, &url, &ctx(profile, SiteKind::Forum), now(), None).listings;
    assert_eq!(l.len(), 2);
    assert_eq!(l[0].price.unwrap().amount, Decimal::from(25));
    assert_eq!(l[1].price, None);
}

fn err(toml: &str) -> ProfileError {
    SiteProfile::from_toml_str(toml, "config/sites/broken.toml").unwrap_err()
}

#[test]
fn bad_selector_names_file_field_and_position() {
    let e = err(
        "listing_urls = ['/p/']\n[fields]\ntitle = \"h1.listing-title\"\nprice = \"div[class=\"\n",
    );
    let msg = e.to_string();
    assert!(matches!(e, ProfileError::Selector { .. }), "{e:?}");
    assert!(msg.contains("config/sites/broken.toml:4:"), "{msg}");
    assert!(msg.contains("fields.price"), "{msg}");
    assert!(msg.contains("hint"), "{msg}");
}

#[test]
fn unknown_key_names_the_key_and_line() {
    let e = err("[fields]\ntitle = \"h1\"\ntitel = \"h1\"\n");
    let msg = e.to_string();
    assert!(matches!(e, ProfileError::Syntax { line: 3, .. }), "{e:?}");
    assert!(msg.contains("config/sites/broken.toml:3:1"), "{msg}");
    assert!(msg.contains("titel"), "{msg}");
    assert!(msg.contains("rename or remove"), "{msg}");

    let e = err("[fields]\nimages = { selector = \"img\", atr = \"src\" }\n");
    assert!(e.to_string().contains("atr"), "{e}");
    let e = err("currancy = \"EUR\"\n");
    assert!(e.to_string().contains("currancy"), "{e}");
}

#[test]
fn other_broken_profiles() {
    let e = err("listing_urls = ['/product/(\\d+']\n");
    assert!(
        matches!(e, ProfileError::Regex { ref field, line: 1, .. } if field == "listing_urls"),
        "{e:?}"
    );
    let e = err("[fields]\nprice = { selector = \".p\", regex = '([0-9]' }\n");
    assert!(
        matches!(e, ProfileError::Regex { ref field, line: 2, .. } if field == "fields.price"),
        "{e:?}"
    );
    let e = err("currency = \"euro\"\n");
    assert!(
        matches!(e, ProfileError::Invalid { ref field, .. } if field == "currency"),
        "{e:?}"
    );
    let e = err("language = \"english please\"\n");
    assert!(
        matches!(e, ProfileError::Invalid { ref field, .. } if field == "language"),
        "{e:?}"
    );
    let e = err("[fields]\ntitle = \n");
    assert!(matches!(e, ProfileError::Syntax { line: 2, .. }), "{e:?}");
    let e = err("[fields]\ntitle = { attr = \"src\" }\n");
    assert!(e.to_string().contains("selector"), "{e}");
    let e = SiteProfile::load("/nonexistent/dir/x.toml").unwrap_err();
    assert!(
        matches!(e, ProfileError::Io { .. }) && e.to_string().contains("/nonexistent/dir/x.toml")
    );
}
