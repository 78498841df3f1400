//! `pharmwatch demo`: serve the bundled sample marketplace on loopback, crawl it with the
//! shipped rule packs into the data directory, print the flagged listings and how they
//! compare with the marketplace's ground truth.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use pharmwatch_marketplace::{GroundTruth, MarketplaceOptions, ShopEndpoint};
use pharmwatch_store::{RunId, StateStore};

use super::{ConfigError, Global};
use pharmwatch::config::Config;
use pharmwatch::output;
use pharmwatch::pipeline;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Seed of the generated marketplace (same seed, same shops and listings).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Listing pages per shop.
    #[arg(long)]
    pub listings_per_shop: Option<usize>,
    /// Requests per second per shop (loopback, so the demo can be brisk).
    #[arg(long, default_value_t = 50.0)]
    pub rate: f64,
}

pub fn run(global: &Global, args: DemoArgs) -> Result<ExitCode> {
    let base = global.load_config()?;
    super::runtime()?.block_on(demo(global, base, args))
}

async fn demo(global: &Global, base: Config, args: DemoArgs) -> Result<ExitCode> {
    prepare_data_dir(&global.data_dir)?;
    let mut options = MarketplaceOptions {
        seed: args.seed,
        ..MarketplaceOptions::default()
    };
    if let Some(n) = args.listings_per_shop {
        options.listings_per_shop = n;
    }
    let market = pharmwatch_marketplace::Marketplace::generate(&options);
    let running = pharmwatch_marketplace::serve(market)
        .await
        .context("cannot start the sample marketplace on 127.0.0.1")?;
    let shops = running.shops();
    eprintln!(
        "sample marketplace: {} shops on 127.0.0.1 ({})",
        shops.len(),
        shops
            .iter()
            .map(|s| s.base_url.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );

    let config = demo_config(&base, &shops, args.rate)?;
    let data_dir = global.data()?;
    let sites = config.sites.clone();
    let summary = pipeline::run(&config, sites, &data_dir).await?;
    let truth = running.ground_truth();
    running.shutdown().await;
    truth
        .write_json(global.data_dir.join(GROUND_TRUTH_FILE))
        .context("cannot write the ground truth file")?;

    output::print_flagged_table(&summary.flagged);
    println!("{}", output::summary_line(&summary));
    let store = data_dir.open_store()?;
    let run = summary.run.context("the demo run has no id")?;
    println!("{}", compare_with_truth(&*store, run, &truth)?);
    println!(
        "\nSearch the index: pharmwatch --data-dir {} search 'drug:oxycodone'   (or --json, --all)",
        shell_quote(&global.data_dir)
    );
    Ok(ExitCode::SUCCESS)
}

/// Marks a data directory as the demo's own.
const GROUND_TRUTH_FILE: &str = "demo-ground-truth.json";

/// The sample shops listen on new ports each time, so an earlier demo's listings would show
/// up again under other URLs: a data directory that holds an earlier demo is cleared first.
/// One that holds anything else is refused, so the demo never deletes real findings.
fn prepare_data_dir(dir: &Path) -> Result<()> {
    let Ok(mut entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    if entries.next().is_none() {
        return Ok(());
    }
    if !dir.join(GROUND_TRUTH_FILE).is_file() {
        return Err(ConfigError(format!(
            "{} already holds data that is not from a demo; pass another --data-dir (e.g. --data-dir /tmp/pharmwatch-demo)",
            dir.display()
        ))
        .into());
    }
    for part in ["index", "evidence"] {
        let path = dir.join(part);
        if path.exists() {
            std::fs::remove_dir_all(&path)
                .with_context(|| format!("cannot clear the earlier demo's {}", path.display()))?;
        }
    }
    for file in [
        "state.sqlite",
        "state.sqlite-wal",
        "state.sqlite-shm",
        GROUND_TRUTH_FILE,
    ] {
        let path = dir.join(file);
        if path.exists() {
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot clear the earlier demo's {}", path.display()))?;
        }
    }
    eprintln!("cleared the earlier demo in {}", dir.display());
    Ok(())
}

/// The shipped config's crawl settings and rules, with one site per sample shop.
fn demo_config(base: &Config, shops: &[ShopEndpoint], rate: f64) -> Result<Config> {
    let mut text = String::new();
    for shop in shops {
        let profile =
            Path::new("config/sites").join(format!("{}.toml", shop.archetype.base_name()));
        let _ = writeln!(
            text,
            "[[site]]\nname = {name:?}\nkind = {kind:?}\nstart_urls = [{url:?}]\nrate = {rate:?}\ncurrency = {cur:?}\nlanguage = {lang:?}",
            name = shop.name,
            kind = shop.kind.as_str(),
            url = format!("{}/", shop.base_url),
            cur = shop.currency.as_str(),
            lang = shop.language,
        );
        if base.resolve(&profile).is_file() {
            let _ = writeln!(text, "profile = {:?}", profile.display().to_string());
        }
        text.push('\n');
    }
    let mut config = Config::from_toml(&text, "demo sites")?;
    config.crawl = base.crawl.clone();
    config.crawl.per_host_concurrency = config.crawl.per_host_concurrency.max(4);
    config.rules = base.rules.clone();
    config.base_dir = base.base_dir.clone();
    Ok(config)
}

/// Recall per expected rule and false positives, measured against the ground truth: the
/// listings the run flagged, read back from the store.
fn compare_with_truth(store: &dyn StateStore, run: RunId, truth: &GroundTruth) -> Result<String> {
    let flagged = pipeline::flagged_in_run(store, run)
        .map(|stored| stored.map(|s| s.listing.url))
        .collect::<Result<BTreeSet<String>>>()?;
    let suspicious: Vec<_> = truth
        .listings
        .iter()
        .filter(|t| !t.expected_rules.is_empty())
        .collect();
    let found = suspicious
        .iter()
        .filter(|t| flagged.contains(&t.url))
        .count();
    let clean_flagged = truth
        .listings
        .iter()
        .filter(|t| t.expected_rules.is_empty() && flagged.contains(&t.url))
        .count();
    Ok(format!(
        "ground truth: {found} of {} suspicious listings flagged; {clean_flagged} of {} clean listings flagged",
        suspicious.len(),
        truth.listings.len() - suspicious.len()
    ))
}

fn shell_quote(path: &Path) -> String {
    let s = path.display().to_string();
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c))
    {
        s
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}
