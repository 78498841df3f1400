//! A domain's page (`/domain/{domain}`): its risk summary (listings by severity and rule),
//! the contacts seen on it, and its listings.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Html;
use maud::{Markup, html};
use pharmwatch_indexer::{SearchRequest, SearchResults, SortBy, SortOrder};

use super::search::{SearchParams, run_search};
use super::templates::{self, listing_href, severity_badge};
use super::{AppState, WebError, blocking};

/// Most listings listed on a domain's page (the counts cover all of them).
const MAX_LISTINGS: usize = 500;

/// `GET /domain/{domain}`.
pub async fn page(
    State(state): State<Arc<AppState>>,
    Path(domain): Path<String>,
) -> Result<Html<String>, WebError> {
    let request = SearchRequest {
        query: SearchParams {
            domain: Some(domain.clone()),
            ..SearchParams::default()
        }
        .query(),
        include_unflagged: true,
        limit: MAX_LISTINGS,
        offset: 0,
        sort: SortBy::Severity(SortOrder::Desc),
        facets: true,
        highlight: false,
    };
    let results = blocking(move || run_search(&state, &request)).await?;
    if results.total == 0 {
        return Err(WebError::NotFound(format!("no listings seen on {domain}")));
    }
    Ok(templates::layout(&domain, body(&domain, &results)))
}

fn body(domain: &str, results: &SearchResults) -> Markup {
    let flagged = results
        .hits
        .iter()
        .filter(|h| h.doc.verdict.flagged)
        .count();
    let mut contacts: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut sites: BTreeMap<&str, usize> = BTreeMap::new();
    for hit in &results.hits {
        let l = &hit.doc.listing;
        *sites.entry(&l.site).or_default() += 1;
        for c in &l.contacts {
            let kind = format!("{:?}", c.kind).to_lowercase();
            *contacts.entry((kind, c.value.clone())).or_default() += 1;
        }
    }
    let search_href = format!(
        "/search?{}",
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("domain", domain)
            .append_pair("flagged", "all")
            .finish()
    );
    html! {
        h1 { "Domain " code { (domain) } }
        p {
            (results.total) " listings seen"
            @if results.hits.len() < results.total { " (the first " (results.hits.len()) " below)" }
            ", " (flagged) " of those shown flagged · sites: "
            @for (i, (site, n)) in sites.iter().enumerate() {
                @if i > 0 { ", " }
                (site) " (" (n) ")"
            }
            " · " a href=(search_href) { "search this domain" }
        }
        h2 { "Risk summary" }
        @if let Some(f) = &results.facets {
            div.layout {
                div {
                    h3 { "By severity" }
                    table.counts { tbody {
                        @for (sev, n) in &f.severity { tr { td { (sev) } td { (n) } } }
                    } }
                }
                div {
                    h3 { "By rule" }
                    table.counts { tbody {
                        @for (rule, n) in &f.rule { tr { td { code { (rule) } } td { (n) } } }
                    } }
                }
            }
        }
        h2 { "Contacts seen" }
        @if contacts.is_empty() { p.muted { "None." } }
        @else {
            table.contacts {
                thead { tr { th { "Kind" } th { "Value" } th { "Listings" } } }
                tbody {
                    @for ((kind, value), n) in &contacts { tr { td { (kind) } td { code { (value) } } td { (n) } } }
                }
            }
        }
        h2 { "Listings" }
        table.listings {
            thead { tr { th { "Severity" } th { "Title" } th { "Price" } th { "Rules" } } }
            tbody {
                @for hit in &results.hits {
                    @let l = &hit.doc.listing;
                    tr {
                        td { (severity_badge(hit.doc.verdict.severity)) }
                        td { a href=(listing_href(l.id.as_str())) { (l.title) } }
                        td { (templates::money(l.price.as_ref())) }
                        td { (hit.doc.verdict.rule_ids().collect::<Vec<_>>().join(", ")) }
                    }
                }
            }
        }
    }
}
