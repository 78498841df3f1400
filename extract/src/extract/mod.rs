//! Page → listings and links. One `Html` per call, dropped before returning.

mod draft;
mod heuristic;
mod jsonld;
mod labelled;
mod links;
mod microdata;
mod offers;
mod opengraph;
mod region;
mod with_profile;

use std::sync::LazyLock;

use ego_tree::NodeId;
use pharmwatch_model::{Currency, Region, Timestamp};
use scraper::{ElementRef, Html, Selector};
use url::Url;

use crate::html_text::visible_lines;
use crate::{ExtractedPage, MAX_LISTINGS, SiteContext};
use draft::Draft;

/// Bytes of page text scanned for contacts, payment methods, shipping claims and GTINs.
const MAX_SCAN_TEXT: usize = 256 * 1024;

pub(crate) fn selector(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| unreachable!("built-in selector {css}: {e}"))
}

static HTML_LANG: LazyLock<Selector> = LazyLock::new(|| selector("html[lang], html[xml\\:lang]"));
static META_LANG: LazyLock<Selector> = LazyLock::new(|| selector("meta[http-equiv]"));
static BODY: LazyLock<Selector> = LazyLock::new(|| selector("body"));

/// What every extractor needs to know about the page being read.
pub(crate) struct PageInfo<'a> {
    pub url: &'a Url,
    /// Base for relative URLs (`<base href>` or the page URL).
    pub base: Url,
    pub ctx: &'a SiteContext,
    pub language: Option<String>,
    /// Heuristic when the page declared its language, Config when a default was used.
    pub language_method: pharmwatch_model::ExtractionMethod,
    pub hint: Option<Currency>,
}

impl PageInfo<'_> {
    /// Reads a price with the site's currency hint and the page language, with whether it
    /// is one unit's ("$1.04/pill").
    pub fn priced(&self, text: &str) -> Option<(pharmwatch_model::Money, bool)> {
        let parts = crate::price::parse_price_parts(text, self.hint, self.language.as_deref());
        parts.money().map(|m| (m, parts.per_unit))
    }

    /// An absolute http(s) URL for `href`, without fragment.
    pub fn absolute(&self, href: &str) -> Option<Url> {
        let href = href.trim();
        if href.is_empty() || href.len() > 4096 {
            return None;
        }
        let mut url = self.base.join(href).ok()?;
        if !matches!(url.scheme(), "http" | "https") {
            return None;
        }
        url.set_fragment(None);
        Some(url)
    }
}

/// Extracts the listings and links of one page.
///
/// `page_url` is the URL the page was fetched from (after redirects); listing ids derive
/// from it without its fragment (not from `<link rel=canonical>`, which a hostile page
/// could point at someone else's page). `body_digest` is the SHA-256 of the response body,
/// copied into every listing as its evidence digest.
///
/// `Listing::methods` is keyed by the listing's field names: `title`, `description`,
/// `price`, `seller`, `quantity`, `contacts`, `payment_methods`, `shipping_claims`, `gtins`,
/// `images`, `language`; a field that stayed empty has no entry.
pub fn extract_page(
    html: &str,
    page_url: &Url,
    ctx: &SiteContext,
    fetched_at: Timestamp,
    body_digest: Option<&str>,
) -> ExtractedPage {
    // Bounds the parser's work before it starts (see `budget`): html5ever's cost grows with
    // the square of nesting depth, and a page cannot be interrupted once it is parsing.
    let (html, over_budget) = crate::bound_html(html, &crate::ParseBudget::default());
    let doc = Html::parse_document(&html);
    let profile = ctx.profile.as_deref();
    let declared = page_language(&doc);
    let language_method = if declared.is_some() {
        pharmwatch_model::ExtractionMethod::Heuristic
    } else {
        pharmwatch_model::ExtractionMethod::Config
    };
    let language = declared
        .or_else(|| profile.and_then(|p| p.language.clone()))
        .or_else(|| ctx.language.clone());
    let info = PageInfo {
        url: page_url,
        base: links::base_url(&doc, page_url),
        ctx,
        language: language.clone(),
        language_method,
        hint: ctx.currency.or_else(|| profile.and_then(|p| p.currency)),
    };
    let links = links::collect(&doc, &info);
    let drafts = listing_drafts(&doc, &info);
    let listings = if drafts.is_empty() {
        Vec::new()
    } else {
        listings_from(&doc, &info, drafts, fetched_at, body_digest)
    };
    ExtractedPage {
        listings,
        links,
        language,
        over_budget,
    }
}

/// Turns drafts into listings: each reads its claims from its own region of the page, the
/// shop's zones give `Listing::shop`, and a page with one listing gives it the reviews.
fn listings_from(
    doc: &Html,
    info: &PageInfo<'_>,
    mut drafts: Vec<Draft>,
    fetched_at: Timestamp,
    body_digest: Option<&str>,
) -> Vec<pharmwatch_model::Listing> {
    drafts.truncate(MAX_LISTINGS);
    let body = doc
        .select(&BODY)
        .next()
        .unwrap_or_else(|| doc.root_element());
    let page_text = visible_lines(body, MAX_SCAN_TEXT);
    let marks = crate::identifiers::page_marks(doc, info.url, &info.base, &page_text);
    // The page's text tells one product's batch and expiry; on a page of many, only each
    // listing's own description does.
    let single = drafts.len() == 1;
    if single && drafts[0].anchors.is_empty() {
        // Structured data names no element: its title's heading anchors the region.
        drafts[0].anchors = heuristic::title_heading(doc)
            .map(|h| h.id())
            .into_iter()
            .collect();
    }
    let roots: Vec<Option<ElementRef<'_>>> = drafts
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let others: Vec<_> = drafts
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .flat_map(|(_, o)| o.anchors.iter().copied())
                .collect();
            region::listing_root(doc, &d.anchors, &others)
        })
        .collect();
    let all_anchors: Vec<NodeId> = drafts
        .iter()
        .flat_map(|d| d.anchors.iter().copied())
        .collect();
    let root_ids: Vec<NodeId> = roots.iter().flatten().map(|r| r.id()).collect();
    let zones = region::PageZones::read(doc, &root_ids, &all_anchors);
    let shop = draft::PageSignals::read(&zones.shop_text);
    let shop = pharmwatch_model::ShopWide {
        contacts: shop.contacts,
        payment_methods: shop.payment,
        shipping_claims: shop.shipping,
    };
    drafts
        .into_iter()
        .zip(roots)
        .enumerate()
        .map(|(i, (mut d, root))| {
            let (scope, region) = match root {
                Some(r) => (r, Region::Listing),
                None => (body, Region::Page),
            };
            let own_region = region::ListingRegion::new(doc, scope, &d.anchors);
            if single {
                d.fill_from(heuristic::page_fields(doc, &own_region));
            }
            let text = own_region.text();
            let manufacturer = d.manufacturer.take();
            let own = draft::PageSignals::read_missing(&text, &d);
            let mut l = d.finish(i, info, &own, region, fetched_at, body_digest);
            let claims_text = if single { &text } else { &l.description };
            l.claims = crate::claims::listing_claims(manufacturer, claims_text);
            l.page = marks.clone();
            l.shop = shop.clone();
            for (field, found) in [
                ("shop.contacts", !shop.contacts.is_empty()),
                ("shop.payment_methods", !shop.payment_methods.is_empty()),
                ("shop.shipping_claims", !shop.shipping_claims.is_empty()),
            ] {
                if found {
                    l.regions.insert(field.into(), Region::Shop);
                }
            }
            if single && !zones.reviews.is_empty() {
                l.reviews = zones.reviews.clone();
                l.regions.insert("reviews".into(), Region::Reviews);
            }
            l
        })
        .collect()
}

/// Candidate listings: the profile's when it applies and finds a title, else the first
/// generic source that finds products (JSON-LD, microdata, OpenGraph, heuristics), with
/// a single product's missing fields filled from the later sources.
fn listing_drafts(doc: &Html, info: &PageInfo<'_>) -> Vec<Draft> {
    if let Some(profile) = info.ctx.profile.as_deref()
        && profile.applies_to(info.url)
    {
        let drafts = with_profile::drafts(doc, profile, info);
        if !drafts.is_empty() {
            return drafts;
        }
        tracing::debug!(url = %info.url, profile = %profile.name, "profile found no title; falling back to generic extraction");
    }
    let mut micro = microdata::drafts(doc, info);
    let og = opengraph::draft(doc, info);
    let mut drafts = jsonld::drafts(doc, info);
    if drafts.is_empty() {
        drafts = std::mem::take(&mut micro);
    }
    if drafts.is_empty()
        && let Some(og) = og
            .clone()
            .filter(|d| d.price.is_some() || opengraph::is_product(doc))
    {
        drafts.push(og.clone());
    }
    let heuristic = if drafts.len() <= 1 {
        heuristic::draft(doc, info)
    } else {
        None
    };
    if drafts.is_empty() {
        let offers = offers::offers(doc, info);
        if !offers.is_empty() && heuristic_is_one_of(doc, heuristic.as_ref(), &offers) {
            return offers;
        }
    }
    if drafts.is_empty()
        && let Some(h) = heuristic.clone()
    {
        drafts.push(h);
    }
    if let [single] = drafts.as_mut_slice() {
        let extras = [micro.into_iter().next(), og, heuristic];
        for extra in extras.into_iter().flatten() {
            single.fill_from(extra);
        }
    }
    drafts.retain(|d| d.title.is_some());
    drafts
}

/// Whether the single-product reading of a page is one of its several offers (or found
/// none): its title or price sits in an offer block, or its price was read from a container
/// of offer blocks. Then the page is a list of offers, not one product with a few other
/// prices around it.
fn heuristic_is_one_of(doc: &Html, single: Option<&Draft>, offers: &[Draft]) -> bool {
    let Some(single) = single else {
        return true;
    };
    let blocks: Vec<_> = offers
        .iter()
        .flat_map(|o| o.anchors.iter().copied())
        .collect();
    let inside_a_block = |a: NodeId| {
        doc.tree.get(a).is_some_and(|n| {
            std::iter::once(n)
                .chain(n.ancestors())
                .any(|x| blocks.contains(&x.id()))
        })
    };
    let holds_a_block = |a: NodeId| {
        blocks.iter().any(|&b| {
            doc.tree
                .get(b)
                .is_some_and(|n| n.ancestors().any(|x| x.id() == a))
        })
    };
    let (title, price) = single.anchors.split_at(single.anchors.len().min(1));
    title.iter().any(|&a| inside_a_block(a))
        || price.iter().any(|&a| inside_a_block(a) || holds_a_block(a))
}

fn page_language(doc: &Html) -> Option<String> {
    let from_html = doc.select(&HTML_LANG).next().and_then(|h| {
        h.value()
            .attr("lang")
            .or_else(|| h.value().attr("xml:lang"))
    });
    let from_meta = || {
        doc.select(&META_LANG)
            .find(|m| {
                m.value()
                    .attr("http-equiv")
                    .is_some_and(|h| h.eq_ignore_ascii_case("content-language"))
            })
            .and_then(|m| m.value().attr("content"))
            .and_then(|c| c.split(',').next())
    };
    from_html
        .or_else(from_meta)
        .map(str::trim)
        .and_then(clean_language)
}

fn clean_language(tag: &str) -> Option<String> {
    let ok = !tag.is_empty()
        && tag.len() <= 35
        && tag
            .split(['-', '_'])
            .all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    ok.then(|| tag.replace('_', "-"))
}

/// The language declared on `el` or its nearest ancestor with a `lang` attribute
/// (classifieds mix languages per ad: `<article lang="es">`).
pub(crate) fn lang_of(el: ElementRef<'_>) -> Option<String> {
    std::iter::once(el)
        .chain(el.ancestors().filter_map(ElementRef::wrap))
        .take(256)
        .find_map(|a| a.value().attr("lang"))
        .and_then(|l| clean_language(l.trim()))
}
