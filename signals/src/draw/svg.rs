//! A small SVG writer: every text and attribute value it is given is escaped, so a scraped
//! shop name or identifier cannot become markup, whatever it holds.
//!
//! Pictures are drawn with presentation attributes (`fill`, `stroke`, `stroke-dasharray`),
//! never `style` attributes or `<style>` elements: the web page's Content-Security-Policy
//! (`style-src 'self'`) forbids inline styles, and presentation attributes are not styles.
//! Numbers are written with one decimal, so the same picture is the same bytes.

use std::fmt::Write as _;

/// An attribute value: text (escaped when written) or a number (one decimal).
#[derive(Debug, Clone, Copy)]
pub enum Value<'a> {
    /// Text, escaped.
    Text(&'a str),
    /// A coordinate or length.
    Num(f64),
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(text: &'a str) -> Self {
        Value::Text(text)
    }
}

impl<'a> From<&'a String> for Value<'a> {
    fn from(text: &'a String) -> Self {
        Value::Text(text)
    }
}

impl From<f64> for Value<'_> {
    fn from(n: f64) -> Self {
        Value::Num(n)
    }
}

/// An SVG document being written. Element names and attribute names come from our code
/// (`&'static str`); values and text may come from anywhere and are escaped.
#[derive(Debug)]
pub struct Svg {
    out: String,
}

impl Svg {
    /// Starts a picture `width` × `height` with its title and description: the accessible
    /// name and the summary a screen reader (and a printed case file's reader) gets.
    pub fn new(width: f64, height: f64, title: &str, desc: &str) -> Svg {
        let mut svg = Svg { out: String::new() };
        svg.open(
            "svg",
            &[
                ("xmlns", "http://www.w3.org/2000/svg".into()),
                ("width", width.into()),
                ("height", height.into()),
                (
                    "viewBox",
                    format!("0 0 {} {}", num(width), num(height))
                        .as_str()
                        .into(),
                ),
                ("role", "img".into()),
                ("font-family", "sans-serif".into()),
                ("font-size", 12.0.into()),
            ],
        );
        svg.text_element("title", &[], title);
        svg.text_element("desc", &[], desc);
        svg
    }

    /// `<tag attrs…>`; close it with [`Svg::close`].
    pub fn open(&mut self, tag: &'static str, attrs: &[(&'static str, Value<'_>)]) {
        self.start_tag(tag, attrs);
        self.out.push('>');
    }

    /// `</tag>`.
    pub fn close(&mut self, tag: &'static str) {
        let _ = write!(self.out, "</{tag}>");
    }

    /// `<tag attrs…/>`.
    pub fn element(&mut self, tag: &'static str, attrs: &[(&'static str, Value<'_>)]) {
        self.start_tag(tag, attrs);
        self.out.push_str("/>");
    }

    /// `<tag attrs…>text</tag>`, the text escaped.
    pub fn text_element(
        &mut self,
        tag: &'static str,
        attrs: &[(&'static str, Value<'_>)],
        text: &str,
    ) {
        self.open(tag, attrs);
        escape_into(&mut self.out, text);
        self.close(tag);
    }

    /// The document, closed.
    pub fn finish(mut self) -> String {
        self.close("svg");
        self.out.push('\n');
        self.out
    }

    fn start_tag(&mut self, tag: &'static str, attrs: &[(&'static str, Value<'_>)]) {
        let _ = write!(self.out, "<{tag}");
        for (name, value) in attrs {
            let _ = write!(self.out, " {name}=\"");
            match value {
                Value::Text(text) => escape_into(&mut self.out, text),
                Value::Num(n) => self.out.push_str(&num(*n)),
            }
            self.out.push('"');
        }
    }
}

/// A number with one decimal (`-0.0` as `0.0`, non-finite as `0.0`): deterministic bytes.
pub fn num(n: f64) -> String {
    let n = if n.is_finite() { n } else { 0.0 };
    let text = format!("{n:.1}");
    if text == "-0.0" {
        "0.0".to_string()
    } else {
        text
    }
}

/// `text` cut to at most `max` characters, the cut marked with an ellipsis (labels).
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut short: String = text.chars().take(max.saturating_sub(1)).collect();
    short.push('…');
    short
}

/// `text` escaped for XML text and attribute values (GraphML uses it too): `& < > " '`
/// become entities; bidi controls are dropped (a U+202E in a shop name would show the rest
/// of the label reversed, issue 23), and so are the characters XML 1.0 cannot hold at all
/// (C0 controls but tab, newline and carriage return; U+FFFE, U+FFFF), which would make
/// the whole document unreadable.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if !is_xml_char(c) || pharmwatch_model::text::is_bidi_control(c) => {}
            c => out.push(c),
        }
    }
}

/// Whether XML 1.0 allows `c` in a document.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_and_attributes_are_escaped() {
        let hostile = "<script>alert('x')</script> & \"q\" \u{202E}gnp.exe\u{0007}";
        let mut svg = Svg::new(10.0, 10.0, hostile, hostile);
        svg.text_element("text", &[("data-shop", hostile.into())], hostile);
        let out = svg.finish();
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains('\u{202E}'));
        assert!(!out.contains('\u{0007}'));
        assert!(out.contains(
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot; gnp.exe"
        ));
        let doc = roxmltree::Document::parse(&out).expect("well-formed");
        let text = doc.descendants().find(|n| n.has_tag_name("text")).unwrap();
        assert_eq!(
            text.text(),
            Some("<script>alert('x')</script> & \"q\" gnp.exe")
        );
        assert_eq!(text.attribute("data-shop"), text.text());
    }

    #[test]
    fn numbers_are_written_the_same_way_every_time() {
        assert_eq!(num(1.0 / 3.0), "0.3");
        assert_eq!(num(-0.01), "0.0");
        assert_eq!(num(f64::NAN), "0.0");
        assert_eq!(num(250.0), "250.0");
    }
}
