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
use pharmwatch_model::{Listing, PriceBasis, Quantity, SiteKind, sha256_hex};

use super::{ConfigError, Global};
use pharmwatch::output;

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
        println!(
            "{summary}, {}",
            output::count(listings.len(), "listing", "listings")
        );
        for (n, listing) in listings.iter().enumerate() {
            print!("{}", describe(n + 1, listing));
        }
        if !listings.is_empty() {
            println!("(--json prints every field)");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A listing in a few lines: its title, then each field that was found, with the method
/// that found it (`[json_ld]`, `[profile]`…). Scraped text is sanitised for the terminal.
fn describe(n: usize, l: &Listing) -> String {
    let mut lines = vec![format!("{n}. {}", output::sanitize(&l.title))];
    let mut field = |name: &str, key: &str, value: Option<String>| {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            let method = l
                .methods
                .get(key)
                .and_then(|m| serde_json::to_value(m).ok())
                .and_then(|m| m.as_str().map(|m| format!(" [{m}]")))
                .unwrap_or_default();
            lines.push(format!("   {name}: {}{method}", output::sanitize(&value)));
        }
    };
    let basis = match l.price_basis {
        PriceBasis::Offer => "",
        PriceBasis::Unit => " per unit",
    };
    field("price", "price", l.price.map(|p| format!("{p}{basis}")));
    field("quantity", "quantity", l.quantity.as_ref().map(quantity));
    field("seller", "seller", l.seller.clone());
    let contacts = l.contacts.iter().map(|c| {
        let kind = serde_json::to_value(c.kind).ok();
        let kind = kind.as_ref().and_then(|k| k.as_str()).unwrap_or("contact");
        format!("{kind} {}", c.value)
    });
    field(
        "contacts",
        "contacts",
        Some(contacts.collect::<Vec<_>>().join(", ")),
    );
    field(
        "payment",
        "payment_methods",
        Some(l.payment_methods.join(", ")),
    );
    field(
        "shipping",
        "shipping_claims",
        Some(l.shipping_claims.join(", ")),
    );
    let gtins = l.gtins.iter().map(|g| g.digits.as_str());
    field("gtin", "gtins", Some(gtins.collect::<Vec<_>>().join(", ")));
    field("url", "url", Some(l.url.clone()));
    lines.push(String::new());
    lines.join("\n")
}

/// "30 × 100 mg tablet", with whichever parts the page stated.
fn quantity(q: &Quantity) -> String {
    let mut parts = Vec::new();
    if let Some(units) = q.units {
        parts.push(format!("{units} ×"));
    }
    if let Some(s) = &q.strength {
        parts.push(format!("{} {}", s.value, s.unit));
    }
    if let Some(form) = &q.form {
        parts.push(form.clone());
    }
    parts.join(" ").trim_end_matches(" ×").to_string()
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
    let mut summary = format!(
        "{url}: {} bytes, charset {} (from {:?}), {}",
        body.len(),
        decoded.encoding,
        decoded.source,
        output::count(page.links.len(), "link", "links")
    );
    if page.links.is_empty() && args.url.is_none() {
        // Links are kept only when they resolve to http(s) pages; a file's own URL is file://.
        summary.push_str(&format!(
            " (links resolve against the page's address, and without --url that is {url}, so \
             none is an http(s) page; give the address it was saved from, e.g. \
             --url https://shop.example/product/1)"
        ));
    }
    Ok((page.listings, summary))
}

/// Fetches one URL through the crawler itself, so robots.txt, the User-Agent, timeouts and
/// body caps of the config apply exactly as in a crawl, and extracts it as the crawler does.
fn fetch_and_extract(
    config: &pharmwatch::config::Config,
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
            pharmwatch::config::Config::from_toml(&toml, "extract")?
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
