//! `pharmwatch extract FILE|URL`: the listings extracted from one page, with the method that
//! found each field — the profile author's debugging aid.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Args;
use pharmwatch_crawler::{Crawler, RecordKind, SiteConfig};
use pharmwatch_extract::profile::SiteProfile;
use pharmwatch_extract::{SiteContext, decode, extract_page};
use pharmwatch_model::{Listing, SiteKind, sha256_hex};

use super::{ConfigError, Global};

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// A saved HTML file, or an http(s) URL to fetch once.
    pub source: String,
    /// The page's URL, for resolving links and ids when reading a file.
    #[arg(long)]
    pub url: Option<String>,
    /// Use this configured site's kind, currency, language and profile.
    #[arg(long)]
    pub site: Option<String>,
    /// Use this profile file (overrides the site's).
    #[arg(long)]
    pub profile: Option<PathBuf>,
    /// Print JSON (one listing per line) instead of a readable summary.
    #[arg(long)]
    pub json: bool,
}

pub fn run(global: &Global, args: ExtractArgs) -> Result<ExitCode> {
    let config = global.load_config()?;
    let mut site = match &args.site {
        Some(name) => Some(
            config
                .select_sites(std::slice::from_ref(name))
                .map_err(|e| ConfigError(format!("{e:#}")))?
                .remove(0),
        ),
        None => None,
    };
    if let Some(site) = &mut site {
        site.profile = site.profile.as_ref().map(|p| config.resolve(p));
    }
    let (listings, summary) = if is_url(&args.source) {
        fetch_and_extract(&config, site, &args)?
    } else {
        extract_file(site, &args)?
    };
    if args.json {
        for listing in &listings {
            println!("{}", serde_json::to_string(listing)?);
        }
    } else {
        println!("{summary}, {} listing(s)", listings.len());
        for listing in &listings {
            println!("{}", serde_json::to_string_pretty(listing)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Decodes and extracts a saved page with the chosen site's context.
fn extract_file(site: Option<SiteConfig>, args: &ExtractArgs) -> Result<(Vec<Listing>, String)> {
    let path = PathBuf::from(&args.source);
    let body = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let url = match &args.url {
        Some(u) => url::Url::parse(u)
            .map_err(|e| ConfigError(format!("--url `{u}` is not a valid URL: {e}")))?,
        None => url::Url::from_file_path(std::fs::canonicalize(&path)?)
            .map_err(|()| ConfigError(format!("cannot make a URL of {}", path.display())))?,
    };
    let profile = args
        .profile
        .clone()
        .or_else(|| site.as_ref().and_then(|s| s.profile.clone()));
    let ctx = SiteContext {
        name: site
            .as_ref()
            .map_or_else(|| "adhoc".into(), |s| s.name.clone()),
        kind: site.as_ref().map_or_else(SiteKind::default, |s| s.kind),
        currency: site.as_ref().and_then(|s| s.currency),
        language: site.as_ref().and_then(|s| s.language.clone()),
        profile: match profile {
            Some(p) => Some(Arc::new(load_profile(&p)?)),
            None => None,
        },
    };
    let tld = url.host_str().and_then(|h| h.rsplit('.').next());
    let decoded = decode::decode_html(&body, None, tld);
    let digest = sha256_hex(&body);
    let page = extract_page(
        &decoded.text,
        &url,
        &ctx,
        time::OffsetDateTime::now_utc(),
        Some(&digest),
    );
    let summary = format!(
        "{url}: {} bytes, charset {} (from {:?}), {} link(s)",
        body.len(),
        decoded.encoding,
        decoded.source,
        page.links.len()
    );
    Ok((page.listings, summary))
}

/// Fetches one URL through the crawler itself, so robots.txt, the User-Agent, timeouts and
/// body caps of the config apply exactly as in a crawl, and extracts it as the crawler does.
fn fetch_and_extract(
    config: &crate::config::Config,
    site: Option<SiteConfig>,
    args: &ExtractArgs,
) -> Result<(Vec<Listing>, String)> {
    let source = &args.source;
    let url = url::Url::parse(source)
        .map_err(|e| ConfigError(format!("`{source}` is not a valid URL: {e}")))?;
    let mut site = match site {
        Some(site) => site,
        None => {
            let toml = format!(
                "[[site]]\nname = \"adhoc\"\nkind = \"pharmacy\"\nstart_urls = [{source:?}]\n"
            );
            crate::config::Config::from_toml(&toml, "extract")?
                .sites
                .remove(0)
        }
    };
    site.start_urls = vec![source.clone()];
    site.allowed_hosts = url
        .host_str()
        .map(|h| vec![h.to_string()])
        .unwrap_or_default();
    site.max_pages = Some(1);
    site.max_depth = Some(0);
    if let Some(p) = &args.profile {
        site.profile = Some(p.clone());
    }
    let crawler = Crawler::new(config.crawl.clone(), vec![site])
        .map_err(|e| anyhow::Error::new(ConfigError(e.to_string())))?;
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let records = super::runtime()?.block_on(async move {
        let run = crawler.run(tx, tokio_util::sync::CancellationToken::new());
        let collect = async {
            let mut records = Vec::new();
            while let Some(r) = rx.recv().await {
                records.push(r);
            }
            records
        };
        let (stats, records) = tokio::join!(run, collect);
        stats.map(|_| records)
    })?;
    let page = records
        .into_iter()
        .find(|r| r.kind == RecordKind::Page)
        .with_context(|| {
            format!("{url} was not fetched (disallowed by robots.txt or out of scope)")
        })?;
    if let Some(err) = &page.error {
        anyhow::bail!("cannot fetch {url}: {}", err.message);
    }
    let summary = format!(
        "{}: HTTP {}, {} bytes, charset {}",
        page.url,
        page.status.map_or_else(|| "-".into(), |s| s.to_string()),
        page.body_len,
        page.encoding.as_deref().unwrap_or("-")
    );
    Ok((page.listings, summary))
}

fn load_profile(path: &std::path::Path) -> Result<SiteProfile> {
    SiteProfile::load(path).map_err(|e| anyhow::Error::new(ConfigError(e.to_string())))
}

fn is_url(source: &str) -> bool {
    source.starts_with("http://") || source.starts_with("https://")
}
