//! Whether a medicine named outside the title, besides the one the title offers, is offered
//! too. A listing whose title names a medicine offers that medicine; other names in its
//! description are usually a category blurb ("Tramadol, Oxycodone and Pregabalin for chronic
//! pain"), a "compare with" or a list of related products, and must not make an ibuprofen
//! offer a controlled-substance offer. But a seller who writes "we also have oxycodone without
//! prescription" under a Viagra title offers oxycodone: that name counts.
//!
//! So such a name counts when the sentence holding it offers something in the seller's own
//! words (first-person "we have/sell", "available", "in stock", "ask for", a no-prescription
//! claim), and does not when it comes after a related-products heading ("Customers also
//! bought", "Related products", "Compare with") or its sentence offers nothing.

use std::ops::Range;

use regex::Regex;

use crate::regex_bank::ascii_boundaries;

/// Words by which a seller offers what a sentence names (case-insensitive, on the text as
/// printed, so accented letters are spelt both ways).
const OFFER_CUES: &str = r"(?i)\b(?:we|i)(?:\s+also)?\s+(?:have|sell|offer|stock|supply|carry|got)\b|\balso\s+(?:have|sell|selling|offer|stock|available)\b|\b(?:available|in\s+stock|for\s+sale|on\s+request)\b|\b(?:ask|contact|message|text|dm|pm|inbox)(?:\s+(?:us|me))?\s+(?:for|about)\b|\bno\s+(?:rx|prescriptions?|scripts?)\b|\bwithout\s+(?:an?\s+|any\s+)?(?:rx|prescriptions?|scripts?)\b|\b(?:rx|prescription)[-\s]free\b|\bsin\s+receta\b|\btenemos\b|\bvendo\b|\bsans\s+ordonnance\b|\bdisponibles?\b|\bsem\s+receita\b|\bohne\s+rezept\b|\b(?:auch\s+)?(?:erh(?:ä|a)ltlich|verf(?:ü|u)gbar)\b|\bsenza\s+ricetta\b|без\s+рецепт|в\s+наличии|(?:также|тоже)\s+есть|продаю|(?:无需|无须|不需要|不用|免)处方|也有|还有|有货|现货";

/// Headings under which a page lists other products than the one offered.
const RELATED_HEADINGS: &str = r"(?i)\bcustomers\s+(?:also|who)\b|\balso\s+(?:bought|viewed|purchased|like)\b|\brelated\s+(?:products?|items?|articles?)\b|\byou\s+(?:may|might)\s+(?:also\s+)?like\b|\bsimilar\s+(?:products?|items?)\b|\bcompare\s+(?:with|to)\b|\bsee\s+also\b|\bother\s+products\b|\bfrequently\s+bought\b|\bmore\s+from\s+this\s+(?:category|shop|seller)\b|\b(?:(?:ä|a)hnliche|verwandte)\s+(?:produkte|artikel)\b|\bproduits\s+(?:similaires|associ(?:é|e)s)\b|\bproductos\s+(?:similares|relacionados)\b|\bprodutos\s+(?:semelhantes|relacionados)\b|\bprodotti\s+(?:simili|correlati)\b|похожие\s+товары|с\s+этим\s+товаром\s+покупают|相关(?:产品|商品)|猜你喜欢|看了又看";

/// How far from the name a sentence is read, each way (bytes).
const SENTENCE_REACH: usize = 240;

/// The compiled cues.
#[derive(Debug, Clone)]
pub(crate) struct AsideCues {
    offer: Regex,
    related: Regex,
}

impl AsideCues {
    pub fn new() -> Result<AsideCues, String> {
        let compile = |p: &str| {
            Regex::new(&ascii_boundaries(p))
                .map_err(|e| format!("cannot compile the offer cues: {e}"))
        };
        Ok(AsideCues {
            offer: compile(OFFER_CUES)?,
            related: compile(RELATED_HEADINGS)?,
        })
    }

    /// Whether the name at `range` of `text` (a field other than the title) is offered by the
    /// seller: its sentence has an offer cue and no related-products heading comes before it.
    pub fn offered(&self, text: &str, range: &Range<usize>) -> bool {
        let Some(before) = text.get(..range.start) else {
            return false;
        };
        if self.related.is_match(before) {
            return false;
        }
        let sentence = sentence_around(text, range);
        text.get(sentence).is_some_and(|s| self.offer.is_match(s))
    }
}

/// The sentence holding `range`: from after the previous sentence end to the next one
/// (`.` only before a space or the end, so "7.5mg" stays one sentence), at most
/// [`SENTENCE_REACH`] bytes each way.
fn sentence_around(text: &str, range: &Range<usize>) -> Range<usize> {
    let is_end = |i: usize, c: char| match c {
        '.' => text[i + 1..].chars().next().is_none_or(char::is_whitespace),
        '!' | '?' | ';' | '\n' | '|' | '。' | '！' | '？' | '；' => true,
        _ => false,
    };
    let floor = floor_char(text, range.start.saturating_sub(SENTENCE_REACH));
    let ceil = floor_char(text, (range.end + SENTENCE_REACH).min(text.len()));
    let start = text[floor..range.start]
        .char_indices()
        .rev()
        .find(|&(i, c)| is_end(floor + i, c))
        .map_or(floor, |(i, c)| floor + i + c.len_utf8());
    let end = text[range.end..ceil]
        .char_indices()
        .find(|&(i, c)| is_end(range.end + i, c))
        .map_or(ceil, |(i, _)| range.end + i);
    start..end
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered(text: &str, name: &str) -> bool {
        let at = text.find(name).unwrap();
        AsideCues::new()
            .unwrap()
            .offered(text, &(at..at + name.len()))
    }

    #[test]
    fn a_sellers_own_offer_counts() {
        assert!(offered(
            "Fast shipping. We also have oxycodone without prescription, message us.",
            "oxycodone"
        ));
        assert!(offered(
            "Tramadol 50mg also available on request!",
            "Tramadol"
        ));
        assert!(offered("Также есть трамадол без рецепта.", "трамадол"));
        assert!(offered("还有曲马多，无需处方。", "曲马多"));
    }

    #[test]
    fn blurbs_and_related_products_do_not() {
        assert!(!offered(
            "Pain relief. Tramadol, Oxycodone and Pregabalin for chronic pain. We offer tracked delivery.",
            "Oxycodone"
        ));
        assert!(!offered(
            "Customers also bought: Tramadol 50mg, available now",
            "Tramadol"
        ));
        assert!(!offered("Compare with Zolpidem 10mg.", "Zolpidem"));
    }

    #[test]
    fn sentences_end_where_a_reader_ends_them() {
        let t = "Ibuprofen. Take 7.5mg of tramadol daily! Next";
        let at = t.find("tramadol").unwrap();
        assert_eq!(
            &t[sentence_around(t, &(at..at + 8))],
            " Take 7.5mg of tramadol daily"
        );
        let t = "ab。曲马多，现货";
        let at = t.find("曲马多").unwrap();
        assert_eq!(&t[sentence_around(t, &(at..at + 9))], "曲马多，现货");
    }
}
