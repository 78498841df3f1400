//! `pharmwatch extract FILE|URL`: the listings extracted from one page, with the method that
//! found each field — the profile author's debugging aid.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Args;
use pharmwatch_extract::profile::SiteProfile;
use pharmwatch_extract::{SiteContext, decode, extract_page};
use pharmwatch_model::{SiteKind, sha256_hex};

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
    let (bytes, content_type, page_url) = read_source(&args)?;
    let mut ctx = SiteContext {
        name: "adhoc".into(),
        kind: SiteKind::default(),
        currency: None,
        language: None,
        profile: None,
    };
    if let Some(name) = &args.site {
        let site = config
            .select_sites(std::slice::from_ref(name))
            .map_err(|e| ConfigError(format!("{e:#}")))?
            .remove(0);
        ctx.name = site.name.clone();
        ctx.kind = site.kind;
        ctx.currency = site.currency;
        ctx.language = site.language.clone();
        if let Some(p) = &site.profile {
            ctx.profile = Some(Arc::new(load_profile(&config.resolve(p))?));
        }
    }
    if let Some(p) = &args.profile {
        ctx.profile = Some(Arc::new(load_profile(p)?));
    }
    let tld = page_url.host_str().and_then(|h| h.rsplit('.').next()).map(str::to_string);
    let decoded = decode::decode_html(&bytes, content_type.as_deref(), tld.as_deref());
    let digest = sha256_hex(&bytes);
    let page = extract_page(
        &decoded.text,
        &page_url,
        &ctx,
        time::OffsetDateTime::now_utc(),
        Some(&digest),
    );
    if args.json {
        for listing in &page.listings {
            println!("{}", serde_json::to_string(listing)?);
        }
    } else {
        println!(
            "{}: {} bytes, charset {} ({:?}), {} listing(s), {} link(s)",
            page_url,
            bytes.len(),
            decoded.encoding,
            decoded.source,
            page.listings.len(),
            page.links.len()
        );
        for listing in &page.listings {
            println!("{}", serde_json::to_string_pretty(listing)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn load_profile(path: &std::path::Path) -> Result<SiteProfile> {
    SiteProfile::load(path).map_err(|e| anyhow::Error::new(ConfigError(e.to_string())))
}

/// Bytes, content type and URL of the page to extract.
fn read_source(args: &ExtractArgs) -> Result<(Vec<u8>, Option<String>, url::Url)> {
    if args.source.starts_with("http://") || args.source.starts_with("https://") {
        let url = url::Url::parse(&args.source)
            .map_err(|e| ConfigError(format!("`{}` is not a valid URL: {e}", args.source)))?;
        let (bytes, content_type) = super::runtime()?.block_on(fetch_once(url.clone()))?;
        return Ok((bytes, content_type, url));
    }
    let path = PathBuf::from(&args.source);
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let url = match &args.url {
        Some(u) => url::Url::parse(u)
            .map_err(|e| ConfigError(format!("--url `{u}` is not a valid URL: {e}")))?,
        None => url::Url::from_file_path(std::fs::canonicalize(&path)?)
            .map_err(|()| ConfigError(format!("cannot make a URL of {}", path.display())))?,
    };
    Ok((bytes, None, url))
}

async fn fetch_once(url: url::Url) -> Result<(Vec<u8>, Option<String>)> {
    let fetched = pharmwatch_crawler::fetch_one(&url)
        .await
        .with_context(|| format!("cannot fetch {url}"))?;
    Ok((fetched.body, fetched.content_type))
}
