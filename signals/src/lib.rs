//! Analysis over stored listings: which shops form a network, how risky each shop is, and
//! what is rising from run to run.
//!
//! Pure functions over data the caller passes in — listings with their current verdicts
//! (`(&Listing, &Verdict)` pairs, e.g. from the state store's `all_listings()`), and per-run
//! counts read back from the store. Nothing here touches storage or the network, so the CLI,
//! run reports and the web page can all call it.
//!
//! * [`networks`]: shops linked by shared contacts, wallets, analytics and affiliate ids,
//!   payment hosts and templates ([`find_networks`]).
//! * [`risk`]: a rogue / unapproved / unverified / no-concern class per shop, with reasons
//!   ([`assess_risk`]).
//! * [`trends`]: counts of flagged listings per drug, category and rule per run ([`tally`]),
//!   and rises or first appearances against earlier runs ([`detect`]).
//!
//! * [`draw`]: the pictures of these analyses as SVG (no JavaScript), and the networks as
//!   GraphML and DOT for analysts' tools.
//!
//! The unit of all three is the [`Shop`]: a domain, or a seller on a shared platform.

pub mod draw;
pub mod networks;
pub mod risk;
mod shop;
mod tail;
pub mod trends;

pub use networks::{
    Cluster, Holder, IdKind, Identifier, IgnoreReason, IgnoredIdentifier, Link, LinkStrength,
    NetworkBuilder, NetworkConfig, NetworkReport, PLATFORM_CHROME_MIN_SHOPS, ShopNode,
    find_networks,
};
pub use risk::{Reason, ReasonCode, RiskBuilder, RiskClass, ShopRisk, assess_risk};
pub use shop::{Exposure, ListingRef, MAX_EXAMPLES, Shop, is_shared_platform};
pub use trends::{
    Dimension, RunCounts, Signal, SignalKind, TOTAL_FLAGGED, TOTAL_LISTINGS, TrendConfig,
    UnknownDimension, detect, tally,
};
