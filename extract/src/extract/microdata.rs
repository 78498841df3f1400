//! schema.org Product microdata (`itemscope itemtype=".../Product"` with `itemprop`s).

use std::sync::LazyLock;

use ego_tree::NodeId;
use pharmwatch_model::{Currency, ExtractionMethod, Gtin, Money};
use scraper::{ElementRef, Html, Selector};

use super::draft::{Draft, MAX_IMAGES};
use super::{PageInfo, selector};
use crate::html_text::element_text;

const M: ExtractionMethod = ExtractionMethod::Microdata;
const MAX_PRODUCTS: usize = 500;
const MAX_PROPS: usize = 2_000;
const MAX_ANCESTORS: usize = 256;

static SCOPES: LazyLock<Selector> = LazyLock::new(|| selector("[itemscope][itemtype]"));
static PROPS: LazyLock<Selector> = LazyLock::new(|| selector("[itemprop]"));

fn itemtype_is(el: ElementRef<'_>, types: &[&str]) -> bool {
    el.value().attr("itemtype").is_some_and(|t| {
        t.split_ascii_whitespace().any(|one| {
            let last = one
                .trim_end_matches('/')
                .rsplit(['/', '#', ':'])
                .next()
                .unwrap_or(one);
            types.iter().any(|x| last.eq_ignore_ascii_case(x))
        })
    })
}

/// The nearest ancestor of `el` (not `el` itself) that has `itemscope`.
fn owner_scope(el: ElementRef<'_>) -> Option<ElementRef<'_>> {
    el.ancestors()
        .take(MAX_ANCESTORS)
        .filter_map(ElementRef::wrap)
        .find(|a| a.value().attr("itemscope").is_some())
}

/// The value of an `itemprop` element per the microdata spec (content, src, href, …).
fn prop_value(el: ElementRef<'_>, info: &PageInfo<'_>) -> Option<String> {
    let v = el.value();
    let url_attr = match v.name() {
        "img" | "audio" | "video" | "source" | "embed" | "iframe" | "track" => Some("src"),
        "a" | "area" | "link" => Some("href"),
        "object" => Some("data"),
        _ => None,
    };
    if let Some(c) = v.attr("content") {
        return Some(crate::entities::decode_entities(c));
    }
    if let Some(attr) = url_attr {
        return v
            .attr(attr)
            .and_then(|h| info.absolute(h))
            .map(|u| u.to_string());
    }
    let value = match v.name() {
        "data" | "meter" => v.attr("value").map(str::to_string),
        "time" => v.attr("datetime").map(str::to_string),
        _ => None,
    };
    Some(value.unwrap_or_else(|| element_text(el, crate::text::MAX_DESCRIPTION_BYTES)))
}

pub(crate) fn drafts(doc: &Html, info: &PageInfo<'_>) -> Vec<Draft> {
    doc.select(&SCOPES)
        .filter(|s| {
            itemtype_is(
                *s,
                &["Product", "Drug", "IndividualProduct", "ProductModel"],
            )
        })
        .take(MAX_PRODUCTS)
        .map(|scope| product(scope, info))
        .filter(|d| d.title.is_some())
        .collect()
}

#[derive(Default)]
struct OfferProps {
    price: Option<String>,
    currency: Option<String>,
}

fn product(scope: ElementRef<'_>, info: &PageInfo<'_>) -> Draft {
    let mut d = Draft::default();
    let mut offer = OfferProps::default();
    let mut images = Vec::new();
    let mut gtins: Vec<Gtin> = Vec::new();
    let scope_id: NodeId = scope.id();
    d.anchors.push(scope_id);
    for el in scope.select(&PROPS).take(MAX_PROPS) {
        let Some(owner) = owner_scope(el) else {
            continue;
        };
        let names = el.value().attr("itemprop").unwrap_or_default().to_string();
        for name in names.split_ascii_whitespace() {
            if owner.id() == scope_id {
                product_prop(name, el, info, &mut d, &mut images, &mut gtins);
            } else if owner_scope(owner).is_some_and(|o| o.id() == scope_id)
                && owner
                    .value()
                    .attr("itemprop")
                    .is_some_and(|p| p.split_ascii_whitespace().any(|x| x == "offers"))
            {
                offer_prop(name, el, info, &mut d, &mut offer);
            } else if owner
                .value()
                .attr("itemprop")
                .is_some_and(|p| p.split_ascii_whitespace().any(|x| x == "seller"))
                && name == "name"
                && d.seller.is_none()
                && let Some(v) = prop_value(el, info)
            {
                d.set_seller(&v, M);
            }
        }
    }
    if let Some(p) = offer.price {
        let currency = offer
            .currency
            .and_then(|c| c.trim().parse::<Currency>().ok())
            .or(info.hint);
        d.price = amount(&p, currency, info).map(|m| (m, M));
    }
    if !images.is_empty() {
        d.images = Some((images, M));
    }
    if !gtins.is_empty() {
        d.gtins = Some((gtins, M));
    }
    d
}

fn product_prop(
    name: &str,
    el: ElementRef<'_>,
    info: &PageInfo<'_>,
    d: &mut Draft,
    images: &mut Vec<String>,
    gtins: &mut Vec<Gtin>,
) {
    match name {
        "name" if d.title.is_none() => {
            if let Some(v) = prop_value(el, info) {
                d.set_title(&v, M);
            }
        }
        "description" if d.description.is_none() => {
            if let Some(v) = prop_value(el, info) {
                d.set_description(&v, M);
            }
        }
        "image" if images.len() < MAX_IMAGES => {
            if let Some(v) = prop_value(el, info).and_then(|v| info.absolute(&v)) {
                images.push(v.to_string());
            }
        }
        "manufacturer" if d.manufacturer.is_none() && el.value().attr("itemscope").is_none() => {
            d.manufacturer = prop_value(el, info);
        }
        "gtin" | "gtin8" | "gtin12" | "gtin13" | "gtin14" => {
            if let Some(g) =
                prop_value(el, info).and_then(|v| crate::gtin::gtin_from_digits(v.trim()))
                && !gtins.contains(&g)
            {
                gtins.push(g);
            }
        }
        _ => {}
    }
}

fn offer_prop(
    name: &str,
    el: ElementRef<'_>,
    info: &PageInfo<'_>,
    d: &mut Draft,
    offer: &mut OfferProps,
) {
    match name {
        "price" | "lowPrice" if offer.price.is_none() => offer.price = prop_value(el, info),
        "priceCurrency" if offer.currency.is_none() => offer.currency = prop_value(el, info),
        "seller" if d.seller.is_none() && el.value().attr("itemscope").is_none() => {
            if let Some(v) = prop_value(el, info) {
                d.set_seller(&v, M);
            }
        }
        _ => {}
    }
}

fn amount(text: &str, currency: Option<Currency>, info: &PageInfo<'_>) -> Option<Money> {
    let t = text.trim();
    if let (Ok(d), Some(c)) = (t.parse::<rust_decimal::Decimal>(), currency) {
        return (!d.is_zero() && d.is_sign_positive()).then(|| Money::new(d, c));
    }
    crate::price::parse_price_in(t, currency, info.language.as_deref())
}
