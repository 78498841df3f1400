//! A shop network as a graph and its picture: shops as nodes (area by flagged listings,
//! colour and shape by risk class), shared identifiers as labelled edges, weak corroboration
//! (payment host, template) grey and dashed.
//!
//! The layout is deterministic without a random seed: shops sit on a circle in the graph's
//! order (most flagged listings first, then the cluster's riskiest-first order), so the
//! same cluster is drawn the same, byte for byte, run after run. A cluster larger than the
//! picture's limit keeps its most flagged shops and folds the rest into one "+M more" node
//! that carries their links, rather than drawing a hairball.

use std::collections::BTreeSet;
use std::f64::consts::PI;

use super::palette;
use super::svg::{Svg, shorten};
use crate::{Cluster, IdKind, LinkStrength, RiskClass, Shop};

/// Shops a web page or case file draws of one cluster before folding the rest.
pub const MAX_SHOPS_DRAWN: usize = 12;

/// A cluster as nodes and edges, ready to draw or write out.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkGraph {
    /// The cluster's rank in its report (`Network 1`, …).
    pub rank: usize,
    /// Shops drawn, then the "+M more" node if any.
    pub nodes: Vec<GraphNode>,
    /// One edge per identifier and pair of nodes holding it.
    pub edges: Vec<GraphEdge>,
}

/// A shop, or the shops folded together.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphNode {
    /// The shop; `None` for the "+M more" node.
    pub shop: Option<Shop>,
    /// The shop's name for a reader (scraped: escaped when written).
    pub label: String,
    /// Its risk class, when one was computed.
    pub class: Option<RiskClass>,
    /// Its listings.
    pub listings: usize,
    /// Its flagged listings (the node's area grows with them).
    pub flagged: usize,
    /// Shops this node stands for: 1, or M for "+M more".
    pub shops: usize,
}

/// An identifier shared by the shops of two nodes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct GraphEdge {
    /// Index into [`NetworkGraph::nodes`]; less than `target`.
    pub source: usize,
    /// Index into [`NetworkGraph::nodes`].
    pub target: usize,
    /// What kind of identifier.
    pub kind: IdKind,
    /// Its value (scraped: escaped when written).
    pub value: String,
    /// Strong links shops; weak only corroborates.
    pub strength: LinkStrength,
}

impl NetworkGraph {
    /// The graph of `cluster`: at most `max_shops` shops (the most flagged), the others
    /// folded into one "+M more" node; `usize::MAX` keeps every shop (GraphML, DOT).
    /// `label` names a shop, `class` gives its risk class.
    pub fn of(
        cluster: &Cluster,
        max_shops: usize,
        label: impl Fn(&Shop) -> String,
        class: impl Fn(&Shop) -> Option<RiskClass>,
    ) -> NetworkGraph {
        let mut order: Vec<usize> = (0..cluster.shops.len()).collect();
        // Stable: ties keep the cluster's own (riskiest-first) order.
        order.sort_by_key(|&i| std::cmp::Reverse(cluster.shops[i].exposure.flagged));
        let kept = order.len().min(max_shops.max(1));
        let mut node_of = vec![kept; cluster.shops.len()];
        let mut nodes = Vec::with_capacity(kept + 1);
        for (n, &i) in order[..kept].iter().enumerate() {
            let shop = &cluster.shops[i];
            node_of[i] = n;
            nodes.push(GraphNode {
                shop: Some(shop.shop.clone()),
                label: label(&shop.shop),
                class: class(&shop.shop),
                listings: shop.exposure.listings,
                flagged: shop.exposure.flagged,
                shops: 1,
            });
        }
        if kept < order.len() {
            nodes.push(folded(cluster, &order[kept..], &class));
        }
        let edges = edges(cluster, &node_of);
        NetworkGraph {
            rank: cluster.rank,
            nodes,
            edges,
        }
    }

    /// Shops folded into the "+M more" node (0 when every shop is drawn).
    pub fn folded_shops(&self) -> usize {
        self.nodes
            .iter()
            .filter(|n| n.shop.is_none())
            .map(|n| n.shops)
            .sum()
    }
}

/// The "+M more" node: the folded shops' listings together, the worst class among them.
fn folded(
    cluster: &Cluster,
    rest: &[usize],
    class: &impl Fn(&Shop) -> Option<RiskClass>,
) -> GraphNode {
    let shops = rest.iter().map(|&i| &cluster.shops[i]);
    GraphNode {
        shop: None,
        label: format!("+{} more", rest.len()),
        class: shops.clone().filter_map(|s| class(&s.shop)).max(),
        listings: shops.clone().map(|s| s.exposure.listings).sum(),
        flagged: shops.map(|s| s.exposure.flagged).sum(),
        shops: rest.len(),
    }
}

/// Every pair of nodes holding the same identifier, once.
fn edges(cluster: &Cluster, node_of: &[usize]) -> Vec<GraphEdge> {
    let index: std::collections::HashMap<&Shop, usize> = cluster
        .shops
        .iter()
        .enumerate()
        .map(|(i, s)| (&s.shop, node_of[i]))
        .collect();
    let mut edges = BTreeSet::new();
    for link in &cluster.links {
        let holders: BTreeSet<usize> = link
            .holders
            .iter()
            .filter_map(|h| index.get(&h.shop).copied())
            .collect();
        let holders: Vec<usize> = holders.into_iter().collect();
        for (i, &source) in holders.iter().enumerate() {
            for &target in &holders[i + 1..] {
                edges.insert(GraphEdge {
                    source,
                    target,
                    kind: link.identifier.kind,
                    value: link.identifier.value.clone(),
                    strength: link.strength,
                });
            }
        }
    }
    // Strong edges first, so weak ones are drawn and listed after them.
    let mut edges: Vec<GraphEdge> = edges.into_iter().collect();
    edges.sort_by_key(|e| e.strength);
    edges
}

// ---- the picture ----

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 520.0;
const CENTRE: (f64, f64) = (380.0, 290.0);
const RING: f64 = 165.0;
/// Longest label drawn in full; the table beside the picture has every name whole.
const LABEL_CHARS: usize = 34;

/// The picture of `graph`. `href` gives the page a shop's node links to (`None` in a file).
pub fn network_svg(graph: &NetworkGraph, href: impl Fn(&Shop) -> Option<String>) -> String {
    let mut svg = Svg::new(WIDTH, HEIGHT, &title_of(graph), &description(graph));
    draw(&mut svg, graph, &href);
    svg.finish()
}

/// Every graph in one picture, one below the other (`signals networks --format svg`, the
/// case package): each in a group with its own title and description.
pub fn networks_svg(graphs: &[NetworkGraph], href: impl Fn(&Shop) -> Option<String>) -> String {
    let shops: usize = graphs.iter().map(shop_count).sum();
    let title = format!("{} shop networks, {shops} shops", graphs.len());
    let desc = "Each network below: shops as nodes, the identifiers they share as lines.";
    let height = HEIGHT * graphs.len().max(1) as f64;
    let mut svg = Svg::new(WIDTH, height, &title, desc);
    if graphs.is_empty() {
        svg.text_element(
            "text",
            &[("x", 20.0.into()), ("y", 40.0.into())],
            "No networks.",
        );
    }
    for (i, graph) in graphs.iter().enumerate() {
        let translate = format!("translate(0 {})", super::svg::num(HEIGHT * i as f64));
        svg.open(
            "g",
            &[
                ("class", "network".into()),
                ("transform", translate.as_str().into()),
            ],
        );
        svg.text_element("title", &[], &title_of(graph));
        svg.text_element("desc", &[], &description(graph));
        svg.text_element(
            "text",
            &[
                ("x", 10.0.into()),
                ("y", 66.0.into()),
                ("font-weight", "bold".into()),
            ],
            &format!("Network {}", graph.rank),
        );
        draw(&mut svg, graph, &href);
        svg.close("g");
    }
    svg.finish()
}

fn title_of(graph: &NetworkGraph) -> String {
    format!(
        "Network {}: {} shops and the identifiers they share",
        graph.rank,
        shop_count(graph)
    )
}

fn description(graph: &NetworkGraph) -> String {
    let strong = graph
        .edges
        .iter()
        .filter(|e| e.strength == LinkStrength::Strong)
        .count();
    format!(
        "{} nodes, {} shared identifiers linking them and {} weak corroborations (dashed grey). \
         Node area grows with flagged listings; colour and shape give the risk class. \
         The table beside the picture lists the same shops and links.",
        graph.nodes.len(),
        strong,
        graph.edges.len() - strong
    )
}

fn draw(svg: &mut Svg, graph: &NetworkGraph, href: &impl Fn(&Shop) -> Option<String>) {
    legend(svg);
    let positions = layout(graph.nodes.len());
    draw_edges(svg, graph, &positions);
    for (node, &at) in graph.nodes.iter().zip(&positions) {
        draw_node(svg, node, at, node.shop.as_ref().and_then(href));
    }
}

fn shop_count(graph: &NetworkGraph) -> usize {
    graph.nodes.iter().map(|n| n.shops).sum()
}

/// Node centres: one node in the middle, two side by side, more on a circle from the top,
/// clockwise.
fn layout(n: usize) -> Vec<(f64, f64)> {
    match n {
        0 => Vec::new(),
        1 => vec![CENTRE],
        _ => (0..n)
            .map(|i| {
                let angle = -PI / 2.0 + 2.0 * PI * i as f64 / n as f64;
                let angle = if n == 2 { angle + PI / 2.0 } else { angle };
                (CENTRE.0 + RING * angle.cos(), CENTRE.1 + RING * angle.sin())
            })
            .collect(),
    }
}

/// Radius whose area grows with the flagged listings, within bounds a page can hold.
fn radius(node: &GraphNode) -> f64 {
    (8.0 + 3.0 * (node.flagged as f64).sqrt()).min(30.0)
}

fn legend(svg: &mut Svg) {
    svg.open("g", &[("class", "legend".into())]);
    let mut x = 10.0;
    for class in RiskClass::ALL.iter().rev() {
        let (colour, shape) = palette::risk_style(Some(*class));
        palette::marker(svg, shape, (x + 7.0, 16.0), 6.0, colour);
        svg.text_element(
            "text",
            &[("x", (x + 17.0).into()), ("y", 20.0.into())],
            class.as_str(),
        );
        x += 112.0;
    }
    line(svg, (10.0, 40.0), (40.0, 40.0), LinkStrength::Strong);
    svg.text_element(
        "text",
        &[("x", 46.0.into()), ("y", 44.0.into())],
        "shared identifier (links the shops)",
    );
    line(svg, (290.0, 40.0), (320.0, 40.0), LinkStrength::Weak);
    svg.text_element(
        "text",
        &[("x", 326.0.into()), ("y", 44.0.into())],
        "payment host or template (corroborates only)",
    );
    svg.close("g");
}

fn line(svg: &mut Svg, from: (f64, f64), to: (f64, f64), strength: LinkStrength) {
    let (colour, dash) = edge_style(strength);
    svg.element(
        "line",
        &[
            ("x1", from.0.into()),
            ("y1", from.1.into()),
            ("x2", to.0.into()),
            ("y2", to.1.into()),
            ("stroke", colour.into()),
            ("stroke-width", 2.0.into()),
            ("stroke-dasharray", dash.into()),
        ],
    );
}

fn edge_style(strength: LinkStrength) -> (&'static str, &'static str) {
    match strength {
        LinkStrength::Strong => (palette::BLACK, "none"),
        LinkStrength::Weak => (palette::GREY, palette::DASH),
    }
}

/// Edges as curves; edges between the same two nodes bow apart so each label is readable.
fn draw_edges(svg: &mut Svg, graph: &NetworkGraph, at: &[(f64, f64)]) {
    for (i, edge) in graph.edges.iter().enumerate() {
        let parallel: Vec<usize> = graph
            .edges
            .iter()
            .enumerate()
            .filter(|(_, e)| (e.source, e.target) == (edge.source, edge.target))
            .map(|(j, _)| j)
            .collect();
        let nth = parallel.iter().position(|&j| j == i).unwrap_or(0) as f64;
        let bow = (nth - (parallel.len() as f64 - 1.0) / 2.0) * 28.0;
        draw_edge(svg, edge, at[edge.source], at[edge.target], bow);
    }
}

fn draw_edge(svg: &mut Svg, edge: &GraphEdge, a: (f64, f64), b: (f64, f64), bow: f64) {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let length = (dx * dx + dy * dy).sqrt().max(1.0);
    // The control point sits off the middle, square to the line; the curve passes halfway.
    let control = (
        (a.0 + b.0) / 2.0 - dy / length * bow * 2.0,
        (a.1 + b.1) / 2.0 + dx / length * bow * 2.0,
    );
    let middle = (
        (a.0 + b.0) / 2.0 - dy / length * bow,
        (a.1 + b.1) / 2.0 + dx / length * bow,
    );
    let (colour, dash) = edge_style(edge.strength);
    let strength = match edge.strength {
        LinkStrength::Strong => "edge strong",
        LinkStrength::Weak => "edge weak",
    };
    let path = format!(
        "M {} {} Q {} {} {} {}",
        super::svg::num(a.0),
        super::svg::num(a.1),
        super::svg::num(control.0),
        super::svg::num(control.1),
        super::svg::num(b.0),
        super::svg::num(b.1)
    );
    svg.open(
        "g",
        &[
            ("class", strength.into()),
            ("data-kind", edge.kind.as_str().into()),
        ],
    );
    svg.text_element("title", &[], &format!("{} {}", edge.kind, edge.value));
    svg.element(
        "path",
        &[
            ("d", path.as_str().into()),
            ("fill", "none".into()),
            ("stroke", colour.into()),
            ("stroke-width", 1.5.into()),
            ("stroke-dasharray", dash.into()),
        ],
    );
    svg.text_element(
        "text",
        &[
            ("x", middle.0.into()),
            ("y", (middle.1 - 3.0).into()),
            ("text-anchor", "middle".into()),
            ("font-size", 10.0.into()),
            ("fill", colour.into()),
        ],
        edge.kind.as_str(),
    );
    svg.close("g");
}

fn draw_node(svg: &mut Svg, node: &GraphNode, at: (f64, f64), href: Option<String>) {
    let (colour, shape) = palette::risk_style(node.class);
    let class = node.class.map_or("unknown", RiskClass::as_str);
    if let Some(href) = &href {
        svg.open("a", &[("href", href.as_str().into())]);
    }
    // Scraped text goes into element text only (the title is the shop's name exactly, as
    // readers and tests take it); attributes hold our own words.
    svg.open(
        "g",
        &[("class", "node".into()), ("data-class", class.into())],
    );
    svg.text_element("title", &[], &node.label);
    svg.text_element(
        "desc",
        &[],
        &format!(
            "risk class {class}; {} of {} listings flagged",
            node.flagged, node.listings
        ),
    );
    palette::marker(svg, shape, at, radius(node), colour);
    label(svg, node, at);
    svg.close("g");
    if href.is_some() {
        svg.close("a");
    }
}

/// The node's name outside the ring, anchored away from the centre so it does not cross it.
fn label(svg: &mut Svg, node: &GraphNode, at: (f64, f64)) {
    let (dx, dy) = (at.0 - CENTRE.0, at.1 - CENTRE.1);
    let length = (dx * dx + dy * dy).sqrt();
    let (ux, uy) = if length < 1.0 {
        (0.0, 1.0)
    } else {
        (dx / length, dy / length)
    };
    let offset = radius(node) + 8.0;
    let anchor = if ux > 0.3 {
        "start"
    } else if ux < -0.3 {
        "end"
    } else {
        "middle"
    };
    let text = shorten(&node.label, LABEL_CHARS);
    svg.text_element(
        "text",
        &[
            ("x", (at.0 + ux * offset).into()),
            ("y", (at.1 + uy * offset + 4.0 + uy.max(0.0) * 6.0).into()),
            ("text-anchor", anchor.into()),
        ],
        &format!("{text} ({})", node.flagged),
    );
}

#[cfg(test)]
mod tests {
    use pharmwatch_model::{ContactKind as C, IdentifierKind as I, Listing, Severity, Verdict};

    use super::*;
    use crate::shop::testing::*;
    use crate::{NetworkConfig, find_networks};

    /// `n` shops sharing one phone, the first two also a template; shop `i` has `i` flagged
    /// listings (shop 0 none).
    fn star(n: usize) -> Cluster {
        let mut listings = Vec::new();
        let mut verdicts = Vec::new();
        for i in 0..n {
            for j in 0..i.max(1) {
                let mut l = pharmacy(&format!("http://s{i}.example/p/{j}"));
                contact(&mut l, C::Phone, "+1 646 555 0199");
                if i < 2 {
                    mark(&mut l, I::Template, "tpl-1");
                }
                let v = if i == 0 {
                    clean(&l)
                } else {
                    verdict(&l, &[("rx", "rx", Severity::High)], &[])
                };
                listings.push(l);
                verdicts.push(v);
            }
        }
        let config = NetworkConfig {
            max_shops_per_identifier: 100,
            ..NetworkConfig::default()
        };
        let pairs: Vec<(&Listing, &Verdict)> = listings.iter().zip(&verdicts).collect();
        find_networks(pairs, &config).clusters.remove(0)
    }

    fn graph(cluster: &Cluster, max: usize) -> NetworkGraph {
        NetworkGraph::of(
            cluster,
            max,
            |s| s.domain().to_string(),
            |_| Some(RiskClass::Rogue),
        )
    }

    #[test]
    fn every_pair_of_holders_is_an_edge_and_weak_ones_come_last() {
        let g = graph(&star(3), MAX_SHOPS_DRAWN);
        assert_eq!(g.nodes.len(), 3);
        let strong = g
            .edges
            .iter()
            .filter(|e| e.strength == LinkStrength::Strong)
            .count();
        assert_eq!(strong, 3, "{:?}", g.edges);
        let weak: Vec<_> = g
            .edges
            .iter()
            .filter(|e| e.strength == LinkStrength::Weak)
            .collect();
        assert_eq!(weak.len(), 1);
        assert_eq!(g.edges.last().map(|e| e.strength), Some(LinkStrength::Weak));
        assert!(g.edges.iter().all(|e| e.source < e.target));
    }

    #[test]
    fn a_large_cluster_keeps_its_most_flagged_shops_and_folds_the_rest() {
        let g = graph(&star(20), 5);
        assert_eq!(g.nodes.len(), 6);
        let kept: Vec<&str> = g.nodes[..5].iter().map(|n| n.label.as_str()).collect();
        assert_eq!(
            kept,
            [
                "s19.example",
                "s18.example",
                "s17.example",
                "s16.example",
                "s15.example"
            ]
        );
        let more = &g.nodes[5];
        assert_eq!(
            (more.shop.as_ref(), more.shops, more.label.as_str()),
            (None, 15, "+15 more")
        );
        assert_eq!(g.folded_shops(), 15);
        // The phone links the folded shops too: an edge to "+15 more" from each kept shop,
        // and no edge from the folded node to itself.
        assert_eq!(g.edges.iter().filter(|e| e.target == 5).count(), 6 - 1);
        assert!(g.edges.iter().all(|e| e.source != e.target));
        // Shop 0 and 1 (folded) shared the template: folded into one node, it links nothing.
        assert!(g.edges.iter().all(|e| e.strength == LinkStrength::Strong));
    }

    #[test]
    fn the_picture_is_the_same_bytes_for_the_same_cluster_and_parses_back() {
        let cluster = star(4);
        let a = network_svg(&graph(&cluster, MAX_SHOPS_DRAWN), |s| {
            Some(format!("/domain/{}", s.domain()))
        });
        let b = network_svg(&graph(&cluster, MAX_SHOPS_DRAWN), |s| {
            Some(format!("/domain/{}", s.domain()))
        });
        assert_eq!(a, b);
        let doc = roxmltree::Document::parse(&a).expect("well-formed SVG");
        let class_of = |n: &roxmltree::Node| n.attribute("class").unwrap_or("").to_string();
        let nodes: Vec<_> = doc
            .descendants()
            .filter(|n| class_of(n) == "node")
            .collect();
        assert_eq!(nodes.len(), 4);
        assert!(
            nodes
                .iter()
                .all(|n| n.parent().is_some_and(|p| p.has_tag_name("a")))
        );
        assert_eq!(
            doc.descendants()
                .filter(|n| class_of(n) == "edge strong")
                .count(),
            6
        );
        let weak: Vec<_> = doc
            .descendants()
            .filter(|n| class_of(n) == "edge weak")
            .collect();
        assert_eq!(weak.len(), 1);
        let path = weak[0].children().find(|c| c.has_tag_name("path")).unwrap();
        assert_eq!(path.attribute("stroke-dasharray"), Some(palette::DASH));
        assert_eq!(weak[0].attribute("data-kind"), Some("template"));
        let title = weak[0]
            .children()
            .find(|c| c.has_tag_name("title"))
            .unwrap();
        assert_eq!(title.text(), Some("template tpl-1"));
        assert!(
            doc.root_element()
                .children()
                .any(|c| c.has_tag_name("title"))
        );
        assert!(
            doc.root_element()
                .children()
                .any(|c| c.has_tag_name("desc"))
        );
        assert!(!a.contains("style="), "inline styles break the page's CSP");
    }
}
