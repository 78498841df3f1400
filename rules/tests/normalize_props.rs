//! Normalisation never panics, and its offset map always lands inside the original text on
//! char boundaries, for any input.

use pharmwatch_rules::normalize::Normalized;
use proptest::prelude::*;

fn tricky() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "V1AGRA",
        "C1al1s",
        "0xyc0d0ne",
        "Xan@x",
        "v.i.a.g.r.a",
        "o x y",
        "Ｖｉａｇｒａ",
        "Охусоdоne",
        "\u{200D}",
        "\u{200B}",
        "\u{FEFF}",
        "e\u{301}",
        "İ",
        "ß",
        "ﬁ",
        "㎎",
        "西地那非",
        "無需處方",
        "без рецепта",
        "بدون وصفة",
        "1,500 mg",
        "$1,299.00",
        "@",
        "|",
        "!",
        " ",
        "-",
        ".",
        "ǅ",
        "\u{1D5E9}",
        "ⅸ",
        "\u{0345}",
        "ﷺ",
        "🇬🇧",
        "👨\u{200D}👩",
    ]);
    prop::collection::vec(
        prop_oneof![
            pieces.prop_map(String::from),
            any::<String>(),
            "[a-z0-9 .@$|!-]{0,12}"
        ],
        0..12,
    )
    .prop_map(|v| v.concat())
}

fn check(original: &str, n: &Normalized) {
    let len = n.text.len();
    let mut points: Vec<usize> = (0..=len).filter(|i| n.text.is_char_boundary(*i)).collect();
    points.push(len + 3);
    for (i, &a) in points.iter().enumerate() {
        for &b in points.iter().skip(i).take(6) {
            let r = n.to_original(a..b);
            assert!(
                r.start <= r.end && r.end <= original.len(),
                "{r:?} for {a}..{b}"
            );
            assert!(original.is_char_boundary(r.start) && original.is_char_boundary(r.end));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn offset_maps_stay_on_char_boundaries(s in tricky()) {
        let normal = Normalized::new(&s);
        check(&s, &normal);
        let deep = Normalized::deobfuscated(&s);
        check(&s, &deep);
        let (n2, d2) = Normalized::views(&s);
        prop_assert_eq!(n2, normal);
        prop_assert_eq!(d2, deep);
    }

    #[test]
    fn cjk_passes_through_unchanged(s in "[\u{4E00}-\u{9FFF}\u{3040}-\u{30FF}\u{AC00}-\u{D7A3}]{0,20}") {
        prop_assert_eq!(&Normalized::new(&s).text, &s);
        prop_assert_eq!(&Normalized::deobfuscated(&s).text, &s);
    }
}
