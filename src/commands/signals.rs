//! `pharmwatch signals networks|risk|trends`: the analysis of the stored listings, as tables
//! for a person or one JSON object per line for scripts.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use pharmwatch_model::Severity;
use pharmwatch_signals::{
    Cluster, IgnoreReason, IgnoredIdentifier, Link, LinkStrength, RiskClass, ShopRisk, Signal,
};
use pharmwatch_store::{RunId, StateStore};
use serde::Serialize;

use super::{ConfigError, Global};
use pharmwatch::analysis::trends::{TrendReport, latest_counted_run, trend_report};
use pharmwatch::analysis::{Current, ShopLabels};
use pharmwatch::output::{fit, pad, sanitize};

#[derive(Debug, Subcommand)]
pub enum SignalsCommand {
    /// Shops linked by shared contacts, wallets, analytics/affiliate ids: clusters by size,
    /// then risk, with the evidence of every link.
    Networks(NetworksArgs),
    /// The risk class of every shop (rogue, unapproved, unverified, no_concern) with reasons.
    Risk(RiskArgs),
    /// Rises and first appearances of flagged listings per drug, category and rule in a run,
    /// against earlier runs that crawled the same set of sites.
    Trends(TrendsArgs),
}

#[derive(Debug, Args)]
pub struct NetworksArgs {
    /// One JSON object per line: a cluster per line, then a line with the ignored identifiers.
    #[arg(long)]
    pub json: bool,
    /// Write the networks as a graph instead: `graphml` (Gephi, yEd, networkx) and `dot`
    /// (Graphviz) with every shop, `svg` a picture for a case file (large networks drawn
    /// with their most flagged shops and a "+N more" node).
    #[arg(long, value_enum, conflicts_with = "json")]
    pub format: Option<GraphFormat>,
    /// Only this network (its number, as `Network N` in the table).
    #[arg(long, value_name = "N")]
    pub network: Option<usize>,
}

/// `--format` of `signals networks`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Graphml,
    Dot,
    Svg,
}

#[derive(Debug, Args)]
pub struct RiskArgs {
    /// One JSON object per line: a shop per line.
    #[arg(long)]
    pub json: bool,
    /// Only shops of this class.
    #[arg(long, value_enum)]
    pub class: Option<ClassArg>,
}

#[derive(Debug, Args)]
pub struct TrendsArgs {
    /// One JSON object per line: a signal per line, then a line saying what was compared.
    #[arg(long)]
    pub json: bool,
    /// The run to look at (default: the latest finished run). It is compared only with
    /// earlier runs that crawled exactly the same set of sites.
    #[arg(long)]
    pub run: Option<i64>,
}

/// `--class` values: the risk classes' own names.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ClassArg {
    Rogue,
    Unapproved,
    Unverified,
    #[value(name = "no_concern")]
    NoConcern,
}

impl ClassArg {
    fn class(self) -> RiskClass {
        match self {
            ClassArg::Rogue => RiskClass::Rogue,
            ClassArg::Unapproved => RiskClass::Unapproved,
            ClassArg::Unverified => RiskClass::Unverified,
            ClassArg::NoConcern => RiskClass::NoConcern,
        }
    }
}

/// Runs a `signals` subcommand over the data directory's state store.
pub fn run(global: &Global, cmd: SignalsCommand) -> Result<ExitCode> {
    let store = open_store(global)?;
    match cmd {
        SignalsCommand::Networks(args) => networks(&*store, &args)?,
        SignalsCommand::Risk(args) => risk(&*store, &args)?,
        SignalsCommand::Trends(args) => trends(global, &*store, &args)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn open_store(global: &Global) -> Result<Box<dyn StateStore>> {
    global.data()?.open_existing_store()
}

/// Writes `text` to stdout; a reader that stopped reading (`| head`) is not an error.
fn emit(text: &[u8]) -> Result<()> {
    match std::io::stdout().lock().write_all(text) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to stdout"),
    }
}

/// Each value as one JSON line on stdout.
fn json_lines<T: Serialize>(values: impl IntoIterator<Item = T>) -> Result<()> {
    let mut out = Vec::new();
    for value in values {
        serde_json::to_writer(&mut out, &value)?;
        out.push(b'\n');
    }
    emit(&out)
}

/// One table row: each cell cut and padded to its width (scraped text sanitised by `fit`).
fn row(cells: &[(&str, usize)]) -> String {
    let line: Vec<String> = cells.iter().map(|(c, w)| pad(&fit(c, *w), *w)).collect();
    line.join(" ").trim_end().to_string()
}

fn severity(s: Option<Severity>) -> &'static str {
    s.map_or("-", |s| s.as_str())
}

// ---- networks ----

fn networks(store: &dyn StateStore, args: &NetworksArgs) -> Result<()> {
    let current = Current::load(store)?;
    let report = &current.networks;
    if let Some(rank) = args.network
        && !report.clusters.iter().any(|c| c.rank == rank)
    {
        return Err(ConfigError(format!(
            "there is no network {rank}: {} found (`pharmwatch signals networks` lists them)",
            pharmwatch::output::count(report.clusters.len(), "network was", "networks were")
        ))
        .into());
    }
    let clusters = report
        .clusters
        .iter()
        .filter(|c| args.network.is_none_or(|rank| c.rank == rank));
    if let Some(format) = args.format {
        return emit(graph_file(&current, clusters, format).as_bytes());
    }
    let clusters: Vec<&Cluster> = clusters.collect();
    if args.json {
        #[derive(Serialize)]
        struct Summary<'a> {
            shops: usize,
            clusters: usize,
            ignored: &'a [IgnoredIdentifier],
        }
        json_lines(&clusters)?;
        return json_lines([Summary {
            shops: report.shops,
            clusters: report.clusters.len(),
            ignored: &report.ignored,
        }]);
    }
    let labels = &current.labels;
    let mut out = String::new();
    for cluster in clusters {
        cluster_text(&mut out, cluster, labels);
    }
    ignored_text(&mut out, &report.ignored);
    let _ = writeln!(
        out,
        "{} looked at, {} of two or more.",
        pharmwatch::output::count(report.shops, "shop", "shops"),
        pharmwatch::output::count(report.clusters.len(), "network", "networks")
    );
    emit(out.as_bytes())
}

/// The networks as a graph file (see [`NetworksArgs::format`]).
fn graph_file<'a>(
    current: &Current,
    clusters: impl IntoIterator<Item = &'a Cluster>,
    format: GraphFormat,
) -> String {
    use pharmwatch_signals::draw;
    match format {
        GraphFormat::Graphml => {
            draw::graphml::graphml(&current.network_graphs(clusters, usize::MAX))
        }
        GraphFormat::Dot => draw::dot::dot(&current.network_graphs(clusters, usize::MAX)),
        GraphFormat::Svg => draw::networks_svg(
            &current.network_graphs(clusters, draw::MAX_SHOPS_DRAWN),
            |_| None,
        ),
    }
}

/// Example URLs shown per shop of a link.
const URLS_PER_HOLDER: usize = 2;

fn cluster_text(out: &mut String, c: &Cluster, labels: &ShopLabels) {
    let _ = writeln!(
        out,
        "Network {} · {} shops · {} listings, {} flagged, max severity {}",
        c.rank,
        c.size(),
        c.exposure.listings,
        c.exposure.flagged,
        severity(c.exposure.max_severity)
    );
    let columns = [
        ("SHOP", 56),
        ("LISTINGS", 8),
        ("FLAGGED", 7),
        ("SEVERITY", 8),
    ];
    let _ = writeln!(out, "  {}", row(&columns));
    for node in &c.shops {
        let e = &node.exposure;
        let _ = writeln!(
            out,
            "  {}",
            row(&[
                (&labels.of(&node.shop), 56),
                (&e.listings.to_string(), 8),
                (&e.flagged.to_string(), 7),
                (severity(e.max_severity), 8),
            ])
        );
    }
    let _ = writeln!(out, "  Shared identifiers:");
    for link in &c.links {
        link_text(out, link, labels);
    }
    out.push('\n');
}

fn link_text(out: &mut String, link: &Link, labels: &ShopLabels) {
    let strength = match link.strength {
        LinkStrength::Strong => "links the shops",
        LinkStrength::Weak => "weak: corroborates only",
    };
    let _ = writeln!(
        out,
        "  - {} {} ({strength}; held by {} in all)",
        link.identifier.kind,
        fit(&link.identifier.value, 80),
        pharmwatch::output::count(link.shared_by, "shop", "shops")
    );
    for holder in &link.holders {
        let urls: Vec<String> = holder
            .examples
            .iter()
            .take(URLS_PER_HOLDER)
            .map(|r| fit(&r.url, 100))
            .collect();
        let _ = writeln!(
            out,
            "      {} · {}, e.g. {}",
            fit(&labels.of(&holder.shop), 72),
            pharmwatch::output::count(holder.listings, "listing", "listings"),
            urls.join(" ")
        );
    }
}

fn ignored_text(out: &mut String, ignored: &[IgnoredIdentifier]) {
    if ignored.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "Ignored identifiers ({}): shared too widely to show a common operator",
        ignored.len()
    );
    for i in ignored {
        let why = match &i.reason {
            IgnoreReason::TooCommon => format!("{} shops: too common", i.shops),
            IgnoreReason::Platform { domain } => format!(
                "{} shops of {}: the platform's own contact",
                i.shops,
                sanitize(domain)
            ),
        };
        let _ = writeln!(
            out,
            "  - {} {} ({why})",
            i.identifier.kind,
            fit(&i.identifier.value, 80)
        );
    }
    out.push('\n');
}

// ---- risk ----

fn risk(store: &dyn StateStore, args: &RiskArgs) -> Result<()> {
    let wanted = args.class.map(ClassArg::class);
    let current = Current::load(store)?;
    let shops: Vec<&ShopRisk> = current
        .risk
        .iter()
        .filter(|r| wanted.is_none_or(|c| r.class == c))
        .collect();
    if args.json {
        return json_lines(&shops);
    }
    let labels = &current.labels;
    let mut out = String::new();
    let columns = [
        ("CLASS", 10),
        ("SHOP", 56),
        ("LISTINGS", 8),
        ("FLAGGED", 7),
        ("SEVERITY", 8),
    ];
    let _ = writeln!(out, "{}", row(&columns));
    for shop in &shops {
        let e = &shop.exposure;
        let _ = writeln!(
            out,
            "{}",
            row(&[
                (shop.class.as_str(), 10),
                (&labels.of(&shop.shop), 56),
                (&e.listings.to_string(), 8),
                (&e.flagged.to_string(), 7),
                (severity(e.max_severity), 8),
            ])
        );
        for reason in &shop.reasons {
            let _ = writeln!(
                out,
                "    - {} {}: {}",
                reason.class,
                reason.code,
                fit(&reason.sentence, 140)
            );
        }
    }
    let _ = writeln!(
        out,
        "{}.",
        pharmwatch::output::count(shops.len(), "shop", "shops")
    );
    emit(out.as_bytes())
}

// ---- trends ----

fn trends(global: &Global, store: &dyn StateStore, args: &TrendsArgs) -> Result<()> {
    let run = match args.run {
        Some(run) => RunId(run),
        None => latest_counted_run(store)?.ok_or_else(|| {
            ConfigError("no finished run with counts yet: crawl first".to_string())
        })?,
    };
    let report = trend_report(store, run)?;
    if !report.counted {
        let known = store
            .run(run)
            .with_context(|| format!("cannot read run {} from the state store", run.0))?
            .is_some();
        let why = if known {
            format!(
                "run {} has no counts: only finished runs are counted (an interrupted or failed run, or one from before pharmwatch kept counts, is not); give --run a finished run",
                run.0
            )
        } else {
            format!(
                "there is no run {} in the state store of {}: give --run the id of a finished run (`pharmwatch report` with no number shows the latest)",
                run.0,
                global.data_dir.display()
            )
        };
        return Err(ConfigError(why).into());
    }
    if args.json {
        #[derive(Serialize)]
        struct Summary<'a> {
            trends: &'a TrendReport,
        }
        json_lines(&report.signals)?;
        let summary = TrendReport {
            signals: Vec::new(),
            ..report.clone()
        };
        return json_lines([Summary { trends: &summary }]);
    }
    let mut out = format!("{}\n", report.summary());
    signals_text(&mut out, &report.signals);
    emit(out.as_bytes())
}

fn signals_text(out: &mut String, signals: &[Signal]) {
    if signals.is_empty() {
        out.push_str("No signals.\n");
        return;
    }
    let columns = [
        ("KIND", 5),
        ("DIMENSION", 9),
        ("KEY", 32),
        ("NOW", 6),
        ("BASELINE", 8),
        ("RUNS", 4),
        ("P-VALUE", 9),
        ("THRESHOLD", 9),
    ];
    let _ = writeln!(out, "{}", row(&columns));
    let sci = |x: Option<f64>| x.map_or_else(|| "-".to_string(), |x| format!("{x:.2e}"));
    for s in signals {
        let _ = writeln!(
            out,
            "{}",
            row(&[
                (s.kind.as_str(), 5),
                (s.dimension.as_str(), 9),
                (&s.key, 32),
                (&s.current.to_string(), 6),
                (&format!("{:.1}", s.baseline_mean), 8),
                (&s.baseline_runs.to_string(), 4),
                (&sci(s.p_value), 9),
                (&sci(s.threshold), 9),
            ])
        );
    }
}
