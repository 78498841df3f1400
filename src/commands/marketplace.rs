//! `pharmwatch marketplace --static-out DIR`: the sample marketplace written as static files,
//! with an nginx configuration that serves each shop on its own loopback port, so peer crawlers
//! and pharmwatch can be benchmarked against the same real web server.
//!
//! Besides the pages and `nginx.conf`, DIR gets `sites.toml` (one pharmwatch `[[site]]` per
//! shop, to append to a crawl config) and `start_urls.txt` (one start URL per line, for other
//! crawlers).
//!
//! With `--families` it writes the template families instead (a table-layout pharmacy, a
//! per-unit pricing shop, forum and classifieds boards; issue 17) and their ground truth with
//! labels, `truth.json`, with URLs as nginx serves them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use pharmwatch_marketplace::{
    FamilyCatalogue, FamilyOptions, Marketplace, MarketplaceOptions, ShopInfo,
};

use super::{ConfigError, Global};
use pharmwatch::config::Config;

#[derive(Debug, Args)]
pub struct MarketplaceArgs {
    /// Write every page of every shop under this folder, with nginx.conf, sites.toml and
    /// start_urls.txt (files already there are overwritten).
    #[arg(long, value_name = "DIR")]
    pub static_out: PathBuf,
    /// Number of shops; the four archetypes cycle under new names beyond four.
    #[arg(long, default_value_t = MarketplaceOptions::default().shops)]
    pub shops: usize,
    /// Product pages per shop.
    #[arg(long, default_value_t = MarketplaceOptions::default().listings_per_shop)]
    pub listings_per_shop: usize,
    /// Seed of the generator (same seed, same bytes).
    #[arg(long, default_value_t = MarketplaceOptions::default().seed)]
    pub seed: u64,
    /// Write the template families (table-layout pharmacy, per-unit pricing shop, boards)
    /// and their labelled ground truth `truth.json` instead of the archetype shops; `--shops`
    /// is then the number of shops of each family.
    #[arg(long)]
    pub families: bool,
}

pub fn run(global: &Global, args: MarketplaceArgs) -> Result<ExitCode> {
    if args.shops == 0 {
        return Err(ConfigError("--shops must be at least 1".into()).into());
    }
    let config = global.load_config()?;
    if args.families {
        return write_families(&args);
    }
    let market = Marketplace::generate(&MarketplaceOptions {
        seed: args.seed,
        shops: args.shops,
        listings_per_shop: args.listings_per_shop,
        // `--shops N` writes N shops (bench scripts count pages as shops × listings).
        networks: false,
    });
    let dir = &args.static_out;
    let summary = market
        .write_static(dir)
        .with_context(|| format!("cannot write the static marketplace to {}", dir.display()))?;
    let shops = market.shops();
    let sites = sites_toml(&config, &shops, &summary.base_urls);
    write_sites(dir, &sites, &summary.base_urls)?;
    let root = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.clone());
    println!(
        "{} shops, {} product pages, {} files, {} bytes of pages in {}",
        shops.len(),
        market.listing_count(),
        summary.files + 2,
        summary.bytes,
        root.display()
    );
    println!(
        "serve: nginx -p {r} -c {r}/nginx.conf   (stop: add -s quit)",
        r = root.display()
    );
    println!(
        "shops on {} … {}",
        summary.base_urls.first().map_or("", String::as_str),
        summary.base_urls.last().map_or("", String::as_str)
    );
    Ok(ExitCode::SUCCESS)
}

/// One `[[site]]` per shop as nginx serves it, with the shipped profile of its archetype
/// (absolute, so the file works from any folder).
/// The template families as static files, their sites and their ground truth.
fn write_families(args: &MarketplaceArgs) -> Result<ExitCode> {
    let catalogue = FamilyCatalogue::generate(&FamilyOptions {
        seed: args.seed,
        shops_per_family: args.shops,
        listings_per_shop: args.listings_per_shop,
        ..FamilyOptions::default()
    });
    let dir = &args.static_out;
    let summary = catalogue
        .write_static(dir)
        .with_context(|| format!("cannot write the template families to {}", dir.display()))?;
    let mut sites = String::from(SITES_HEADER);
    for (shop, base) in catalogue.shops().iter().zip(&summary.base_urls) {
        let currency = shop.currency.as_str();
        sites += &site_entry(
            &shop.name,
            shop.kind.as_str(),
            base,
            currency,
            shop.locale.tag(),
        );
        sites.push('\n');
    }
    write_sites(dir, &sites, &summary.base_urls)?;
    let truth_file = dir.join("truth.json");
    catalogue
        .ground_truth(Some(&summary.base_urls))
        .write_json(&truth_file)
        .with_context(|| format!("cannot write {}", truth_file.display()))?;
    let root = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.clone());
    println!(
        "{} family shops, {} offers, {} files, {} bytes of pages in {} (ground truth: truth.json)",
        catalogue.shops().len(),
        catalogue.listing_count(),
        summary.files + 3,
        summary.bytes,
        root.display()
    );
    println!(
        "serve: nginx -p {r} -c {r}/nginx.conf   (stop: add -s quit)",
        r = root.display()
    );
    Ok(ExitCode::SUCCESS)
}

const SITES_HEADER: &str = "# Generated by `pharmwatch marketplace --static-out`: one site per shop served by\n\
     # the nginx.conf next to this file. Append to a config that has [crawl] and [rules].\n\n";

/// One `[[site]]` table without its profile line.
fn site_entry(name: &str, kind: &str, base: &str, currency: &str, language: &str) -> String {
    format!(
        "[[site]]\nname = {name:?}\nkind = {kind:?}\nstart_urls = [{url:?}]\ncurrency = {currency:?}\nlanguage = {language:?}\n",
        url = format!("{base}/"),
    )
}

fn sites_toml(config: &Config, shops: &[ShopInfo], base_urls: &[String]) -> String {
    let mut text = String::from(SITES_HEADER);
    for (shop, base) in shops.iter().zip(base_urls) {
        let arch = shop.archetype;
        text += &site_entry(
            &shop.name,
            arch.kind().as_str(),
            base,
            arch.currency().as_str(),
            arch.language(),
        );
        let profile =
            config.resolve(&Path::new("config/sites").join(format!("{}.toml", arch.base_name())));
        if profile.is_file() {
            let profile = std::fs::canonicalize(&profile).unwrap_or(profile);
            let _ = writeln!(text, "profile = {:?}", profile.display().to_string());
        }
        text.push('\n');
    }
    text
}

/// `sites.toml` and `start_urls.txt` (one start URL per line, for other crawlers).
fn write_sites(dir: &Path, sites: &str, base_urls: &[String]) -> Result<()> {
    write(&dir.join("sites.toml"), sites)?;
    let starts: String = base_urls.iter().map(|u| format!("{u}/\n")).collect();
    write(&dir.join("start_urls.txt"), &starts)
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}
