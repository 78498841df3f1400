//! `pharmwatch marketplace --static-out DIR` writes every page of the sample marketplace, an
//! nginx configuration serving each shop, a pharmwatch sites file and the start URLs — what the
//! crawl benchmark (`bench/crawl_vs_scrapy.sh`) serves and crawls.

mod common;

use std::path::Path;

use common::{pharmwatch, pharmwatch_raw};

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

#[test]
fn static_out_writes_pages_nginx_conf_and_sites() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("market");
    let args = [
        "marketplace",
        "--static-out",
        dir.to_str().unwrap(),
        "--shops",
        "5",
        "--listings-per-shop",
        "4",
        "--seed",
        "7",
    ];
    let out = pharmwatch(&args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("5 shops, 20 product pages"), "{stdout}");

    let files = files_under(&dir);
    let products: Vec<_> = files
        .iter()
        .filter(|p| {
            let s = p.to_string_lossy();
            s.contains("/product/") || s.contains("/ad/")
        })
        .collect();
    assert_eq!(products.len(), 20, "one file per listing");
    let page = std::fs::read_to_string(products[0]).unwrap_or_default();
    assert!(
        page.contains("listing-title"),
        "a product page: {page:.200}"
    );

    let conf = std::fs::read_to_string(dir.join("nginx.conf")).unwrap();
    let sites_text = std::fs::read_to_string(dir.join("sites.toml")).unwrap();
    let sites: toml::Value = toml::from_str(&sites_text).unwrap();
    let sites = sites["site"].as_array().unwrap();
    assert_eq!(sites.len(), 5);
    assert_eq!(conf.matches("server {").count(), 5);
    let starts = std::fs::read_to_string(dir.join("start_urls.txt")).unwrap();
    assert_eq!(starts.lines().count(), 5);
    for (site, start) in sites.iter().zip(starts.lines()) {
        let name = site["name"].as_str().unwrap();
        assert!(dir.join(name).join("index.html").is_file(), "{name}");
        assert!(dir.join(name).join("robots.txt").is_file(), "{name}");
        assert!(conf.contains(&format!("/{name};")), "nginx root of {name}");
        assert_eq!(site["start_urls"][0].as_str(), Some(start));
        // The start URL's address and port are the ones nginx listens on.
        let addr = start
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        assert!(conf.contains(&format!("listen {addr};")), "{addr}");
    }
    assert!(
        sites_text.contains("kangjian.toml"),
        "the Chinese shop gets its shipped profile"
    );
    assert!(conf.contains("access_log "), "requests are logged");

    // Idempotent: writing again over the same folder succeeds with the same pages.
    pharmwatch(&args);
    assert_eq!(std::fs::read_to_string(products[0]).unwrap(), page);
}

#[test]
fn zero_shops_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let out = pharmwatch_raw(&[
        "marketplace",
        "--static-out",
        tmp.path().to_str().unwrap(),
        "--shops",
        "0",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--shops"));
}
