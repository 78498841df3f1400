//! The query language investigators type (Lucene-like, with pharmwatch's fields).
//!
//! ```text
//! oxycodone                      bare words search title, description, seller and drug names
//! "no prescription"              phrase (words in order); "oxycodone mg"~3 allows 3 words apart
//! 奥施康定                        Chinese: found anywhere in the text (bigram phrase)
//! oxy*  0xyc?d?ne                wildcards * and ? (in one word)
//! oxycodon~1                     fuzzy: up to 1 (or 2, the default for ~) edits
//! a b  /  a AND b  /  a && b     both (AND is the default between clauses)
//! a OR b  /  a || b              either
//! NOT a  /  -a  /  !a            without; +a = required (the default anyway)
//! ( … )                          grouping; field:(a OR b) applies the field to the group
//! title:… description:… seller:… url:… payment:… shipping:…     text fields
//! drug:… drug_class:… rule:… site:… site_kind:… domain:… contact:… currency:… language:…
//! gtin:… run:… digest:… id:…                                   exact values (wildcards ok)
//! price:… price_usd:… unit_price_usd:… score:…                 numbers
//! severity:high  severity:>=medium  severity:[low TO high]     info<low<medium<high<critical
//! first_seen:… last_seen:…        2026-11-01, 2026-11, 2026, 2026-11-01T08:30:00Z, now-7d
//! field:[a TO b]  field:{a TO b}  field:[a TO *]  field:>=a  field:<b   ranges and comparisons
//! flagged:true|false              (without it only flagged listings are searched by default)
//! *                               everything
//! term^2                          boost a term
//! ```
//!
//! Operators are upper-case (`and` is a word). Escape special characters with `\`.
//! Aliases: drugs, rules, rule_id, class, kind, host, lang, contacts, evidence, unit_price, desc.

mod compile;
mod dates;
pub mod fields;
mod guard;
mod lexer;
mod parser;

pub(crate) use compile::{Compiled, compile};
pub(crate) use parser::parse;

use crate::error::QueryError;

/// Checks a query's syntax and fields without searching (for as-you-type validation).
pub fn validate(query: &str) -> Result<(), QueryError> {
    let node = parse(query)?;
    let (_, fields) = crate::schema::build();
    compile(query, &node, &fields).map(|_| ())
}
