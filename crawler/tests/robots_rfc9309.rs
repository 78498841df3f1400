//! robots.txt matching against the cases of Google's reference parser (google/robotstxt's
//! `robots_test.cc`, Apache-2.0): the matching cases as data in `data/robots_rfc9309.txt`,
//! the byte-level ones (line endings, byte order marks, long lines, URL paths) here.

use pharmwatch_crawler::robots::{RobotsRules, escape_pattern, path_params_query};

struct Case {
    name: String,
    robots: String,
    expect: Vec<(bool, String, String)>,
}

fn cases() -> Vec<Case> {
    let text = include_str!("data/robots_rfc9309.txt");
    let mut cases: Vec<Case> = Vec::new();
    let mut in_robots = false;
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("== ") {
            cases.push(Case {
                name: name.to_string(),
                robots: String::new(),
                expect: Vec::new(),
            });
            in_robots = true;
            continue;
        }
        let Some(case) = cases.last_mut() else {
            continue;
        };
        if in_robots {
            if line == "--" {
                in_robots = false;
            } else {
                case.robots.push_str(line);
                case.robots.push('\n');
            }
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line.splitn(3, '|').map(str::trim).collect();
        let [verdict, agent, url] = parts[..] else {
            panic!("{}: bad expectation line {line:?}", case.name);
        };
        let allow = match verdict {
            "allow" => true,
            "disallow" => false,
            other => panic!(
                "{}: verdict {other:?} is neither allow nor disallow",
                case.name
            ),
        };
        case.expect
            .push((allow, agent.to_string(), url.to_string()));
    }
    cases
}

fn allowed(robots: &[u8], agent: &str, url: &str) -> bool {
    RobotsRules::parse(agent, robots).allowed_path(&path_params_query(url))
}

#[test]
fn every_case_of_the_reference_suite_agrees() {
    let cases = cases();
    let checks: usize = cases.iter().map(|c| c.expect.len()).sum();
    assert!(
        cases.len() >= 40 && checks >= 130,
        "{} cases, {checks} checks",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        for (allow, agent, url) in &case.expect {
            if allowed(case.robots.as_bytes(), agent, url) != *allow {
                let want = if *allow { "allow" } else { "disallow" };
                failures.push(format!("{}: {want} {agent:?} {url}", case.name));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// ID_LinesNumbersAreCountedCorrectly: LF, CRLF, CR, mixed, no final newline; the rule
/// that decides is on line 6 in each.
#[test]
fn line_endings_and_line_numbers() {
    for eol in ["\n", "\r\n", "\r"] {
        let file = [
            "User-Agent: foo",
            "Allow: /some/path",
            "User-Agent: bar",
            "",
            "",
            "Disallow: /",
        ]
        .join(eol);
        let decision = RobotsRules::parse("bar", file.as_bytes()).explain_path("/x");
        assert!(!decision.allowed, "{eol:?}");
        assert_eq!(decision.rule.map(|r| r.line), Some(6), "{eol:?}");
        assert_eq!(decision.group[0].line, 3, "{eol:?}");
    }
    let mixed = "User-Agent: foo\nAllow: /some/path\r\nUser-Agent: bar\n\r\n\nDisallow: /";
    let decision = RobotsRules::parse("bar", mixed.as_bytes()).explain_path("/x");
    assert_eq!(decision.rule.map(|r| r.line), Some(6));
}

/// ID_UTF8ByteOrderMarkIsSkipped: a whole or partial BOM at the start is skipped; a broken
/// one or one elsewhere spoils only its line.
#[test]
fn byte_order_marks() {
    let rest = b"User-Agent: foo\nDisallow: /AnyValue\n";
    for bom in [&b"\xEF\xBB\xBF"[..], b"\xEF\xBB", b"\xEF"] {
        let file = [bom, rest].concat();
        assert!(!allowed(&file, "foo", "http://x/AnyValue"), "{bom:?}");
    }
    let broken = [&b"\xEF\x11\xBF"[..], rest].concat();
    assert!(allowed(&broken, "foo", "http://x/AnyValue"));
    let middle = b"User-Agent: foo\n\xEF\xBB\xBFDisallow: /AnyValue\n";
    assert!(allowed(middle, "foo", "http://x/AnyValue"));
}

/// GoogleOnly_LineTooLong: a line is cut after 2083 * 8 - 1 bytes.
#[test]
fn long_lines_are_cut() {
    let max_line = 2083 * 8;
    let disallow = "disallow: ";
    let mut long = "/x/".to_string();
    while long.len() < max_line - 3 - disallow.len() + 1 {
        long.push('a');
    }
    let file = format!("user-agent: FooBot\n{disallow}{long}/qux\n");
    assert!(allowed(file.as_bytes(), "FooBot", "http://foo.bar/fux"));
    let cut = format!("http://foo.bar{long}/fux");
    assert!(!allowed(file.as_bytes(), "FooBot", &cut));

    let allow = "allow: ";
    let (mut a, mut b) = ("/x/".to_string(), "/x/".to_string());
    while a.len() < max_line - 3 - allow.len() + 1 {
        a.push('a');
        b.push('b');
    }
    let file = format!("user-agent: FooBot\ndisallow: /\n{allow}{a}/qux\n{allow}{b}/qux\n");
    assert!(!allowed(file.as_bytes(), "FooBot", "http://foo.bar/"));
    assert!(allowed(
        file.as_bytes(),
        "FooBot",
        &format!("http://foo.bar{a}/qux")
    ));
    assert!(allowed(
        file.as_bytes(),
        "FooBot",
        &format!("http://foo.bar{b}/fux")
    ));
}

/// TestGetPathParamsQuery and TestMaybeEscapePattern.
#[test]
fn url_paths_and_pattern_escapes() {
    for (url, path) in [
        ("", "/"),
        ("http://www.example.com", "/"),
        ("http://www.example.com/", "/"),
        ("http://www.example.com/a", "/a"),
        ("http://www.example.com/a/", "/a/"),
        (
            "http://www.example.com/a/b?c=http://d.e/",
            "/a/b?c=http://d.e/",
        ),
        (
            "http://www.example.com/a/b?c=d&e=f#fragment",
            "/a/b?c=d&e=f",
        ),
        ("example.com", "/"),
        ("example.com/", "/"),
        ("example.com/a", "/a"),
        ("example.com/a/", "/a/"),
        ("example.com/a/b?c=d&e=f#fragment", "/a/b?c=d&e=f"),
        ("a", "/"),
        ("a/", "/"),
        ("/a", "/a"),
        ("a/b", "/b"),
        ("example.com?a", "/?a"),
        ("example.com/a;b#c", "/a;b"),
        ("//a/b/c", "/b/c"),
    ] {
        assert_eq!(path_params_query(url), path, "{url:?}");
    }
    assert_eq!(
        escape_pattern("http://www.example.com"),
        "http://www.example.com"
    );
    assert_eq!(escape_pattern("/a/b/c"), "/a/b/c");
    assert_eq!(escape_pattern("á"), "%C3%A1");
    assert_eq!(escape_pattern("%aa"), "%AA");
}

#[test]
fn crawl_delay_of_the_group_that_applies() {
    let file = b"User-agent: *\nCrawl-delay: 9\nDisallow: /cart\n\nUser-agent: FOO BAR\nCrawl-delay: 2.5\nDisallow: /account\n";
    let ours = RobotsRules::parse("foo", file);
    assert_eq!(
        ours.crawl_delay,
        Some(std::time::Duration::from_millis(2500))
    );
    let decision = ours.explain_path("/account/login");
    assert!(!decision.allowed);
    assert_eq!(decision.group[0].value, "FOO BAR");
    assert_eq!(
        decision.rule.map(|r| r.to_string()).as_deref(),
        Some("line 7: Disallow: /account")
    );
    let other = RobotsRules::parse("qux", file);
    assert_eq!(other.crawl_delay, Some(std::time::Duration::from_secs(9)));
    assert!(other.explain_path("/account").allowed);
}
