//! `README.txt`: what the package holds and how a recipient checks it, without pharmwatch.

use super::manifest::Meta;
use super::rows::CSV_COLUMNS;
use super::wacz::{WACZ_INDEX, WACZ_PAGES, WACZ_VERSION, WACZ_WARC};
use super::{
    EVIDENCE_FILE, LISTINGS_CSV, LISTINGS_JSON, MANIFEST_FILE, NETWORKS_GRAPHML, NETWORKS_SVG,
    SUMS_FILE, WACZ_FILE,
};
use crate::output::sanitize;

/// The text of `README.txt`.
pub fn text(
    meta: &Meta,
    records: usize,
    networks: usize,
    without_evidence: &[String],
    wacz: bool,
) -> String {
    let scope = if meta.include_unflagged {
        "all listings (flagged or not)"
    } else {
        "the listings flagged by at least one rule"
    };
    let mut out = format!(
        "pharmwatch case package
=======================

Made by pharmwatch {version} at {created} (UTC).
Selection: {scope} matching the search query

    {query}

Listings: {listings}. Archived WARC records copied: {records}.

Files
-----

{LISTINGS_CSV}       one row per listing (columns below); opens in a spreadsheet.
                   Cells that begin with = + - @ or a tab or carriage return are prefixed
                   with an apostrophe (') so a spreadsheet shows them instead of running them.
{LISTINGS_JSON}      the same rows as JSON, with lists and rule evidence kept structured.
{EVIDENCE_FILE}   the archived HTTP exchanges the listings come from, as WARC/1.1
                   (ISO 28500), one gzip member per record. The first record (warcinfo)
                   describes this export; then, per original archive file, that file's
                   warcinfo record followed by the request, response and metadata records
                   of each page, copied byte for byte from the original archive. Their
                   WARC-Block-Digest and WARC-Payload-Digest (SHA-256) are the digests
                   computed when the page was captured.
{NETWORKS_SVG}       the shop networks ({networks}) the listings' shops belong to, drawn: shops as
                   nodes (area: flagged listings; colour and shape: risk class), shared
                   contacts, wallets and analytics ids as solid lines, payment hosts and
                   templates (corroboration only) as dashed grey lines. Opens in a browser.
{NETWORKS_GRAPHML}   the same networks with every shop, as GraphML (Gephi, yEd, networkx).
{MANIFEST_FILE}      SHA-256 and size of every other file, and the query that made the package.
{SUMS_FILE}         SHA-256 of every other file, manifest.json included (sha256sum format).
README.txt         this file.

How to verify
-------------

1. Nothing changed since the export:

       sha256sum -c {SUMS_FILE}
       pharmwatch export verify .          (if pharmwatch is installed)

2. The archived records are intact and readable by other tools:

       warcio check {EVIDENCE_FILE}        (pip install warcio)
       warcio index {EVIDENCE_FILE}

3. A record is the one in the original archive: each listing's evidence_source_file,
   evidence_source_offset and evidence_source_length name its response record in the
   data directory's evidence/ folder, and evidence_package_offset the same bytes here.
   Both must hash the same:

       tail -c +$((PACKAGE_OFFSET + 1)) {EVIDENCE_FILE} | head -c LENGTH | sha256sum
       tail -c +$((SOURCE_OFFSET + 1)) evidence/SOURCE_FILE | head -c LENGTH | sha256sum

   page_sha256 is the SHA-256 of the page's body as received (the response record's
   WARC-Payload-Digest, in hex). `pharmwatch evidence verify` rechecks the whole
   original archive, including each file's sealed .sha256.

Columns of {LISTINGS_CSV}
-----------------------

{columns}

Lists inside a cell are separated by \"; \". batch, expiry and manufacturer are what the
page claims; they are empty when the page states none. suspicion_evidence quotes the page's
own words that made each rule fire. Times are UTC (RFC 3339).
",
        version = env!("CARGO_PKG_VERSION"),
        created = meta.created_at,
        query = sanitize(&meta.query),
        listings = meta.listings,
        columns = wrapped(&CSV_COLUMNS, 88),
    );
    if wacz {
        out.push_str(&format!(
            "
{WACZ_FILE}
{underline}

The same archived records as one WACZ {WACZ_VERSION} file (a ZIP) that web-archive players
open, e.g. ReplayWeb.page: {WACZ_WARC} is {EVIDENCE_FILE} byte for byte,
{WACZ_INDEX} its CDXJ index, {WACZ_PAGES} the listings' pages, and
datapackage.json the SHA-256 of each. Check it with `wacz validate -f {WACZ_FILE}`
(pip install wacz). A page rendered in a browser has its DOM (urn:dom:URL) and
screenshot (urn:view:URL) as resource records beside the requests it made.
",
            underline = "-".repeat(WACZ_FILE.len()),
        ));
    }
    if !without_evidence.is_empty() {
        out.push_str(&format!(
            "\nNo archived record was found for {}; their evidence columns are empty:\n",
            crate::output::count(without_evidence.len(), "listing", "listings")
        ));
        for url in without_evidence {
            out.push_str(&format!("    {}\n", sanitize(url)));
        }
    }
    out
}

/// `items` joined with `, `, in lines of at most `width` characters.
fn wrapped(items: &[&str], width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for (i, item) in items.iter().enumerate() {
        let comma = if i + 1 < items.len() { "," } else { "" };
        let piece = format!("{item}{comma}");
        if line > 0 && line + 1 + piece.len() > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(&piece);
        line += piece.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_list_wraps_without_losing_names() {
        let text = wrapped(&CSV_COLUMNS, 40);
        assert!(text.lines().all(|l| l.len() <= 40), "{text}");
        let names: Vec<&str> = text
            .split([',', '\n', ' '])
            .filter(|s| !s.is_empty())
            .collect();
        assert_eq!(names, CSV_COLUMNS);
    }
}
