//! The pharmwatch application as a library: everything the commands use, none of which knows
//! about the commands. The binary (`main.rs`, `commands/`) parses arguments and prints; what a
//! run, a search, a report, an export, the web page and the daemon do lives here, so a newcomer
//! reads the command layer in minutes and the library can be driven by tests and other front
//! ends. Nothing here imports from the binary (it cannot: the binary depends on this crate).
//!
//! The modules, in the order data flows: `config` (pharmwatch.toml and the user's errors),
//! `pipeline` (one run: crawl → evidence → store → rules → index), `schedule` and `daemon`
//! (runs on cron schedules), `analysis` and `report` (what a run found and what changed),
//! `search`, `export` (case packages), `web` (the investigators' web page), `notify`
//! (webhooks), and the terminal's `output` and `progress`.

#![warn(missing_docs)]

pub mod analysis;
pub mod config;
pub mod daemon;
pub mod export;
pub mod notify;
pub mod output;
pub mod pipeline;
pub mod progress;
pub mod report;
pub mod schedule;
pub mod search;
pub mod web;
