//! One row per listing with what an incident report to a national regulator or to WHO's
//! Global Surveillance and Monitoring System asks for: the product as offered, who offers it
//! and how to reach and pay them, when it was seen, why it was flagged, and where the
//! archived evidence is.

use std::io::Write;

use anyhow::Result;
use pharmwatch_indexer::IndexDoc;
use pharmwatch_model::{Contact, Gtin, Timestamp};
use serde::Serialize;

use crate::output::sanitize;
use pharmwatch_model::text::csv_safe;

/// Where a listing's archived response is, in the original archive and in the package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceRef {
    /// `WARC-Record-ID` of the response record (the same in both files).
    pub record_id: String,
    /// HTTP status of the archived response.
    pub http_status: Option<u16>,
    /// File name in the data directory's `evidence/` folder.
    pub source_file: String,
    pub source_offset: u64,
    pub source_length: u64,
    /// Offset and length of the same bytes in the package's `evidence.warc.gz`.
    pub package_offset: u64,
    pub package_length: u64,
}

/// A rule that fired, with the words of the page that made it fire.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suspicion {
    pub rule_id: String,
    pub title: String,
    pub severity: String,
    pub category: String,
    /// The page's own text for each piece of evidence, as printed.
    pub evidence: Vec<String>,
}

/// One listing of the case, as written to `listings.json` (and flattened to `listings.csv`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseRow {
    pub listing_id: String,
    pub product_name: String,
    /// INNs of the medicines found in the listing (lexicon ids).
    pub inns: Vec<String>,
    pub strength: Option<String>,
    pub dosage_form: Option<String>,
    pub pack_size: Option<u32>,
    pub batch: Option<String>,
    pub expiry: Option<String>,
    pub manufacturer: Option<String>,
    pub gtins: Vec<Gtin>,
    pub seller: Option<String>,
    pub contacts: Vec<Contact>,
    pub url: String,
    pub site: String,
    pub site_kind: String,
    pub domain: String,
    pub price: Option<String>,
    pub currency: Option<String>,
    pub price_usd: Option<f64>,
    pub payment_methods: Vec<String>,
    pub shipping_claims: Vec<String>,
    pub language: Option<String>,
    #[serde(with = "pharmwatch_model::timestamp")]
    pub first_detected: Timestamp,
    #[serde(with = "pharmwatch_model::timestamp")]
    pub last_seen: Timestamp,
    #[serde(with = "pharmwatch_model::timestamp::option")]
    pub gone_since: Option<Timestamp>,
    pub flagged: bool,
    pub severity: Option<String>,
    pub score: f64,
    pub suspicion: Vec<Suspicion>,
    /// SHA-256 (hex) of the page's body as received, which the listing was extracted from.
    pub page_sha256: Option<String>,
    /// `None` when the archive holds no record of the page (reported when exporting).
    pub evidence: Option<EvidenceRef>,
}

impl CaseRow {
    /// The row of one indexed listing.
    pub fn new(
        doc: &IndexDoc,
        gone_since: Option<Timestamp>,
        evidence: Option<EvidenceRef>,
    ) -> Self {
        let (l, v) = (&doc.listing, &doc.verdict);
        let quantity = l.quantity.as_ref();
        let mut inns: Vec<String> = v.drugs.iter().map(|d| d.drug.clone()).collect();
        inns.sort();
        inns.dedup();
        CaseRow {
            listing_id: l.id.to_string(),
            product_name: l.title.clone(),
            inns,
            strength: quantity
                .and_then(|q| q.strength.as_ref())
                .map(|s| format!("{} {}", s.value, s.unit)),
            dosage_form: quantity.and_then(|q| q.form.clone()),
            pack_size: quantity.and_then(|q| q.units),
            batch: l.claims.batch.clone(),
            expiry: l.claims.expiry.clone(),
            manufacturer: l.claims.manufacturer.clone(),
            gtins: l.gtins.clone(),
            seller: l.seller.clone(),
            contacts: l.contacts.clone(),
            url: l.url.clone(),
            site: l.site.clone(),
            site_kind: l.site_kind.as_str().to_string(),
            domain: l.domain.clone(),
            price: l.price.map(|p| p.amount.to_string()),
            currency: l.price.map(|p| p.currency.to_string()),
            price_usd: doc.price_usd,
            payment_methods: l.payment_methods.clone(),
            shipping_claims: l.shipping_claims.clone(),
            language: l.language.clone(),
            first_detected: doc.first_seen,
            last_seen: doc.last_seen,
            gone_since,
            flagged: v.flagged,
            severity: v.severity.map(|s| s.to_string()),
            score: v.score,
            suspicion: v
                .hits
                .iter()
                .map(|h| Suspicion {
                    rule_id: h.rule_id.clone(),
                    title: h.title.clone(),
                    severity: h.severity.to_string(),
                    category: h.category.clone(),
                    evidence: h.evidence.iter().map(|e| e.text.clone()).collect(),
                })
                .collect(),
            page_sha256: l.evidence_digest.clone(),
            evidence,
        }
    }
}

/// Columns of `listings.csv`, in order.
pub const CSV_COLUMNS: [&str; 39] = [
    "listing_id",
    "product_name",
    "inn",
    "strength",
    "dosage_form",
    "pack_size",
    "batch",
    "expiry",
    "manufacturer",
    "gtin",
    "seller",
    "contacts",
    "url",
    "site",
    "site_kind",
    "domain",
    "price",
    "currency",
    "price_usd",
    "payment_methods",
    "shipping_claims",
    "language",
    "first_detected",
    "last_seen",
    "gone_since",
    "flagged",
    "severity",
    "score",
    "rule_ids",
    "rule_titles",
    "suspicion_evidence",
    "page_sha256",
    "evidence_record_id",
    "evidence_http_status",
    "evidence_source_file",
    "evidence_source_offset",
    "evidence_source_length",
    "evidence_package_offset",
    "evidence_package_length",
];

/// Writes the rows as CSV with a header row ([`CSV_COLUMNS`]). Lists are joined with `; `.
/// Every cell goes through [`csv_safe`]: scraped text that starts like a formula is
/// prefixed with an apostrophe so a spreadsheet shows it instead of running it.
pub fn write_csv(rows: &[CaseRow], writer: impl Write) -> Result<()> {
    let mut out = csv::Writer::from_writer(writer);
    out.write_record(CSV_COLUMNS)?;
    for row in rows {
        let cells = csv_cells(row);
        out.write_record(cells.iter().map(|c| csv_safe(c)))?;
    }
    out.flush()?;
    Ok(())
}

fn csv_cells(r: &CaseRow) -> [String; 39] {
    let opt = |x: &Option<String>| x.clone().unwrap_or_default();
    let num = |x: Option<u64>| x.map(|x| x.to_string()).unwrap_or_default();
    let ev = r.evidence.as_ref();
    [
        r.listing_id.clone(),
        r.product_name.clone(),
        r.inns.join("; "),
        opt(&r.strength),
        opt(&r.dosage_form),
        num(r.pack_size.map(u64::from)),
        opt(&r.batch),
        opt(&r.expiry),
        opt(&r.manufacturer),
        join(r.gtins.iter().map(|g| {
            if g.valid {
                g.digits.clone()
            } else {
                format!("{} (invalid check digit)", g.digits)
            }
        })),
        opt(&r.seller),
        join(
            r.contacts
                .iter()
                .map(|c| format!("{}: {}", kind_name(c), c.value)),
        ),
        r.url.clone(),
        r.site.clone(),
        r.site_kind.clone(),
        r.domain.clone(),
        opt(&r.price),
        opt(&r.currency),
        r.price_usd.map(|p| format!("{p:.2}")).unwrap_or_default(),
        r.payment_methods.join("; "),
        r.shipping_claims.join("; "),
        opt(&r.language),
        rfc3339(r.first_detected),
        rfc3339(r.last_seen),
        r.gone_since.map(rfc3339).unwrap_or_default(),
        r.flagged.to_string(),
        opt(&r.severity),
        format!("{:.1}", r.score),
        join(r.suspicion.iter().map(|s| s.rule_id.clone())),
        join(r.suspicion.iter().map(|s| s.title.clone())),
        suspicion_text(&r.suspicion),
        opt(&r.page_sha256),
        ev.map(|e| e.record_id.clone()).unwrap_or_default(),
        num(ev.and_then(|e| e.http_status).map(u64::from)),
        ev.map(|e| e.source_file.clone()).unwrap_or_default(),
        num(ev.map(|e| e.source_offset)),
        num(ev.map(|e| e.source_length)),
        num(ev.map(|e| e.package_offset)),
        num(ev.map(|e| e.package_length)),
    ]
}

/// `rule-id: "text", "text" | rule-id: …`, on one line (control characters removed).
fn suspicion_text(hits: &[Suspicion]) -> String {
    hits.iter()
        .map(|s| {
            let quotes: Vec<String> = s
                .evidence
                .iter()
                .map(|e| format!("\"{}\"", sanitize(e)))
                .collect();
            if quotes.is_empty() {
                s.rule_id.clone()
            } else {
                format!("{}: {}", s.rule_id, quotes.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

fn kind_name(c: &Contact) -> String {
    serde_json::to_value(c.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "other".into())
}

fn join(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join("; ")
}

/// A timestamp as RFC 3339 (UTC as stored).
pub fn rfc3339(t: Timestamp) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pharmwatch_model::{Listing, SiteKind, Verdict};

    fn doc(title: &str) -> IndexDoc {
        let now = time::macros::datetime!(2026-11-23 12:00 UTC);
        let listing = Listing::new(
            "http://a.test/p/1",
            0,
            "a",
            SiteKind::Pharmacy,
            "a.test",
            title,
            now,
        );
        let verdict = Verdict::clean(listing.id.clone());
        IndexDoc {
            listing,
            verdict,
            price_usd: None,
            unit_price_usd: None,
            first_seen: now,
            last_seen: now,
            run: None,
            gone_since: None,
        }
    }

    #[test]
    fn every_cell_is_neutralised_and_columns_line_up() {
        let row = CaseRow::new(&doc("=cmd|' /C calc'!A0"), None, None);
        let mut out = Vec::new();
        write_csv(&[row], &mut out).unwrap();
        let mut reader = csv::Reader::from_reader(&out[..]);
        assert_eq!(reader.headers().unwrap().len(), CSV_COLUMNS.len());
        let record = reader.records().next().unwrap().unwrap();
        assert_eq!(record.len(), CSV_COLUMNS.len());
        assert_eq!(&record[1], "'=cmd|' /C calc'!A0");
        assert_eq!(&record[22], "2026-11-23T12:00:00Z");
    }
}
