//! Shop networks as GraphML (<http://graphml.graphdrawing.org/>), the format Gephi, yEd,
//! Cytoscape and networkx read: one undirected graph, every shop a node carrying its
//! cluster, name, risk class and listing counts, every shared identifier between two shops
//! an edge carrying its kind, value and strength. Nothing is folded: an analyst's tool gets
//! every shop.

use std::fmt::Write as _;

use super::network::NetworkGraph;
use super::svg::escape;
use crate::LinkStrength;

/// The attribute keys: (id, for, name, type).
const KEYS: [(&str, &str, &str, &str); 9] = [
    ("n_cluster", "node", "cluster", "int"),
    ("n_label", "node", "label", "string"),
    ("n_domain", "node", "domain", "string"),
    ("n_class", "node", "risk_class", "string"),
    ("n_listings", "node", "listings", "int"),
    ("n_flagged", "node", "flagged", "int"),
    ("e_kind", "edge", "kind", "string"),
    ("e_value", "edge", "value", "string"),
    ("e_strength", "edge", "strength", "string"),
];

/// The graphs as one GraphML document. Node ids are `c{rank}s{index}`.
pub fn graphml(graphs: &[NetworkGraph]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns \
         http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n",
    );
    for (id, domain, name, kind) in KEYS {
        let _ = writeln!(
            out,
            "  <key id=\"{id}\" for=\"{domain}\" attr.name=\"{name}\" attr.type=\"{kind}\"/>"
        );
    }
    out.push_str("  <graph id=\"networks\" edgedefault=\"undirected\">\n");
    for graph in graphs {
        write_graph(&mut out, graph);
    }
    out.push_str("  </graph>\n</graphml>\n");
    out
}

fn write_graph(out: &mut String, graph: &NetworkGraph) {
    let id = |i: usize| format!("c{}s{i}", graph.rank);
    for (i, node) in graph.nodes.iter().enumerate() {
        let _ = writeln!(out, "    <node id=\"{}\">", id(i));
        data(out, "n_cluster", &graph.rank.to_string());
        data(out, "n_label", &node.label);
        if let Some(shop) = &node.shop {
            data(out, "n_domain", shop.domain());
        }
        if let Some(class) = node.class {
            data(out, "n_class", class.as_str());
        }
        data(out, "n_listings", &node.listings.to_string());
        data(out, "n_flagged", &node.flagged.to_string());
        out.push_str("    </node>\n");
    }
    for edge in &graph.edges {
        let _ = writeln!(
            out,
            "    <edge source=\"{}\" target=\"{}\">",
            id(edge.source),
            id(edge.target)
        );
        data(out, "e_kind", edge.kind.as_str());
        data(out, "e_value", &edge.value);
        let strength = match edge.strength {
            LinkStrength::Strong => "strong",
            LinkStrength::Weak => "weak",
        };
        data(out, "e_strength", strength);
        out.push_str("    </edge>\n");
    }
}

fn data(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(out, "      <data key=\"{key}\">{}</data>", escape(value));
}
