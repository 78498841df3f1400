//! Text of HTML elements as a reader sees it: no script or style, blocks separated.

use ego_tree::iter::Edge;
use scraper::{ElementRef, Node};

use crate::text::collapse_whitespace;

/// Elements whose content is not shown as text.
fn is_skipped(name: &str) -> bool {
    // A `match` rather than a list scan: this runs on every element of every text walk.
    matches!(
        name,
        "script" | "style" | "noscript" | "template" | "svg" | "head" | "iframe" | "object"
    )
}

/// Elements that start and end a line of text.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "li"
            | "ul"
            | "ol"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "tr"
            | "td"
            | "th"
            | "br"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "nav"
            | "main"
            | "aside"
            | "table"
            | "dt"
            | "dd"
            | "blockquote"
            | "pre"
            | "form"
            | "option"
            | "hr"
            | "address"
            | "figcaption"
            | "body"
    )
}

/// Visible text under `root`, blocks separated by newlines, at most `max_bytes` bytes.
/// Iterative (no recursion), so hostile nesting depth cannot overflow the stack.
pub(crate) fn visible_text(root: ElementRef<'_>, max_bytes: usize) -> String {
    visible_text_where(root, max_bytes, false, |_| false)
}

/// Visible text under `root` without the subtrees `skip` rejects (checked on each element
/// outside a skipped one, `root` included), at most `max_bytes` bytes. With `alts`, an
/// image's `alt` text counts as text (footers show payment methods as logos).
pub(crate) fn visible_text_where(
    root: ElementRef<'_>,
    max_bytes: usize,
    alts: bool,
    mut skip: impl FnMut(ElementRef<'_>) -> bool,
) -> String {
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
                    if skip_depth > 0
                        || is_skipped(name)
                        || ElementRef::wrap(node).is_some_and(&mut skip)
                    {
                        skip_depth += 1;
                    } else if is_block(name) && !out.ends_with('\n') {
                        out.push('\n');
                    } else if alts && name == "img" {
                        let alt = el.attr("alt").unwrap_or_default();
                        let room = max_bytes.saturating_sub(out.len() + 2);
                        out.push(' ');
                        out.push_str(crate::text::truncate_at_char(alt, room.min(200)));
                        out.push(' ');
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
                    if skip_depth > 0 {
                        skip_depth -= 1;
                    } else if is_block(name) && !out.ends_with('\n') {
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
    lines_of(&visible_text(root, max_bytes))
}

/// `raw` with each line's whitespace collapsed and empty lines dropped.
pub(crate) fn lines_of(raw: &str) -> String {
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
