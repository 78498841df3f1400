//! Configuration mistakes are refused before anything is fetched, with the file, the line
//! and the fix (issue 19, item 8), through the real `crawl` command.

mod common;

use common::pharmwatch_raw;

fn crawl_with(config: &str) -> (Option<i32>, String) {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("bad.toml");
    std::fs::write(&path, config).unwrap();
    let data = tmp.path().join("data");
    let out = pharmwatch_raw(&[
        "--data-dir",
        data.to_str().unwrap(),
        "--config",
        path.to_str().unwrap(),
        "crawl",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (
        out.status.code(),
        stderr.replace(&path.display().to_string(), "bad.toml"),
    )
}

#[test]
fn config_mistakes_name_the_file_line_and_fix() {
    let site = "[[site]]\nname = \"a\"\nkind = \"pharmacy\"\n";
    for (config, expected) in [
        (
            format!("{site}start_urls = [\"http://127.0.0.1:9/\"]\nrate = -1\n"),
            "bad.toml:5: site `a`: field `rate`: -1 is not a positive number",
        ),
        (
            format!("{site}start_url = [\"http://127.0.0.1:9/\"]\n"),
            "bad.toml:4:1: unknown field `start_url` (did you mean `start_urls`?)",
        ),
        (
            format!(
                "{site}start_urls = [\"http://127.0.0.1:9/\"]\nallowed_hosts = [\"shop.example\"]\n"
            ),
            "bad.toml:4: site `a`: field `start_urls`: `http://127.0.0.1:9/` is outside allowed_hosts",
        ),
    ] {
        let (code, stderr) = crawl_with(&config);
        assert_eq!(code, Some(2), "{stderr}");
        assert!(
            stderr.contains(expected),
            "expected {expected:?} in:\n{stderr}"
        );
    }
}
