//! Every `pharmwatch` command in README.md's `sh` blocks, checked against the real binary
//! (issue 19: "a README that matches what the commands do").
//!
//! * An example (a line with concrete arguments) is run by `sh` against the demo's data
//!   directory, in a scratch folder holding the files examples name (`listings.jsonl`,
//!   `labels.csv`, `my-packs/`), and must exit 0. Servers (`serve`, `daemon`) are not run.
//! * A synopsis (a line with `[optional]` parts, `a|b` choices or PLACEHOLDERS) names a
//!   subcommand and flags: each subcommand must exist and each flag must be in its `--help`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{json_lines, pharmwatch, root};

/// A README line: the command (without its comment).
#[derive(Debug)]
struct Line {
    number: usize,
    command: String,
}

/// The `pharmwatch` lines of the README's `sh` blocks.
fn readme_commands() -> Vec<Line> {
    let text = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut in_sh = false;
    let mut lines = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with("```") {
            in_sh = line.trim() == "```sh" && !in_sh;
            continue;
        }
        let command = strip_comment(line);
        if in_sh && command.split_whitespace().any(|w| w == "pharmwatch") {
            lines.push(Line {
                number: i + 1,
                command,
            });
        }
    }
    lines
}

/// The line without a trailing `# comment` (a `#` outside quotes after whitespace).
fn strip_comment(line: &str) -> String {
    let mut quote = None;
    let mut prev_space = true;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '\'' | '"') => quote = Some(c),
            (None, '#') if prev_space => return line[..i].trim_end().to_string(),
            _ => {}
        }
        prev_space = c.is_whitespace();
    }
    line.trim_end().to_string()
}

/// The line's words outside quotes (quoted text is one opaque word).
fn words(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    for c in command.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '\'' | '"') => {
                quote = Some(c);
                word.push('\'');
            }
            (Some(_), _) => {}
            (None, c) if c.is_whitespace() => {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
            }
            (None, c) => word.push(c),
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// A synopsis has optional parts, choices or placeholders (upper-case words, `…`, `...`).
fn is_synopsis(command: &str) -> bool {
    words(command).iter().any(|w| {
        w.contains('[')
            || (w.contains('|') && w != "|")
            || w.contains('…')
            || (w.len() > 1 && w.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
    })
}

/// The subcommand paths a synopsis names (`rules lint|test` → `rules lint`, `rules test`).
fn subcommands(command: &str) -> Vec<Vec<String>> {
    let words = words(command);
    let start = words.iter().position(|w| w == "pharmwatch").unwrap() + 1;
    let mut paths: Vec<Vec<String>> = vec![Vec::new()];
    for word in &words[start..] {
        let first = word.chars().next().unwrap_or(' ');
        if !first.is_ascii_lowercase() || word.contains('/') || word.contains('.') {
            break;
        }
        let choices: Vec<&str> = word.split('|').collect();
        paths = paths
            .into_iter()
            .flat_map(|p| {
                choices.iter().map(move |c| {
                    let mut p = p.clone();
                    p.push(c.to_string());
                    p
                })
            })
            .collect();
    }
    paths
}

/// Every `--flag` the line names.
fn flags(command: &str) -> Vec<String> {
    words(command)
        .iter()
        .flat_map(|w| {
            w.split(['[', ']', '|'])
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(|w| w.split('=').next().unwrap_or("").to_string())
        .collect()
}

fn help(path: &[String]) -> String {
    let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
    args.push("--help");
    let out = pharmwatch(&args);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The demo's data directory, and a scratch folder with the files the examples name.
fn demo_workspace(tmp: &Path) -> (PathBuf, PathBuf) {
    let data = tmp.join("demo-data");
    let data_arg = data.to_str().unwrap();
    pharmwatch(&["--data-dir", data_arg, "demo", "--listings-per-shop", "6"]);
    let work = tmp.join("work");
    std::fs::create_dir_all(&work).unwrap();
    let flagged = json_lines(&pharmwatch(&[
        "--data-dir",
        data_arg,
        "search",
        "*",
        "--json",
    ]));
    let docs: Vec<&serde_json::Value> = flagged.iter().filter_map(|h| h.get("doc")).collect();
    // `rules check` reads listings as rule authors write them (id, title, description, url…).
    let listings: Vec<String> = docs
        .iter()
        .map(|d| {
            let l = &d["listing"];
            serde_json::json!({
                "id": l["id"], "title": l["title"], "description": l["description"], "url": l["url"],
            })
            .to_string()
        })
        .collect();
    std::fs::write(work.join("listings.jsonl"), listings.join("\n") + "\n").unwrap();
    let mut labels = String::from("url,flagged\n");
    for doc in &docs {
        labels.push_str(&format!(
            "{},true\n",
            doc["listing"]["url"].as_str().unwrap()
        ));
    }
    std::fs::write(work.join("labels.csv"), labels).unwrap();
    let packs = work.join("my-packs");
    std::fs::create_dir_all(&packs).unwrap();
    for entry in std::fs::read_dir(root().join("rules/packs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            std::fs::copy(&path, packs.join(path.file_name().unwrap())).unwrap();
        }
    }
    (data, work)
}

fn run_example(command: &str, data: &Path, work: &Path) -> Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_pharmwatch"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("sh")
        .args(["-c", command])
        .current_dir(work)
        .env("PATH", path)
        .env("PHARMWATCH_DATA_DIR", data)
        .env("PHARMWATCH_CONFIG", root().join("config/pharmwatch.toml"))
        .env_remove("PHARMWATCH_TOKEN")
        .output()
        .unwrap()
}

/// Long-running commands: checked as synopses, not run.
fn is_server(command: &str) -> bool {
    let words = words(command);
    ["serve", "daemon", "demo"]
        .iter()
        .any(|s| words.iter().any(|w| w == s))
}

#[test]
fn every_readme_command_runs_or_names_real_flags() {
    let lines = readme_commands();
    assert!(lines.len() > 30, "found only {} commands", lines.len());
    let tmp = tempfile::tempdir().unwrap();
    let (data, work) = demo_workspace(tmp.path());
    let mut problems = Vec::new();
    let mut ran = 0;
    for line in &lines {
        let what = format!("README.md:{}: `{}`", line.number, line.command);
        if is_synopsis(&line.command) || is_server(&line.command) {
            for path in subcommands(&line.command) {
                let out = crate::common::pharmwatch_raw(
                    &path
                        .iter()
                        .map(String::as_str)
                        .chain(["--help"])
                        .collect::<Vec<_>>(),
                );
                if !out.status.success() {
                    problems.push(format!(
                        "{what}: `pharmwatch {}` is no command",
                        path.join(" ")
                    ));
                    continue;
                }
                let text = help(&path);
                for flag in flags(&line.command) {
                    if !text.contains(&flag) {
                        problems.push(format!(
                            "{what}: `pharmwatch {}` has no {flag}",
                            path.join(" ")
                        ));
                    }
                }
            }
            continue;
        }
        ran += 1;
        let out = run_example(&line.command, &data, &work);
        if !out.status.success() {
            problems.push(format!(
                "{what} failed ({}):\n{}{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(ran >= 10, "ran only {ran} examples");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn synopses_and_examples_are_told_apart() {
    assert!(is_synopsis("pharmwatch search QUERY [--all]"));
    assert!(is_synopsis("pharmwatch rules lint|test"));
    assert!(is_synopsis("pharmwatch rules lint [PATH…]"));
    assert!(!is_synopsis(
        "pharmwatch search 'drug:oxycodone AND price_usd:[0 TO 5]' --facets"
    ));
    assert!(!is_synopsis(
        "pharmwatch search '奥施康定 OR 羟考酮' --sort price --asc --csv > case.csv"
    ));
    assert_eq!(
        subcommands("pharmwatch parse price|quantity TEXT"),
        [vec!["parse", "price"], vec!["parse", "quantity"]]
    );
    assert_eq!(
        flags("pharmwatch report [RUN] [--json|--md] [--diff A B]"),
        ["--json", "--md", "--diff"]
    );
    assert_eq!(
        strip_comment("pharmwatch x 'a # b'  # note"),
        "pharmwatch x 'a # b'"
    );
}
