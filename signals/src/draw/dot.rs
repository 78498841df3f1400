//! Shop networks in Graphviz DOT (`dot -Tsvg`, `neato`, Gephi's import): one subgraph per
//! cluster, the same nodes and edges as the GraphML and the picture, styled as the picture
//! is (risk class as fill colour and shape, weak corroboration grey and dashed).

use std::fmt::Write as _;

use super::network::NetworkGraph;
use super::palette::{self, Shape};
use crate::LinkStrength;

/// The graphs as one DOT document. Node ids are `c{rank}s{index}`.
pub fn dot(graphs: &[NetworkGraph]) -> String {
    let mut out =
        String::from("graph networks {\n  node [style=filled fontname=\"sans-serif\"];\n");
    for graph in graphs {
        let id = |i: usize| format!("c{}s{i}", graph.rank);
        let _ = writeln!(out, "  subgraph cluster_{} {{", graph.rank);
        let _ = writeln!(out, "    label=\"Network {}\";", graph.rank);
        for (i, node) in graph.nodes.iter().enumerate() {
            let (colour, shape) = palette::risk_style(node.class);
            let shape = match shape {
                Shape::Circle => "circle",
                Shape::Square => "box",
                Shape::Diamond => "diamond",
                Shape::Triangle => "triangle",
            };
            let class = node.class.map_or("unknown", |c| c.as_str());
            let _ = writeln!(
                out,
                "    {} [label={} shape={shape} fillcolor=\"{colour}\" tooltip={}];",
                id(i),
                quote(&format!("{} ({})", node.label, node.flagged)),
                quote(&format!(
                    "{} · {class} · {} of {} listings flagged",
                    node.label, node.flagged, node.listings
                )),
            );
        }
        for edge in &graph.edges {
            let style = match edge.strength {
                LinkStrength::Strong => format!("color=\"{}\"", palette::BLACK),
                LinkStrength::Weak => format!("color=\"{}\" style=dashed", palette::GREY),
            };
            let _ = writeln!(
                out,
                "    {} -- {} [label={} tooltip={} {style}];",
                id(edge.source),
                id(edge.target),
                quote(edge.kind.as_str()),
                quote(&format!("{} {}", edge.kind, edge.value)),
            );
        }
        out.push_str("  }\n");
    }
    out.push_str("}\n");
    out
}

/// A DOT quoted string: quotes and backslashes escaped, line breaks, other controls and bidi
/// controls dropped (scraped names must not end the string or reverse the label).
fn quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() || pharmwatch_model::text::is_bidi_control(c) => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quoting_keeps_hostile_names_inside_their_string() {
        assert_eq!(quote("a\"];x[\\\n\u{202E}b"), "\"a\\\"];x[\\\\b\"");
    }
}
