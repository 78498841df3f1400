//! A domain's page (`/domain/{domain}`): the risk class of its shop(s) with the reasons, the
//! network they belong to (other shops linked to their own pages, with the identifiers they
//! share), its risk summary (listings by severity and rule), the contacts seen on it, and
//! its listings.
//!
//! `{domain}` is a host (`pills.example`: every shop on it — one pharmacy, or the sellers of
//! a platform) or a site `host:port` as the signals crate names shops on a non-default port
//! (the sample marketplace serves each shop from its own port of 127.0.0.1).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Html;
use maud::{Markup, html};
use pharmwatch_indexer::{SearchRequest, SearchResults, SortBy, SortOrder};
use pharmwatch_signals::draw::{Lane, MAX_LANES, MAX_SHOPS_DRAWN, NetworkGraph, Timeline};
use pharmwatch_signals::{Cluster, Shop, ShopRisk};
use pharmwatch_store::StateStore;

use super::networks::{self, Shops};
use super::search::{SearchParams, run_search};
use super::templates::{self, listing_href, severity_badge};
use super::{AppState, WebError, blocking, timeline};

/// Most listings listed on a domain's page (the counts cover all of them).
const MAX_LISTINGS: usize = 500;

/// Everything the page shows.
struct DomainPage {
    domain: String,
    results: SearchResults,
    /// Risk of each shop on the domain, worst first.
    risks: Vec<ShopRisk>,
    /// The networks those shops are in (each once), with the page's shop in each, and the
    /// graph each is drawn from.
    networks: Vec<(Shop, Cluster, NetworkGraph)>,
    shops: Shops,
    /// The most severe listings' histories.
    timeline: Timeline,
}

/// `GET /domain/{domain}`.
pub async fn page(
    State(state): State<Arc<AppState>>,
    Path(domain): Path<String>,
) -> Result<Html<String>, WebError> {
    let page = blocking(move || load(&state, domain)).await?;
    Ok(templates::layout(&page.domain, body(&page)))
}

fn load(state: &AppState, domain: String) -> Result<DomainPage, WebError> {
    let current = state.current()?;
    let shops = current.shops_on(&domain);
    let params = SearchParams {
        domain: Some(domain.clone()),
        ..SearchParams::default()
    };
    let request = SearchRequest {
        query: params.query(),
        include_unflagged: true,
        limit: MAX_LISTINGS,
        offset: 0,
        sort: SortBy::Severity(SortOrder::Desc),
        facets: true,
        highlight: false,
    };
    let results = run_search(
        state,
        &request,
        &pharmwatch_indexer::SearchBudget::default(),
    )?;
    if results.total == 0 && shops.is_empty() {
        return Err(WebError::NotFound(format!("no listings seen on {domain}")));
    }
    let risks: Vec<ShopRisk> = current
        .risk
        .iter()
        .filter(|r| shops.contains(&r.shop))
        .cloned()
        .collect();
    let mut seen = BTreeSet::new();
    let networks = shops
        .iter()
        .filter_map(|shop| {
            let cluster = current.networks.network_of(shop)?;
            seen.insert(cluster.rank).then(|| {
                let graph = current.network_graphs([cluster], MAX_SHOPS_DRAWN).remove(0);
                (shop.clone(), cluster.clone(), graph)
            })
        })
        .collect();
    let names = Shops::new(current.labels.clone(), &current.risk);
    let timeline = timeline::domain_timeline(&domain, lanes(state, &results)?, results.total);
    Ok(DomainPage {
        domain,
        results,
        risks,
        networks,
        shops: names,
        timeline,
    })
}

/// The timeline lanes of the most severe listings (the results come most severe first).
fn lanes(state: &AppState, results: &SearchResults) -> Result<Vec<Lane>, WebError> {
    let store = state.store()?;
    let mut lanes = Vec::new();
    for hit in results.hits.iter().take(MAX_LANES) {
        let id = &hit.doc.listing.id;
        if let Some(stored) = store.listing(id)? {
            lanes.push(timeline::lane(&stored, &store.listing_history(id)?));
        }
    }
    Ok(lanes)
}

fn body(page: &DomainPage) -> Markup {
    html! {
        (signals(page))
        h2 #timeline-heading { "Timeline" }
        (timeline::domain_figure(&page.timeline))
        (listings(&page.domain, &page.results))
    }
}

fn signals(page: &DomainPage) -> Markup {
    html! {
        h1 { "Domain " code { (page.domain) } }
        h2 #risk { "Risk class" }
        @if page.risks.is_empty() { p.muted { "No stored listings to judge." } }
        @for risk in &page.risks { (networks::risk_section(risk, &page.shops)) }
        h2 #network { "Network" }
        @if page.networks.is_empty() {
            p.muted { "Not linked to any other shop by a shared identifier." }
        }
        @for (shop, cluster, graph) in &page.networks {
            p {
                (page.shops.label(shop)) " is in "
                a href={ "/networks/" (cluster.rank) } { "network " (cluster.rank) }
                " of " (cluster.size()) " shops:"
            }
            (networks::network_figure(graph, html! { "Network " (cluster.rank) " drawn." }))
            (networks::cluster_shops(cluster, &page.shops, Some(shop)))
            h3 { "Shared identifiers" }
            (networks::cluster_links(cluster, &page.shops))
        }
    }
}

fn listings(domain: &str, results: &SearchResults) -> Markup {
    let flagged = results
        .hits
        .iter()
        .filter(|h| h.doc.verdict.flagged)
        .count();
    let mut contacts: BTreeMap<(&str, String), usize> = BTreeMap::new();
    let mut sites: BTreeMap<&str, usize> = BTreeMap::new();
    for hit in &results.hits {
        let l = &hit.doc.listing;
        *sites.entry(&l.site).or_default() += 1;
        for c in &l.contacts {
            *contacts
                .entry((c.kind.as_str(), c.value.clone()))
                .or_default() += 1;
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
        h2 { "Listings seen" }
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
