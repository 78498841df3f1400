//! Decoding the HTML character references that leak into JSON-LD and attribute values.

/// Replaces `&quot;`, `&amp;`, `&#39;`, `&#x27;`, `&nbsp;` and other common references.
/// Unknown references are left as written.
pub(crate) fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        rest = &rest[pos..];
        let end = rest[1..].find(';').map(|e| e + 1).filter(|&e| e <= 12);
        let decoded = end.and_then(|e| decode_one(&rest[1..e]).map(|c| (c, e)));
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn decode_one(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse::<u32>().ok()?,
        };
        return char::from_u32(code).filter(|&c| c != '\0');
    }
    Some(match name {
        "quot" => '"',
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "euro" => '€',
        "pound" => '£',
        "yen" => '¥',
        "cent" => '¢',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "times" => '×',
        "szlig" => 'ß',
        "deg" => '°',
        "middot" => '·',
        "laquo" => '«',
        "raquo" => '»',
        "iexcl" => '¡',
        "iquest" => '¿',
        _ => return accented_letter(name),
    })
}

/// Latin-1 letters with a diacritic (`&iacute;`, `&Uuml;`, `&ntilde;`, `&ccedil;`): shops
/// in Spanish, Portuguese, French and German write product names with them in JSON-LD.
fn accented_letter(name: &str) -> Option<char> {
    // Each table lists pairs: the base letter, then the letter with the mark.
    const MARKS: &[(&str, &str)] = &[
        ("acute", "aáeéiíoóuúyýAÁEÉIÍOÓUÚYÝ"),
        ("grave", "aàeèiìoòuùAÀEÈIÌOÒUÙ"),
        ("circ", "aâeêiîoôuûAÂEÊIÎOÔUÛ"),
        ("uml", "aäeëiïoöuüyÿAÄEËIÏOÖUÜ"),
        ("tilde", "aãnñoõAÃNÑOÕ"),
        ("cedil", "cçCÇ"),
        ("ring", "aåAÅ"),
        ("slash", "oøOØ"),
    ];
    let mut chars = name.chars();
    let base = chars.next()?;
    let mark = chars.as_str();
    let (_, table) = MARKS.iter().find(|(m, _)| *m == mark)?;
    let letters: Vec<char> = table.chars().collect();
    letters
        .chunks(2)
        .find(|pair| pair[0] == base)
        .and_then(|pair| pair.get(1).copied())
}

#[cfg(test)]
mod tests {
    use super::decode_entities;

    #[test]
    fn common_references_are_decoded() {
        assert_eq!(
            decode_entities("a &amp; b &quot;c&quot; &#39;d&#x27; &euro;5"),
            "a & b \"c\" 'd' €5"
        );
        assert_eq!(decode_entities("AT&T &unknown; &"), "AT&T &unknown; &");
        assert_eq!(decode_entities("&#0; &#xZZ;"), "&#0; &#xZZ;");
    }

    #[test]
    fn accented_latin_letters_are_decoded() {
        assert_eq!(
            decode_entities(
                "Cama Elo&iacute;sa &Uuml;bel Espa&ntilde;a Gar&ccedil;on Stra&szlig;e"
            ),
            "Cama Eloísa Übel España Garçon Straße"
        );
        // A mark on a letter that never carries it, or an unknown mark, stays as written.
        assert_eq!(decode_entities("&qacute; &aoops;"), "&qacute; &aoops;");
    }
}
