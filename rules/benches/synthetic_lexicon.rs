//! Deterministic synthetic lexicons of a chosen size for the lexicon-scaling benchmark (shared
//! with the profiling example).
//!
//! The shipped packs name classes, categories and drug ids that must exist, and the benchmark
//! mix names oxycodone, sildenafil (西地那非), tramadol (Трамадол) and atorvastatin. So a
//! synthetic lexicon keeps those four drugs with all their names, one real drug (first name
//! only) per category and per id the packs name, and fills the rest with generated INN-like
//! names ("dexolprazole", "mirentsartan"): prefixes, middles and the stems of real drug
//! classes, 8 names per synthetic product, categories taken in turn from the real file.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

/// Drugs of the benchmark mix: kept whole.
const MIX_DRUGS: [&str; 4] = ["oxycodone", "sildenafil", "tramadol", "atorvastatin"];
/// Drug ids the shipped packs name in `id = [...]`.
const PACK_IDS: [&str; 8] = [
    "warfarin",
    "mifepristone",
    "misoprostol",
    "mifepristone-misoprostol",
    "linezolid",
    "dextromethorphan",
    "ephedrine",
    "pseudoephedrine",
];

const PREFIXES: [&str; 32] = [
    "ab", "ac", "al", "am", "ar", "bel", "ben", "bro", "cal", "car", "cef", "cel", "cla", "dap",
    "del", "dex", "dox", "ena", "eso", "fen", "flu", "gli", "hal", "ibu", "ket", "lam", "lev",
    "lor", "mel", "mir", "nal", "nor",
];
const MIDDLES: [&str; 28] = [
    "a", "e", "i", "o", "u", "ar", "er", "ol", "ox", "ip", "av", "ent", "ur", "ist", "ofl", "ant",
    "im", "ed", "on", "el", "ib", "ac", "ez", "ot", "um", "yr", "is", "ap",
];
const STEMS: [&str; 25] = [
    "azepam", "olol", "pril", "sartan", "statin", "mab", "tinib", "floxacin", "vir", "cycline",
    "prazole", "dronate", "tidine", "setron", "triptan", "gliptin", "lukast", "parin", "profen",
    "oxetine", "afil", "amide", "azine", "done", "mycin",
];

/// The `k`-th generated name; distinct for `k` below 22,400 (the number of combinations),
/// spread over the combinations by a stride coprime with their count.
pub fn name(k: usize) -> String {
    let total = PREFIXES.len() * MIDDLES.len() * STEMS.len();
    let i = (k * 7919) % total;
    let (p, rest) = (i % PREFIXES.len(), i / PREFIXES.len());
    let (m, s) = (rest % MIDDLES.len(), rest / MIDDLES.len());
    format!("{}{}{}", PREFIXES[p], MIDDLES[m], STEMS[s])
}

/// Writes `drugs.csv` with about `names` names (never fewer than the kept real rows hold)
/// and a copy of `currency_rates.csv` into `out`; returns the number of names written.
pub fn write(real: &Path, out: &Path, names: usize) -> std::io::Result<usize> {
    let src = std::fs::read_to_string(real.join("drugs.csv"))?;
    let mut csv = String::from(
        "id,class,schedule,category,names,context_names,ref_price,currency,unit,source,date\n",
    );
    let mut categories: Vec<String> = Vec::new();
    let mut count = 0;
    for line in src
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("id,"))
    {
        let f: Vec<&str> = line.split(',').collect();
        // 11 columns, or 12 with `name_source` (the lexicon reads both).
        if f.len() != 11 && f.len() != 12 {
            continue;
        }
        let (id, category) = (f[0], f[3]);
        let new_category = !categories.iter().any(|c| c == category);
        if new_category {
            categories.push(category.to_string());
        }
        if MIX_DRUGS.contains(&id) {
            count += f[4].split('|').count() + f[5].split('|').filter(|n| !n.is_empty()).count();
            csv.push_str(line);
        } else if new_category || PACK_IDS.contains(&id) {
            let first = f[4].split('|').next().unwrap_or(id);
            count += 1;
            let _ = write!(
                csv,
                "{},{},{},{},{first},,{},{},{},{},{}",
                f[0], f[1], f[2], f[3], f[6], f[7], f[8], f[9], f[10]
            );
        } else {
            continue;
        }
        csv.push('\n');
    }
    let classes = ["rx", "otc", "controlled"];
    let mut seen = BTreeSet::new();
    let mut k = 0;
    let mut product = 0;
    while count < names {
        let mut row = Vec::new();
        while row.len() < 8 && count + row.len() < names {
            let n = name(k);
            k += 1;
            if seen.insert(n.clone()) {
                row.push(n);
            }
        }
        let _ = writeln!(
            csv,
            "synthetic-{product:05},{},,{},{},,,,,,",
            classes[product % classes.len()],
            categories[product % categories.len()],
            row.join("|")
        );
        count += row.len();
        product += 1;
    }
    std::fs::write(out.join("drugs.csv"), csv)?;
    std::fs::copy(
        real.join("currency_rates.csv"),
        out.join("currency_rates.csv"),
    )?;
    Ok(count)
}
