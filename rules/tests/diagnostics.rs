//! Broken rule files are reported with the right file:line:column for every fault.

use std::path::{Path, PathBuf};

use pharmwatch_rules::{RuleSet, lint};

fn reference() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/reference")
}

const GOOD: &str = r#"[[rule]]
id = "dup-rule"
title = "First definition"
severity = "low"
category = "test"

[rule.match]
drug = { class = ["rx"] }
"#;

// Faults (positions in `want` below): unknown key, bad severity, unknown class, bad regex,
// duplicate id across files, unknown category, unknown test field.
const BROKEN: &str = r#"[[rule]]
id = "typo-key"
title = "A rule with a typo"
severty = "high"
category = "test"
[rule.match]
drug = { class = ["rx"] }

[[rule]]
id = "bad-severity-etc"
severity = "urgent"
title = "t"
category = "test"
match = { all = [ { drug = { class = ["prescription"] } },
    { text = { any = ['(unclosed'] } } ] }

[[rule]]
id = "dup-rule"
title = "Second definition"
severity = "low"
category = "test"
match = { drug = { category = ["pde6"] } }
[[rule.test]]
titel = "oops"
expect = true
"#;

#[test]
fn every_fault_has_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.toml");
    let b = dir.path().join("b.toml");
    std::fs::write(&a, GOOD).unwrap();
    std::fs::write(&b, BROKEN.replace("\n    { text", "\n{ text")).unwrap();
    let err = RuleSet::load(&[dir.path().to_path_buf()], &reference()).unwrap_err();
    let got: Vec<(String, usize, usize, Option<String>)> = err
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.file.file_name().unwrap().to_string_lossy().into_owned(),
                d.line,
                d.column,
                d.rule_id.clone(),
            )
        })
        .collect();
    let text = err.to_string();
    let want = [
        ("b.toml", 4, 1, "typo-key", "unknown key `severty`"),
        (
            "b.toml",
            11,
            12,
            "bad-severity-etc",
            "unknown severity `urgent`",
        ),
        (
            "b.toml",
            14,
            39,
            "bad-severity-etc",
            "unknown drug class `prescription`",
        ),
        (
            "b.toml",
            15,
            19,
            "bad-severity-etc",
            "invalid regex `(unclosed`",
        ),
        ("b.toml", 18, 6, "dup-rule", "duplicate rule id `dup-rule`"),
        ("b.toml", 22, 32, "dup-rule", "unknown drug category `pde6`"),
        ("b.toml", 24, 1, "dup-rule", "unknown test field `titel`"),
    ];
    for (file, line, col, rule, msg) in want {
        let found = err.diagnostics.iter().find(|d| d.message.contains(msg));
        let d = found.unwrap_or_else(|| panic!("no diagnostic `{msg}` in:\n{text}\n{got:?}"));
        assert_eq!(
            (
                d.file.file_name().unwrap().to_str().unwrap(),
                d.line,
                d.column,
                d.rule_id.as_deref()
            ),
            (file, line, col, Some(rule)),
            "{msg}:\n{text}"
        );
    }
    // Messages say how to fix it, and display as file:line:col: rule <id>: message.
    assert!(text.contains("did you mean `severity`?"), "{text}");
    assert!(text.contains("first defined at"), "{text}");
    assert!(text.lines().any(|l| l.ends_with("b.toml:4:1: rule typo-key: unknown key `severty` in a rule (did you mean `severity`?): expected one of id, title, severity, category, description, references, match, severity_if, test")), "{text}");
    assert_eq!(
        lint(&[dir.path().to_path_buf()], &reference()).len(),
        err.diagnostics.len()
    );
}

#[test]
fn invalid_toml_is_reported_at_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("x.toml");
    std::fs::write(&f, "[[rule]]\nid = \"a\"\ntitle = \n").unwrap();
    let err = RuleSet::load(&[f], &reference()).unwrap_err();
    assert_eq!(err.diagnostics.len(), 1);
    assert_eq!(err.diagnostics[0].line, 3, "{err}");
    assert!(
        err.diagnostics[0].message.starts_with("invalid TOML"),
        "{err}"
    );
}

#[test]
fn missing_paths_and_reference_data_are_reported() {
    let err = RuleSet::load(
        &[PathBuf::from("/nonexistent/rules")],
        Path::new("/nonexistent/ref"),
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("no such rule file or folder"), "{text}");
    assert!(text.contains("cannot read the drug lexicon"), "{text}");
    assert!(
        text.contains("cannot read the currency rates table"),
        "{text}"
    );
}

#[test]
fn failing_embedded_tests_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("r.toml");
    std::fs::write(
        &f,
        r#"[[rule]]
id = "needs-rx-drug"
title = "t"
severity = "low"
category = "c"
[rule.match]
all = [ { drug = { class = ["rx"] } }, { text = { words = ["cheap"] } } ]
[[rule.test]]
title = "cheap sofa"
expect = true
[[rule.test]]
title = "cheap viagra"
expect = false
[[rule.test]]
title = "cheap viagra"
expect = true
"#,
    )
    .unwrap();
    let set = RuleSet::load(&[f], &reference()).unwrap();
    let report = set.run_embedded_tests();
    assert_eq!((report.passed(), report.failed()), (1, 2));
    let text = report.to_string();
    assert!(text.contains("test needs-rx-drug#1 ... FAILED"), "{text}");
    assert!(text.contains("test needs-rx-drug#3 ... ok"), "{text}");
    assert!(
        text.contains("test result: FAILED. 1 passed; 2 failed"),
        "{text}"
    );
    assert!(text.contains("did not: drug class rx"), "{text}");
    assert!(text.contains("title[6..12] \"viagra\""), "{text}");
}

#[test]
fn lint_and_test_hold_every_rule_to_two_tests_each_way() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("r.toml");
    let rule = "[[rule]]\nid = \"onion\"\ntitle = \"t\"\nseverity = \"low\"\ncategory = \"c\"\n[rule.match]\nsite = { tld = [\"onion\"] }\n";
    let fires = "[[rule.test]]\nexpect = true\nurl = \"http://pills.onion/a\"\n";
    let quiet = "[[rule.test]]\nexpect = false\nurl = \"https://pills.example/a\"\n";
    // (tests that fire, tests that must not) → lint problems and `rules test` verdict agree.
    for (n_fire, n_quiet, ok) in [
        (0, 0, false),
        (1, 0, false),
        (2, 1, false),
        (1, 2, false),
        (2, 2, true),
        (3, 2, true),
    ] {
        let text = format!("{rule}{}{}", fires.repeat(n_fire), quiet.repeat(n_quiet));
        std::fs::write(&f, text).unwrap();
        let diags = lint(std::slice::from_ref(&f), &reference());
        let report = RuleSet::load(std::slice::from_ref(&f), &reference())
            .unwrap()
            .run_embedded_tests();
        assert_eq!(diags.is_empty(), ok, "{n_fire}/{n_quiet}: {diags:?}");
        assert_eq!(report.ok(), ok, "{n_fire}/{n_quiet}: {report}");
        assert_eq!(report.failed(), 0, "{report}");
        assert_eq!(report.too_few, diags);
        if !ok {
            assert_eq!(
                (diags[0].line, diags[0].rule_id.as_deref()),
                (1, Some("onion"))
            );
            assert!(
                diags[0].message.contains(&format!("{n_fire} "))
                    && diags[0].message.contains("at least 2 of each"),
                "{diags:?}"
            );
            assert!(
                report.to_string().contains("rule with too few tests"),
                "{report}"
            );
        }
    }
    // The shipped packs meet the policy.
    let packs = Path::new(env!("CARGO_MANIFEST_DIR")).join("packs");
    assert_eq!(lint(&[packs], &reference()), Vec::new());
}

#[test]
fn an_unknown_site_kind_is_one_error_naming_the_valid_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("r.toml");
    std::fs::write(
        &f,
        "[[rule]]\nid = \"shops\"\ntitle = \"t\"\nseverity = \"low\"\ncategory = \"c\"\n[rule.match]\nsite = { kind = [\"shop\"] }\ncontact = { kinds = [\"pigeon\"] }\n",
    )
    .unwrap();
    let err = RuleSet::load(&[f], &reference()).unwrap_err();
    let lines: Vec<String> = err.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].ends_with("r.toml:7:18: rule shops: unknown site kind `shop`: expected one of pharmacy, marketplace, classifieds, forum, darknet-market"), "{lines:?}");
    assert!(
        lines[1].contains("r.toml:8:22: rule shops: unknown contact kind `pigeon`"),
        "{lines:?}"
    );
}
