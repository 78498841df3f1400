//! Timelines on the listing and domain pages: the store's history rows drawn by
//! `pharmwatch_signals::draw` (which escapes everything it writes), each point linked to the
//! archived page that showed it, with the same facts in a table beside the picture.

use maud::{Markup, PreEscaped, html};
use pharmwatch_signals::draw::{
    EventKind, Lane, MAX_LANES, Timeline, TimelineEvent, listing_timeline_svg, timeline_svg,
};
use pharmwatch_store::{HistoryEntry, HistoryKind, StoredListing};
use rust_decimal::prelude::ToPrimitive;

use super::templates::{self, listing_href};

/// One listing's history as a lane of points.
pub fn lane(stored: &StoredListing, history: &[HistoryEntry]) -> Lane {
    Lane {
        label: stored.listing.title.clone(),
        href: Some(listing_href(stored.listing.id.as_str())),
        events: history.iter().map(event).collect(),
        last_seen: stored.gone_since.is_none().then_some(stored.last_seen),
    }
}

fn event(entry: &HistoryEntry) -> TimelineEvent {
    TimelineEvent {
        at: entry.at,
        kind: match entry.kind {
            HistoryKind::New => EventKind::New,
            HistoryKind::Changed => EventKind::Changed,
            HistoryKind::Gone => EventKind::Gone,
            HistoryKind::Returned => EventKind::Returned,
        },
        price: entry
            .price
            .as_ref()
            .and_then(|m| m.amount.to_f64().map(|amount| (amount, m.to_string()))),
        severity: entry.verdict.severity,
        evidence_href: entry
            .evidence
            .as_ref()
            .map(|e| format!("/archive/{}", e.sha256)),
    }
}

/// The listing page's timeline; nothing when it has no history yet.
pub fn listing_figure(lane: &Lane) -> Markup {
    if lane.events.is_empty() {
        return html! {};
    }
    html! {
        figure.picture #timeline {
            (PreEscaped(listing_timeline_svg(lane)))
            figcaption {
                "The listing's price over time. Shape: what changed (circle first seen, diamond changed, square gone, triangle back); filled: flagged then, colour its severity. Each point opens the archived page that showed it; the history table below lists the same points. Data: "
                a href={ "/api" (listing_href_path(lane)) } { "JSON" } "."
            }
        }
    }
}

fn listing_href_path(lane: &Lane) -> String {
    lane.href.clone().unwrap_or_default()
}

/// A domain's timeline from its most severe listings' lanes (as many as [`MAX_LANES`]),
/// oldest first; `listings` is how many it has in all.
pub fn domain_timeline(domain: &str, mut lanes: Vec<Lane>, listings: usize) -> Timeline {
    lanes.retain(|l| !l.events.is_empty());
    lanes.truncate(MAX_LANES);
    // Oldest first: the order in which the shop put them up.
    lanes.sort_by_key(|l| l.events.first().map(|e| e.at));
    Timeline {
        subject: domain.to_string(),
        not_drawn: listings.saturating_sub(lanes.len()),
        lanes,
    }
}

/// The domain page's timeline with a table of the lanes drawn; nothing without history.
pub fn domain_figure(timeline: &Timeline) -> Markup {
    if timeline.lanes.is_empty() {
        return html! {};
    }
    html! {
        figure.picture #timeline {
            (PreEscaped(timeline_svg(timeline)))
            figcaption {
                "When the domain's listings appeared, changed and went (the " (timeline.lanes.len()) " most severe, oldest first). Shape: what changed; filled: flagged then, colour its severity; each point opens the archived page that showed it."
            }
        }
        details {
            summary { "The timeline as a table" }
            table.timeline {
                thead { tr { th { "Listing" } th { "First seen" } th { "Changes" } th { "Last change" } th { "Now" } } }
                tbody {
                    @for lane in &timeline.lanes {
                        tr {
                            td { a href=(listing_href_path(lane)) { (lane.label) } }
                            td { (lane.events.first().map(|e| templates::time(&e.at)).unwrap_or_default()) }
                            td { (lane.events.len().saturating_sub(1)) }
                            td { (lane.events.last().map(|e| format!("{} ({})", templates::time(&e.at), e.kind.as_str())).unwrap_or_default()) }
                            td { (if lane.last_seen.is_some() { "offered" } else { "gone" }) }
                        }
                    }
                }
            }
        }
    }
}
