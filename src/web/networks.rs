//! Signals on the web page: the list of shop networks (`/networks`), and the pieces the
//! domain and report pages show — a shop's risk class with its reasons, its network with the
//! shared identifiers, a run's trend signals.
//!
//! Networks and risk classes are computed from the state store per request (one pass over
//! the stored listings, see [`crate::analysis::Current`]); every identifier, seller name and
//! URL among them is scraped text and reaches the page only through `maud`'s escaping, or
//! through the SVG writer's (`pharmwatch_signals::draw::svg`) in the network pictures.
//!
//! Each network is drawn (`/networks`, `/networks/{n}`, the domain pages) with its tables
//! beside it as the text equivalent, and its graph downloadable as GraphML
//! (`/networks.graphml?network=N`) for Gephi or networkx.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use maud::{Markup, PreEscaped, html};
use pharmwatch_signals::draw::{self, MAX_SHOPS_DRAWN, NetworkGraph};
use pharmwatch_signals::{
    Cluster, IgnoreReason, Link, LinkStrength, ListingRef, NetworkReport, RiskClass, Shop, ShopRisk,
};
use serde::Deserialize;

use super::templates::{self, domain_href, listing_href, severity_badge};
use super::{AppState, WebError, blocking};
use crate::analysis::trends::TrendReport;
use crate::analysis::{Current, ShopLabels};

/// `GET /networks`: every cluster of two or more linked shops, by size then risk.
pub async fn page(State(state): State<Arc<AppState>>) -> Result<Html<String>, WebError> {
    let current = blocking(move || state.current()).await?;
    let shops = Shops::new(current.labels.clone(), &current.risk);
    let graphs = current.network_graphs(&current.networks.clusters, MAX_SHOPS_DRAWN);
    Ok(templates::layout(
        "Shop networks",
        body(&current.networks, &graphs, &shops),
    ))
}

/// `GET /networks/{n}`: one network, drawn, with its shops and links.
pub async fn cluster_page(
    State(state): State<Arc<AppState>>,
    Path(rank): Path<String>,
) -> Result<Html<String>, WebError> {
    let current = blocking(move || state.current()).await?;
    let cluster = find_cluster(&current, &rank)?;
    let shops = Shops::new(current.labels.clone(), &current.risk);
    let graphs = current.network_graphs([cluster], MAX_SHOPS_DRAWN);
    let graph = &graphs[0];
    let title = format!("Network {}", cluster.rank);
    let body = html! {
        h1 { (title) " · " (cluster.size()) " shops" }
        p { a href="/networks" { "All networks" } }
        (cluster_section(cluster, graph, &shops))
    };
    Ok(templates::layout(&title, body))
}

/// The cluster numbered `rank` (as the page's own path gave it), or a 404 naming the range.
fn find_cluster<'a>(current: &'a Current, rank: &str) -> Result<&'a Cluster, WebError> {
    let count = current.networks.clusters.len();
    rank.trim()
        .parse::<usize>()
        .ok()
        .and_then(|r| current.networks.clusters.iter().find(|c| c.rank == r))
        .ok_or_else(|| {
            WebError::NotFound(format!(
                "no network {rank}: the networks are numbered 1 to {count} (see /networks)"
            ))
        })
}

/// `?network=N` of the GraphML download.
#[derive(Debug, Deserialize)]
pub struct GraphParams {
    network: Option<String>,
}

/// `GET /networks.graphml[?network=N]`: the data behind the pictures, every shop of each
/// network (nothing folded), for Gephi, yEd or networkx.
pub async fn graphml(
    State(state): State<Arc<AppState>>,
    Query(params): Query<GraphParams>,
) -> Result<Response, WebError> {
    let current = blocking(move || state.current()).await?;
    let clusters: Vec<&Cluster> = match &params.network {
        Some(rank) => vec![find_cluster(&current, rank)?],
        None => current.networks.clusters.iter().collect(),
    };
    let file = draw::graphml::graphml(&current.network_graphs(clusters, usize::MAX));
    let mut res = file.into_response();
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/graphml+xml; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"networks.graphml\""),
    );
    Ok(res)
}

/// A network's picture with what it shows in words and a link to its data. The SVG writer
/// escapes every text and attribute it writes, so its output is inserted as it is.
pub fn network_figure(graph: &NetworkGraph, caption: Markup) -> Markup {
    let svg = draw::network_svg(graph, |shop| Some(domain_href(shop.domain())));
    html! {
        figure.picture {
            (PreEscaped(svg))
            figcaption {
                (caption)
                @if graph.folded_shops() > 0 {
                    " The " (graph.folded_shops()) " shops with the fewest flagged listings are drawn as one node; the table lists every shop."
                }
                " Node area: flagged listings; colour and shape: risk class; solid lines: shared identifiers; dashed grey: payment host or template (corroboration only). Data: "
                a href={ "/networks.graphml?network=" (graph.rank) } { "GraphML" } "."
            }
        }
    }
}

/// A cluster drawn, then its shops and links as tables (the picture's text equivalent).
fn cluster_section(cluster: &Cluster, graph: &NetworkGraph, shops: &Shops) -> Markup {
    html! {
        (network_figure(graph, html! { "Network " (cluster.rank) ": " (cluster.size()) " shops and the identifiers they share." }))
        (cluster_shops(cluster, shops, None))
        (cluster_links(cluster, shops))
    }
}

/// What the pages say of any shop: its name for a reader and its risk class.
pub struct Shops {
    labels: ShopLabels,
    classes: BTreeMap<Shop, RiskClass>,
}

impl Shops {
    /// Names from `labels`, classes from `risks`.
    pub fn new(labels: ShopLabels, risks: &[ShopRisk]) -> Self {
        Shops {
            labels,
            classes: risks.iter().map(|r| (r.shop.clone(), r.class)).collect(),
        }
    }

    /// The shop's name linked to its domain page.
    pub fn link(&self, shop: &Shop) -> Markup {
        html! { a href=(domain_href(shop.domain())) { (self.labels.of(shop)) } }
    }

    /// The shop's name, as plain text (escape it when shown).
    pub fn label(&self, shop: &Shop) -> String {
        self.labels.of(shop)
    }

    fn class(&self, shop: &Shop) -> Option<RiskClass> {
        self.classes.get(shop).copied()
    }
}

fn body(report: &NetworkReport, graphs: &[NetworkGraph], shops: &Shops) -> Markup {
    html! {
        h1 { "Shop networks" }
        p {
            (report.clusters.len()) " networks among " (report.shops) " shops. Shops are linked by "
            "a contact, wallet, analytics or affiliate id they share; payment hosts and templates "
            "only corroborate a link (unrelated shops share them as a matter of course). "
            "All networks as " a href="/networks.graphml" { "GraphML" } "."
        }
        @for (cluster, graph) in report.clusters.iter().zip(graphs) {
            h2 #{ "network-" (cluster.rank) } {
                a href={ "/networks/" (cluster.rank) } { "Network " (cluster.rank) }
                " · " (cluster.size()) " shops · "
                (cluster.exposure.flagged) " of " (cluster.exposure.listings) " listings flagged "
                (severity_badge(cluster.exposure.max_severity))
            }
            (cluster_section(cluster, graph, shops))
        }
        h2 { "Identifiers not used as evidence (" (report.ignored.len()) ")" }
        @if report.ignored.is_empty() { p.muted { "None." } }
        @else {
            @if report.ignored.len() > MAX_IGNORED_SHOWN {
                p.muted {
                    "The " (MAX_IGNORED_SHOWN) " most shared below; "
                    code { "pharmwatch signals networks --json" } " lists all."
                }
            }
            table.ignored {
                thead { tr { th { "Kind" } th { "Value" } th { "Shops" } th { "Why" } } }
                tbody {
                    @for i in report.ignored.iter().take(MAX_IGNORED_SHOWN) {
                        tr {
                            td { (i.identifier.kind.as_str()) }
                            td { code { (i.identifier.value) } }
                            td { (i.shops) }
                            td { @match &i.reason {
                                IgnoreReason::TooCommon => { "held by too many shops" }
                                IgnoreReason::Platform { domain } => {
                                    "the own contact of the platform " a href=(domain_href(domain)) { (domain) }
                                }
                            } }
                        }
                    }
                }
            }
        }
    }
}

/// Ignored identifiers listed on the page. A large crawl ignores thousands (every stock
/// theme and big processor); the page shows the most shared, which are the ones worth a look.
const MAX_IGNORED_SHOWN: usize = 200;

/// A risk class as a coloured label.
pub fn class_badge(class: RiskClass) -> Markup {
    let colour = match class {
        RiskClass::Rogue => "critical",
        RiskClass::Unapproved => "high",
        RiskClass::Unverified => "medium",
        RiskClass::NoConcern => "low",
    };
    html! { span class={ "sev risk sev-" (colour) } { (class.as_str()) } }
}

/// The cluster's shops with their exposure; `this` (the page's own shop) is not linked.
pub fn cluster_shops(cluster: &Cluster, shops: &Shops, this: Option<&Shop>) -> Markup {
    html! {
        table.network-shops {
            thead { tr { th { "Shop" } th { "Risk class" } th { "Listings" } th { "Flagged" } th { "Severity" } } }
            tbody {
                @for node in &cluster.shops {
                    tr {
                        td {
                            @if Some(&node.shop) == this { b { (shops.label(&node.shop)) } " (this shop)" }
                            @else { (shops.link(&node.shop)) }
                        }
                        td { @if let Some(c) = shops.class(&node.shop) { (class_badge(c)) } }
                        td { (node.exposure.listings) }
                        td { (node.exposure.flagged) }
                        td { (severity_badge(node.exposure.max_severity)) }
                    }
                }
            }
        }
    }
}

/// Every identifier the cluster's shops share, with where each shop shows it.
pub fn cluster_links(cluster: &Cluster, shops: &Shops) -> Markup {
    html! {
        table.network-links {
            thead { tr { th { "Shared identifier" } th { "Evidence" } th { "Shown by" } } }
            tbody { @for link in &cluster.links { (link_row(link, shops)) } }
        }
    }
}

fn link_row(link: &Link, shops: &Shops) -> Markup {
    html! {
        tr {
            td { (link.identifier.kind.as_str()) " " code { (link.identifier.value) } }
            td {
                @match link.strength {
                    LinkStrength::Strong => { "links the shops" }
                    LinkStrength::Weak => { "weak, corroborates only" }
                }
                @if link.shared_by > link.holders.len() {
                    " (held by " (link.shared_by) " shops in all)"
                }
            }
            td { ul.holders {
                @for holder in &link.holders {
                    li {
                        (shops.link(&holder.shop)) ": " (crate::output::count(holder.listings, "listing", "listings")) ", e.g. "
                        (examples(&holder.examples))
                    }
                }
            } }
        }
    }
}

/// Example listings shown per finding (the CLI's JSON has all the crate keeps).
const EXAMPLES_SHOWN: usize = 3;

/// Example listings as links to their detail pages.
pub fn examples(refs: &[ListingRef]) -> Markup {
    html! {
        @for (i, r) in refs.iter().take(EXAMPLES_SHOWN).enumerate() {
            @if i > 0 { ", " }
            a href=(listing_href(r.id.as_str())) title=(r.url) { (r.url) }
        }
    }
}

/// A shop's class with every reason for it.
pub fn risk_section(risk: &ShopRisk, shops: &Shops) -> Markup {
    html! {
        p { (shops.link(&risk.shop)) ": " (class_badge(risk.class)) " · "
            (risk.exposure.flagged) " of " (risk.exposure.listings) " listings flagged" }
        ul.reasons {
            @for reason in &risk.reasons {
                li {
                    (class_badge(reason.class)) " " code { (reason.code.as_str()) } ": "
                    (reason.sentence) " — e.g. " (examples(&reason.examples))
                }
            }
        }
    }
}

/// A run's trend signals, for the report page.
pub fn trend_section(t: &TrendReport) -> Markup {
    let sci = |x: Option<f64>| x.map_or_else(|| "–".to_string(), |x| format!("{x:.2e}"));
    html! {
        h2 #trends { "Trend signals (" (t.signals.len()) ")" }
        p.muted { (t.summary()) }
        @if !t.signals.is_empty() {
            table.signals {
                thead { tr {
                    th { "Kind" } th { "Dimension" } th { "Key" } th { "Now" }
                    th { "Baseline mean" } th { "Runs" } th { "p-value" } th { "Threshold" }
                } }
                tbody {
                    @for s in &t.signals {
                        tr {
                            td { (s.kind.as_str()) }
                            td { (s.dimension.as_str()) }
                            td { a href=(super::trends::trend_href(s.dimension, &s.key)) { code { (s.key) } } }
                            td { (s.current) }
                            td { (format!("{:.1}", s.baseline_mean)) }
                            td { (s.baseline_runs) }
                            td { (sci(s.p_value)) }
                            td { (sci(s.threshold)) }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use pharmwatch_model::{Contact, ContactKind, Listing, SiteKind, Verdict};
    use pharmwatch_signals::{NetworkConfig, find_networks};

    use super::*;

    #[test]
    fn the_page_lists_only_the_most_shared_ignored_identifiers() {
        // Nine shops sharing 250 e-mail addresses: each is held by too many shops.
        let listings: Vec<Listing> = (0..9)
            .map(|i| {
                let url = format!("http://s{i}.example/p");
                let mut l = Listing::new(
                    url,
                    0,
                    "s",
                    SiteKind::Pharmacy,
                    format!("s{i}.example"),
                    "t",
                    time::macros::datetime!(2026-11-23 12:00 UTC),
                );
                l.contacts = (0..250)
                    .map(|n| Contact {
                        kind: ContactKind::Email,
                        value: format!("x{n}@mail.example"),
                    })
                    .collect();
                l
            })
            .collect();
        let verdicts: Vec<Verdict> = listings
            .iter()
            .map(|l| Verdict::clean(l.id.clone()))
            .collect();
        let report = find_networks(listings.iter().zip(&verdicts), &NetworkConfig::default());
        assert_eq!(report.ignored.len(), 250);
        let html = body(&report, &[], &Shops::new(ShopLabels::default(), &[])).into_string();
        assert!(html.contains("Identifiers not used as evidence (250)"));
        assert_eq!(
            html.matches("@mail.example</code>").count(),
            MAX_IGNORED_SHOWN
        );
        assert!(html.contains("--json</code> lists all"));
    }
}
