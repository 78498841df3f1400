//! Case packages for regulators (`pharmwatch export case`): the listings a search selects,
//! the archived records behind them copied byte for byte, and a manifest of digests that
//! shows the package is unchanged (`pharmwatch export verify`).
//!
//! A package is a flat directory: [`EVIDENCE_FILE`], [`LISTINGS_CSV`], [`LISTINGS_JSON`],
//! [`NETWORKS_SVG`], [`NETWORKS_GRAPHML`], [`README_FILE`], [`MANIFEST_FILE`] and
//! [`SUMS_FILE`], and with `--wacz` the same records as one WACZ file, [`WACZ_FILE`].

mod case;
pub mod manifest;
mod package;
mod readme;
mod rows;
mod wacz;

pub use case::{CaseQuery, all_hits, write_case};
pub use package::{check_target, write_atomically};
pub use wacz::WACZ_FILE;

/// The archived records, as WARC/1.1.
pub const EVIDENCE_FILE: &str = "evidence.warc.gz";
/// One row per listing, for spreadsheets.
pub const LISTINGS_CSV: &str = "listings.csv";
/// The same rows as JSON.
pub const LISTINGS_JSON: &str = "listings.json";
/// The shop networks the exported listings' shops are in, drawn (a case file's picture).
pub const NETWORKS_SVG: &str = "networks.svg";
/// The same networks as GraphML, every shop kept (Gephi, yEd, networkx).
pub const NETWORKS_GRAPHML: &str = "networks.graphml";
/// What is in the package and how to verify it.
pub const README_FILE: &str = "README.txt";
/// SHA-256 and size of every file, and what the package was made from.
pub const MANIFEST_FILE: &str = "manifest.json";
/// `sha256sum -c` list of every file.
pub const SUMS_FILE: &str = "SHA256SUMS";
