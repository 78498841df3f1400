//! Text of HTML elements as a reader sees it: no script or style, blocks separated.

use ego_tree::iter::Edge;
use scraper::{ElementRef, Node};

use crate::text::collapse_whitespace;

const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "head", "iframe", "object",
];

const BLOCKS: &[&str] = &[
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "td",
    "th",
    "br",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "main",
    "aside",
    "table",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "form",
    "option",
    "hr",
    "address",
    "figcaption",
    "body",
];

/// Visible text under `root`, blocks separated by newlines, at most `max_bytes` bytes.
/// Iterative (no recursion), so hostile nesting depth cannot overflow the stack.
pub(crate) fn visible_text(root: ElementRef<'_>, max_bytes: usize) -> String {
    let mut out = String::new();
    let mut skip_depth = 0usize;
    for edge in root.traverse() {
        if out.len() >= max_bytes {
            break;
        }
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(el) => {
                    let name = el.name();
                    if SKIPPED.contains(&name) {
                        skip_depth += 1;
                    } else if skip_depth == 0 && BLOCKS.contains(&name) && !out.ends_with('\n') {
                        out.push('\n');
                    }
                }
                Node::Text(t) if skip_depth == 0 => {
                    let room = max_bytes.saturating_sub(out.len());
                    out.push_str(crate::text::truncate_at_char(t, room));
                }
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(el) = node.value() {
                    let name = el.name();
                    if SKIPPED.contains(&name) {
                        skip_depth = skip_depth.saturating_sub(1);
                    } else if skip_depth == 0 && BLOCKS.contains(&name) && !out.ends_with('\n') {
                        out.push('\n');
                    }
                }
            }
        }
    }
    out
}

/// Visible text of one element on one line (whitespace collapsed), at most `max_bytes`.
pub(crate) fn element_text(el: ElementRef<'_>, max_bytes: usize) -> String {
    // Read a little more than kept: collapsing only shrinks text.
    let raw = visible_text(el, max_bytes.saturating_mul(2).saturating_add(64));
    collapse_whitespace(&raw, max_bytes)
}

/// Visible text with each line's whitespace collapsed but line breaks kept (for scanners
/// whose patterns should not run across blocks).
pub(crate) fn visible_lines(root: ElementRef<'_>, max_bytes: usize) -> String {
    let raw = visible_text(root, max_bytes);
    let mut out = String::with_capacity(raw.len());
    for line in raw.lines() {
        let line = collapse_whitespace(line, usize::MAX);
        if !line.is_empty() {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}
