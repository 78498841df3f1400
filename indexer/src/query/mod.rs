//! The query language investigators type (Lucene-like, with pharmwatch's fields).
//!
//! ```text
//! oxycodone                     bare words search title, description, seller and drug names
//! "no prescription"             phrase (words in order); "oxycodone pills"~4: up to 4 words apart
//! 奥施康定                       Chinese/Japanese/Korean: found anywhere in the text (bigram phrase);
//!                               a single character (片) is found inside words too
//! 40mg                          letters and digits are split: matches "40mg" and "40 mg"
//! oxy*  0xyc?d?ne               wildcards * and ? within one word (also on identifier fields)
//! /v[1i]agra/                   regular expression over whole words (text: lower-case, accents
//!                               folded) or whole values (identifier fields)
//! oxycodon~1                    fuzzy: up to 1 edit (~ alone: 2)
//! a b   a AND b   a && b        both (AND is the default between clauses)
//! a OR b   a || b               either; AND binds tighter: a OR b c = a OR (b AND c)
//! NOT a   -a   !a               without; +a: required (the default anyway)
//! ( … )                         grouping; field:(a OR b) applies the field to the group
//! term^2                        boost a clause (relevance sort)
//! *                             everything (an empty query too)
//!
//! text fields         title: description: seller: url: payment: shipping:
//! identifier fields   drug: drug_class: rule: site: site_kind: domain: contact: currency:
//!                     language: digest: (case-insensitive)   gtin: run: id: (exact)
//!                     drug: also takes brand names and synonyms the searcher was given
//!                     (drug:ozempic finds semaglutide; see `DrugNames`)
//! numbers             price: (listing currency) price_usd: unit_price_usd: score:
//! severity            severity:high  severity:>=medium  severity:[low TO high]  (info < low <
//!                     medium < high < critical, or 0–4)
//! dates (UTC)         first_seen: last_seen:  2026-11-01 (that day), 2026-11, 2026,
//!                     2026-11-01T08:30:00Z, now, now-7d (units s m h d w)
//! ranges              field:[a TO b] inclusive, field:{a TO b} exclusive, mixed [a TO b},
//!                     open ends with *; field:>a  field:>=a  field:<b  field:<=b;
//!                     a date stands for its whole day/month/year; field:* = has a value
//! flagged             flagged:true | flagged:false — without it only flagged listings are
//!                     searched (unless the request includes unflagged ones)
//! ```
//!
//! Operators are upper-case (`and` is a word). Escape special characters with `\`.
//! Aliases: drugs, rules, rule_id, class, kind, host, lang, contacts, evidence,
//! evidence_digest, unit_price, desc.

mod compile;
pub mod cost;
mod dates;
pub mod fields;
mod guard;
mod lexer;
mod parser;

pub(crate) use compile::{Compiled, Lookup, compile};

/// Parses `query` into a tree, within the limits of [`cost`].
pub(crate) fn parse(query: &str) -> Result<parser::Node, QueryError> {
    cost::check_length(query)?;
    let node = parser::parse(query)?;
    cost::check(query, &node)?;
    Ok(node)
}

use crate::error::QueryError;

/// Checks a query's syntax and fields without searching (for as-you-type validation).
pub fn validate(query: &str) -> Result<(), QueryError> {
    let node = parse(query)?;
    let (_, fields) = crate::schema::build();
    compile(query, &node, &fields, &crate::DrugNames::new()).map(|_| ())
}
