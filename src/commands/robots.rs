//! `pharmwatch robots URL [--robots FILE] [--agent TOKEN]`: whether the crawler may fetch a
//! URL, and why — the group and the rule of robots.txt that decided, and the Crawl-delay
//! that applies. Matching is the crawler's own (`pharmwatch_crawler::robots`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;
use pharmwatch_crawler::robots::{
    ROBOTS_MAX_BYTES, ROBOTS_MAX_REDIRECTS, RobotsDecision, RobotsRules, robots_url,
};
use url::Url;

use super::{ConfigError, Global};

#[derive(Debug, Args)]
pub struct RobotsArgs {
    /// The http(s) URL to decide for.
    pub url: String,
    /// Read robots.txt from this file instead of fetching the URL's (as a 200 answer).
    #[arg(long, value_name = "FILE")]
    pub robots: Option<PathBuf>,
    /// The product token to match groups against (default: the configured User-Agent's first
    /// word, as the crawler uses).
    #[arg(long, value_name = "TOKEN")]
    pub agent: Option<String>,
}

pub fn run(global: &Global, args: RobotsArgs) -> Result<ExitCode> {
    let config = global.load_config()?;
    let url = Url::parse(&args.url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        .ok_or_else(|| {
            ConfigError(format!(
                "URL `{}` is not an http(s) URL with a host; give one like https://shop.example/page",
                args.url
            ))
        })?;
    let agent = args
        .agent
        .clone()
        .unwrap_or_else(|| config.crawl.robots_token());
    if agent.trim().is_empty() {
        return Err(ConfigError(
            "--agent is empty; give a product token such as `pharmwatch`".into(),
        )
        .into());
    }
    let (source, rules) = match &args.robots {
        Some(path) => {
            let body = std::fs::read(path)
                .with_context(|| format!("cannot read --robots {}", path.display()))?;
            (
                path.display().to_string(),
                RobotsRules::parse(&agent, &body),
            )
        }
        None => {
            let robots = robots_url(&url).context("the URL has no host")?;
            let rules = super::runtime()?.block_on(fetch(&config.crawl, &agent, &robots))?;
            (robots.to_string(), rules)
        }
    };
    print!(
        "{}",
        describe(&url, &agent, &source, &rules, &rules.explain(&url))
    );
    Ok(ExitCode::SUCCESS)
}

/// The report `pharmwatch robots` prints.
fn describe(
    url: &Url,
    agent: &str,
    source: &str,
    rules: &RobotsRules,
    decision: &RobotsDecision,
) -> String {
    let verdict = if decision.allowed {
        "allowed"
    } else {
        "disallowed"
    };
    let mut out = format!("{url}: {verdict} for agent `{agent}`\n");
    out.push_str(&format!("robots.txt: {source} ({})\n", decision.reason));
    if decision.group.is_empty() {
        out.push_str("group: none applies (no group names the agent or `*`)\n");
    } else {
        for line in &decision.group {
            out.push_str(&format!(
                "group: line {}: User-agent: {}\n",
                line.line,
                pharmwatch::output::sanitize(&line.value)
            ));
        }
    }
    match &decision.rule {
        Some(rule) => out.push_str(&format!(
            "rule: {}\n",
            pharmwatch::output::sanitize(&rule.to_string())
        )),
        None => out.push_str("rule: none matched\n"),
    }
    match rules.crawl_delay {
        Some(delay) => out.push_str(&format!("crawl-delay: {}s\n", delay.as_secs_f64())),
        None => out.push_str("crawl-delay: none (the site's configured rate applies)\n"),
    }
    out
}

/// Fetches robots.txt as the crawler treats it: up to five redirects on the same host, the
/// status rules of RFC 9309, the first 500 KiB of the body.
async fn fetch(
    settings: &pharmwatch_crawler::CrawlSettings,
    agent: &str,
    robots: &Url,
) -> Result<RobotsRules> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .user_agent(&settings.user_agent)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(settings.timeout_secs))
        .connect_timeout(Duration::from_secs(settings.connect_timeout_secs))
        .build()
        .context("cannot build the HTTP client")?;
    let mut url = robots.clone();
    for _ in 0..=ROBOTS_MAX_REDIRECTS {
        let mut response = match client.get(url.clone()).send().await {
            Ok(r) => r,
            Err(e) => {
                return Ok(RobotsRules::disallow_all(format!(
                    "robots.txt unreachable ({e}): disallow all"
                )));
            }
        };
        let status = response.status().as_u16();
        if response.status().is_redirection() {
            let next = response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .and_then(|l| url.join(l).ok());
            match next {
                Some(next)
                    if next.host_str() == robots.host_str()
                        && next.port_or_known_default() == robots.port_or_known_default() =>
                {
                    url = next;
                    continue;
                }
                _ => {
                    return Ok(RobotsRules::allow_all(format!(
                        "robots.txt not reached (a {status} off the host): unavailable per RFC 9309 §2.3.1.2, allow all"
                    )));
                }
            }
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.unwrap_or(None) {
            body.extend_from_slice(&chunk);
            if body.len() as u64 >= ROBOTS_MAX_BYTES {
                body.truncate(ROBOTS_MAX_BYTES as usize);
                break;
            }
        }
        return Ok(RobotsRules::from_response(agent, Some(status), &body));
    }
    Ok(RobotsRules::allow_all(format!(
        "robots.txt not reached within {ROBOTS_MAX_REDIRECTS} redirects: unavailable per RFC 9309 §2.3.1.2, allow all"
    )))
}
