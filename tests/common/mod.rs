//! Helpers shared by the end-to-end tests: run the real binary, write a config for the
//! sample marketplace, read `search --json` output.
#![allow(dead_code)]

// The tests run `pharmwatch demo` and `pharmwatch marketplace`, which the `demo` feature builds
// in: say so rather than fail later with "unrecognized subcommand".
#[cfg(not(feature = "demo"))]
compile_error!(
    "the tests need the sample marketplace: run `cargo test --workspace --locked --all-features` (README.md)"
);

#[cfg(feature = "browser")]
pub mod browser;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use pharmwatch_marketplace::{Marketplace, MarketplaceOptions, RunningMarketplace, ShopEndpoint};
use serde_json::Value;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary and returns its output, whatever the exit status.
pub fn pharmwatch_raw(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pharmwatch"))
        .args(args)
        .env_remove("PHARMWATCH_CONFIG")
        .env_remove("PHARMWATCH_DATA_DIR")
        .current_dir(root())
        .output()
        .expect("run pharmwatch")
}

/// Runs the binary and asserts it succeeded.
pub fn pharmwatch(args: &[&str]) -> Output {
    let out = pharmwatch_raw(args);
    assert!(
        out.status.success(),
        "pharmwatch {args:?} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `pharmwatch --data-dir DATA --config CONFIG crawl`, whatever its exit status.
pub fn crawl_raw(data: &Path, config: &Path) -> Output {
    pharmwatch_raw(&[
        "--data-dir",
        data.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
        "crawl",
    ])
}

/// `pharmwatch --data-dir DATA --config CONFIG crawl`, asserting it succeeded and that an
/// independent WARC reader accepts the archive it wrote (when CI provides warcio).
pub fn crawl(data: &Path, config: &Path) -> Output {
    let out = pharmwatch(&[
        "--data-dir",
        data.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
        "crawl",
    ]);
    check_with_warcio(data);
    out
}

/// The sample marketplace with `listings_per_shop` listings a shop, served on loopback.
pub fn serve_market(
    runtime: &tokio::runtime::Runtime,
    listings_per_shop: usize,
) -> RunningMarketplace {
    runtime
        .block_on(pharmwatch_marketplace::serve(Marketplace::generate(
            &MarketplaceOptions {
                listings_per_shop,
                ..MarketplaceOptions::default()
            },
        )))
        .unwrap()
}

/// A served marketplace, its config and a data directory crawled once.
pub struct Crawled {
    pub running: RunningMarketplace,
    pub config: PathBuf,
    pub data: PathBuf,
    // Last: dropped after the marketplace, which keeps serving until then.
    pub runtime: tokio::runtime::Runtime,
    pub tmp: tempfile::TempDir,
}

/// [`serve_market`], [`write_config`] and one [`crawl`].
pub fn crawled_market(listings_per_shop: usize) -> Crawled {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = serve_market(&runtime, listings_per_shop);
    let tmp = tempfile::tempdir().unwrap();
    let config = write_config(tmp.path(), &running.shops());
    let data = tmp.path().join("data");
    crawl(&data, &config);
    Crawled {
        running,
        config,
        data,
        runtime,
        tmp,
    }
}

/// A config that points one site at each shop, with the shipped profiles and rule packs.
pub fn write_config(dir: &Path, shops: &[ShopEndpoint]) -> PathBuf {
    let mut text = config_head();
    for shop in shops {
        text.push_str(&format!(
            "[[site]]\nname = {:?}\nkind = {:?}\nstart_urls = [{:?}]\nrate = 100.0\ncurrency = {:?}\n",
            shop.name,
            shop.kind.as_str(),
            format!("{}/", shop.base_url),
            shop.currency.as_str()
        ));
        let profile = root().join(format!("config/sites/{}.toml", shop.archetype.base_name()));
        if profile.is_file() {
            text.push_str(&format!("profile = {profile:?}\n"));
        }
        text.push('\n');
    }
    let path = dir.join("pharmwatch.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// The `[crawl]` and `[rules]` tables of the tests' configs: the shipped rule packs and
/// reference data, a fast rate for loopback shops.
pub fn config_head() -> String {
    format!(
        "[crawl]\nper_host_concurrency = 4\ntimeout_secs = 10\n\n[rules]\npacks = [{:?}]\nlexicon = {:?}\n\n",
        root().join("rules/packs"),
        root().join("config/reference")
    )
}

pub fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The `doc` of every hit of `search QUERY --json` (all of them), read from a new process.
pub fn search_docs(data: &str, query: &str, all: bool) -> Vec<Value> {
    let mut args = vec![
        "--data-dir",
        data,
        "search",
        query,
        "--json",
        "--limit",
        "100000",
    ];
    if all {
        args.push("--all");
    }
    json_lines(&pharmwatch(&args))
        .into_iter()
        .filter_map(|hit| hit.get("doc").cloned())
        .collect()
}

/// URL → rule ids of every listing found by a search, read from a new process.
pub fn search_rules(
    data: &str,
    query: &str,
    all: bool,
) -> BTreeMap<String, (BTreeSet<String>, String)> {
    search_docs(data, query, all)
        .into_iter()
        .map(|doc| {
            let url = doc["listing"]["url"].as_str().unwrap().to_string();
            let rules = doc["verdict"]["hits"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["rule_id"].as_str().unwrap().to_string())
                .collect();
            let severity = doc["verdict"]["severity"]
                .as_str()
                .unwrap_or("")
                .to_string();
            (url, (rules, severity))
        })
        .collect()
}

/// `pharmwatch serve` on a free loopback port (with `token`, every page needs it); killed
/// when dropped.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    pub fn start(data: &Path, token: Option<&str>) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_pharmwatch"));
        cmd.arg("--data-dir")
            .arg(data)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env_remove("PHARMWATCH_TOKEN")
            .env_remove("PHARMWATCH_CONFIG")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(token) = token {
            cmd.args(["--token", token]);
        }
        let mut child = cmd.spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line from serve: {line:?}"))
            .to_string();
        Server { child, base }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// GET `path` (blocking); asserts it answered 200 and returns the body.
    pub fn get(&self, path: &str) -> String {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let url = self.url(path);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let res = reqwest::get(&url).await.unwrap();
            let status = res.status();
            let body = res.text().await.unwrap();
            assert_eq!(status, 200, "GET {url}: {body}");
            body
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `warcio check` and `warcio index` on one WARC file, when `PHARMWATCH_WARCIO` names warcio
/// (CI sets it); returns the index lines (empty when skipped).
pub fn check_file_with_warcio(file: &Path) -> String {
    let Ok(warcio) = std::env::var("PHARMWATCH_WARCIO") else {
        eprintln!("skipped the warcio check: PHARMWATCH_WARCIO is not set (CI sets it)");
        return String::new();
    };
    let mut index = String::new();
    for verb in ["check", "index"] {
        let out = Command::new(&warcio).arg(verb).arg(file).output().unwrap();
        assert!(
            out.status.success(),
            "warcio {verb} {} failed:\n{}{}",
            file.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if verb == "index" {
            index = String::from_utf8_lossy(&out.stdout).into_owned();
        }
    }
    index
}

/// [`check_file_with_warcio`] on every file of a data directory's evidence archive; returns
/// the index lines of all of them.
pub fn check_with_warcio(data: &Path) -> String {
    let evidence = data.join("evidence");
    pharmwatch_evidence::warc_files(&evidence)
        .unwrap()
        .iter()
        .map(|name| check_file_with_warcio(&evidence.join(name)))
        .collect()
}

/// Writes the shipped rule packs into `dir` without the rule whose id is `drop`: a rule set
/// changed the way a rule author would change it.
pub fn shipped_packs_without(dir: &Path, drop: &str) {
    std::fs::create_dir_all(dir).unwrap();
    for entry in std::fs::read_dir(root().join("rules/packs")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let text = match text.find(&format!("id = \"{drop}\"")) {
            Some(at) => {
                let start = text[..at].rfind("[[rule]]").unwrap();
                let end = text[at..]
                    .find("\n[[rule]]")
                    .map_or(text.len(), |e| at + e + 1);
                format!("{}{}", &text[..start], &text[end..])
            }
            None => text,
        };
        std::fs::write(dir.join(path.file_name().unwrap()), text).unwrap();
    }
}

/// Stores one listing for each of `hosts` through the real store API (in the first run), each
/// shaped by `shape` first: planted shops that the analyses must find and the pages escape.
pub fn plant_listings(data: &Path, hosts: &[&str], shape: impl Fn(&mut pharmwatch_model::Listing)) {
    use pharmwatch_store::StateStore;
    let store = pharmwatch_store::SqliteStore::open(&data.join("state.sqlite")).unwrap();
    let run = store.runs().unwrap()[0].id;
    for host in hosts {
        let mut listing = pharmwatch_model::Listing::new(
            format!("http://{host}/p/1"),
            0,
            *host,
            pharmwatch_model::SiteKind::Pharmacy,
            *host,
            "<b>Pills</b>",
            time::OffsetDateTime::now_utc(),
        );
        shape(&mut listing);
        let verdict = pharmwatch_model::Verdict::clean(listing.id.clone());
        store.upsert_listing(&listing, &verdict, run).unwrap();
    }
}
