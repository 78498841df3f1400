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
//! The search costs one pass over the text and, per long word, one polynomial hash of the
//! word and of each of its one-letter deletions (computed together in linear time) looked up
//! in a table of the names and their own deletions (the "symmetric delete" method: two words
//! one edit apart always share such a key), then an exact check of each candidate.

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
        let mut keys: HashMap<u64, Vec<u32>, Prehashed> = HashMap::default();
        let mut max_len = 0;
        let mut ends = Trigrams::default();
        for (i, (name, _)) in self.names.iter().enumerate() {
            max_len = max_len.max(name.len());
            ends.insert(true, name);
            ends.insert(false, name);
            keys_of(name, |k| {
                let list = keys.entry(k).or_default();
                if list.last() != Some(&(i as u32)) {
                    list.push(i as u32);
                }
            });
        }
        Index {
            names: self.names,
            keys,
            max_len,
            ends,
        }
    }
}

/// The long names and their deletion keys.
#[derive(Debug, Clone, Default)]
pub(super) struct Index {
    names: Vec<(Box<[u8]>, usize)>,
    keys: HashMap<u64, Vec<u32>, Prehashed>,
    max_len: usize,
    ends: Trigrams,
}

/// First three letters, and first letter with last three letters, of the long names, one bit
/// each. One edit in a word of seven letters or more leaves its first three or its last three
/// letters as the name's, and a guess needs the name's first letter anyway, so a word whose
/// ends match no name's is skipped before any hashing: most words of a page.
#[derive(Debug, Clone)]
struct Trigrams {
    bits: Box<[u64]>,
}

/// Trigrams of lower-case ASCII letters.
const TRIGRAMS: usize = 26 * 26 * 26;

impl Default for Trigrams {
    fn default() -> Self {
        Trigrams {
            bits: vec![0; 27 * TRIGRAMS / 64 + 1].into_boxed_slice(),
        }
    }
}

impl Trigrams {
    /// Bit of the word's first trigram (`first`), or of its first letter and last trigram.
    fn index(first: bool, word: &[u8]) -> usize {
        let l = |b: u8| usize::from(b - b'a');
        let trigram = |t: &[u8]| (l(t[0]) * 26 + l(t[1])) * 26 + l(t[2]);
        if first {
            trigram(&word[..3])
        } else {
            (1 + l(word[0])) * TRIGRAMS + trigram(&word[word.len() - 3..])
        }
    }
    fn insert(&mut self, first: bool, word: &[u8]) {
        let i = Self::index(first, word);
        self.bits[i / 64] |= 1 << (i % 64);
    }
    fn contains(&self, first: bool, word: &[u8]) -> bool {
        let i = Self::index(first, word);
        self.bits[i / 64] & (1 << (i % 64)) != 0
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
            if word.len() < MIN_LEN || word.len() > self.max_len + 1 || word.len() > MAX_WORD {
                continue;
            }
            if !self.ends.contains(true, word) && !self.ends.contains(false, word) {
                continue;
            }
            // A run of ASCII letters inside a longer word of another alphabet is not a word.
            let before = text[..start].chars().next_back();
            let after = text[i..].chars().next();
            if before.is_some_and(char::is_alphabetic) || after.is_some_and(char::is_alphabetic) {
                continue;
            }
            if let Some(pattern) = self.lookup(word) {
                found(pattern, start, i);
            }
        }
    }

    fn lookup(&self, word: &[u8]) -> Option<usize> {
        let mut best: Option<u32> = None;
        keys_of(word, |k| {
            let Some(list) = self.keys.get(&k) else {
                return;
            };
            for &n in list {
                if best.is_some_and(|b| b <= n) {
                    continue;
                }
                let name = &self.names[n as usize].0;
                if name[0] == word[0] && one_edit(name, word) {
                    best = Some(n);
                }
            }
        });
        let n = best?;
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

/// Calls `key` with the hash of `s` and of each string made by deleting one byte of `s`
/// (duplicates included). Polynomial hash: H(s) = Σ (s[i]+1)·B^(n-1-i) (mod 2^64), so the
/// deletion of byte i hashes to H(s[..i])·B^(n-1-i) + H'(s[i+1..]) with prefix and suffix
/// sums computed once.
fn keys_of(s: &[u8], mut key: impl FnMut(u64)) {
    let n = s.len();
    debug_assert!(n <= MAX_WORD);
    let mut pow = [1u64; MAX_WORD + 1];
    for i in 1..=n {
        pow[i] = pow[i - 1].wrapping_mul(BASE);
    }
    // pre[i] = H(s[..i]); suf[j] = Σ_{k≥j} (s[k]+1)·B^(n-1-k)
    let mut pre = [0u64; MAX_WORD + 1];
    for i in 0..n {
        pre[i + 1] = pre[i].wrapping_mul(BASE).wrapping_add(u64::from(s[i]) + 1);
    }
    let mut suf = [0u64; MAX_WORD + 2];
    for k in (0..n).rev() {
        suf[k] = suf[k + 1].wrapping_add((u64::from(s[k]) + 1).wrapping_mul(pow[n - 1 - k]));
    }
    key(pre[n]);
    for i in 0..n {
        key(pre[i].wrapping_mul(pow[n - 1 - i]).wrapping_add(suf[i + 1]));
    }
}

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

/// The table's keys are already hashes; this only spreads them over the bits the table uses.
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
    fn deletion_keys_match_a_direct_hash() {
        // The linear-time deletion hashes equal hashing each deleted string from scratch.
        let word = b"clonazepam";
        let mut fast = Vec::new();
        keys_of(word, |k| fast.push(k));
        let direct = |s: &[u8]| {
            s.iter().fold(0u64, |h, &c| {
                h.wrapping_mul(BASE).wrapping_add(u64::from(c) + 1)
            })
        };
        assert_eq!(fast[0], direct(word));
        for i in 0..word.len() {
            let mut d = word.to_vec();
            d.remove(i);
            assert_eq!(fast[i + 1], direct(&d), "deletion at {i}");
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

    proptest::proptest! {
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
