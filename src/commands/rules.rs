//! `pharmwatch rules …`: the rule authors' loop — lint, test, explain, check.

mod backtest;

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use pharmwatch_model::{
    Contact, ContactKind, Currency, Listing, Money, PriceBasis, Severity, SiteKind,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{ConfigError, Global, exit};
use pharmwatch::config::Config;
use pharmwatch::output;

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Check rule files for errors (file:line:column for each).
    Lint(PathsArgs),
    /// Run every rule's embedded tests; non-zero exit when any fails.
    Test(PathsArgs),
    /// Show, for an ad-hoc listing, every condition of every rule: held or not, and where.
    Explain(ExplainArgs),
    /// JSON lines of listings on stdin → one verdict per line on stdout.
    #[command(after_long_help = CHECK_FORMAT)]
    Check(CheckArgs),
    /// A (changed) rule set against every stored listing: hits gained and lost per rule,
    /// with samples; precision and recall against a labelled CSV.
    Backtest(BacktestArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub rules: PathsArgs,
    /// Skip a bad line (reported on stderr, exit status 3) instead of stopping at it.
    #[arg(long)]
    pub keep_going: bool,
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
    /// A labelled corpus (JSON lines in the `rules check` format, each with a `label`) to
    /// score the rules on, instead of the stored listings: precision and recall per rule,
    /// overall and per severity. The project's corpus: rules/corpus/listings.jsonl.
    #[arg(long, conflicts_with = "labels")]
    pub corpus: Option<PathBuf>,
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
    /// Read the listing as one JSON line on stdin (the `rules check` format) instead.
    #[arg(long, conflicts_with_all = ["title", "description", "price"])]
    pub stdin: bool,
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
                println!(
                    "{}",
                    output::count(diagnostics.len(), "problem", "problems")
                );
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
                Some(key) => backtest::stored_listing(global, key)?,
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
            let rules = load(&args.rules.paths(&config), &reference)?;
            check_stdin(&rules, args.keep_going)
        }
        RulesCommand::Backtest(args) => {
            let rules = load(&args.rules.paths(&config), &reference)?;
            backtest::run(global, &rules, &args)
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
    if args.stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("cannot read standard input")?;
        return Ok(read_listing_line(&line, 1)?.listing);
    }
    let input = CheckInput {
        id: Some("adhoc".into()),
        title: args.title.clone(),
        description: args.description.clone(),
        price: args.price.map(|p| serde_json::Value::String(p.to_string())),
        currency: Some(args.currency),
        units: args.units,
        url: Some(args.url.clone()),
        site_kind: Some(args.site_kind),
        ..CheckInput::default()
    };
    Ok(input.into_listing(1)?)
}

/// One line of `rules check` input (also `rules explain --stdin` and the backtest corpus).
/// Every field is optional; see `CHECK_FORMAT`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CheckInput {
    id: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    seller: Option<String>,
    url: Option<String>,
    /// Name of the site (as in the crawl configuration).
    site: Option<String>,
    site_kind: Option<SiteKind>,
    language: Option<String>,
    /// A number (`12.5`) or the price as the page prints it (`"$1.04/pill"`, `"1.299,00 €"`).
    price: Option<serde_json::Value>,
    currency: Option<Currency>,
    price_basis: Option<PriceBasis>,
    #[serde(alias = "quantity")]
    units: Option<u32>,
    #[serde(default)]
    contacts: Vec<String>,
    #[serde(default)]
    payment: Vec<String>,
    #[serde(default)]
    shipping: Vec<String>,
    #[serde(default)]
    shop_contacts: Vec<String>,
    #[serde(default)]
    shop_payment: Vec<String>,
    #[serde(default)]
    shop_shipping: Vec<String>,
    #[serde(default)]
    reviews: Vec<String>,
    #[serde(default)]
    postal_address: bool,
    #[serde(default)]
    licence_claim: bool,
    /// What an analyst says of the listing (the backtest corpus); `check` ignores it.
    label: Option<CorpusLabel>,
}

/// An analyst's label of a corpus listing.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CorpusLabel {
    /// Whether the listing should be flagged (a hit of severity low or above).
    pub flagged: bool,
    /// The highest severity it deserves (absent: none).
    pub severity: Option<Severity>,
    /// Rules that should fire on it.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Why, in words.
    pub reason: String,
}

/// A listing read from one input line, with its id and label.
pub(super) struct InputListing {
    pub id: String,
    pub listing: Listing,
    pub label: Option<CorpusLabel>,
}

/// What a `rules check` line may hold; printed by `--help` and in rules/README.md.
pub const CHECK_FORMAT: &str = "\
Input: one JSON object per line (blank lines are skipped). Either a listing as `pharmwatch \
extract --json` prints it (recognised by its `fetched_at` field), or an object with any of:
  id            string (default: line-N)
  title, description, seller, url, site (site name), language   strings
  site_kind     pharmacy | marketplace | classifieds | forum | darknet-market (default pharmacy)
  price         a number (12.5) or the price as printed (\"$1.04/pill\", \"1.299,00 €\", \"128元\"),
                read by the extractor's price parser; a per-unit text sets price_basis
  currency      ISO 4217 code (default USD; for a printed price, the hint for `$`, `¥`, bare numbers)
  price_basis   offer (the price of the whole offer, default) | unit (the price of one tablet, pen, …)
  units         units in the offer (alias: quantity)
  contacts      list of \"kind:value\" (telegram:@pills, whatsapp:+44…, email:a@b.example) or
                text as printed (\"WhatsApp: +44 7700 900123\"), read by the extractor's contact parser
  payment, shipping                      lists of the listing's payment methods and shipping claims
  shop_contacts, shop_payment, shop_shipping   the same, from the shop's pages and policies
  reviews       list of customer reviews (buyers' words: no rule reads them as the seller's claims)
  postal_address, licence_claim          booleans: the page shows an address / claims a licence
  label         {flagged, severity, rules, reason}: an analyst's label (the backtest corpus); ignored
Output: one JSON object per line: id, flagged, severity, score, rules (hits with evidence), drugs.";

/// Reads one input line (1-based `line` for messages).
pub(super) fn read_listing_line(text: &str, line: usize) -> Result<InputListing, ConfigError> {
    let bad = |what: String| {
        ConfigError(format!(
            "line {line}: {what} (format: `pharmwatch rules check --help`)"
        ))
    };
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| bad(format!("not a JSON object: {e}; write one object per line")))?;
    if value.get("fetched_at").is_some() {
        let listing: Listing = serde_json::from_value(value).map_err(|e| {
            bad(format!(
                "looks like `extract --json` output (has `fetched_at`) but does not read as a listing: {e}"
            ))
        })?;
        return Ok(InputListing {
            id: listing.id.as_str().to_string(),
            listing,
            label: None,
        });
    }
    let input: CheckInput = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
    let id = input.id.clone().unwrap_or_else(|| format!("line-{line}"));
    let label = input.label.clone();
    Ok(InputListing {
        id,
        listing: input.into_listing(line)?,
        label,
    })
}

impl CheckInput {
    fn into_listing(self, line: usize) -> Result<Listing, ConfigError> {
        let bad = |what: String| ConfigError(format!("line {line}: {what}"));
        let id = self.id.unwrap_or_else(|| format!("line-{line}"));
        let url = self
            .url
            .unwrap_or_else(|| format!("https://adhoc.invalid/{id}"));
        let domain = url::Url::parse(&url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        let mut listing = Listing::new(
            url,
            0,
            self.site.as_deref().unwrap_or("adhoc"),
            self.site_kind.unwrap_or_default(),
            domain,
            self.title,
            time::OffsetDateTime::now_utc(),
        );
        listing.description = self.description;
        listing.seller = self.seller;
        listing.language = self.language;
        if let Some(price) = &self.price {
            let (money, per_unit) = read_price(price, self.currency, listing.language.as_deref())
                .map_err(|e| bad(format!("field `price`: {e}")))?;
            listing.price = Some(money);
            if per_unit {
                listing.price_basis = PriceBasis::Unit;
            }
        }
        if let Some(basis) = self.price_basis {
            listing.price_basis = basis;
        }
        listing.quantity = self.units.map(|u| pharmwatch_model::Quantity {
            units: Some(u),
            ..Default::default()
        });
        listing.contacts = read_contacts(&self.contacts);
        listing.payment_methods = self.payment;
        listing.shipping_claims = self.shipping;
        listing.shop.contacts = read_contacts(&self.shop_contacts);
        listing.shop.payment_methods = self.shop_payment;
        listing.shop.shipping_claims = self.shop_shipping;
        listing.reviews = self.reviews;
        listing.page.postal_address = self.postal_address;
        listing.page.licence_claim = self.licence_claim;
        Ok(listing)
    }
}

/// A price given as a number, or as text read by the extractor's price parser. Returns the
/// money and whether the text said it is per unit.
fn read_price(
    value: &serde_json::Value,
    currency: Option<Currency>,
    language: Option<&str>,
) -> Result<(Money, bool), String> {
    match value {
        serde_json::Value::Number(n) => {
            let amount = Decimal::from_str_exact(&n.to_string())
                .or_else(|_| Decimal::from_scientific(&n.to_string()))
                .map_err(|e| format!("{n} is not a usable amount: {e}"))?;
            Ok((Money::new(amount, currency.unwrap_or(Currency::USD)), false))
        }
        serde_json::Value::String(text) => {
            let parts = pharmwatch_extract::price::parse_price_parts(
                text,
                Some(currency.unwrap_or(Currency::USD)),
                language,
            );
            match parts.money() {
                Some(money) => Ok((money, parts.per_unit)),
                None => Err(format!(
                    "no price in {text:?}: write a number (12.5) or a price as printed (\"$12.50\", \"1.299,00 €\")"
                )),
            }
        }
        other => Err(format!(
            "expected a number or a string, found {other}: write 12.5 or \"$12.50\""
        )),
    }
}

/// `kind:value` contacts as given; anything else read by the extractor's contact parser (and
/// kept as `other` when it finds nothing).
fn read_contacts(given: &[String]) -> Vec<Contact> {
    let mut out = Vec::new();
    for text in given {
        let typed = text.split_once(':').and_then(|(k, v)| {
            let k = k.trim().to_ascii_lowercase();
            ContactKind::ALL
                .into_iter()
                .find(|kind| kind.as_str() == k)
                .map(|kind| Contact {
                    kind,
                    value: v.trim().trim_start_matches('@').to_string(),
                })
        });
        if let Some(c) = typed {
            out.push(c);
            continue;
        }
        let found = pharmwatch_extract::parse_contacts(text);
        if found.is_empty() {
            out.push(Contact {
                kind: ContactKind::Other,
                value: text.trim().to_string(),
            });
        } else {
            out.extend(found);
        }
    }
    out
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

fn check_stdin(rules: &pharmwatch_rules::RuleSet, keep_going: bool) -> Result<ExitCode> {
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut skipped = 0usize;
    for (n, line) in stdin.lock().lines().enumerate() {
        let line = line.context("cannot read standard input")?;
        if line.trim().is_empty() {
            continue;
        }
        let input = match read_listing_line(&line, n + 1) {
            Ok(input) => input,
            Err(e) if keep_going => {
                eprintln!("skipped {e}");
                skipped += 1;
                continue;
            }
            Err(e) => {
                return Err(
                    ConfigError(format!("stdin {}; `--keep-going` skips bad lines", e.0)).into(),
                );
            }
        };
        let verdict = rules.evaluate(&input.listing);
        let row = CheckOutput {
            id: &input.id,
            flagged: verdict.flagged,
            severity: verdict.severity,
            score: verdict.score,
            rules: &verdict.hits,
            drugs: &verdict.drugs,
        };
        serde_json::to_writer(&mut out, &row)?;
        out.write_all(b"\n")?;
    }
    if skipped > 0 {
        eprintln!("{} skipped", output::count(skipped, "line", "lines"));
        return Ok(ExitCode::from(exit::PARTIAL));
    }
    Ok(ExitCode::SUCCESS)
}
