//! Drug-name obfuscation as spammers do it, each a way the rules' normaliser must undo.

use serde::{Deserialize, Serialize};

/// How a drug name was disguised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Obfuscation {
    /// Digits or symbols for letters: "0xyc0d0ne", "V1agra", "Xan@x", "C1al1s".
    Leet,
    /// Separators between letters: "v.i.a.g.r.a".
    Separators,
    /// Zero-width joiners inside the name.
    ZeroWidth,
    /// Full-width Latin letters: "ｏｘｙｃｏｄｏｎｅ".
    FullWidth,
    /// Cyrillic look-alike letters: "Охусоdоne".
    Cyrillic,
}

impl Obfuscation {
    /// Every kind.
    pub const ALL: [Obfuscation; 5] = [
        Obfuscation::Leet,
        Obfuscation::Separators,
        Obfuscation::ZeroWidth,
        Obfuscation::FullWidth,
        Obfuscation::Cyrillic,
    ];

    /// Kinds that survive GBK encoding as characters (a zero-width joiner would become a
    /// numeric character reference there).
    pub const GBK_SAFE: [Obfuscation; 4] = [
        Obfuscation::Leet,
        Obfuscation::Separators,
        Obfuscation::FullWidth,
        Obfuscation::Cyrillic,
    ];

    /// Disguises `name` (a Latin-script drug name). The result always differs from `name`.
    pub fn apply(self, name: &str, rng: &mut fastrand::Rng) -> String {
        let out = match self {
            Obfuscation::Leet => leet(name, rng),
            Obfuscation::Separators => separators(name, rng),
            Obfuscation::ZeroWidth => zero_width(name, rng),
            Obfuscation::FullWidth => full_width(name, rng),
            Obfuscation::Cyrillic => cyrillic(name, rng),
        };
        if out == name {
            separators(name, rng)
        } else {
            out
        }
    }
}

const LEET: [(char, char); 4] = [('o', '0'), ('i', '1'), ('a', '@'), ('e', '3')];

/// Replaces occurrences of one letter (either case) by its look-alike digit or symbol: each
/// with probability 3/4, at least one ("0xyc0d0ne", "Xan@x", "C1al1s").
fn leet(name: &str, rng: &mut fastrand::Rng) -> String {
    let lower = name.to_ascii_lowercase();
    let present: Vec<(char, char)> = LEET
        .iter()
        .copied()
        .filter(|(c, _)| lower.contains(*c))
        .collect();
    if present.is_empty() {
        return name.to_string();
    }
    let (letter, sub) = present[rng.usize(..present.len())];
    let mut swapped = false;
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.to_ascii_lowercase() == letter && rng.u8(..4) > 0 {
                swapped = true;
                sub
            } else {
                c
            }
        })
        .collect();
    if !swapped {
        let at = lower.find(letter).unwrap_or(0);
        out = name
            .char_indices()
            .map(|(i, c)| if i == at { sub } else { c })
            .collect();
    }
    out
}

fn separators(name: &str, rng: &mut fastrand::Rng) -> String {
    let sep = ['.', '-', '*'][rng.usize(..3)];
    let lower = rng.bool();
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if i > 0 {
            out.push(sep);
        }
        if lower {
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn zero_width(name: &str, rng: &mut fastrand::Rng) -> String {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() < 2 {
        return name.to_string();
    }
    let at = rng.usize(1..chars.len());
    let second = if chars.len() > 4 && rng.bool() {
        Some(rng.usize(1..chars.len()))
    } else {
        None
    };
    let mut out = String::new();
    for (i, c) in chars.iter().enumerate() {
        if i == at || Some(i) == second {
            out.push('\u{200D}');
        }
        out.push(*c);
    }
    out
}

fn full_width(name: &str, rng: &mut fastrand::Rng) -> String {
    let lower = rng.bool();
    name.chars()
        .map(|c| {
            let c = if lower { c.to_ascii_lowercase() } else { c };
            if c.is_ascii_alphanumeric() {
                char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

const CYRILLIC: [(char, char); 17] = [
    ('a', 'а'),
    ('c', 'с'),
    ('e', 'е'),
    ('o', 'о'),
    ('p', 'р'),
    ('x', 'х'),
    ('y', 'у'),
    ('i', 'і'),
    ('A', 'А'),
    ('B', 'В'),
    ('C', 'С'),
    ('E', 'Е'),
    ('M', 'М'),
    ('O', 'О'),
    ('P', 'Р'),
    ('T', 'Т'),
    ('X', 'Х'),
];

/// Swaps look-alike letters for Cyrillic ones (each with probability 0.7, at least one).
fn cyrillic(name: &str, rng: &mut fastrand::Rng) -> String {
    let lookup = |c: char| CYRILLIC.iter().find(|(l, _)| *l == c).map(|(_, r)| *r);
    let mut swapped = 0;
    let mut out: String = name
        .chars()
        .map(|c| match lookup(c) {
            Some(r) if rng.f32() < 0.7 => {
                swapped += 1;
                r
            }
            _ => c,
        })
        .collect();
    if swapped == 0 {
        // Swap the first look-alike so the name is disguised at least once.
        let mut done = false;
        out = name
            .chars()
            .map(|c| match lookup(c) {
                Some(r) if !done => {
                    done = true;
                    r
                }
                _ => c,
            })
            .collect();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_changes_every_catalogue_name() {
        let mut rng = fastrand::Rng::with_seed(7);
        for drug in crate::catalogue::DRUGS {
            for name in std::iter::once(drug.inn).chain(drug.brands.iter().copied()) {
                for kind in Obfuscation::ALL {
                    let out = kind.apply(name, &mut rng);
                    assert_ne!(out, name, "{kind:?} left {name} unchanged");
                    assert!(!out.to_lowercase().contains(&name.to_lowercase()));
                }
            }
        }
    }

    #[test]
    fn full_width_and_leet_look_as_expected() {
        let mut rng = fastrand::Rng::with_seed(1);
        let fw = full_width("oxycodone", &mut rng);
        assert_eq!(fw, "ｏｘｙｃｏｄｏｎｅ");
        let l = leet("Cialis", &mut rng);
        assert!(
            ["C1al1s", "C1alis", "Cial1s", "Ci@lis"].contains(&l.as_str()),
            "{l}"
        );
    }
}
