//! Pictures drawn on the server as SVG, with no JavaScript: shop networks, trends, timelines.
//!
//! * [`svg`]: the writer. Every text and attribute value is escaped there, once, so no
//!   picture can carry a scraped string as markup; presentation attributes only (the web
//!   page's CSP forbids inline styles); numbers with one decimal, so the same input gives
//!   the same bytes.
//! * [`palette`]: Okabe–Ito colours with a shape or dash beside each, so no picture relies on
//!   colour alone (print, colour-blind readers).
//! * [`network`]: a cluster as a graph ([`NetworkGraph`]) and its picture; [`graphml`] and
//!   [`dot`] write the same graph for Gephi, yEd, networkx or Graphviz.
//! * [`trend`]: flagged listings per run of one series, with the runs the signal test
//!   compared with, their range and mean, and the signalled runs.
//! * [`timeline`]: a listing's price and verdict over time, and a domain's listings as
//!   lanes, each point linked to the archived page that showed it.
//!
//! Each picture carries a `<title>` and `<desc>`; the pages and files that show one put its
//! text equivalent (a table) beside it and link to the data behind it.

pub mod dot;
pub mod graphml;
pub mod network;
pub mod palette;
pub mod svg;
pub mod timeline;
pub mod trend;

pub use network::{GraphEdge, GraphNode, MAX_SHOPS_DRAWN, NetworkGraph, network_svg, networks_svg};
pub use timeline::{
    EventKind, Lane, MAX_LANES, Timeline, TimelineEvent, listing_timeline_svg, timeline_svg,
};
pub use trend::{TrendChart, TrendPoint, trend_svg};
