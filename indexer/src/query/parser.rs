//! Recursive descent from tokens to a query tree.
//!
//! Precedence, loosest first: `OR`, then `AND` (also implied between clauses), then the
//! prefix operators `NOT`/`-`/`!` and `+`.

use std::ops::Range;

use super::fields::{self, QueryField};
use super::lexer::{Lexer, Modifiers, Tok, Token};
use crate::error::QueryError;

/// Deepest nesting of groups and prefix operators accepted (keeps recursion bounded).
const MAX_DEPTH: usize = 64;

/// A value as typed, with its span (for error messages at compile time).
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub text: String,
    pub span: Range<usize>,
    /// The value came from a `"quoted phrase"`.
    pub quoted: bool,
    /// Regex-like pattern when the word holds unescaped `*`/`?` (see the lexer).
    pub wildcard: Option<String>,
    /// The value is a `/regular expression/` (in `text`).
    pub regex: bool,
    pub modifiers: Modifiers,
}

/// `<`, `<=`, `>`, `>=` in `field:>=value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Lt,
    Le,
    Gt,
    Ge,
}

/// One end of a range; `None` text means `*` (open).
#[derive(Debug, Clone, PartialEq)]
pub struct RangeEnd {
    pub value: Option<Value>,
    pub inclusive: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    /// `*` alone: every listing.
    All,
    /// A term or phrase; `field` is `None` for the default fields.
    Term {
        field: Option<&'static QueryField>,
        value: Value,
    },
    Range {
        field: &'static QueryField,
        field_span: Range<usize>,
        lower: RangeEnd,
        upper: RangeEnd,
    },
    Compare {
        field: &'static QueryField,
        field_span: Range<usize>,
        op: CompareOp,
        value: Value,
    },
}

/// Parses `query` into a tree; an empty query is [`Node::All`].
pub fn parse(query: &str) -> Result<Node, QueryError> {
    let tokens = Lexer::tokenize(query)?;
    let mut p = Parser {
        query,
        tokens,
        pos: 0,
    };
    if p.tokens.is_empty() {
        return Ok(Node::All);
    }
    let node = p.or(None, 0)?;
    if let Some(t) = p.peek() {
        return Err(p.unexpected(t));
    }
    Ok(node)
}

struct Parser<'q> {
    query: &'q str,
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn end(&self) -> usize {
        self.query.len()
    }

    fn err(&self, at: usize, message: impl Into<String>) -> QueryError {
        QueryError::new(self.query, at, message)
    }

    fn unexpected(&self, t: &Token) -> QueryError {
        match &t.tok {
            Tok::RParen => self
                .err(
                    t.span.start,
                    "unbalanced parenthesis: this `)` has no matching `(`",
                )
                .hint("remove it, or add `(` where the group starts"),
            Tok::RangeClose { .. } => self
                .err(t.span.start, "this bracket closes no range")
                .hint("ranges are written field:[low TO high], e.g. price_usd:[0 TO 5]"),
            Tok::RangeOpen { .. } => self
                .err(t.span.start, "a range needs a field")
                .hint("write it after a field name, e.g. price_usd:[0 TO 5]"),
            Tok::And | Tok::Or => {
                let op = &self.query[t.span.clone()];
                self.err(t.span.start, format!("`{op}` needs a clause on its left"))
                    .hint("remove the operator or put a term before it")
            }
            _ => self.err(t.span.start, "unexpected input"),
        }
    }

    fn or(&mut self, field: Option<&'static QueryField>, depth: usize) -> Result<Node, QueryError> {
        let mut items = vec![self.and(field, depth)?];
        while let Some(t) = self.peek() {
            if t.tok != Tok::Or {
                break;
            }
            let t = t.clone();
            self.pos += 1;
            self.expect_clause_after(&t)?;
            items.push(self.and(field, depth)?);
        }
        Ok(if items.len() == 1 {
            items.pop().unwrap_or(Node::All)
        } else {
            Node::Or(items)
        })
    }

    fn and(
        &mut self,
        field: Option<&'static QueryField>,
        depth: usize,
    ) -> Result<Node, QueryError> {
        let mut items = vec![self.unary(field, depth)?];
        loop {
            match self.peek().map(|t| &t.tok) {
                None | Some(Tok::RParen) | Some(Tok::Or) => break,
                Some(Tok::And) => {
                    if let Some(t) = self.next() {
                        self.expect_clause_after(&t)?;
                    }
                }
                _ => {}
            }
            items.push(self.unary(field, depth)?);
        }
        Ok(if items.len() == 1 {
            items.pop().unwrap_or(Node::All)
        } else {
            Node::And(items)
        })
    }

    /// After a binary or prefix operator there must be a clause.
    fn expect_clause_after(&self, op: &Token) -> Result<(), QueryError> {
        let op_text = &self.query[op.span.clone()];
        match self.peek().map(|t| &t.tok) {
            None | Some(Tok::RParen) => Err(self
                .err(
                    op.span.start,
                    format!("dangling operator: `{op_text}` has nothing on its right"),
                )
                .hint("add a term after it, or remove it")),
            Some(Tok::And) | Some(Tok::Or) => {
                let next = self.peek().map_or(op.span.end, |t| t.span.start);
                Err(self
                    .err(next, format!("two operators in a row after `{op_text}`"))
                    .hint("remove one of them"))
            }
            _ => Ok(()),
        }
    }

    fn unary(
        &mut self,
        field: Option<&'static QueryField>,
        depth: usize,
    ) -> Result<Node, QueryError> {
        let Some(t) = self.peek().cloned() else {
            return Err(self.err(self.end(), "expected a term"));
        };
        if depth > MAX_DEPTH {
            return Err(self
                .err(t.span.start, "query nested too deeply")
                .hint("simplify the groups"));
        }
        match t.tok {
            Tok::Not | Tok::Minus => {
                self.pos += 1;
                self.expect_clause_after(&t)?;
                Ok(Node::Not(Box::new(self.unary(field, depth + 1)?)))
            }
            Tok::Plus => {
                self.pos += 1;
                self.expect_clause_after(&t)?;
                self.unary(field, depth + 1)
            }
            _ => self.primary(field, depth),
        }
    }

    fn primary(
        &mut self,
        field: Option<&'static QueryField>,
        depth: usize,
    ) -> Result<Node, QueryError> {
        let Some(t) = self.next() else {
            return Err(self.err(self.end(), "expected a term"));
        };
        match t.tok {
            Tok::LParen => self.group(t.span, field, depth),
            Tok::Field(name) => {
                let f = fields::lookup(&name).ok_or_else(|| {
                    let guess = fields::closest(&name)
                        .map(|c| format!(" (did you mean `{c}`?)"))
                        .unwrap_or_default();
                    self.err(t.span.start, format!("unknown field `{name}`{guess}"))
                        .hint(format!("valid fields: {}", fields::valid_names()))
                })?;
                self.field_value(f, t.span, depth)
            }
            Tok::Word { ref text, .. } if text == "*" && field.is_none() => Ok(Node::All),
            tok @ (Tok::Word { .. } | Tok::Quoted { .. } | Tok::Regex { .. }) => Ok(Node::Term {
                field,
                value: value_of(tok, t.span),
            }),
            _ => Err(self.unexpected(&t)),
        }
    }

    fn group(
        &mut self,
        open: Range<usize>,
        field: Option<&'static QueryField>,
        depth: usize,
    ) -> Result<Node, QueryError> {
        if self.peek().is_some_and(|t| t.tok == Tok::RParen) {
            return Err(self
                .err(open.start, "empty group `()`")
                .hint("put terms inside or remove it"));
        }
        if self.peek().is_none() {
            return Err(self
                .err(
                    open.start,
                    "unbalanced parenthesis: this `(` is never closed",
                )
                .hint("add `)` to close the group"));
        }
        let inner = self.or(field, depth + 1)?;
        match self.next() {
            Some(Token {
                tok: Tok::RParen, ..
            }) => Ok(inner),
            _ => Err(self
                .err(
                    open.start,
                    "unbalanced parenthesis: this `(` is never closed",
                )
                .hint("add `)` to close the group")),
        }
    }

    fn field_value(
        &mut self,
        field: &'static QueryField,
        field_span: Range<usize>,
        depth: usize,
    ) -> Result<Node, QueryError> {
        let after_colon = field_span.end + 1;
        let missing = |p: &Self| {
            p.err(
                after_colon.min(p.end()),
                format!("missing value after `{}:`", field.name),
            )
            .hint(format!("e.g. {}", example(field)))
        };
        let Some(t) = self.next() else {
            return Err(missing(self));
        };
        match t.tok {
            Tok::LParen => self.group(t.span, Some(field), depth),
            Tok::RangeOpen { inclusive } => self.range(field, field_span, t.span, inclusive),
            Tok::Word { ref text, .. } if compare_prefix(text).is_some() => {
                self.compare(field, field_span, t)
            }
            tok @ (Tok::Word { .. } | Tok::Quoted { .. } | Tok::Regex { .. }) => Ok(Node::Term {
                field: Some(field),
                value: value_of(tok, t.span),
            }),
            _ => {
                self.pos -= 1;
                Err(missing(self))
            }
        }
    }

    fn compare(
        &mut self,
        field: &'static QueryField,
        field_span: Range<usize>,
        t: Token,
    ) -> Result<Node, QueryError> {
        let Tok::Word {
            text, modifiers, ..
        } = t.tok
        else {
            return Err(self.err(t.span.start, "expected a comparison"));
        };
        let (op, len) = compare_prefix(&text).unwrap_or((CompareOp::Ge, 0));
        let rest = &text[len..];
        let value = if rest.is_empty() {
            // `price_usd:< 5`: the value is the next word.
            match self.next() {
                Some(Token {
                    tok:
                        Tok::Word {
                            text, modifiers, ..
                        },
                    span,
                }) => Value {
                    text,
                    span,
                    quoted: false,
                    wildcard: None,
                    regex: false,
                    modifiers,
                },
                _ => {
                    return Err(self
                        .err(t.span.end, format!("missing value after `{}`", &text))
                        .hint(format!("e.g. {}", example(field))));
                }
            }
        } else {
            Value {
                text: rest.to_string(),
                span: t.span.start + len..t.span.end,
                quoted: false,
                wildcard: None,
                regex: false,
                modifiers,
            }
        };
        Ok(Node::Compare {
            field,
            field_span,
            op,
            value,
        })
    }

    fn range(
        &mut self,
        field: &'static QueryField,
        field_span: Range<usize>,
        open: Range<usize>,
        lower_inclusive: bool,
    ) -> Result<Node, QueryError> {
        let bad = |p: &Self, at: usize, what: &str| {
            p.err(at, format!("bad range: {what}"))
                .hint("ranges are written [low TO high] (inclusive) or {low TO high} (exclusive); `*` leaves an end open, e.g. price_usd:[0 TO 5], first_seen:[2026-01-01 TO *]")
        };
        let lower = self
            .range_value()
            .map_err(|at| bad(self, at, "expected the lower bound"))?;
        match self.next() {
            Some(Token {
                tok: Tok::Word { ref text, .. },
                ..
            }) if text == "TO" => {}
            Some(t) => return Err(bad(self, t.span.start, "expected `TO` between the bounds")),
            None => return Err(bad(self, self.end(), "expected `TO` between the bounds")),
        }
        let upper = self
            .range_value()
            .map_err(|at| bad(self, at, "expected the upper bound"))?;
        let upper_inclusive = match self.next() {
            Some(Token {
                tok: Tok::RangeClose { inclusive },
                ..
            }) => inclusive,
            Some(t) => {
                return Err(bad(
                    self,
                    t.span.start,
                    "expected `]` or `}` to close the range",
                ));
            }
            None => {
                return Err(bad(
                    self,
                    open.start,
                    "this range is never closed with `]` or `}`",
                ));
            }
        };
        Ok(Node::Range {
            field,
            field_span,
            lower: RangeEnd {
                value: lower,
                inclusive: lower_inclusive,
            },
            upper: RangeEnd {
                value: upper,
                inclusive: upper_inclusive,
            },
        })
    }

    /// A bound: a word or quoted value, `None` for `*`; on error the position of the problem.
    fn range_value(&mut self) -> Result<Option<Value>, usize> {
        let end = self.end();
        let t = self.next().ok_or(end)?;
        match t.tok {
            Tok::Word { ref text, .. } if text == "*" => Ok(None),
            Tok::Word { ref text, .. } if text == "TO" => Err(t.span.start),
            tok @ (Tok::Word { .. } | Tok::Quoted { .. } | Tok::Regex { .. }) => {
                Ok(Some(value_of(tok, t.span)))
            }
            _ => Err(t.span.start),
        }
    }
}

/// The value of a word or quoted token (other tokens carry none: an empty value).
fn value_of(tok: Tok, span: Range<usize>) -> Value {
    match tok {
        Tok::Word {
            text,
            wildcard,
            pattern,
            modifiers,
        } => Value {
            text,
            span,
            quoted: false,
            wildcard: wildcard.then_some(pattern),
            regex: false,
            modifiers,
        },
        Tok::Quoted { text, modifiers } => Value {
            text,
            span,
            quoted: true,
            wildcard: None,
            regex: false,
            modifiers,
        },
        Tok::Regex { pattern, modifiers } => Value {
            text: pattern,
            span,
            quoted: false,
            wildcard: None,
            regex: true,
            modifiers,
        },
        _ => Value {
            text: String::new(),
            span,
            quoted: false,
            wildcard: None,
            regex: false,
            modifiers: Modifiers::default(),
        },
    }
}

fn compare_prefix(text: &str) -> Option<(CompareOp, usize)> {
    if text.starts_with(">=") {
        Some((CompareOp::Ge, 2))
    } else if text.starts_with("<=") {
        Some((CompareOp::Le, 2))
    } else if text.starts_with('>') {
        Some((CompareOp::Gt, 1))
    } else if text.starts_with('<') {
        Some((CompareOp::Lt, 1))
    } else {
        None
    }
}

/// An example query for a field, for hints.
pub fn example(field: &QueryField) -> String {
    use super::fields::Kind;
    match field.kind {
        Kind::Text => format!(
            "{}:oxycodone or {}:\"no prescription\"",
            field.name, field.name
        ),
        Kind::Keyword | Kind::Exact => format!("{}:value or {}:val*", field.name, field.name),
        Kind::Number => format!("{}:[0 TO 5] or {}:<5", field.name, field.name),
        Kind::Severity => "severity:high or severity:>=medium".to_string(),
        Kind::Date => format!("{}:[2026-01-01 TO *] or {}:>now-7d", field.name, field.name),
        Kind::Flag => "flagged:true".to_string(),
    }
}
