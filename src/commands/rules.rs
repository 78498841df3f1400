//! `pharmwatch rules …`: the rule authors' loop — lint, test, explain, check.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use pharmwatch_model::{Currency, Listing, Money, SiteKind};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{ConfigError, Global, exit};
use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Check rule files for errors (file:line:column for each).
    Lint(PathsArgs),
    /// Run every rule's embedded tests; non-zero exit when any fails.
    Test(PathsArgs),
    /// Show, for an ad-hoc listing, every condition of every rule: held or not, and where.
    Explain(ExplainArgs),
    /// JSON lines of listings on stdin → one verdict per line on stdout.
    Check(PathsArgs),
    /// A (changed) rule set against every stored listing: hits gained and lost per rule,
    /// with samples; precision and recall against a labelled CSV.
    Backtest(BacktestArgs),
}

#[derive(Debug, Args)]
pub struct BacktestArgs {
    #[command(flatten)]
    pub rules: PathsArgs,
    /// CSV with a header: `id` or `url`, then `flagged` (true/false) and/or `rules`
    /// (expected rule ids separated by `;`).
    #[arg(long)]
    pub labels: Option<PathBuf>,
    /// Sample titles shown per rule for hits gained and lost.
    #[arg(long, default_value_t = 3)]
    pub samples: usize,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PathsArgs {
    /// Rule files or folders (default: the config's rule packs).
    #[arg(long = "rules")]
    pub rules_flag: Vec<PathBuf>,
    /// Rule files or folders (default: the config's rule packs).
    pub paths: Vec<PathBuf>,
}

impl PathsArgs {
    fn paths(&self, config: &Config) -> Vec<PathBuf> {
        let given: Vec<PathBuf> = self.paths.iter().chain(&self.rules_flag).cloned().collect();
        if given.is_empty() {
            config
                .rules
                .packs
                .iter()
                .map(|p| config.resolve(p))
                .collect()
        } else {
            given
        }
    }
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A stored listing (its id, or the URL of its page), and/or rule files or folders (as
    /// for `lint` and `test`). Without a listing, an ad-hoc one is built from the options
    /// below.
    #[arg(value_name = "LISTING|RULES")]
    pub targets: Vec<String>,
    #[arg(long, default_value = "")]
    pub title: String,
    #[arg(long, default_value = "")]
    pub description: String,
    /// Price amount, e.g. 45.00
    #[arg(long)]
    pub price: Option<Decimal>,
    /// ISO 4217 code of the price
    #[arg(long, default_value = "USD")]
    pub currency: Currency,
    /// Units in the offer (tablets, pens), for the unit price.
    #[arg(long)]
    pub units: Option<u32>,
    #[arg(long, default_value = "pharmacy")]
    pub site_kind: SiteKind,
    #[arg(long, default_value = "https://adhoc.invalid/listing")]
    pub url: String,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Rule files or folders (default: the config's rule packs).
    #[arg(long = "rules")]
    pub rules_flag: Vec<PathBuf>,
}

pub fn run(global: &Global, cmd: RulesCommand) -> Result<ExitCode> {
    let config = global.load_config()?;
    let reference = config.resolve(&config.rules.lexicon);
    match cmd {
        RulesCommand::Lint(args) => {
            let diagnostics = pharmwatch_rules::lint(&args.paths(&config), &reference);
            for d in &diagnostics {
                println!("{d}");
            }
            if diagnostics.is_empty() {
                println!("no problems found");
                Ok(ExitCode::SUCCESS)
            } else {
                println!("{} problem(s)", diagnostics.len());
                Ok(ExitCode::from(exit::CONFIG))
            }
        }
        RulesCommand::Test(args) => {
            let rules = load(&args.paths(&config), &reference)?;
            let report = rules.run_embedded_tests();
            print!("{report}");
            // Too few tests fails like a failing test: `lint` counts it as a problem too.
            Ok(if report.ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(exit::PARTIAL)
            })
        }
        RulesCommand::Explain(mut args) => {
            let (rules, listing_key) = explain_targets(&mut args)?;
            let rules = load(&rules.paths(&config), &reference)?;
            let listing = match &listing_key {
                Some(key) => super::backtest::stored_listing(global, key)?,
                None => adhoc_listing(&args)?,
            };
            let explanation = rules.explain(&listing);
            if args.json {
                println!("{}", serde_json::to_string(&explanation)?);
            } else {
                print!("{explanation}");
            }
            Ok(ExitCode::SUCCESS)
        }
        RulesCommand::Check(args) => {
            let rules = load(&args.paths(&config), &reference)?;
            check_stdin(&rules)
        }
        RulesCommand::Backtest(args) => {
            let rules = load(&args.rules.paths(&config), &reference)?;
            super::backtest::run(global, &rules, &args)
        }
    }
}

fn load(paths: &[PathBuf], reference: &std::path::Path) -> Result<pharmwatch_rules::RuleSet> {
    pharmwatch_rules::RuleSet::load(paths, reference)
        .map_err(|e| anyhow::Error::new(ConfigError(e.to_string())))
}

/// Sorts `explain`'s positional arguments: rule files and folders join `--rules` (as they
/// would for `lint` and `test`), and what is left is the stored listing's id or URL. Returns
/// the rule paths, and that listing key if any.
fn explain_targets(args: &mut ExplainArgs) -> Result<(PathsArgs, Option<String>)> {
    let mut rules = PathsArgs {
        rules_flag: std::mem::take(&mut args.rules_flag),
        paths: Vec::new(),
    };
    let mut key = None;
    for target in std::mem::take(&mut args.targets) {
        let path = PathBuf::from(&target);
        let is_url = target.starts_with("http://") || target.starts_with("https://");
        if !is_url && (path.is_dir() || path.is_file()) {
            rules.paths.push(path);
        } else if !is_url
            && (target.contains(std::path::MAIN_SEPARATOR) || target.ends_with(".toml"))
        {
            // Listing ids have no slashes and URLs have a scheme: this was meant as a path.
            return Err(ConfigError(format!(
                "no such rule file or folder: {target} (a listing is named by its id or page URL)"
            ))
            .into());
        } else if let Some(first) = &key {
            return Err(ConfigError(format!(
                "two listings given ({first} and {target}): explain one at a time"
            ))
            .into());
        } else {
            key = Some(target);
        }
    }
    if key.is_some() && !args.title.is_empty() {
        return Err(ConfigError(
            "--title describes an ad-hoc listing, but a stored listing was named too: drop one"
                .into(),
        )
        .into());
    }
    Ok((rules, key))
}

fn adhoc_listing(args: &ExplainArgs) -> Result<Listing> {
    Ok(AdhocListing {
        id: "adhoc".into(),
        title: args.title.clone(),
        description: args.description.clone(),
        price: args.price,
        currency: Some(args.currency),
        units: args.units,
        url: Some(args.url.clone()),
        site_kind: Some(args.site_kind),
    }
    .into_listing())
}

/// A listing typed by a rule author (`rules explain`) or piped in (`rules check`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AdhocListing {
    id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    price: Option<Decimal>,
    #[serde(default)]
    currency: Option<Currency>,
    #[serde(default)]
    units: Option<u32>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    site_kind: Option<SiteKind>,
}

impl AdhocListing {
    fn into_listing(self) -> Listing {
        let url = self
            .url
            .unwrap_or_else(|| format!("https://adhoc.invalid/{}", self.id));
        let domain = url::Url::parse(&url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        let mut listing = Listing::new(
            url,
            0,
            "adhoc",
            self.site_kind.unwrap_or_default(),
            domain,
            self.title,
            time::OffsetDateTime::now_utc(),
        );
        listing.description = self.description;
        listing.price = self
            .price
            .map(|p| Money::new(p, self.currency.unwrap_or(Currency::USD)));
        listing.quantity = self.units.map(|u| pharmwatch_model::Quantity {
            units: Some(u),
            ..Default::default()
        });
        listing
    }
}

#[derive(Debug, Serialize)]
struct CheckOutput<'a> {
    id: &'a str,
    flagged: bool,
    severity: Option<pharmwatch_model::Severity>,
    score: f64,
    rules: &'a [pharmwatch_model::RuleHit],
    drugs: &'a [pharmwatch_model::DrugMatch],
}

fn check_stdin(rules: &pharmwatch_rules::RuleSet) -> Result<ExitCode> {
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for (n, line) in stdin.lock().lines().enumerate() {
        let line = line.context("cannot read standard input")?;
        if line.trim().is_empty() {
            continue;
        }
        let input: AdhocListing = serde_json::from_str(&line).map_err(|e| {
            ConfigError(format!(
                "stdin line {}: {e} (expected a JSON object with id, title, description, price, currency, units, url, site_kind)",
                n + 1
            ))
        })?;
        let id = input.id.clone();
        let listing = input.into_listing();
        let verdict = rules.evaluate(&listing);
        let row = CheckOutput {
            id: &id,
            flagged: verdict.flagged,
            severity: verdict.severity,
            score: verdict.score,
            rules: &verdict.hits,
            drugs: &verdict.drugs,
        };
        serde_json::to_writer(&mut out, &row)?;
        out.write_all(b"\n")?;
    }
    Ok(ExitCode::SUCCESS)
}
