//! Misspellings of long drug names: a word of the text one edit away (a letter added,
//! dropped or changed, or two neighbouring letters swapped) from a lexicon name of at least
//! [`MIN_LEN`] letters, as sellers type them ("clonozepam", "temazapam", "adderrall").
//!
//! Listing every typo in `drugs.csv` cannot keep up with sellers, while matching every name at
//! distance 1 would read "morphing" as morphine and "ability" as Abilify. So a guess needs:
//!
//! * a name of at least seven letters, single-word and plain ASCII (short names sit one letter
//!   away from too many words: "soma"/"some", "xanax"/"xanas"), and a word of at least seven
//!   letters (a six-letter word one letter short of a seven-letter name is usually another word);
//! * the same first letter (typos rarely hit it; "enforce" is not Cenforce);
//! * a word that is not an ordinary word one edit from a name ([`ORDINARY`]).
//!
//! The search costs one pass over the text that skips most short words, and, per long word
//! whose ends a long name shares, an exact check of the few names that share them: one edit
//! in a word of seven letters or more leaves its first three or its last three letters as
//! the name's (see [`Ends`]).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Shortest name (and word) matched at edit distance 1.
pub(crate) const MIN_LEN: usize = 7;

/// Longest word considered; longer words are not drug names (the longest name has 20 letters).
const MAX_WORD: usize = 32;

/// Ordinary words (English, German, French, Spanish, Italian, Portuguese, Dutch) one edit away
/// from a long lexicon name with the same first letter: never read as misspellings. Found by
/// checking every word of the Debian word lists (`/usr/share/dict/`: packages wamerican
/// 2020.12.07, wngerman, wfrench, wspanish, witalian, wportuguese, wdutch) against the
/// lexicon's long names (2026-12-07), leaving out plurals of the names themselves ("codeines",
/// "amfetaminen") and the names' own spellings in those languages ("prednison",
/// "nandrolon", "ventolina", which should match), plus words added by hand ("morphing",
/// "celestine"). Rerun that check when adding long names; a test in `lexicon.rs` checks
/// that these words stay clean with the shipped lexicon. Sorted, lower case.
pub(crate) const ORDINARY: &[&str] = &[
    "ability",
    "adumbrar",
    "albumina",
    "albuminai",
    "albuminam",
    "albuminara",
    "albuminas",
    "alerted",
    "alertee",
    "alertei",
    "alertem",
    "alerten",
    "alerter",
    "alertes",
    "alertez",
    "alterno",
    "aluminar",
    "amfetaminen",
    "amphetaminen",
    "andarin",
    "andarina",
    "androgen",
    "aspador",
    "aspiring",
    "attenti",
    "attentie",
    "attentif",
    "attentino",
    "attention",
    "augmenting",
    "backofen",
    "bactria",
    "becoquin",
    "cardamine",
    "carisma",
    "cataires",
    "catares",
    "catarres",
    "caverna",
    "celebre",
    "celebree",
    "celebrei",
    "celebrem",
    "celebrer",
    "celebres",
    "celebret",
    "celebrez",
    "celestine",
    "cervaria",
    "cervario",
    "chamoix",
    "champis",
    "clamara",
    "clarity",
    "claritys",
    "clicara",
    "clivara",
    "concepta",
    "concera",
    "conceria",
    "concerna",
    "concert",
    "concertai",
    "concertam",
    "concertar",
    "concertat",
    "concerte",
    "concerti",
    "concerto",
    "concerts",
    "concetta",
    "concreta",
    "conserta",
    "converta",
    "creator",
    "crestar",
    "creston",
    "crestou",
    "cuestor",
    "diabete",
    "diabeto",
    "disport",
    "duraria",
    "duratif",
    "durativa",
    "elvense",
    "esclusa",
    "estrade",
    "estradiot",
    "estrave",
    "exclusa",
    "florent",
    "flouent",
    "formiga",
    "galantin",
    "gardena",
    "granise",
    "halcyon",
    "horizont",
    "induline",
    "insulana",
    "inuline",
    "levitar",
    "levitara",
    "lonesta",
    "lunetta",
    "lustrai",
    "lustrale",
    "lustram",
    "lustrar",
    "lustras",
    "lustrat",
    "malogra",
    "masteren",
    "mellite",
    "meridian",
    "mitigar",
    "mitigara",
    "mitigarei",
    "mitigarem",
    "mitigate",
    "moraine",
    "morfila",
    "morfile",
    "morphen",
    "morphing",
    "morrina",
    "paleria",
    "panados",
    "parabola",
    "parabolano",
    "parabolas",
    "parabolen",
    "piovera",
    "postino",
    "prevera",
    "privera",
    "procera",
    "profecia",
    "profera",
    "pronera",
    "propicia",
    "prosear",
    "protera",
    "protoni",
    "prouvera",
    "provara",
    "proveja",
    "provena",
    "proventi",
    "proverai",
    "proveram",
    "proverao",
    "proverb",
    "proveria",
    "provero",
    "proveta",
    "proveza",
    "proviera",
    "provira",
    "radiasse",
    "radieuse",
    "reactie",
    "reacting",
    "reactive",
    "reductie",
    "reductio",
    "regagne",
    "regained",
    "regains",
    "remeson",
    "remezon",
    "rengaine",
    "rivalin",
    "romaine",
    "rookies",
    "sararem",
    "sculpta",
    "sculptera",
    "sgravato",
    "singulaire",
    "singular",
    "soltamos",
    "stendera",
    "stramba",
    "strombe",
    "sublimate",
    "temeste",
    "temesti",
    "temevate",
    "tempesta",
    "torados",
    "tramada",
    "tramadas",
    "tramado",
    "tramador",
    "tramados",
    "travada",
    "tremadal",
    "triptico",
    "trovada",
    "trufada",
    "turvada",
    "valorou",
    "viajara",
    "vidalita",
    "vingara",
    "vitalista",
    "voltare",
    "voltarei",
    "voltarem",
    "voltares",
    "wakkert",
];

/// Collects the names eligible for approximate matching while the lexicon compiles.
#[derive(Debug, Default)]
pub(super) struct Builder {
    names: Vec<(Box<[u8]>, usize)>,
}

impl Builder {
    /// Offers a name (normal view) and its pattern index; only long plain ASCII words are kept.
    pub(super) fn add(&mut self, plain: &str, pattern: usize) {
        if eligible(plain.as_bytes()) {
            self.names.push((plain.as_bytes().into(), pattern));
        }
    }

    pub(super) fn build(self) -> Index {
        let mut max_len = 0;
        let mut ends = Ends::default();
        for (i, (name, _)) in self.names.iter().enumerate() {
            max_len = max_len.max(name.len());
            ends.insert(Ends::first(name), i as u32);
            ends.insert(Ends::last(name), i as u32);
        }
        Index {
            names: self.names,
            max_len,
            ends,
        }
    }
}

/// The long names, found by their ends.
#[derive(Debug, Clone, Default)]
pub(super) struct Index {
    names: Vec<(Box<[u8]>, usize)>,
    max_len: usize,
    ends: Ends,
}

/// The long names by their first three letters, and by their first letter with their last
/// three. One edit in a word of seven letters or more leaves its first three or its last
/// three letters as the name's, and a guess needs the name's first letter anyway, so the
/// names a word may be a typo of are among those filed under its two keys; a word with
/// neither key (most words of a page) is dismissed by one bit each.
#[derive(Debug, Clone)]
struct Ends {
    bits: Box<[u64]>,
    /// Names (indices, ascending) filed under each key that has any.
    names: HashMap<u64, Vec<u32>, Prehashed>,
}

/// Trigrams of lower-case ASCII letters.
const TRIGRAMS: usize = 26 * 26 * 26;

impl Default for Ends {
    fn default() -> Self {
        Ends {
            bits: vec![0; 27 * TRIGRAMS / 64 + 1].into_boxed_slice(),
            names: HashMap::default(),
        }
    }
}

impl Ends {
    fn trigram(t: &[u8]) -> usize {
        let l = |b: u8| usize::from(b - b'a');
        (l(t[0]) * 26 + l(t[1])) * 26 + l(t[2])
    }

    /// Key of a word's first three letters.
    fn first(word: &[u8]) -> usize {
        Self::trigram(&word[..3])
    }

    /// Key of a word's first letter and last three letters.
    fn last(word: &[u8]) -> usize {
        (1 + usize::from(word[0] - b'a')) * TRIGRAMS + Self::trigram(&word[word.len() - 3..])
    }

    fn insert(&mut self, key: usize, name: u32) {
        self.bits[key / 64] |= 1 << (key % 64);
        let list = self.names.entry(key as u64).or_default();
        if list.last() != Some(&name) {
            list.push(name);
        }
    }

    fn has(&self, key: usize) -> bool {
        self.bits[key / 64] & (1 << (key % 64)) != 0
    }

    fn names(&self, key: usize) -> &[u32] {
        if !self.has(key) {
            return &[];
        }
        self.names.get(&(key as u64)).map_or(&[], Vec::as_slice)
    }
}

impl Index {
    /// Calls `found(pattern, start, end)` for every word of `text` (the normal view: lower
    /// case, accents stripped) one edit away from a long name, with the first such name in
    /// file order.
    pub(super) fn for_each(&self, text: &str, mut found: impl FnMut(usize, usize, usize)) {
        if self.names.is_empty() {
            return;
        }
        let bytes = text.as_bytes();
        let lower = |i: usize| bytes[i].is_ascii_lowercase();
        // Words are runs of lower-case ASCII letters; only those of `MIN_LEN` letters or more
        // matter, and such a run covers the byte `MIN_LEN - 1` ahead of any position where it
        // could start. So that byte is probed first and most of a page is skipped seven bytes
        // at a time. Invariant: `i == 0` or the byte before `i` is no lower-case letter.
        let mut i = 0;
        while i + MIN_LEN <= bytes.len() {
            let probe = i + MIN_LEN - 1;
            if !lower(probe) {
                i = probe + 1;
                continue;
            }
            let mut start = probe;
            while start > i && lower(start - 1) {
                start -= 1;
            }
            let mut end = probe + 1;
            while end < bytes.len() && lower(end) {
                end += 1;
            }
            i = end + 1;
            let word = &bytes[start..end];
            if word.len() < MIN_LEN || word.len() > self.max_len + 1 || word.len() > MAX_WORD {
                continue;
            }
            let (first, last) = (Ends::first(word), Ends::last(word));
            if !self.ends.has(first) && !self.ends.has(last) {
                continue;
            }
            // A run of ASCII letters inside a longer word of another alphabet is not a word.
            let before = text[..start].chars().next_back();
            let after = text[end..].chars().next();
            if before.is_some_and(char::is_alphabetic) || after.is_some_and(char::is_alphabetic) {
                continue;
            }
            if let Some(pattern) = self.lookup(word, first, last) {
                found(pattern, start, end);
            }
        }
    }

    /// The pattern of the first name (in file order) one edit from `word`, if the word is no
    /// ordinary word; `first` and `last` are the word's keys in [`Ends`].
    fn lookup(&self, word: &[u8], first: usize, last: usize) -> Option<usize> {
        let candidates = self.ends.names(first).iter().chain(self.ends.names(last));
        let n = candidates
            .copied()
            .filter(|&n| {
                let name = &self.names[n as usize].0;
                name[0] == word[0] && one_edit(name, word)
            })
            .min()?;
        // The guard is checked last: almost no word gets this far.
        let w = std::str::from_utf8(word).ok()?;
        if ORDINARY.binary_search(&w).is_ok() {
            return None;
        }
        Some(self.names[n as usize].1)
    }
}

fn eligible(name: &[u8]) -> bool {
    name.len() >= MIN_LEN && name.len() <= MAX_WORD && name.iter().all(u8::is_ascii_lowercase)
}

const BASE: u64 = 0x100_0000_01b3;

/// Whether `a` and `b` differ by exactly one edit: one byte substituted, inserted or deleted,
/// or two neighbouring bytes swapped (optimal string alignment distance 1).
pub(crate) fn one_edit(a: &[u8], b: &[u8]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let p = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    match long.len() - short.len() {
        0 => {
            if p == short.len() {
                return false;
            }
            short[p + 1..] == long[p + 1..]
                || (p + 1 < short.len()
                    && short[p] == long[p + 1]
                    && short[p + 1] == long[p]
                    && short[p + 2..] == long[p + 2..])
        }
        1 => short[p..] == long[p + 1..],
        _ => false,
    }
}

/// The table's keys are small distinct numbers; this only spreads them over the bits the
/// table uses.
#[derive(Debug, Clone, Copy, Default)]
struct Spread(u64);

impl Hasher for Spread {
    fn finish(&self) -> u64 {
        let x = self.0 ^ (self.0 >> 29);
        x.wrapping_mul(0xbf58_476d_1ce4_e5b9) ^ (x >> 32)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.wrapping_mul(BASE) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

type Prehashed = BuildHasherDefault<Spread>;

#[cfg(test)]
mod tests {
    use super::*;

    fn index(names: &[&str]) -> Index {
        let mut b = Builder::default();
        for (i, n) in names.iter().enumerate() {
            b.add(n, i);
        }
        b.build()
    }

    fn hits(ix: &Index, text: &str) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        ix.for_each(text, |p, s, e| out.push((p, text[s..e].to_string())));
        out
    }

    #[test]
    fn one_edit_is_exactly_one() {
        for (a, b) in [
            ("clonazepam", "clonozepam"),
            ("adderall", "adderrall"),
            ("adderall", "aderall"),
            ("temazepam", "temazapam"),
            ("diazepam", "diazpeam"),
            ("tramadol", "tramadl"),
        ] {
            assert!(one_edit(a.as_bytes(), b.as_bytes()), "{a} {b}");
            assert!(one_edit(b.as_bytes(), a.as_bytes()), "{b} {a}");
        }
        for (a, b) in [
            ("clonazepam", "clonazepam"),
            ("clonazepam", "klonozepam"),
            ("adderall", "adderalls!"),
            ("tramadol", "tarmadl"),
            ("abcdefg", "badcefg"),
        ] {
            assert!(!one_edit(a.as_bytes(), b.as_bytes()), "{a} {b}");
        }
    }

    #[test]
    fn finds_words_one_edit_from_long_names_only() {
        let ix = index(&["clonazepam", "adderall", "xanax", "ms contin", "temazepam"]);
        assert_eq!(
            hits(&ix, "clonozepam 2mg, adderrall 30, temazapam"),
            vec![
                (0, "clonozepam".to_string()),
                (1, "adderrall".to_string()),
                (4, "temazapam".to_string())
            ]
        );
        // Exact names are the automaton's job; short and multi-word names are never guessed;
        // the first letter must agree; two edits are too many.
        assert!(hits(&ix, "clonazepam xanas ms contim klonazepam clonozepan").is_empty());
    }

    #[test]
    fn ordinary_words_are_sorted_and_lower_case() {
        assert!(ORDINARY.windows(2).all(|w| w[0] < w[1]));
        assert!(
            ORDINARY
                .iter()
                .all(|w| w.bytes().all(|b| b.is_ascii_lowercase()))
        );
    }

    /// The search by brute force, word by word and name by name, that the skipping loop and
    /// the index must agree with.
    fn naive_hits(ix: &Index, text: &str) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if !bytes[i].is_ascii_lowercase() {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_lowercase() {
                i += 1;
            }
            let word = &bytes[start..i];
            let before = text[..start].chars().next_back();
            let after = text[i..].chars().next();
            if word.len() < MIN_LEN
                || before.is_some_and(char::is_alphabetic)
                || after.is_some_and(char::is_alphabetic)
            {
                continue;
            }
            // Every name, no index: the first one edit away with the same first letter.
            let name = ix
                .names
                .iter()
                .find(|(name, _)| name[0] == word[0] && one_edit(name, word));
            let ordinary = ORDINARY.contains(&&text[start..i]);
            if let Some((_, p)) = name.filter(|_| !ordinary) {
                out.push((*p, text[start..i].to_string()));
            }
        }
        out
    }

    proptest::proptest! {
        /// The index finds exactly what trying every name on every word finds.
        #[test]
        fn skipping_finds_what_every_word_finds(text in "(?:clonozepam|adderral|aderall|clonazepan|temazapam|diazepan|dizaepam|cloanzepam|lconazepam|adderalll|xx|a|é|Б| |,|-|[a-z]{1,9}){0,24}") {
            let ix = index(&["clonazepam", "adderall", "temazepam", "diazepam", "diazepum"]);
            proptest::prop_assert_eq!(hits(&ix, &text), naive_hits(&ix, &text));
        }

        /// Every single edit of a long name is found, whatever the edit.
        #[test]
        fn every_single_edit_is_found(pos in 1usize..9, kind in 0u8..4, c in b'a'..=b'z') {
            let name = b"clonazepam";
            let mut w = name.to_vec();
            match kind {
                0 => w[pos] = c,
                1 => w.insert(pos, c),
                2 => { w.remove(pos); }
                _ => w.swap(pos, pos + 1),
            }
            let w = String::from_utf8(w).unwrap();
            let ix = index(&["clonazepam"]);
            let found = hits(&ix, &format!("buy {w} now"));
            if w == "clonazepam" {
                proptest::prop_assert!(found.is_empty());
            } else {
                proptest::prop_assert_eq!(found, vec![(0, w.clone())]);
            }
        }
    }
}
