//! Per-site limits an operator sets, seen through the real `crawl` command.

mod common;

use common::{crawl_raw, serve_market, write_config};

#[test]
fn a_site_over_its_byte_budget_says_so_in_the_crawl_summary() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = serve_market(&runtime, 30);
    let shops = running.shops();
    let tmp = tempfile::tempdir().unwrap();
    let config = write_config(tmp.path(), &shops);
    let text = std::fs::read_to_string(&config).unwrap();
    let limited = &shops[0].name;
    let site_line = format!("name = {limited:?}\n");
    assert!(text.contains(&site_line), "{text}");
    let text = text.replacen(&site_line, &format!("{site_line}max_bytes = 20000\n"), 1);
    std::fs::write(&config, text).unwrap();
    let data = tmp.path().join("data");

    let out = crawl_raw(&data, &config);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.starts_with(&format!("{limited}: stopped at its max_bytes after ")))
        .unwrap_or_else(|| panic!("no byte-budget line for {limited} in:\n{stderr}"));
    assert!(line.contains("queued URL"), "{line}");
    assert_eq!(
        stderr.matches("stopped at its max_bytes").count(),
        1,
        "only the limited site stops early:\n{stderr}"
    );
}
