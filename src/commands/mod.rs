//! One module per subcommand. Each takes its parsed arguments and the global options.

pub mod crawl;
pub mod daemon;
#[cfg(feature = "demo")]
pub mod demo;
pub mod evidence;
pub mod export;
pub mod extract;
#[cfg(feature = "demo")]
pub mod marketplace;
pub mod parse;
pub mod report;
pub mod rescan;
pub mod robots;
pub mod rules;
pub mod search;
pub mod serve;
pub mod signals;

use std::process::ExitCode;

use anyhow::Result;

use crate::{Cli, Command};

/// Exit codes documented in the README.
pub mod exit {
    /// Done.
    pub const OK: u8 = 0;
    /// Failed (I/O, network, a bug).
    pub const FAILED: u8 = 1;
    /// The configuration, a rule file or the command line is wrong.
    pub const CONFIG: u8 = 2;
    /// A run finished but some sites failed; or rule tests failed.
    pub const PARTIAL: u8 = 3;
}

pub use pharmwatch::config::ConfigError;

/// Maps an error to the documented exit code.
pub fn exit_code_for(err: &anyhow::Error) -> u8 {
    if err
        .chain()
        .any(|e| e.downcast_ref::<ConfigError>().is_some())
    {
        exit::CONFIG
    } else {
        exit::FAILED
    }
}

/// Runs the chosen subcommand.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let global = Global {
        data_dir: cli.data_dir,
        config: cli.config,
        store: cli.store,
    };
    match cli.command {
        #[cfg(feature = "demo")]
        Command::Demo(args) => demo::run(&global, args),
        Command::Crawl(args) => crawl::run(&global, args),
        Command::Daemon(args) => daemon::run(&global, args),
        Command::Report(args) => report::run(&global, args),
        Command::Rescan => rescan::run(&global),
        Command::Search(args) => search::run(&global, args),
        Command::Signals(cmd) => signals::run(&global, cmd),
        Command::Serve(args) => serve::run(&global, args),
        Command::Rules(cmd) => rules::run(&global, cmd),
        Command::Evidence(cmd) => evidence::run(&global, cmd),
        Command::Export(cmd) => export::run(&global, cmd),
        Command::Extract(args) => extract::run(&global, args),
        Command::Parse(cmd) => parse::run(cmd),
        Command::Robots(args) => robots::run(&global, args),
        #[cfg(feature = "demo")]
        Command::Marketplace(args) => marketplace::run(&global, args),
    }
}

/// Options every command takes.
pub struct Global {
    pub data_dir: std::path::PathBuf,
    pub config: Option<std::path::PathBuf>,
    /// `--store`: a PostgreSQL URL, overriding the config's `[store] url`.
    pub store: Option<String>,
}

impl Global {
    pub fn load_config(&self) -> Result<pharmwatch::config::Config> {
        pharmwatch::config::Config::load(self.config.as_deref())
            .map_err(|e| anyhow::Error::new(ConfigError(format!("{e:#}"))))
    }

    /// The data directory, its state store where `--store` or the config's `[store] url`
    /// puts it (else `state.sqlite` in the directory).
    pub fn data(&self) -> Result<pharmwatch::pipeline::DataDir> {
        let url = match &self.store {
            Some(url) if pharmwatch_store::is_postgres_url(url) => Some(url.clone()),
            Some(other) => {
                return Err(ConfigError(format!(
                    "--store `{}`: expected a postgres://user@host/database URL (leave --store out for state.sqlite in the data directory)",
                    pharmwatch_store::redact_url(other)
                ))
                .into());
            }
            None => self.load_config()?.store.url,
        };
        Ok(pharmwatch::pipeline::DataDir::new(&self.data_dir).with_store(url))
    }
}

/// A multi-threaded runtime for the commands that do network I/O.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}
