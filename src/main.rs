//! `pharmwatch`: watch online pharmacies and informal markets for substandard and falsified
//! medical products. The command layer: arguments parsed here, one module per subcommand under
//! `commands/`; what the commands do lives in the library (`lib.rs`).

mod commands;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Watch online pharmacies and informal markets for substandard and falsified medicines.
#[derive(Debug, Parser)]
#[command(name = "pharmwatch", version, about, propagate_version = true)]
#[cfg_attr(
    not(feature = "demo"),
    command(
        after_help = "This build has no sample marketplace (`demo`, `marketplace`): build with `cargo build --features demo` for them."
    )
)]
pub struct Cli {
    /// Data directory: index, evidence and state.
    #[arg(
        long,
        global = true,
        default_value = "./pharmwatch-data",
        env = "PHARMWATCH_DATA_DIR"
    )]
    pub data_dir: PathBuf,
    /// Configuration file (default: config/pharmwatch.toml when present, else built-in defaults).
    #[arg(long, global = true, env = "PHARMWATCH_CONFIG")]
    pub config: Option<PathBuf>,
    /// State store: a postgres://user@host/database URL shared by several machines (default:
    /// the config's [store] url, else state.sqlite in the data directory).
    #[arg(long, global = true, env = "PHARMWATCH_STORE", value_name = "URL")]
    pub store: Option<String>,
    /// More log output (-v info, -vv debug); logs go to stderr.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Logs as JSON lines (one object per event) instead of text; also
    /// PHARMWATCH_LOG_FORMAT=json.
    #[arg(long, global = true)]
    pub log_json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the bundled sample marketplace on loopback, crawl it, print flagged listings.
    #[cfg(feature = "demo")]
    Demo(commands::demo::DemoArgs),
    /// One crawl run per the config: fetch, extract, apply rules, index.
    Crawl(commands::crawl::CrawlArgs),
    /// Run site groups on their cron schedules until SIGTERM/SIGINT (see README, "Scheduled runs").
    Daemon(commands::daemon::DaemonArgs),
    /// Print a run's report (default: the latest run), or compare two runs.
    Report(commands::report::ReportArgs),
    /// Search the flagged listings in the index.
    Search(commands::search::SearchArgs),
    /// Analysis of the stored listings: shop networks, risk classes, trend signals.
    #[command(subcommand)]
    Signals(commands::signals::SignalsCommand),
    /// Apply the current rules to every stored listing; update the store and the index.
    Rescan,
    /// Rule authors' tools: lint, test, explain, check, backtest.
    #[command(subcommand)]
    Rules(commands::rules::RulesCommand),
    /// The archived evidence: show a page's bytes, verify every digest.
    #[command(subcommand)]
    Evidence(commands::evidence::EvidenceCommand),
    /// Case packages for regulators: export a search's listings with their evidence; verify one.
    #[command(subcommand)]
    Export(commands::export::ExportCommand),
    /// Serve the investigators' web page and JSON API (loopback unless given a token).
    Serve(commands::serve::ServeArgs),
    /// Print the listings extracted from one page (a profile author's debugging aid).
    Extract(commands::extract::ExtractArgs),
    /// Show how one string is read: price, quantity or contacts.
    #[command(subcommand)]
    Parse(commands::parse::ParseCommand),
    /// Whether robots.txt lets the crawler fetch a URL: the group, the rule and the Crawl-delay.
    Robots(commands::robots::RobotsArgs),
    /// Write the sample marketplace as static files with an nginx config (for benchmarks).
    #[cfg(feature = "demo")]
    Marketplace(commands::marketplace::MarketplaceArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // An operator reads the daemon's log: it says when runs start and end.
    let quiet = if matches!(cli.command, Command::Daemon(_)) {
        "info"
    } else {
        "warn"
    };
    let json = cli.log_json
        || std::env::var("PHARMWATCH_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    init_logging(cli.verbose, quiet, json);
    quiet_on_closed_stdout();
    match commands::run(cli) {
        Ok(code) => code,
        // Whoever read the output has all they wanted (`| head`): like ripgrep, stop quietly.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(commands::exit_code_for(&err))
        }
    }
}

/// Whether an error comes from writing to a pipe whose reader has gone.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || e.downcast_ref::<csv::Error>().is_some_and(
                |c| matches!(c.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe),
            )
            || e.downcast_ref::<serde_json::Error>()
                .and_then(|j| j.io_error_kind())
                .is_some_and(|k| k == std::io::ErrorKind::BrokenPipe)
    })
}

/// `println!` panics when stdout is a pipe whose reader has gone; that is how `pharmwatch
/// search '*' | head -1` ends, not a crash: the process exits 0 without a word. Every other
/// panic is reported as before.
fn quiet_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

fn init_logging(verbose: u8, quiet: &str, json: bool) {
    let default = match verbose {
        0 => quiet,
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("PHARMWATCH_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| pharmwatch::progress::LogWriter)
        // Colour codes only for a person at a terminal, not in files or journald.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    if json {
        logs.json().init();
    } else {
        logs.init();
    }
}
