//! From the query tree to tantivy queries, and the terms to highlight.

use std::ops::Bound;

use pharmwatch_model::Severity;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, EmptyQuery, ExistsQuery, FuzzyTermQuery, Occur,
    PhraseQuery, Query, RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DateTime, Term};

use super::dates;
use super::fields::{Kind, QueryField};
use super::guard::ExclusionGuard;
use super::parser::{CompareOp, Node, RangeEnd, Value, example};
use crate::analysis::{self, is_cjk};
use crate::drug_names::DrugNames;
use crate::error::QueryError;
use crate::schema::{Fields, names};
use crate::snippet::{Highlights, TokenMatch};

/// Weight of a title match relative to other fields for bare terms.
const TITLE_BOOST: f32 = 2.0;
/// Weight of a drug-name match (the lexicon says it is the drug) for bare terms.
const DRUG_BOOST: f32 = 1.5;

/// A compiled query.
pub struct Compiled {
    pub query: Box<dyn Query>,
    /// The query names `flagged:` itself, so the default flagged-only filter does not apply.
    pub mentions_flagged: bool,
    /// What to highlight in titles and descriptions.
    pub highlights: Highlights,
    /// The identifier values the query names, to tell the user about one the index lacks.
    pub lookups: Vec<Lookup>,
}

/// One `field:value` of an identifier field, as the index holds it.
pub struct Lookup {
    /// The field's name as users type it (`rule`, `drug`).
    pub field: &'static str,
    /// The schema field.
    pub schema_field: Field,
    /// The value as typed.
    pub value: String,
    /// The values searched (the value lower-cased, and for `drug:` the ids it is a name of).
    pub terms: Vec<String>,
}

/// Compiles `node` (parsed from `query`) against the schema `fields`; `drug:` values that are
/// names in `drug_names` also search the drugs they name.
pub fn compile(
    query: &str,
    node: &Node,
    fields: &Fields,
    drug_names: &DrugNames,
) -> Result<Compiled, QueryError> {
    let mut c = Compiler {
        query,
        fields,
        drug_names,
        mentions_flagged: false,
        highlights: Highlights::default(),
        lookups: Vec::new(),
    };
    let q = c.node(node, false)?.unwrap_or_else(|| Box::new(EmptyQuery));
    Ok(Compiled {
        query: q,
        mentions_flagged: c.mentions_flagged,
        highlights: c.highlights,
        lookups: c.lookups,
    })
}

struct Compiler<'a> {
    query: &'a str,
    fields: &'a Fields,
    drug_names: &'a DrugNames,
    mentions_flagged: bool,
    highlights: Highlights,
    lookups: Vec<Lookup>,
}

type Q = Box<dyn Query>;

impl Compiler<'_> {
    fn err(&self, at: usize, message: impl Into<String>) -> QueryError {
        QueryError::new(self.query, at, message)
    }

    fn field(&self, f: &QueryField) -> Result<Field, QueryError> {
        let name = f.schema_name;
        let fl = self.fields;
        Ok(match name {
            names::TITLE => fl.title,
            names::DESCRIPTION => fl.description,
            names::SELLER => fl.seller,
            names::URL => fl.url,
            names::PAYMENT => fl.payment,
            names::SHIPPING => fl.shipping,
            names::DRUG => fl.drug,
            names::DRUG_CLASS => fl.drug_class,
            names::RULE => fl.rule,
            names::SEVERITY => fl.severity,
            names::SCORE => fl.score,
            names::SITE => fl.site,
            names::SITE_KIND => fl.site_kind,
            names::DOMAIN => fl.domain,
            names::CONTACT => fl.contact,
            names::GTIN => fl.gtin,
            names::LANGUAGE => fl.language,
            names::PRICE => fl.price,
            names::CURRENCY => fl.currency,
            names::PRICE_USD => fl.price_usd,
            names::UNIT_PRICE_USD => fl.unit_price_usd,
            names::FIRST_SEEN => fl.first_seen,
            names::LAST_SEEN => fl.last_seen,
            names::RUN => fl.run,
            names::DIGEST => fl.digest,
            names::FLAGGED => fl.flagged,
            names::ID => fl.id,
            _ => return Err(self.err(0, format!("field `{name}` is not searchable"))),
        })
    }

    fn node(&mut self, node: &Node, negated: bool) -> Result<Option<Q>, QueryError> {
        match node {
            Node::All => Ok(Some(Box::new(AllQuery))),
            Node::And(items) => {
                let mut clauses = Vec::new();
                for item in items {
                    match item {
                        Node::Not(inner) => {
                            if let Some(q) = self.node(inner, !negated)? {
                                clauses.push((Occur::MustNot, guarded(q)));
                            }
                        }
                        other => {
                            if let Some(q) = self.node(other, negated)? {
                                clauses.push((Occur::Must, q));
                            }
                        }
                    }
                }
                Ok(boolean(clauses))
            }
            Node::Or(items) => {
                let mut clauses = Vec::new();
                for item in items {
                    if let Some(q) = self.node(item, negated)? {
                        clauses.push((Occur::Should, q));
                    }
                }
                Ok(boolean(clauses))
            }
            Node::Not(inner) => Ok(self
                .node(inner, !negated)?
                .map(|q| boolean_raw(vec![(Occur::MustNot, guarded(q))]))),
            Node::Term { field: None, value } => self.default_fields(value, negated),
            Node::Term {
                field: Some(f),
                value,
            } => self.field_term(f, value, negated),
            Node::Range {
                field,
                field_span,
                lower,
                upper,
            } => self.range(field, field_span.start, lower, upper).map(Some),
            Node::Compare {
                field,
                field_span,
                op,
                value,
            } => {
                let (lower, upper) = match op {
                    CompareOp::Gt => (end(value, false), open_end()),
                    CompareOp::Ge => (end(value, true), open_end()),
                    CompareOp::Lt => (open_end(), end(value, false)),
                    CompareOp::Le => (open_end(), end(value, true)),
                };
                self.range(field, field_span.start, &lower, &upper)
                    .map(Some)
            }
        }
    }

    /// A bare term searches title, description, seller and drug names.
    fn default_fields(&mut self, value: &Value, negated: bool) -> Result<Option<Q>, QueryError> {
        let f = self.fields;
        let mut clauses: Vec<(Occur, Q)> = Vec::new();
        if value.regex {
            for field in [f.title, f.description, f.seller, f.drug] {
                clauses.push((Occur::Should, self.regex_query(field, value, true)?));
            }
            if !negated {
                self.highlights.add_both(text_matchers(value));
            }
            return Ok(boolean(clauses).map(|q| user_boost(q, value)));
        }
        for (field, boost) in [
            (f.title, TITLE_BOOST),
            (f.description, 1.0),
            (f.seller, 1.0),
        ] {
            if let Some(q) = self.text_query(field, value) {
                clauses.push((Occur::Should, boosted(q, boost)));
            }
        }
        if let Some(q) = self.keyword_query(f.drug, value, true)? {
            clauses.push((Occur::Should, boosted(q, DRUG_BOOST)));
        }
        if !negated {
            let m = text_matchers(value);
            self.highlights.add_both(m);
        }
        Ok(boolean(clauses).map(|q| user_boost(q, value)))
    }

    fn field_term(
        &mut self,
        f: &QueryField,
        value: &Value,
        negated: bool,
    ) -> Result<Option<Q>, QueryError> {
        let field = self.field(f)?;
        if value.regex {
            return self.field_regex(f, field, value, negated);
        }
        let q = match f.kind {
            Kind::Text => {
                if !negated {
                    let m = text_matchers(value);
                    if field == self.fields.title {
                        self.highlights.title.extend(m);
                    } else if field == self.fields.description {
                        self.highlights.description.extend(m);
                    }
                }
                self.text_query(field, value)
            }
            Kind::Keyword => {
                self.note_lookup(f, field, value);
                self.keyword_query(field, value, true)?
            }
            Kind::Exact => self.keyword_query(field, value, false)?,
            Kind::Number | Kind::Date | Kind::Severity => {
                if value.wildcard.as_deref() == Some("*") {
                    Some(Box::new(ExistsQuery::new(f.schema_name.to_string(), false)) as Q)
                } else {
                    let lower = end(value, true);
                    self.range(f, value.span.start, &lower, &lower.clone())
                        .map(Some)?
                }
            }
            Kind::Flag => {
                self.mentions_flagged = true;
                let flag = match value.text.to_ascii_lowercase().as_str() {
                    "true" | "yes" | "1" => 1,
                    "false" | "no" | "0" => 0,
                    _ => {
                        return Err(self
                            .err(
                                value.span.start,
                                format!("`{}` is not true or false", value.text),
                            )
                            .hint("flagged:true or flagged:false"));
                    }
                };
                Some(Box::new(TermQuery::new(
                    Term::from_field_u64(field, flag),
                    IndexRecordOption::Basic,
                )) as Q)
            }
        };
        Ok(q.map(|q| user_boost(q, value)))
    }

    fn field_regex(
        &mut self,
        f: &QueryField,
        field: Field,
        value: &Value,
        negated: bool,
    ) -> Result<Option<Q>, QueryError> {
        let case_insensitive = match f.kind {
            Kind::Text | Kind::Keyword => true,
            Kind::Exact => false,
            _ => {
                return Err(self
                    .err(value.span.start, format!("`{}` takes no regular expressions", f.name))
                    .hint("regular expressions work on text and identifier fields, e.g. title:/v[1i]agra/"));
            }
        };
        if f.kind == Kind::Text && !negated {
            if field == self.fields.title {
                self.highlights.title.extend(text_matchers(value));
            } else if field == self.fields.description {
                self.highlights.description.extend(text_matchers(value));
            }
        }
        let q = self.regex_query(field, value, case_insensitive)?;
        Ok(Some(user_boost(q, value)))
    }

    /// `/regex/`: matches whole terms (single words of text fields, whole identifier values).
    fn regex_query(
        &self,
        field: Field,
        value: &Value,
        case_insensitive: bool,
    ) -> Result<Q, QueryError> {
        let pattern = if case_insensitive {
            format!("(?i){}", value.text)
        } else {
            value.text.clone()
        };
        RegexQuery::from_pattern(&pattern, field)
            .map(|q| Box::new(q) as Q)
            .map_err(|e| {
                let detail = e.to_string();
                let detail = detail.lines().next().unwrap_or("").trim();
                self.err(value.span.start, format!("invalid regular expression: {detail}"))
                    .hint("the regex must match a whole word (text fields, lower-case) or a whole value, e.g. title:/v[1i]agra/ or domain:/.*pharma.*/")
            })
    }

    /// Text fields: the value goes through the index's analyzer; several tokens make a phrase.
    fn text_query(&self, field: Field, value: &Value) -> Option<Q> {
        if let Some(pattern) = &value.wildcard {
            return wildcard_query(field, &analysis::normalize_word(pattern));
        }
        if let (Some(d), false) = (value.modifiers.fuzzy, value.quoted)
            && is_one_word(&value.text)
        {
            let term = Term::from_field_text(field, &analysis::normalize_word(&value.text));
            return Some(Box::new(FuzzyTermQuery::new(term, d.min(2), true)));
        }
        let tokens = analysis::analyze(&value.text);
        match tokens.as_slice() {
            [] => None,
            [one] => {
                let mut chars = one.text.chars();
                if let (Some(c), None) = (chars.next(), chars.next())
                    && is_cjk(c)
                {
                    return Some(single_cjk_char(field, c));
                }
                let term = Term::from_field_text(field, &one.text);
                Some(Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)))
            }
            many => {
                let first = many[0].position;
                let terms = many
                    .iter()
                    .map(|t| (t.position - first, Term::from_field_text(field, &t.text)))
                    .collect();
                let slop = if value.quoted {
                    value.modifiers.fuzzy.map_or(0, u32::from)
                } else {
                    0
                };
                Some(Box::new(PhraseQuery::new_with_offset_and_slop(terms, slop)))
            }
        }
    }

    /// Identifier fields: the whole value (lower-cased unless `fold_case` is false).
    fn keyword_query(
        &self,
        field: Field,
        value: &Value,
        fold_case: bool,
    ) -> Result<Option<Q>, QueryError> {
        let norm = |s: &str| {
            if fold_case {
                s.trim().to_lowercase()
            } else {
                s.trim().to_string()
            }
        };
        if let Some(pattern) = &value.wildcard {
            return Ok(wildcard_query(field, &norm(pattern)));
        }
        let text = norm(&value.text);
        if text.is_empty() {
            return Ok(None);
        }
        let term = Term::from_field_text(field, &text);
        if let (Some(d), false) = (value.modifiers.fuzzy, value.quoted) {
            return Ok(Some(Box::new(FuzzyTermQuery::new(term, d.min(2), true))));
        }
        let values = self.values_of(field, text);
        let clauses = values
            .iter()
            .map(|v| {
                let term = Term::from_field_text(field, v);
                (
                    Occur::Should,
                    Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Q,
                )
            })
            .collect();
        Ok(boolean(clauses))
    }

    /// What an exact identifier value searches: itself, and for `drug` the canonical ids of
    /// the drugs it is a name of (`ozempic` → `semaglutide`).
    fn values_of(&self, field: Field, text: String) -> Vec<String> {
        let mut values = vec![text];
        if field == self.fields.drug {
            for id in self.drug_names.ids(&values[0]) {
                if !values.contains(id) {
                    values.push(id.clone());
                }
            }
        }
        values
    }

    /// Keeps a plain `field:value` of an identifier field, so a value the index does not hold
    /// (a mistyped rule id, an unknown drug) can be pointed out instead of silently matching
    /// nothing.
    fn note_lookup(&mut self, f: &QueryField, field: Field, value: &Value) {
        let text = value.text.trim().to_lowercase();
        if value.wildcard.is_some() || value.modifiers.fuzzy.is_some() || text.is_empty() {
            return;
        }
        self.lookups.push(Lookup {
            field: f.name,
            schema_field: field,
            value: value.text.trim().to_string(),
            terms: self.values_of(field, text),
        });
    }

    fn range(
        &mut self,
        f: &QueryField,
        at: usize,
        lower: &RangeEnd,
        upper: &RangeEnd,
    ) -> Result<Q, QueryError> {
        let field = self.field(f)?;
        let (lo, hi) = match f.kind {
            Kind::Number => (
                self.bound(lower, true, |v| self.number(f, v).map(|n| [n, n]))?,
                self.bound(upper, false, |v| self.number(f, v).map(|n| [n, n]))?,
            ),
            Kind::Severity => (
                self.bound(lower, true, |v| self.severity(v).map(|n| [n, n]))?,
                self.bound(upper, false, |v| self.severity(v).map(|n| [n, n]))?,
            ),
            Kind::Date => (
                self.bound(lower, true, |v| self.date(f, v))?,
                self.bound(upper, false, |v| self.date(f, v))?,
            ),
            _ => {
                return Err(self
                    .err(at, format!("`{}` takes no ranges or comparisons", f.name))
                    .hint("ranges work on price, price_usd, unit_price_usd, score, severity, first_seen, last_seen"));
            }
        };
        if lo == Bound::Unbounded && hi == Bound::Unbounded {
            return Ok(Box::new(ExistsQuery::new(f.schema_name.to_string(), false)));
        }
        let term = |v: f64| match f.kind {
            Kind::Severity => Term::from_field_u64(field, v as u64),
            Kind::Date => Term::from_field_date(field, date_time(v)),
            _ => Term::from_field_f64(field, v),
        };
        Ok(Box::new(RangeQuery::new(lo.map(term), hi.map(term))))
    }

    /// One end of a range. `interval` gives the `[start, end]` a value stands for (a day for a
    /// date, a point for a number): an inclusive lower bound starts at its start, an exclusive
    /// one after its end, and so on, as Elasticsearch rounds dates.
    fn bound(
        &self,
        end: &RangeEnd,
        is_lower: bool,
        interval: impl Fn(&Value) -> Result<[f64; 2], QueryError>,
    ) -> Result<Bound<f64>, QueryError> {
        let Some(v) = &end.value else {
            return Ok(Bound::Unbounded);
        };
        let [start, stop] = interval(v)?;
        let point = start == stop;
        Ok(match (is_lower, end.inclusive, point) {
            (true, true, _) => Bound::Included(start),
            (true, false, true) => Bound::Excluded(start),
            (true, false, false) => Bound::Included(stop),
            (false, true, true) => Bound::Included(stop),
            (false, true, false) => Bound::Excluded(stop),
            (false, false, _) => Bound::Excluded(start),
        })
    }

    fn number(&self, f: &QueryField, v: &Value) -> Result<f64, QueryError> {
        v.text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .ok_or_else(|| {
                self.err(v.span.start, format!("`{}` is not a number", v.text))
                    .hint(format!("e.g. {}", example(f)))
            })
    }

    fn severity(&self, v: &Value) -> Result<f64, QueryError> {
        let t = v.text.trim();
        if let Ok(s) = t.parse::<Severity>() {
            return Ok(f64::from(s.rank()));
        }
        match t.parse::<u8>() {
            Ok(n) if n <= 4 => Ok(f64::from(n)),
            _ => Err(self
                .err(v.span.start, format!("`{t}` is not a severity"))
                .hint("use info, low, medium, high, critical (or 0–4), e.g. severity:>=high")),
        }
    }

    /// A date value as the interval of seconds it covers: `[start, end)` is represented as
    /// `[start, end]` with `end` exclusive by the callers.
    fn date(&self, f: &QueryField, v: &Value) -> Result<[f64; 2], QueryError> {
        let (start, end) = dates::parse(v.text.trim()).ok_or_else(|| {
            self.err(v.span.start, format!("`{}` is not a date", v.text))
                .hint(format!(
                    "use 2026-11-01, 2026-11, 2026, 2026-11-01T08:30:00Z, now or now-7d (units s m h d w); e.g. {}",
                    example(f)
                ))
        })?;
        Ok([start as f64, end as f64])
    }
}

/// Seconds as a tantivy date, clamped to what its nanosecond timestamps can hold (1678–2262).
fn date_time(secs: f64) -> DateTime {
    const LIMIT: f64 = (i64::MAX / 1_000_000_000 - 1) as f64;
    DateTime::from_timestamp_secs(secs.clamp(-LIMIT, LIMIT) as i64)
}

fn end(value: &Value, inclusive: bool) -> RangeEnd {
    RangeEnd {
        value: Some(value.clone()),
        inclusive,
    }
}

fn open_end() -> RangeEnd {
    RangeEnd {
        value: None,
        inclusive: true,
    }
}

fn guarded(q: Q) -> Q {
    Box::new(ExclusionGuard(q))
}

fn boosted(q: Q, boost: f32) -> Q {
    if boost == 1.0 {
        q
    } else {
        Box::new(BoostQuery::new(q, boost))
    }
}

fn user_boost(q: Q, value: &Value) -> Q {
    match value.modifiers.boost {
        Some(b) if b.is_finite() && b >= 0.0 => boosted(q, b),
        _ => q,
    }
}

/// A boolean query of the clauses, `None` when there are none; a query of only negative
/// clauses matches everything else.
fn boolean(clauses: Vec<(Occur, Q)>) -> Option<Q> {
    match clauses.len() {
        0 => None,
        1 if clauses[0].0 != Occur::MustNot => clauses.into_iter().next().map(|(_, q)| q),
        _ => Some(boolean_raw(clauses)),
    }
}

fn boolean_raw(mut clauses: Vec<(Occur, Q)>) -> Q {
    if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
        clauses.push((Occur::Must, Box::new(AllQuery)));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// Characters that have a meaning in tantivy's regex syntax.
fn regex_escape(c: char, out: &mut String) {
    if "\\.+*?()|[]{}^$#&-~\"<>@".contains(c) {
        out.push('\\');
    }
    out.push(c);
}

/// Translates a lexer wildcard pattern (`*`, `?`, escaped literals) to a regex.
fn wildcard_regex(pattern: &str) -> String {
    let mut out = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(lit) = chars.next() {
                    regex_escape(lit, &mut out);
                }
            }
            '*' => out.push_str(".*"),
            '?' => out.push('.'),
            c => regex_escape(c, &mut out),
        }
    }
    out
}

fn wildcard_query(field: Field, pattern: &str) -> Option<Q> {
    let regex = wildcard_regex(pattern);
    if regex == ".*" {
        return Some(Box::new(AllQuery));
    }
    RegexQuery::from_pattern(&regex, field)
        .ok()
        .map(|q| Box::new(q) as Q)
}

/// A one-character Chinese query: the character alone, or inside any bigram.
fn single_cjk_char(field: Field, c: char) -> Q {
    let mut lit = String::new();
    regex_escape(c, &mut lit);
    match RegexQuery::from_pattern(&format!("{lit}.?|.{lit}"), field) {
        Ok(q) => Box::new(q),
        Err(_) => Box::new(TermQuery::new(
            Term::from_field_text(field, &c.to_string()),
            IndexRecordOption::WithFreqs,
        )),
    }
}

/// A value that the index holds as one token (letters and digits, no CJK, no separators).
fn is_one_word(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_alphanumeric() && !is_cjk(c))
}

/// What to highlight for a text value: one sequence of token matchers per phrase.
fn text_matchers(value: &Value) -> Vec<Vec<TokenMatch>> {
    if value.regex {
        return tantivy_fst::Regex::new(&format!("(?i){}", value.text))
            .map(|r| vec![vec![TokenMatch::Regex(std::sync::Arc::new(r))]])
            .unwrap_or_default();
    }
    if let Some(pattern) = &value.wildcard {
        return vec![vec![TokenMatch::Glob(analysis::normalize_word(pattern))]];
    }
    if let (Some(d), false) = (value.modifiers.fuzzy, value.quoted)
        && is_one_word(&value.text)
    {
        return vec![vec![TokenMatch::Fuzzy(
            analysis::normalize_word(&value.text),
            d.min(2),
        )]];
    }
    let tokens = analysis::analyze(&value.text);
    if let [one] = tokens.as_slice() {
        let mut chars = one.text.chars();
        if let (Some(c), None) = (chars.next(), chars.next())
            && is_cjk(c)
        {
            return vec![vec![TokenMatch::Char(c)]];
        }
    }
    if tokens.is_empty() {
        return Vec::new();
    }
    vec![
        tokens
            .into_iter()
            .map(|t| TokenMatch::Exact(t.text))
            .collect(),
    ]
}
