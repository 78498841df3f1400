//! Splits query text into tokens with byte spans.

use std::ops::Range;

use crate::error::QueryError;

/// A word's modifiers: `~N` (fuzzy or phrase slop) and `^N` (boost).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Modifiers {
    pub fuzzy: Option<u8>,
    pub boost: Option<f32>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    LParen,
    RParen,
    /// `[` (inclusive) or `{` (exclusive).
    RangeOpen {
        inclusive: bool,
    },
    /// `]` (inclusive) or `}` (exclusive).
    RangeClose {
        inclusive: bool,
    },
    /// `name:` — the name and the colon, spans the name.
    Field(String),
    /// A bare word, escapes resolved. `wildcard` is true when it holds an unescaped `*` or `?`;
    /// `pattern` then is the word with the wildcards kept and literal `*`/`?` escaped as `\*`.
    Word {
        text: String,
        wildcard: bool,
        pattern: String,
        modifiers: Modifiers,
    },
    Quoted {
        text: String,
        modifiers: Modifiers,
    },
    /// `/regex/`: the pattern between the slashes (`\/` unescaped to `/`).
    Regex {
        pattern: String,
        modifiers: Modifiers,
    },
    And,
    Or,
    Not,
    Plus,
    Minus,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub span: Range<usize>,
}

fn is_special(c: char) -> bool {
    matches!(c, '(' | ')' | '[' | ']' | '{' | '}' | '"' | '^' | '~') || c.is_whitespace()
}

fn is_field_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

pub struct Lexer<'q> {
    query: &'q str,
    pos: usize,
}

impl<'q> Lexer<'q> {
    pub fn tokenize(query: &'q str) -> Result<Vec<Token>, QueryError> {
        let mut lexer = Lexer { query, pos: 0 };
        let mut out = Vec::new();
        while let Some(t) = lexer.next_token()? {
            out.push(t);
        }
        Ok(out)
    }

    fn peek(&self) -> Option<char> {
        self.query[self.pos..].chars().next()
    }

    fn peek_at(&self, skip: usize) -> Option<char> {
        self.query[self.pos..].chars().nth(skip)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn error(&self, at: usize, message: impl Into<String>) -> QueryError {
        QueryError::new(self.query, at, message)
    }

    fn next_token(&mut self) -> Result<Option<Token>, QueryError> {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
        let start = self.pos;
        let Some(c) = self.peek() else {
            return Ok(None);
        };
        let simple = match c {
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            '[' => Some(Tok::RangeOpen { inclusive: true }),
            '{' => Some(Tok::RangeOpen { inclusive: false }),
            ']' => Some(Tok::RangeClose { inclusive: true }),
            '}' => Some(Tok::RangeClose { inclusive: false }),
            _ => None,
        };
        if let Some(tok) = simple {
            self.bump();
            return Ok(Some(Token {
                tok,
                span: start..self.pos,
            }));
        }
        let next_is_clause = self
            .peek_at(1)
            .is_some_and(|n| !n.is_whitespace() && n != ')');
        if (c == '+' || c == '-' || c == '!') && next_is_clause {
            self.bump();
            let tok = match c {
                '+' => Tok::Plus,
                '-' => Tok::Minus,
                _ => Tok::Not,
            };
            return Ok(Some(Token {
                tok,
                span: start..self.pos,
            }));
        }
        if c == '"' {
            return self.quoted().map(Some);
        }
        if c == '/' {
            return self.regex().map(Some);
        }
        if c == '^' || c == '~' {
            return Err(self
                .error(start, format!("`{c}` must follow a word or a \"phrase\""))
                .hint(format!(
                    "write it right after the term, e.g. oxycodone{c}2, or escape it as \\{c}"
                )));
        }
        self.word().map(Some)
    }

    fn quoted(&mut self) -> Result<Token, QueryError> {
        let start = self.pos;
        self.bump();
        let mut text = String::new();
        loop {
            match self.bump() {
                None => {
                    return Err(self
                        .error(start, "unterminated phrase: this `\"` is never closed")
                        .hint("add a closing `\"`, or escape the quote as \\\""));
                }
                Some('"') => break,
                Some('\\') => match self.bump() {
                    Some(e) => text.push(e),
                    None => text.push('\\'),
                },
                Some(c) => text.push(c),
            }
        }
        let modifiers = self.modifiers()?;
        Ok(Token {
            tok: Tok::Quoted { text, modifiers },
            span: start..self.pos,
        })
    }

    fn regex(&mut self) -> Result<Token, QueryError> {
        let start = self.pos;
        self.bump();
        let mut pattern = String::new();
        loop {
            match self.bump() {
                None => {
                    return Err(self
                        .error(
                            start,
                            "unterminated regular expression: this `/` is never closed",
                        )
                        .hint(
                            "close it with `/`, e.g. title:/v[1i]agra/, or escape the slash as \\/",
                        ));
                }
                Some('/') => break,
                Some('\\') if self.peek() == Some('/') => {
                    self.bump();
                    pattern.push('/');
                }
                Some('\\') => {
                    pattern.push('\\');
                    if let Some(e) = self.bump() {
                        pattern.push(e);
                    }
                }
                Some(c) => pattern.push(c),
            }
        }
        let modifiers = self.modifiers()?;
        Ok(Token {
            tok: Tok::Regex { pattern, modifiers },
            span: start..self.pos,
        })
    }

    fn word(&mut self) -> Result<Token, QueryError> {
        let start = self.pos;
        let mut text = String::new();
        let mut pattern = String::new();
        let mut wildcard = false;
        let mut escaped_any = false;
        while let Some(c) = self.peek() {
            if c == '\\' {
                self.bump();
                escaped_any = true;
                if let Some(e) = self.bump() {
                    text.push(e);
                    if e == '*' || e == '?' || e == '\\' {
                        pattern.push('\\');
                    }
                    pattern.push(e);
                }
                continue;
            }
            if c == ':' {
                let rest = &self.query[self.pos..];
                let separates = !escaped_any
                    && !rest.starts_with("://")
                    && text.len() == self.pos - start
                    && is_field_name(&text);
                if separates {
                    let name_end = self.pos;
                    self.bump();
                    return Ok(Token {
                        tok: Tok::Field(text),
                        span: start..name_end,
                    });
                }
            } else if is_special(c) {
                break;
            }
            self.bump();
            if c == '*' || c == '?' {
                wildcard = true;
            }
            text.push(c);
            pattern.push(c);
        }
        let modifiers = self.modifiers()?;
        let tok = match text.as_str() {
            "AND" | "&&" if !escaped_any => Tok::And,
            "OR" | "||" if !escaped_any => Tok::Or,
            "NOT" if !escaped_any => Tok::Not,
            _ => Tok::Word {
                text,
                wildcard,
                pattern,
                modifiers,
            },
        };
        Ok(Token {
            tok,
            span: start..self.pos,
        })
    }

    /// Reads `~N` and `^N` right after a word or phrase.
    fn modifiers(&mut self) -> Result<Modifiers, QueryError> {
        let mut m = Modifiers::default();
        loop {
            match self.peek() {
                Some('~') => {
                    let at = self.pos;
                    self.bump();
                    let digits = self.take_while(|c| c.is_ascii_digit() || c == '.');
                    if self.peek().is_some_and(|c| !is_special(c)) {
                        return Err(self
                            .error(at, "`~` must be followed by a number, a space or the end")
                            .hint("oxycodone~1 (1 typo), \"no prescription\"~2 (words apart); escape a literal tilde as \\~"));
                    }
                    m.fuzzy = Some(if digits.is_empty() {
                        2
                    } else {
                        digits
                            .parse::<u8>()
                            .ok()
                            .filter(|d| *d <= 10)
                            .ok_or_else(|| {
                                self.error(at, format!("`~{digits}` is not a valid edit distance or slop"))
                                    .hint("use ~1 or ~2 after a word (typos), or ~N after a \"phrase\" (words apart)")
                            })?
                    });
                }
                Some('^') => {
                    let at = self.pos;
                    self.bump();
                    let digits = self.take_while(|c| c.is_ascii_digit() || c == '.');
                    let boost = digits.parse::<f32>().ok().filter(|b| b.is_finite());
                    m.boost = Some(boost.ok_or_else(|| {
                        self.error(at, "`^` needs a number (a boost)")
                            .hint("e.g. title:oxycodone^2")
                    })?);
                }
                _ => return Ok(m),
            }
        }
    }

    fn take_while(&mut self, f: impl Fn(char) -> bool) -> &'q str {
        let start = self.pos;
        while self.peek().is_some_and(&f) {
            self.bump();
        }
        &self.query[start..self.pos]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(q: &str) -> Vec<Tok> {
        Lexer::tokenize(q)
            .unwrap()
            .into_iter()
            .map(|t| t.tok)
            .collect()
    }

    #[test]
    fn fields_words_and_operators() {
        let t = toks("drug:oxycodone AND -site:x (a OR b)");
        assert_eq!(t[0], Tok::Field("drug".into()));
        assert!(matches!(&t[1], Tok::Word { text, .. } if text == "oxycodone"));
        assert_eq!(t[2], Tok::And);
        assert_eq!(t[3], Tok::Minus);
        assert_eq!(t[4], Tok::Field("site".into()));
    }

    #[test]
    fn colons_inside_urls_and_times_stay_in_the_word() {
        let t = toks("url:\"x\" http://a.example/p 2026-01-01T10:00:00Z");
        assert!(matches!(&t[2], Tok::Word { text, .. } if text == "http://a.example/p"));
        assert!(matches!(&t[3], Tok::Word { text, .. } if text == "2026-01-01T10:00:00Z"));
    }

    #[test]
    fn hyphen_inside_word_is_not_an_operator() {
        let t = toks("rule:rx-without-prescription");
        assert!(matches!(&t[1], Tok::Word { text, .. } if text == "rx-without-prescription"));
    }

    #[test]
    fn regexes_between_slashes() {
        let t = toks(r"title:/v[1i]agra/ 30mg/ml /a\/b/");
        assert_eq!(
            t[1],
            Tok::Regex {
                pattern: "v[1i]agra".into(),
                modifiers: Modifiers::default()
            }
        );
        assert!(matches!(&t[2], Tok::Word { text, .. } if text == "30mg/ml"));
        assert_eq!(
            t[3],
            Tok::Regex {
                pattern: "a/b".into(),
                modifiers: Modifiers::default()
            }
        );
    }

    #[test]
    fn unterminated_quote_points_at_the_quote() {
        let e = Lexer::tokenize("title:\"no rx").unwrap_err();
        assert_eq!(e.position, 6);
    }
}
