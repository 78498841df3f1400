//! A listing's detail page (`/listing/{id}`): every extracted field, every rule that fired
//! with its evidence highlighted in the original text, price and verdict history, the
//! evidence digest, and links to the archived copy and the live page.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Html;
use maud::{Markup, html};
use pharmwatch_model::{Evidence, Listing, ListingId, RuleHit, Verdict};
use pharmwatch_store::{HistoryEntry, StateStore, StoredListing};
use serde::Serialize;

use super::templates::{self, domain_href, is_web_url, severity_badge};
use super::{AppState, WebError, blocking, timeline};

/// Bytes of context shown on each side of a piece of evidence.
const CONTEXT: usize = 160;

/// What the detail page and `/api/listing/{id}` show.
#[derive(Debug, Serialize)]
pub struct ListingDetail {
    pub listing: StoredListing,
    pub price_usd: Option<f64>,
    pub unit_price_usd: Option<f64>,
    pub history: Vec<HistoryEntry>,
    /// The redirect hops that led to the listing's page, the one first requested first.
    pub redirects: Vec<pharmwatch_store::PageRecord>,
    /// Whether a screenshot was archived with the listing's page (a page rendered in a
    /// browser): `/evidence/screenshot/{id}` serves it.
    pub has_screenshot: bool,
}

/// Reads a listing from the store (with its history), or from the index when the store does
/// not have it.
pub fn load(state: &AppState, id: &str) -> Result<ListingDetail, WebError> {
    let id = ListingId::from_stored(id);
    let indexed = state
        .searcher()
        .ok()
        .and_then(|s| s.get(&id).ok().flatten());
    let store = state.store()?;
    let stored = match store.listing(&id)? {
        Some(stored) => stored,
        None => match &indexed {
            Some(doc) => StoredListing {
                listing: doc.listing.clone(),
                verdict: doc.verdict.clone(),
                first_seen: doc.first_seen,
                last_seen: doc.last_seen,
                last_run: pharmwatch_store::RunId(0),
                flagged: doc.verdict.flagged,
                gone_since: None,
            },
            None => return Err(WebError::NotFound(format!("no listing with id {id}"))),
        },
    };
    let history = store.listing_history(&id)?;
    let redirects = store.redirects_to(&stored.listing.url)?;
    let has_screenshot = screenshot_shown(state, &stored.listing.url);
    Ok(ListingDetail {
        redirects,
        has_screenshot,
        listing: stored,
        price_usd: indexed.as_ref().and_then(|d| d.price_usd),
        unit_price_usd: indexed.as_ref().and_then(|d| d.unit_price_usd),
        history,
    })
}

/// Whether the page at `url` has a screenshot that can be served. A record that cannot be
/// read or does not verify is not shown (its route says why) and is logged.
fn screenshot_shown(state: &AppState, url: &str) -> bool {
    match super::archive::screenshot_of(state, url) {
        Ok(found) => found.is_some(),
        Err(e) => {
            tracing::warn!(url, "screenshot not shown: {}", e.message());
            false
        }
    }
}

/// `GET /listing/{id}`.
pub async fn page(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let detail = blocking(move || load(&state, &id)).await?;
    let title = detail.listing.listing.title.clone();
    Ok(templates::layout(&title, body(&detail)))
}

fn body(detail: &ListingDetail) -> Markup {
    let (l, v) = (&detail.listing.listing, &detail.listing.verdict);
    html! {
        h1 { (severity_badge(v.severity)) " " (l.title) }
        p.links {
            @if let Some(digest) = &l.evidence_digest {
                a #archived href={ "/archive/" (digest) } { "Archived copy (as received)" }
                " · "
            }
            "Live page: "
            @if is_web_url(&l.url) {
                a #live href=(l.url) rel="noopener noreferrer nofollow" { (l.url) }
            } @else {
                code { (l.url) }
            }
        }
        @if !detail.redirects.is_empty() {
            (redirect_chain(&detail.redirects, &l.url))
        }
        @if detail.has_screenshot {
            (screenshot(l.id.as_str(), &l.url))
        }
        (verdict_section(l, v))
        h2 { "Fields" }
        (fields(detail))
        @if !l.description.is_empty() {
            h2 { "Description" }
            p.description { (l.description) }
        }
        h2 { "History" }
        (timeline::listing_figure(&timeline::lane(&detail.listing, &detail.history)))
        (history(&detail.history))
    }
}

/// How the page was reached: each hop's own archived answer, then the page itself.
fn redirect_chain(hops: &[pharmwatch_store::PageRecord], url: &str) -> Markup {
    html! {
        h2 { "Reached through redirects" }
        ol #redirects {
            @for hop in hops {
                li {
                    code { (hop.url) }
                    " answered " (hop.status.map_or_else(|| "-".to_string(), |s| s.to_string()))
                    @if let Some(digest) = &hop.body_sha256 {
                        " · " a href={ "/archive/" (digest) } { "archived answer" }
                    }
                }
            }
            li { code { (url) } " (this page)" }
        }
    }
}

/// The page as the browser showed it when it was captured, served from the archive.
fn screenshot(id: &str, url: &str) -> Markup {
    html! {
        h2 { "Screenshot at capture time" }
        figure.screenshot #screenshot {
            img src={ "/evidence/screenshot/" (id) }
                alt={ "Screenshot of " (url) " as the browser rendered it when the page was captured" };
            figcaption { "The page as rendered by headless Chromium when it was archived (a resource record of the evidence archive, digest checked)." }
        }
    }
}

fn verdict_section(l: &Listing, v: &Verdict) -> Markup {
    // A name found in title and description is one finding here.
    let mut drugs: Vec<(&str, &str, &str)> = Vec::new();
    for d in &v.drugs {
        let key = (d.drug.as_str(), d.class.as_str(), d.text.as_str());
        if !drugs.contains(&key) {
            drugs.push(key);
        }
    }
    html! {
        h2 { "Verdict" }
        p {
            @if v.flagged { strong { "Flagged" } } @else { "Not flagged" }
            " · score " (format!("{:.1}", v.score))
            @if !drugs.is_empty() {
                " · drugs: "
                @for (i, (drug, class, text)) in drugs.iter().enumerate() {
                    @if i > 0 { ", " }
                    (drug) " (" (class) ", as “" (text) "”)"
                }
            }
        }
        @if v.hits.is_empty() { p.muted { "No rule fired." } }
        @for hit in &v.hits { (rule_hit(l, hit)) }
    }
}

fn rule_hit(l: &Listing, hit: &RuleHit) -> Markup {
    html! {
        section.rule-hit id={ "rule-" (hit.rule_id) } {
            h3 { (severity_badge(Some(hit.severity))) " " code { (hit.rule_id) } " — " (hit.title) }
            p.muted { "category " (hit.category) }
            @for ev in &hit.evidence {
                div.evidence-item {
                    span.muted { (ev.field.to_string()) ": " (ev.matched) }
                    (evidence_in_context(l, ev))
                }
            }
        }
    }
}

/// The evidence span marked inside its field's original text, with some context around it.
/// Spans that do not fit the text (a listing re-extracted since) show the recorded text only.
fn evidence_in_context(l: &Listing, ev: &Evidence) -> Markup {
    let text = l.text(ev.field);
    let fits = ev.start <= ev.end
        && ev.end <= text.len()
        && text.is_char_boundary(ev.start)
        && text.is_char_boundary(ev.end);
    if !fits {
        return html! { blockquote.evidence { mark { (ev.text) } } };
    }
    let from = floor_boundary(&text, ev.start.saturating_sub(CONTEXT));
    let to = ceil_boundary(&text, (ev.end + CONTEXT).min(text.len()));
    html! {
        blockquote.evidence {
            @if from > 0 { "…" }
            (text[from..ev.start])
            mark { (text[ev.start..ev.end]) }
            (text[ev.end..to])
            @if to < text.len() { "…" }
        }
    }
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

fn fields(detail: &ListingDetail) -> Markup {
    let s = &detail.listing;
    let l = &s.listing;
    html! {
        dl.fields {
            dt { "Id" } dd { code { (l.id) } }
            dt { "URL" } dd { code { (l.url) } }
            dt { "Site" } dd { (l.site) " (" (l.site_kind.to_string()) ")" }
            dt { "Domain" } dd { a href=(domain_href(&l.domain)) { (l.domain) } }
            dt { "Price" } dd {
                (templates::money(l.price.as_ref()))
                @if let Some(usd) = detail.price_usd { " ≈ " (templates::usd(Some(usd))) }
            }
            dt { "Unit price" } dd {
                (templates::money(l.unit_price().as_ref()))
                @if let Some(usd) = detail.unit_price_usd { " ≈ " (templates::usd(Some(usd))) }
            }
            dt { "Quantity" } dd {
                @if let Some(q) = &l.quantity {
                    @if let Some(n) = q.units { (n) " " }
                    @if let Some(form) = &q.form { (form) " " }
                    @if let Some(st) = &q.strength { (st.value.to_string()) " " (st.unit) }
                }
            }
            dt { "Seller" } dd { (l.seller.as_deref().unwrap_or("")) }
            dt { "Contacts" } dd {
                @for c in &l.contacts { (format!("{:?}", c.kind).to_lowercase()) ": " (c.value) br; }
            }
            dt { "Payment" } dd { (l.payment_methods.join(", ")) }
            dt { "Shipping" } dd { (l.shipping_claims.join(", ")) }
            dt { "GTINs" } dd {
                @for g in &l.gtins { (g.digits) @if !g.valid { " (invalid check digit)" } br; }
            }
            dt { "Images" } dd {
                // Shown as text: the page's policy would block them, and loading them would
                // tell the seller someone is looking.
                @for img in &l.images { code { (img) } br; }
            }
            dt { "Language" } dd { (l.language.as_deref().unwrap_or("")) }
            dt { "Extraction" } dd {
                @for (field, method) in &l.methods { (field) ": " (format!("{method:?}")) br; }
            }
            dt { "Fetched" } dd { (templates::time(&l.fetched_at)) }
            dt { "First seen" } dd { (templates::time(&s.first_seen)) }
            dt { "Last seen" } dd { (templates::time(&s.last_seen)) }
            @if let Some(gone) = &s.gone_since { dt { "Gone since" } dd { (templates::time(gone)) } }
            dt { "Evidence SHA-256" } dd { code #digest { (l.evidence_digest.as_deref().unwrap_or("")) } }
        }
    }
}

fn history(entries: &[HistoryEntry]) -> Markup {
    html! {
        @if entries.is_empty() { p.muted { "No history recorded." } }
        @else {
            table.history {
                thead { tr { th { "When" } th { "Run" } th { "Change" } th { "Price" } th { "Availability" } th { "Severity" } th { "Rules" } th { "Score" } th { "Evidence" } } }
                tbody {
                    @for e in entries {
                        tr {
                            td { (templates::time(&e.at)) }
                            td { a href={ "/reports/" (e.run.0) } { (e.run.0) } }
                            td { (e.kind.as_str()) }
                            td { (templates::money(e.price.as_ref())) }
                            td { (e.availability) }
                            td { (severity_badge(e.verdict.severity)) }
                            td { (e.verdict.rule_ids.join(", ")) }
                            td { (format!("{:.1}", e.score)) }
                            td {
                                @if let Some(ev) = &e.evidence {
                                    a href={ "/archive/" (ev.sha256) } title=(ev.sha256) { "archived page" }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
