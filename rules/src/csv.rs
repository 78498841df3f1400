//! A minimal CSV reader for the reference tables (RFC 4180 quoting, `#` comment lines).
//!
//! The reference files are small, hand-edited and reviewed in diffs; a dependency for them
//! would cost more build time than these lines.

/// One data row: its 1-based line number and its fields.
pub(crate) struct Row {
    pub line: usize,
    pub fields: Vec<String>,
}

/// Splits `src` into rows, skipping blank lines and lines starting with `#`.
/// Quoted fields may contain commas and doubled quotes, not newlines.
pub(crate) fn parse(src: &str) -> Result<Vec<Row>, (usize, String)> {
    let mut rows = Vec::new();
    for (i, raw) in src.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        rows.push(Row {
            line: i + 1,
            fields: split_line(line).map_err(|m| (i + 1, m))?,
        });
    }
    Ok(rows)
}

fn split_line(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    cur.push('"');
                } else {
                    quoted = false;
                }
            } else {
                cur.push(c);
            }
        } else if c == '"' && at_start {
            quoted = true;
            at_start = false;
        } else if c == ',' {
            fields.push(std::mem::take(&mut cur).trim().to_string());
            at_start = true;
        } else {
            if !c.is_whitespace() {
                at_start = false;
            }
            cur.push(c);
        }
    }
    if quoted {
        return Err("unterminated quoted field: close it with `\"`".into());
    }
    fields.push(cur.trim().to_string());
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_and_comments() {
        let rows = parse("# c\na,\"b, c\",\"say \"\"hi\"\"\"\n\n x , y\n").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].fields, vec!["a", "b, c", "say \"hi\""]);
        assert_eq!(rows[1].line, 4);
        assert_eq!(rows[1].fields, vec!["x", "y"]);
        assert!(parse("a,\"b\n").is_err());
    }
}
