//! Outgoing links: absolute, http(s), fragment-free, deduplicated, kind-tagged, capped.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use scraper::{ElementRef, Html, Selector};
use url::Url;

use super::{PageInfo, selector};
use crate::profile::ProfileField;
use crate::{LinkKind, MAX_LINKS, PageLink};

/// Elements looked at before giving up on a page full of links.
const MAX_LINK_ELEMENTS: usize = 50_000;

static LINKS: LazyLock<Selector> = LazyLock::new(|| selector("a[href], area[href], link[href]"));
static BASE: LazyLock<Selector> = LazyLock::new(|| selector("base[href]"));

/// Without a profile: paths that look like one offer ("/product/12-x.html", "/ad/7.html").
static PRODUCT_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)/(?:product|products|produit|producto|item|items|ad|ads|annonce|anuncio|listing|listings|offer|offers|dp|goods|detail)/[^/?#]+")
        .unwrap_or_else(|e| unreachable!("product path regex: {e}"))
});

const NEXT_TEXTS: &[&str] = &[
    "next",
    "next page",
    "next »",
    "next ›",
    "»",
    "›",
    "下一页",
    "下页",
    "suivant",
    "siguiente",
    "próxima",
    "weiter",
    "далее",
    "следующая",
];

/// `<base href>` resolved against the page URL, else the page URL.
pub(crate) fn base_url(doc: &Html, page_url: &Url) -> Url {
    doc.select(&BASE)
        .next()
        .and_then(|b| b.value().attr("href"))
        .and_then(|h| page_url.join(h.trim()).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .unwrap_or_else(|| page_url.clone())
}

pub(crate) fn collect(doc: &Html, info: &PageInfo<'_>) -> Vec<PageLink> {
    let profile = info.ctx.profile.as_deref();
    let next_rule = profile.and_then(|p| p.field(ProfileField::NextPage));
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut links: Vec<PageLink> = Vec::new();
    let mut add = |url: Url, kind: LinkKind| {
        if let Some(&i) = index.get(url.as_str()) {
            links[i].kind = links[i].kind.min(kind);
        } else if links.len() < MAX_LINKS {
            index.insert(url.as_str().to_string(), links.len());
            links.push(PageLink { url, kind });
        }
    };
    if let Some(rule) = next_rule {
        for el in doc.select(rule.selector()).take(100) {
            let raw = rule
                .attr
                .as_deref()
                .and_then(|a| el.value().attr(a))
                .or_else(|| el.value().attr("href"));
            if let Some(url) = raw
                .and_then(|h| rule.post_process(h))
                .and_then(|h| info.absolute(&h))
            {
                add(url, LinkKind::Next);
            }
        }
    }
    for el in doc.select(&LINKS).take(MAX_LINK_ELEMENTS) {
        let Some(url) = el.value().attr("href").and_then(|h| info.absolute(h)) else {
            continue;
        };
        let is_link_el = el.value().name() == "link";
        let next = is_next(el);
        if is_link_el && !next {
            continue; // stylesheets, icons, alternates are not pages to crawl
        }
        let kind = if next {
            LinkKind::Next
        } else if match profile {
            Some(p) => p.is_listing_url(&url),
            None => PRODUCT_PATH.is_match(url.path()),
        } {
            LinkKind::Listing
        } else {
            LinkKind::Other
        };
        add(url, kind);
    }
    links
}

fn is_next(el: ElementRef<'_>) -> bool {
    let v = el.value();
    if v.attr("rel").is_some_and(|r| {
        r.split_ascii_whitespace()
            .any(|t| t.eq_ignore_ascii_case("next"))
    }) {
        return true;
    }
    if v.classes().any(|c| c.eq_ignore_ascii_case("next")) {
        return true;
    }
    if v.name() != "a" {
        return false;
    }
    let text = crate::html_text::element_text(el, 64).to_lowercase();
    NEXT_TEXTS.contains(&text.as_str())
}
