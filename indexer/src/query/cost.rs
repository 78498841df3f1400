//! What one query may cost, checked on its tree before anything is compiled or searched.
//!
//! A regex, wildcard or fuzzy term is compiled to an automaton and run over a field's whole
//! term dictionary; a query of 3,000 regex terms (64 KB) took 10–22 s of CPU on a tiny index
//! (issue 23). Counting terms bounds that work up front, with an error that names the limit.
//! The time budget of a search ([`crate::SearchBudget`]) is the backstop for the rest.

use super::parser::{Node, Value};
use crate::error::QueryError;

/// Longest query text accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 4096;
/// Most terms (words, phrases, ranges, comparisons) in one query.
pub const MAX_TERMS: usize = 100;
/// Most regex (`/…/`), wildcard (`*`, `?`) and fuzzy (`~`) terms in one query.
pub const MAX_EXPENSIVE_TERMS: usize = 10;

/// Checks the query's length before parsing.
pub(crate) fn check_length(query: &str) -> Result<(), QueryError> {
    if query.len() > MAX_QUERY_BYTES {
        return Err(QueryError::new(
            query,
            MAX_QUERY_BYTES,
            format!(
                "query too long: {} bytes (at most {MAX_QUERY_BYTES})",
                query.len()
            ),
        )
        .hint("search for fewer things at once, or split the search"));
    }
    Ok(())
}

/// Checks the counts of terms and of expensive terms.
pub(crate) fn check(query: &str, node: &Node) -> Result<(), QueryError> {
    let mut terms = Vec::new();
    collect(node, &mut terms);
    if let Some(over) = terms.get(MAX_TERMS) {
        return Err(QueryError::new(
            query,
            over.start,
            format!(
                "too many terms: {} (at most {MAX_TERMS} per query)",
                terms.len()
            ),
        )
        .hint("search for fewer things at once, or split the search"));
    }
    let expensive: Vec<_> = terms.iter().filter(|t| t.expensive).collect();
    if let Some(over) = expensive.get(MAX_EXPENSIVE_TERMS) {
        return Err(QueryError::new(
            query,
            over.start,
            format!(
                "too many regex, wildcard or fuzzy terms: {} (at most {MAX_EXPENSIVE_TERMS} per query)",
                expensive.len()
            ),
        )
        .hint("each of them is matched against every word of the index; use plain words where you can"));
    }
    Ok(())
}

struct TermAt {
    start: usize,
    expensive: bool,
}

fn is_expensive(value: &Value) -> bool {
    value.regex || value.wildcard.is_some() || (!value.quoted && value.modifiers.fuzzy.is_some())
}

fn collect(node: &Node, out: &mut Vec<TermAt>) {
    match node {
        Node::And(nodes) | Node::Or(nodes) => nodes.iter().for_each(|n| collect(n, out)),
        Node::Not(inner) => collect(inner, out),
        Node::All => {}
        Node::Term { value, .. } => out.push(TermAt {
            start: value.span.start,
            expensive: is_expensive(value),
        }),
        Node::Range { field_span, .. } | Node::Compare { field_span, .. } => out.push(TermAt {
            start: field_span.start,
            expensive: false,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse;

    fn checked(query: &str) -> Result<(), QueryError> {
        check_length(query)?;
        check(query, &parse(query)?)
    }

    #[test]
    fn ordinary_queries_pass() {
        for q in [
            "oxycodone",
            "drug:oxycodone AND price_usd:<5 NOT site:a",
            "/v[1i]agra/ oxy* oxycodon~1",
            "\"no prescription\"~4 title:(a OR b OR c)",
        ] {
            assert!(checked(q).is_ok(), "{q}");
        }
    }

    #[test]
    fn each_limit_is_named_in_its_error() {
        let many = vec!["word"; MAX_TERMS + 1].join(" ");
        let e = checked(&many).expect_err("too many terms");
        assert!(
            e.message.contains("too many terms: 101 (at most 100"),
            "{e}"
        );
        assert_eq!(e.position, 5 * MAX_TERMS);

        let regexes = ["/a.*b/"; MAX_EXPENSIVE_TERMS + 1].join(" ");
        let e = checked(&regexes).expect_err("too many regexes");
        assert!(
            e.message
                .contains("regex, wildcard or fuzzy terms: 11 (at most 10"),
            "{e}"
        );
        let wildcards = ["*n*"; MAX_EXPENSIVE_TERMS + 1].join(" OR ");
        assert!(checked(&wildcards).is_err());
        let fuzzy = ["oxycodone~2"; MAX_EXPENSIVE_TERMS + 1].join(" ");
        assert!(checked(&fuzzy).is_err());
        // A phrase's ~N is a distance, not a fuzzy term.
        let phrases = ["\"a b\"~2"; MAX_EXPENSIVE_TERMS + 1].join(" ");
        assert!(checked(&phrases).is_ok());

        let long = "a".repeat(MAX_QUERY_BYTES + 1);
        let e = checked(&long).expect_err("too long");
        assert!(
            e.message
                .contains("query too long: 4097 bytes (at most 4096)"),
            "{e}"
        );
    }
}
