//! Pack sizes, strengths and dosage forms.

use std::str::FromStr;

use pharmwatch_extract::parse_quantity;
use rust_decimal::Decimal;

/// (text, units, strength "value unit", form)
type Case = (
    &'static str,
    Option<u32>,
    Option<&'static str>,
    Option<&'static str>,
);

const CASES: &[Case] = &[
    ("20 tabs x 100mg", Some(20), Some("100 mg"), Some("tablet")),
    (
        "100mg x 20 tablets",
        Some(20),
        Some("100 mg"),
        Some("tablet"),
    ),
    ("Pack of 30", Some(30), None, None),
    // German counts: "Stück" pieces, "4er-Set" a set of four.
    (
        "Vitamin D3 1000 I.E. Weichkapseln, 90 Stück",
        Some(90),
        None,
        Some("piece"),
    ),
    ("Barhocker, 4er-Set, Eiche", Some(4), None, None),
    ("Bar stools, set of 4, oak", Some(4), None, None),
    ("90 pills", Some(90), None, Some("pill")),
    ("3 x 0.5 mg pens", Some(3), Some("0.5 mg"), Some("pen")),
    ("30片/盒", Some(30), None, Some("tablet")),
    ("10 粒", Some(10), None, Some("capsule")),
    ("60 tablets", Some(60), None, Some("tablet")),
    ("x 30", Some(30), None, None),
    (
        "Oxycodone 30mg x 60 tablets",
        Some(60),
        Some("30 mg"),
        Some("tablet"),
    ),
    (
        "西地那非 100mg 30片",
        Some(30),
        Some("100 mg"),
        Some("tablet"),
    ),
    (
        "Viagra 100 mg - 2 x 30 tablets",
        Some(60),
        Some("100 mg"),
        Some("tablet"),
    ),
    (
        "Alprazolam 2mg 100 pills no prescription",
        Some(100),
        Some("2 mg"),
        Some("pill"),
    ),
    ("Ozempic 1 mg/ml pen", None, Some("1 mg/ml"), Some("pen")),
    (
        "Semaglutide 0,25 mg 4 pens",
        Some(4),
        Some("0.25 mg"),
        Some("pen"),
    ),
    (
        "Amoxicillin 500 mg capsules, box of 21",
        Some(21),
        Some("500 mg"),
        Some("capsule"),
    ),
    ("Tramadol 50mg ×90", Some(90), Some("50 mg"), None),
    (
        "Diazepam 10 mg 30 comprimidos",
        Some(30),
        Some("10 mg"),
        Some("tablet"),
    ),
    (
        "Zolpidem 10 mg, 28 comprimés",
        Some(28),
        Some("10 mg"),
        Some("tablet"),
    ),
    ("Трамадол 50 мг 20 таблеток", Some(20), None, Some("tablet")),
    (
        "Vitamin D 1000 IU 120 softgels",
        Some(120),
        Some("1000 iu"),
        Some("softgel"),
    ),
    (
        "Fentanyl 75 mcg/h patch x 5",
        Some(5),
        Some("75 mcg"),
        Some("patch"),
    ),
    (
        "Levothyroxine 50 µg 100 Tabletten",
        Some(100),
        Some("50 mcg"),
        Some("tablet"),
    ),
    ("司美格鲁肽 1支", Some(1), None, Some("pen")),
    (
        "阿莫西林胶囊 0.25克 24粒",
        Some(24),
        Some("0.25 g"),
        Some("capsule"),
    ),
];

#[test]
fn quantity_table() {
    let mut failures = Vec::new();
    for (text, units, strength, form) in CASES {
        let got = parse_quantity(text);
        let want_strength = strength.map(|s| {
            let (v, u) = s.split_once(' ').unwrap();
            (Decimal::from_str(v).unwrap(), u.to_string())
        });
        let ok = got.as_ref().is_some_and(|q| {
            q.units == *units
                && q.form.as_deref() == *form
                && q.strength.as_ref().map(|s| (s.value, s.unit.clone())) == want_strength
        });
        if !ok {
            failures.push(format!(
                "{text:?}: want {units:?} {strength:?} {form:?}, got {got:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn no_quantity_is_none() {
    for text in [
        "",
        "Mountain bike, barely used",
        "Call now",
        "2026",
        "page 3 of 10",
    ] {
        assert_eq!(parse_quantity(text), None, "{text:?}");
    }
}

#[test]
fn zero_and_huge_counts_are_not_units() {
    assert_eq!(parse_quantity("0 tablets").and_then(|q| q.units), None);
    assert_eq!(
        parse_quantity("99999999999 tablets").and_then(|q| q.units),
        None
    );
}

/// Counts written as containers of units, multiplications and multi-buys.
#[test]
fn packs_multiplications_and_multi_buys() {
    for (text, units) in [
        ("3 strips of 10 tablets", Some(30)),
        ("Cialis 20mg 3 strips of 10", Some(30)),
        ("2 boxes x 28 caps", Some(56)),
        ("2 x 28", Some(56)),
        ("Sertraline 50 mg 2 x 28", Some(56)),
        ("3 for $10", Some(3)),
        ("60 caps (2 bottles)", Some(60)),
        ("2 x 5 ml", Some(2)),
        ("Tramadol 100 mg 180 tablets, $1.04/pill", Some(180)),
    ] {
        let got = parse_quantity(text).and_then(|q| q.units);
        assert_eq!(got, units, "{text}");
    }
    let q = parse_quantity("3 strips of 10 tablets").unwrap();
    assert_eq!(q.form.as_deref(), Some("tablet"));
}
