//! Turns the bytes of one fetched page into listings and outgoing links.
//!
//! Pure CPU work, no I/O and no async: the crawler calls [`extract_page`] on its own
//! extraction threads, one per core. The parsed HTML document never leaves the call
//! (scraper's `Html` is not `Send`), and the work done per page is bounded (links, text
//! lengths, JSON-LD size), so a hostile page cannot make it run away.
//!
//! - [`decode`]: bytes → UTF-8 (header, BOM, `<meta>`, detection).
//! - [`profile`]: site profiles (CSS selectors per field) loaded from TOML.
//! - [`extract_page`]: profile selectors when a profile applies, else schema.org JSON-LD,
//!   microdata, OpenGraph and product-page heuristics (label/value rows, several offers per
//!   page). Each listing's claims come from its own region of the page; the shop's header,
//!   footer and contact blocks fill `Listing::shop`, reviews `Listing::reviews`, and menus,
//!   blurbs, breadcrumbs and related items are nobody's (`Listing::regions` says which).
//! - Parsers for the pieces of a listing: [`price`], [`quantity`], [`contacts`],
//!   [`payment`], [`shipping`], [`gtin`], with [`wallet`] checksum validation.
//! - Per page, the operator's marks (`Listing::page`: analytics and affiliate ids, payment
//!   hosts, template fingerprint, address, licence claim) and per listing the printed product
//!   facts (`Listing::claims`: manufacturer, batch, expiry).

#![warn(missing_docs)]

pub mod budget;
mod claims;
pub mod contacts;
mod currency;
pub mod decode;
mod entities;
mod extract;
pub mod gtin;
mod guarded;
mod html_text;
mod identifiers;
mod keywords;
pub mod payment;
pub mod price;
pub mod profile;
pub mod quantity;
pub mod shipping;
pub mod text;
pub mod wallet;
mod words;

use std::sync::Arc;

use pharmwatch_model::{Currency, Listing, SiteKind, Timestamp};
use url::Url;

pub use budget::{OverBudget, ParseBudget, bound_html};
pub use contacts::parse_contacts;
pub use decode::{CharsetSource, Decoded, decode_html};
pub use extract::extract_page;
pub use gtin::parse_gtins;
pub use payment::parse_payment_methods;
pub use price::{parse_price, parse_price_in};
pub use profile::{FieldRule, ProfileError, ProfileField, SiteProfile};
pub use quantity::parse_quantity;
pub use shipping::parse_shipping_claims;

/// What extraction needs to know about the site a page belongs to.
#[derive(Debug, Clone, Default)]
pub struct SiteContext {
    /// Name of the configured site (copied into `Listing::site`).
    pub name: String,
    /// What kind of site it is (copied into `Listing::site_kind`).
    pub kind: SiteKind,
    /// The site's currency: for bare numbers and ambiguous symbols (`$`, `¥`, `kr`).
    pub currency: Option<Currency>,
    /// Default language (BCP 47) when the page does not declare one.
    pub language: Option<String>,
    /// The site's profile, if it has one.
    pub profile: Option<Arc<SiteProfile>>,
}

/// What a link on a page leads to, for the crawler's priorities.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// Pagination: `rel="next"`, class `next`, the profile's `next_page`, "Next"/"下一页".
    Next,
    /// A listing page: matches the profile's `listing_urls` (or, without a profile, a
    /// product-like path such as `/product/…`, `/ad/…`, `/item/…`).
    Listing,
    /// Any other page (home, category, about, cart, …).
    Other,
}

/// An outgoing link: absolute, http(s), without fragment.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct PageLink {
    /// Absolute http(s) URL without fragment.
    pub url: Url,
    /// What the link leads to.
    pub kind: LinkKind,
}

/// Everything extracted from one page.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct ExtractedPage {
    /// Listings in page order; empty for pages that offer nothing (home, category, about).
    pub listings: Vec<Listing>,
    /// Outgoing links, deduplicated, at most [`MAX_LINKS`].
    pub links: Vec<PageLink>,
    /// The page's language (BCP 47) when known.
    pub language: Option<String>,
    /// Set when the page went over its [`ParseBudget`]: only the part before the cut was
    /// read, and this says which limit and where.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub over_budget: Option<OverBudget>,
}

/// At most this many links are returned per page.
pub const MAX_LINKS: usize = 10_000;
/// At most this many listings are returned per page.
pub const MAX_LISTINGS: usize = 500;

/// Decodes `bytes` and extracts: the convenience path for `pharmwatch extract FILE`.
/// The TLD hint for detection is taken from `page_url`.
pub fn extract_bytes(
    bytes: &[u8],
    content_type: Option<&str>,
    page_url: &Url,
    ctx: &SiteContext,
    fetched_at: Timestamp,
) -> (Decoded, ExtractedPage) {
    let decoded = decode_html(bytes, content_type, page_url.host_str());
    let digest = pharmwatch_model::sha256_hex(bytes);
    let page = extract_page(&decoded.text, page_url, ctx, fetched_at, Some(&digest));
    (decoded, page)
}

#[cfg(test)]
mod send_sync {
    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn shared_types_are_send_and_sync() {
        assert_send_sync::<super::SiteProfile>();
        assert_send_sync::<super::SiteContext>();
        assert_send_sync::<super::ExtractedPage>();
    }
}
