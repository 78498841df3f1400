//! OpenGraph product tags (`og:title`, `product:price:amount`, `product:price:currency`).

use std::sync::LazyLock;

use pharmwatch_model::{Currency, ExtractionMethod, Money};
use scraper::{Html, Selector};

use super::draft::{Draft, MAX_IMAGES};
use super::{PageInfo, selector};

const M: ExtractionMethod = ExtractionMethod::OpenGraph;

static META: LazyLock<Selector> =
    LazyLock::new(|| selector("meta[property][content], meta[name][content]"));

fn metas(doc: &Html) -> impl Iterator<Item = (String, String)> + '_ {
    doc.select(&META).take(2_000).filter_map(|m| {
        let v = m.value();
        let key = v
            .attr("property")
            .or_else(|| v.attr("name"))?
            .trim()
            .to_ascii_lowercase();
        let content = crate::entities::decode_entities(v.attr("content")?);
        Some((key, content))
    })
}

/// Whether `og:type` says this page is a product.
pub(crate) fn is_product(doc: &Html) -> bool {
    metas(doc).any(|(k, v)| k == "og:type" && v.to_ascii_lowercase().contains("product"))
}

pub(crate) fn draft(doc: &Html, info: &PageInfo<'_>) -> Option<Draft> {
    let mut d = Draft::default();
    let mut amount = None;
    let mut currency = None;
    let mut images = Vec::new();
    for (key, content) in metas(doc) {
        match key.as_str() {
            "og:title" if d.title.is_none() => d.set_title(&content, M),
            "og:description" if d.description.is_none() => d.set_description(&content, M),
            "og:image" | "og:image:url" | "og:image:secure_url" if images.len() < MAX_IMAGES => {
                if let Some(u) = info.absolute(&content) {
                    let u = u.to_string();
                    if !images.contains(&u) {
                        images.push(u);
                    }
                }
            }
            // `og:price` / `product:price`: the whole price as shown ("30,000원~"), which
            // some shops (Korean deal sites among them) write instead of amount and currency.
            "product:price:amount"
            | "og:price:amount"
            | "product:sale_price:amount"
            | "og:price"
            | "product:price"
                if amount.is_none() =>
            {
                amount = Some(content)
            }
            "product:price:currency" | "og:price:currency" | "product:sale_price:currency"
                if currency.is_none() =>
            {
                currency = content.trim().parse::<Currency>().ok()
            }
            _ => {}
        }
    }
    d.title.as_ref()?;
    if let Some(a) = amount {
        let c = currency.or(info.hint);
        let exact = a
            .trim()
            .parse::<rust_decimal::Decimal>()
            .ok()
            .zip(c)
            .map(|(v, c)| Money::new(v, c));
        d.price = exact
            .filter(|m| !m.amount.is_zero() && m.amount.is_sign_positive())
            .or_else(|| crate::price::parse_price_in(&a, c, info.language.as_deref()))
            .map(|m| (m, M));
    }
    if !images.is_empty() {
        d.images = Some((images, M));
    }
    Some(d)
}
