//! One analyzer for every script the crawled sites use.
//!
//! Words of alphabetic scripts (Latin, Cyrillic, Greek, …) are split on anything that is not a
//! letter or digit, and again where letters meet digits ("40mg" → "40" "mg"), so "40mg" and
//! "40 mg" find each other through phrase queries. Tokens are lower-cased and ASCII-folded but
//! never stemmed: a stemmer would conflate drug names.
//!
//! Runs of Han, kana and Hangul characters have no spaces between words. They become
//! overlapping bigrams ("奥施康定" → 奥施 施康 康定); a run of one character stays a single
//! token. A query is analysed the same way and becomes a phrase of bigrams, so any name of two
//! or more characters is found wherever it occurs, without a dictionary. The measurement
//! behind this choice (against the jieba segmenter) is in `tests/cjk_recall.rs`.

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RawTokenizer, RemoveLongFilter, TextAnalyzer, Token,
    TokenStream, Tokenizer,
};

/// Name under which the text analyzer is registered on the index.
pub const TEXT_TOKENIZER: &str = "pw_text";
/// Tokens longer than this (bytes) are dropped: they are junk (base64, hashes in URLs).
const MAX_TOKEN_BYTES: usize = 64;

/// True for characters of scripts written without spaces between words (Han, kana, Hangul).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF        // Hiragana, Katakana
        | 0x3400..=0x4DBF      // CJK Extension A
        | 0x4E00..=0x9FFF      // CJK Unified Ideographs
        | 0xAC00..=0xD7AF      // Hangul syllables
        | 0x1100..=0x11FF      // Hangul Jamo
        | 0x3130..=0x318F      // Hangul compatibility Jamo
        | 0xF900..=0xFAFF      // CJK compatibility ideographs
        | 0x31F0..=0x31FF      // Katakana phonetic extensions
        | 0x20000..=0x3134F    // CJK Extensions B–G
    )
}

/// Combining marks that belong inside a word (accents in decomposed text, Indic vowel signs).
fn is_word_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05C7 | 0x0610..=0x061A
        | 0x064B..=0x065F | 0x0900..=0x0903 | 0x093A..=0x094F | 0x0E31 | 0x0E34..=0x0E3A
        | 0x0E47..=0x0E4E)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Letter,
    Digit,
    Cjk,
    Other,
}

fn class(c: char) -> Class {
    // Most crawled text is ASCII: classify it without the Unicode tables.
    if c.is_ascii() {
        return if c.is_ascii_digit() {
            Class::Digit
        } else if c.is_ascii_alphabetic() {
            Class::Letter
        } else {
            Class::Other
        };
    }
    if is_cjk(c) {
        Class::Cjk
    } else if c.is_numeric() {
        Class::Digit
    } else if c.is_alphabetic() || is_word_mark(c) {
        Class::Letter
    } else {
        Class::Other
    }
}

/// The tokenizer (before lower-casing and folding): words, digit runs, CJK bigrams.
///
/// With `keep_mixed_words`, a word mixing letters and digits ("0xyc0d0ne", "40mg") is also
/// emitted whole, at the position of its first part, so wildcard and fuzzy queries can reach
/// it; the index uses this, phrase queries use only the parts.
#[derive(Clone, Default)]
pub struct MultiScriptTokenizer {
    /// Also emit words that mix letters and digits whole (index side).
    pub keep_mixed_words: bool,
    /// Tokens of the last text, kept so that their allocations are reused for the next one
    /// (an indexing thread tokenizes several fields of every listing).
    buffer: Vec<Token>,
}

impl MultiScriptTokenizer {
    /// A tokenizer that emits mixed words whole (`keep_mixed_words`) or only their parts.
    pub fn new(keep_mixed_words: bool) -> Self {
        MultiScriptTokenizer {
            keep_mixed_words,
            buffer: Vec::new(),
        }
    }
}

/// Tokens of one text, computed up front (texts are short: titles and descriptions).
pub struct MultiScriptTokenStream<'a> {
    tokens: &'a mut [Token],
    next: usize,
}

impl Tokenizer for MultiScriptTokenizer {
    type TokenStream<'a> = MultiScriptTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> MultiScriptTokenStream<'a> {
        let len = split(text, self.keep_mixed_words, &mut self.buffer);
        MultiScriptTokenStream {
            tokens: &mut self.buffer[..len],
            next: 0,
        }
    }
}

impl TokenStream for MultiScriptTokenStream<'_> {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

struct Splitter<'t, 'b> {
    text: &'t str,
    /// Tokens written so far are `tokens[..len]`; entries beyond are old ones to reuse.
    tokens: &'b mut Vec<Token>,
    len: usize,
    position: usize,
    keep_mixed_words: bool,
}

/// Splits `text` into words (then letter and digit parts) and CJK runs (then bigrams), into
/// `tokens` (reusing its entries); returns the number of tokens.
fn split(text: &str, keep_mixed_words: bool, tokens: &mut Vec<Token>) -> usize {
    let mut s = Splitter {
        text,
        tokens,
        len: 0,
        position: 0,
        keep_mixed_words,
    };
    let mut run_start = 0;
    let mut run_class = Class::Other;
    for (i, c) in text.char_indices() {
        let k = class(c);
        let same_run = k == run_class
            || (matches!(k, Class::Letter | Class::Digit)
                && matches!(run_class, Class::Letter | Class::Digit));
        if !same_run {
            s.run(run_start, i, run_class);
            run_start = i;
            run_class = k;
        }
    }
    s.run(run_start, text.len(), run_class);
    s.len
}

impl Splitter<'_, '_> {
    fn run(&mut self, start: usize, end: usize, class: Class) {
        if start >= end {
            return;
        }
        match class {
            Class::Other => {}
            Class::Letter | Class::Digit => self.word(start, end),
            Class::Cjk => {
                // Bigrams: each character with the next one; a lone character stays whole.
                let mut starts = self.text[start..end]
                    .char_indices()
                    .map(|(i, _)| start + i)
                    .peekable();
                let mut previous = starts.next();
                if starts.peek().is_none() {
                    self.push(start, end, true);
                    return;
                }
                while let (Some(from), Some(second)) = (previous, starts.next()) {
                    let to = starts.peek().copied().unwrap_or(end);
                    self.push(from, to, true);
                    previous = Some(second);
                }
            }
        }
    }

    /// A word: its letter and digit parts, preceded by the whole word when it mixes both.
    fn word(&mut self, start: usize, end: usize) {
        let word = &self.text[start..end];
        let mut classes = word.chars().map(class);
        let first = classes.next();
        let mixed = classes.any(|k| Some(k) != first);
        if mixed && self.keep_mixed_words {
            self.push(start, end, false);
        }
        if !mixed {
            self.push(start, end, true);
            return;
        }
        let mut part_start = start;
        let mut part_class = None;
        for (i, c) in word.char_indices() {
            let k = class(c);
            if part_class.is_some_and(|p| p != k) {
                self.push(part_start, start + i, true);
                part_start = start + i;
            }
            part_class = Some(k);
        }
        self.push(part_start, end, true);
    }

    fn push(&mut self, from: usize, to: usize, advance: bool) {
        let text = &self.text[from..to];
        if let Some(token) = self.tokens.get_mut(self.len) {
            token.offset_from = from;
            token.offset_to = to;
            token.position = self.position;
            token.text.clear();
            token.text.push_str(text);
            token.position_length = 1;
        } else {
            self.tokens.push(Token {
                offset_from: from,
                offset_to: to,
                position: self.position,
                text: text.to_string(),
                position_length: 1,
            });
        }
        self.len += 1;
        if advance {
            self.position += 1;
        }
    }
}

/// The analyzer registered as [`TEXT_TOKENIZER`]: used for indexing and for queries.
pub fn text_analyzer() -> TextAnalyzer {
    analyzer(true)
}

fn analyzer(keep_mixed_words: bool) -> TextAnalyzer {
    TextAnalyzer::builder(MultiScriptTokenizer::new(keep_mixed_words))
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Analyzer for identifiers (site, domain, drug, rule, currency…): the whole value, lower-cased.
pub fn keyword_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .build()
}

/// One analysed token: its text, position and byte range in the analysed string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyzedToken {
    /// The token as indexed (lower-cased, folded).
    pub text: String,
    /// Position for phrase matching (a whole mixed word shares its first part's position).
    pub position: usize,
    /// Byte offset of the token in the analysed text.
    pub start: usize,
    /// Byte offset just past the token.
    pub end: usize,
}

/// Runs the query analyzer over `text`: the index's tokens without the whole mixed words
/// (phrases of parts match both "40mg" and "40 mg").
pub fn analyze(text: &str) -> Vec<AnalyzedToken> {
    run(analyzer(false), text)
}

/// Runs the index's analyzer over `text`: the tokens the index holds for a text field.
pub fn analyze_indexed(text: &str) -> Vec<AnalyzedToken> {
    run(text_analyzer(), text)
}

/// The whole value lower-cased and folded as one token (for wildcard and fuzzy queries).
pub fn normalize_word(text: &str) -> String {
    let mut a = TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build();
    let mut stream = a.token_stream(text);
    stream.next().map(|t| t.text.clone()).unwrap_or_default()
}

fn run(mut analyzer: TextAnalyzer, text: &str) -> Vec<AnalyzedToken> {
    let mut stream = analyzer.token_stream(text);
    let mut out: Vec<AnalyzedToken> = Vec::new();
    while let Some(t) = stream.next() {
        out.push(AnalyzedToken {
            text: t.text.clone(),
            position: t.position,
            start: t.offset_from,
            end: t.offset_to,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        analyze(s).into_iter().map(|t| t.text).collect()
    }

    /// The tokenizer reuses its token buffer from one text to the next: a shorter text after
    /// a longer one must not keep any of the longer one's tokens or positions.
    #[test]
    fn a_reused_analyzer_gives_the_same_tokens_as_a_fresh_one() {
        let texts = [
            "Buy 0xyc0d0ne 30mg – Médicaments SANS ordonnance! 正品奥施康定40mg无需处方",
            "30片",
            "",
            "Ксанакс БЕЗ рецепта 西地那非片",
            "a",
        ];
        let mut reused = text_analyzer();
        for text in texts {
            let mut stream = reused.token_stream(text);
            let mut got = Vec::new();
            while let Some(t) = stream.next() {
                got.push((t.text.clone(), t.position, t.offset_from, t.offset_to));
            }
            let fresh: Vec<_> = analyze_indexed(text)
                .into_iter()
                .map(|t| (t.text, t.position, t.start, t.end))
                .collect();
            assert_eq!(got, fresh, "{text}");
        }
    }

    #[test]
    fn latin_words_are_lowercased_folded_and_split_at_digits() {
        assert_eq!(
            texts("Oxycodone 30mg – Médicaments SANS ordonnance!"),
            ["oxycodone", "30", "mg", "medicaments", "sans", "ordonnance"]
        );
    }

    #[test]
    fn cyrillic_words_are_lowercased_not_stemmed() {
        assert_eq!(texts("Ксанакс БЕЗ рецепта"), ["ксанакс", "без", "рецепта"]);
    }

    #[test]
    fn cjk_runs_become_bigrams_and_single_chars_stay() {
        assert_eq!(
            texts("正品奥施康定40mg无需处方"),
            [
                "正品", "品奥", "奥施", "施康", "康定", "40", "mg", "无需", "需处", "处方"
            ]
        );
        assert_eq!(texts("30片"), ["30", "片"]);
        let indexed: Vec<(String, usize)> = analyze_indexed("0xyc0d0ne 30mg")
            .into_iter()
            .map(|t| (t.text, t.position))
            .collect();
        let expected = [
            ("0xyc0d0ne", 0),
            ("0", 0),
            ("xyc", 1),
            ("0", 2),
            ("d", 3),
            ("0", 4),
            ("ne", 5),
            ("30mg", 6),
            ("30", 6),
            ("mg", 7),
        ];
        assert_eq!(indexed, expected.map(|(t, p)| (t.to_string(), p)));
        let t = analyze("西地那非片");
        assert_eq!(t[1].text, "地那");
        assert_eq!((t[1].start, t[1].end, t[1].position), (3, 9, 1));
    }
}
