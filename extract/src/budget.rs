//! A per-page work budget, enforced by a cheap scan *before* the HTML parser sees the page.
//!
//! html5ever's tree builder checks element scopes by walking its stack of open elements, and
//! checks duplicate attributes by comparing each new attribute with every earlier one: work
//! that grows with the square of the nesting depth and of one element's attribute count.
//! Measured with `pharmwatch extract` (issue 23): 25k nested `<div>`s took 1.8 s, 100k took
//! 29 s, 800k ran past 300 s; one element with 500k attributes took 114 s. Those pages fit in
//! the 10 MB body cap, so a body cap alone does not bound the parse.
//!
//! [`bound_html`] scans the page once, in linear time, counting what the parser would build —
//! nesting depth, elements (each charged with the open formatting elements the parser may
//! reconstruct after it), attributes of one element and of the page — and cuts the page at the
//! first tag over the budget. The page before it is parsed as usual; the cut is reported so
//! the crawler can mark the page (its evidence is archived whole either way).
//!
//! The default depth limit is Blink's (`kMaximumHTMLParserDOMTreeDepth = 512`): browsers do
//! not build deeper trees either, so no page a person can read needs more. The scan follows
//! HTML's tokenizer only as far as counting needs: comments, raw-text elements (`script`,
//! `style`, …), void elements, the implicit ends of `p`/`li`/`td`/… and end tags that close
//! the elements opened after theirs. Where it is unsure it counts more, never less.

use std::borrow::Cow;

/// Work allowed for one page. See the module doc for why each limit exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseBudget {
    /// Deepest nesting of open elements.
    pub max_depth: usize,
    /// Elements on the page, each charged 1 + the open formatting elements (`b`, `a`, `font`,
    /// …) the parser may copy after it.
    pub max_elements: usize,
    /// Attributes on one element.
    pub max_attributes_per_element: usize,
    /// Attributes on the page.
    pub max_attributes: usize,
}

impl Default for ParseBudget {
    /// 512 deep (Blink's limit), 100k elements and 400k attributes (ten times a large
    /// marketplace page), 256 attributes on one element.
    fn default() -> Self {
        ParseBudget {
            max_depth: 512,
            max_elements: 100_000,
            max_attributes_per_element: 256,
            max_attributes: 400_000,
        }
    }
}

/// Which limit of a [`ParseBudget`] a page went over, and where it was cut.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[serde(tag = "limit_kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum OverBudget {
    /// Elements nested deeper than `limit`.
    #[error("elements nested deeper than {limit}: page cut at byte {at}")]
    Depth {
        /// The budget's `max_depth`.
        limit: usize,
        /// Byte offset of the cut (the tag that went over).
        at: usize,
    },
    /// More than `limit` elements.
    #[error("more than {limit} elements: page cut at byte {at}")]
    Elements {
        /// The budget's `max_elements`.
        limit: usize,
        /// Byte offset of the cut.
        at: usize,
    },
    /// One element with more than `limit` attributes.
    #[error("an element with more than {limit} attributes: page cut at byte {at}")]
    AttributesPerElement {
        /// The budget's `max_attributes_per_element`.
        limit: usize,
        /// Byte offset of the cut.
        at: usize,
    },
    /// More than `limit` attributes on the page.
    #[error("more than {limit} attributes: page cut at byte {at}")]
    Attributes {
        /// The budget's `max_attributes`.
        limit: usize,
        /// Byte offset of the cut.
        at: usize,
    },
}

/// Elements whose content is text up to their own end tag.
const RAW_TEXT: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
];
/// Elements that never have content.
const VOID: &[&str] = &[
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img",
    "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
];
/// Formatting elements the parser reopens ("reconstructs") after block boundaries.
const FORMATTING: &[&str] = &[
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
];
/// A start tag of the first closes an open element of the second when it is near the top of
/// the stack (the optional end tags of HTML's syntax).
const IMPLIED_END: &[(&str, &[&str])] = &[
    ("p", &["p"]),
    ("li", &["li"]),
    ("dt", &["dt", "dd"]),
    ("dd", &["dt", "dd"]),
    ("option", &["option"]),
    ("optgroup", &["option", "optgroup"]),
    ("tr", &["tr", "td", "th"]),
    ("td", &["td", "th"]),
    ("th", &["td", "th"]),
];
/// Elements an implied end does not reach past (the scopes of HTML's tree builder, roughly:
/// a `<li>` in a nested list does not close the outer list's item).
const BARRIER: &[&str] = &[
    "ul", "ol", "dl", "table", "select", "div", "svg", "math", "button", "object", "template",
];
/// Start tags that close an open `p` (HTML's "closes a p element in button scope").
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "ul",
];
/// How far down the stack an end tag (or an implied end) looks for its element: bounds the
/// scan's own work on a stack as deep as the budget allows.
const SEARCH: usize = 64;

/// `html`, cut at the first tag over `budget`, and which limit it went over (`None`: the page
/// is whole).
pub fn bound_html<'a>(html: &'a str, budget: &ParseBudget) -> (Cow<'a, str>, Option<OverBudget>) {
    match scan(html.as_bytes(), budget) {
        Some(over) => {
            let at = over_at(&over);
            // `at` is the offset of a `<`, an ASCII byte: always a character boundary.
            let head = html.get(..at).unwrap_or_default();
            (Cow::Borrowed(head), Some(over))
        }
        None => (Cow::Borrowed(html), None),
    }
}

fn over_at(over: &OverBudget) -> usize {
    match *over {
        OverBudget::Depth { at, .. }
        | OverBudget::Elements { at, .. }
        | OverBudget::AttributesPerElement { at, .. }
        | OverBudget::Attributes { at, .. } => at,
    }
}

/// Open elements as the scan sees them.
struct Stack {
    names: Vec<Box<[u8]>>,
    formatting: usize,
    foreign: usize,
}

impl Stack {
    fn push(&mut self, name: &[u8]) {
        self.formatting += usize::from(is_one_of(name, FORMATTING));
        self.foreign += usize::from(name == b"svg" || name == b"math");
        self.names.push(name.into());
    }

    /// Pops down to and including the nearest of `names` within [`SEARCH`] of the top, not
    /// past an element of `barrier`.
    fn close(&mut self, names: &[&[u8]], barrier: &[&str]) {
        let len = self.names.len();
        let mut found = None;
        for (from_top, n) in self.names.iter().rev().take(SEARCH).enumerate() {
            if names.iter().any(|m| **n == **m) {
                found = Some(from_top);
                break;
            }
            if is_one_of(n, barrier) {
                break;
            }
        }
        let Some(from_top) = found else {
            return;
        };
        for name in self.names.drain(len - from_top - 1..) {
            self.formatting -= usize::from(is_one_of(&name, FORMATTING));
            self.foreign -= usize::from(&*name == b"svg" || &*name == b"math");
        }
    }
}

fn is_one_of(name: &[u8], set: &[&str]) -> bool {
    set.iter().any(|s| s.as_bytes() == name)
}

fn scan(html: &[u8], budget: &ParseBudget) -> Option<OverBudget> {
    let mut stack = Stack {
        names: Vec::new(),
        formatting: 0,
        foreign: 0,
    };
    let mut elements = 0usize;
    let mut attributes = 0usize;
    let mut i = 0;
    while let Some(lt) = memchr(b'<', html, i) {
        let at = lt;
        i = lt + 1;
        match html.get(i) {
            Some(b'!') => {
                i = if html[i..].starts_with(b"!--") {
                    find(html, i + 3, b"-->").map_or(html.len(), |e| e + 3)
                } else {
                    memchr(b'>', html, i).map_or(html.len(), |e| e + 1)
                };
            }
            Some(b'?') => i = memchr(b'>', html, i).map_or(html.len(), |e| e + 1),
            Some(b'/') => {
                let (name, end) = tag_name(html, i + 1);
                i = memchr(b'>', html, end).map_or(html.len(), |e| e + 1);
                if !name.is_empty() {
                    stack.close(&[&name], &[]);
                }
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let (name, end) = tag_name(html, i);
                let (attrs, self_closing, end) = attributes_of(html, end);
                i = end;
                if attrs > budget.max_attributes_per_element {
                    let limit = budget.max_attributes_per_element;
                    return Some(OverBudget::AttributesPerElement { limit, at });
                }
                attributes += attrs;
                if attributes > budget.max_attributes {
                    let limit = budget.max_attributes;
                    return Some(OverBudget::Attributes { limit, at });
                }
                elements += 1 + stack.formatting;
                if elements > budget.max_elements {
                    let limit = budget.max_elements;
                    return Some(OverBudget::Elements { limit, at });
                }
                if name == b"plaintext" {
                    // Everything after it is text.
                    return None;
                }
                if is_one_of(&name, RAW_TEXT) {
                    i = raw_text_end(html, i, &name);
                    continue;
                }
                if is_one_of(&name, VOID) || (self_closing && stack.foreign > 0) {
                    continue;
                }
                if let Some((_, closes)) = IMPLIED_END.iter().find(|(n, _)| n.as_bytes() == &*name)
                {
                    let closes: Vec<&[u8]> = closes.iter().map(|c| c.as_bytes()).collect();
                    stack.close(&closes, BARRIER);
                }
                if is_one_of(&name, CLOSES_P) && stack.names.last().is_some_and(|n| &**n == b"p") {
                    stack.close(&[b"p"], &[]);
                }
                stack.push(&name);
                if stack.names.len() > budget.max_depth {
                    let limit = budget.max_depth;
                    return Some(OverBudget::Depth { limit, at });
                }
            }
            _ => {}
        }
    }
    None
}

fn memchr(byte: u8, html: &[u8], from: usize) -> Option<usize> {
    html.get(from..)?
        .iter()
        .position(|&b| b == byte)
        .map(|p| from + p)
}

fn find(html: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    html.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// The lower-cased tag name starting at `from`, and where it ends.
fn tag_name(html: &[u8], from: usize) -> (Vec<u8>, usize) {
    let end = html
        .get(from..)
        .and_then(|rest| {
            rest.iter()
                .position(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>')
        })
        .map_or(html.len(), |p| from + p);
    let name = html.get(from..end).unwrap_or_default().to_ascii_lowercase();
    (name, end)
}

/// Counts the attributes of a start tag from `from` (just after its name); returns the count,
/// whether it ended with `/>`, and the offset after its `>`.
fn attributes_of(html: &[u8], mut i: usize) -> (usize, bool, usize) {
    let mut count = 0;
    let mut slash = false;
    loop {
        while html.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        match html.get(i) {
            None => return (count, false, html.len()),
            Some(b'>') => return (count, slash, i + 1),
            Some(b'/') => {
                slash = true;
                i += 1;
                continue;
            }
            Some(_) => {}
        }
        slash = false;
        count += 1;
        // The name: at least one byte (a leading `=` belongs to it, as in the tokenizer).
        i += 1;
        while html
            .get(i)
            .is_some_and(|b| !b.is_ascii_whitespace() && !matches!(b, b'/' | b'>' | b'='))
        {
            i += 1;
        }
        while html.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        if html.get(i) != Some(&b'=') {
            continue;
        }
        i += 1;
        while html.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        match html.get(i) {
            Some(&q @ (b'"' | b'\'')) => {
                i = memchr(q, html, i + 1).map_or(html.len(), |e| e + 1);
            }
            _ => {
                while html
                    .get(i)
                    .is_some_and(|b| !b.is_ascii_whitespace() && *b != b'>')
                {
                    i += 1;
                }
            }
        }
    }
}

/// Offset after the end tag `</name` of a raw-text element whose content starts at `from`.
fn raw_text_end(html: &[u8], from: usize, name: &[u8]) -> usize {
    let mut i = from;
    while let Some(lt) = find(html, i, b"</") {
        let start = lt + 2;
        let candidate = html.get(start..start + name.len());
        if candidate.is_some_and(|c| c.eq_ignore_ascii_case(name)) {
            return memchr(b'>', html, start).map_or(html.len(), |e| e + 1);
        }
        i = start;
    }
    html.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn over(html: &str) -> Option<OverBudget> {
        bound_html(html, &ParseBudget::default()).1
    }

    #[test]
    fn ordinary_pages_are_whole() {
        let page = concat!(
            "<!doctype html><html><head><title>a < b</title><script>if (a<b) {}</script>",
            "<style>p>a{}</style></head><body><!-- <div><div> --><ul>",
            "<li><a href=x>one</a><li>two<li>three</ul><p>para<p>para<br><img src=a alt='>'>",
            "<table><tr><td>1<td>2<tr><td>3</table><svg><path d=x /><path/></svg></body></html>"
        );
        let (text, cut) = bound_html(page, &ParseBudget::default());
        assert_eq!(cut, None);
        assert_eq!(text, page);
        // A thousand list items and paragraphs never closed are siblings, not a deep tree.
        let sloppy = "<ul>".to_string() + &"<li><p>item".repeat(2_000) + "</ul>";
        assert_eq!(over(&sloppy), None);
    }

    #[test]
    fn deep_nesting_is_cut_at_the_first_tag_over_the_limit() {
        let html = "<div>".repeat(800_000);
        let (text, cut) = bound_html(&html, &ParseBudget::default());
        assert_eq!(
            cut,
            Some(OverBudget::Depth {
                limit: 512,
                at: 512 * 5
            })
        );
        assert_eq!(text.len(), 512 * 5);
        // Closed elements do not add up.
        assert_eq!(over(&"<div><span>x</span></div>".repeat(10_000)), None);
        // `<div/>` does not close a div in HTML (only in svg and math).
        assert!(matches!(
            over(&"<div/>".repeat(600)),
            Some(OverBudget::Depth { .. })
        ));
        assert!(matches!(
            over(&"<ul><li>".repeat(300)),
            Some(OverBudget::Depth { .. })
        ));
    }

    #[test]
    fn attribute_and_element_counts_are_bounded() {
        let one = format!("<div {}>x</div>", "a=1 ".repeat(500_000));
        assert_eq!(
            over(&one),
            Some(OverBudget::AttributesPerElement { limit: 256, at: 0 })
        );
        let many = "<br class=a id=b>".repeat(120_000);
        assert!(matches!(over(&many), Some(OverBudget::Elements { .. })));
        let wide = "<i a b c d e f g h>x</i>".repeat(60_000);
        assert!(matches!(over(&wide), Some(OverBudget::Attributes { .. })));
        // Open formatting elements are charged to every element after them.
        let reopened = "<b id=1>".repeat(400) + &"<p>x".repeat(1_000);
        assert!(matches!(over(&reopened), Some(OverBudget::Elements { .. })));
    }

    #[test]
    fn tags_inside_comments_and_raw_text_do_not_count() {
        let hidden = format!(
            "<script>{}</script><!--{}--><textarea>{}</TEXTAREA>",
            "<div>".repeat(1_000),
            "<div>".repeat(1_000),
            "<div>".repeat(1_000)
        );
        assert_eq!(over(&hidden), None);
    }

    #[test]
    fn truncated_and_odd_input_never_panics() {
        for html in [
            "<",
            "<!",
            "<!--",
            "</",
            "<a",
            "<a b",
            "<a b=",
            "<a b='",
            "<script>",
            "<a/",
            "é<é>",
            "<\u{301}>",
        ] {
            let _ = bound_html(html, &ParseBudget::default());
        }
    }
}
