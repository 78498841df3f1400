//! Escaping for text, attributes and JSON embedded in `<script>`.

/// Escapes text for HTML content and double- or single-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Serialises a JSON value for a `<script type="application/ld+json">` element: `<`, `>` and
/// `&` become `\u` escapes so no string can close the script or look like markup.
pub fn script_json(value: &serde_json::Value) -> String {
    let json = serde_json::to_string_pretty(value).unwrap_or_else(|_| "{}".to_string());
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"Plasters "Sensitive" & <Co>'s"#),
            "Plasters &quot;Sensitive&quot; &amp; &lt;Co&gt;&#39;s"
        );
        let v = serde_json::json!({"name": "a </script> & b"});
        let s = script_json(&v);
        assert!(!s.contains("</script>"));
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }
}
