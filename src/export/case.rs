//! Building a case: the listings a query selects, the archived records behind them, and
//! the package's files.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};
use pharmwatch_evidence::{
    RawRecord, RawWarcWriter, ResponseKey, exchange_records, find_responses, raw_record_at,
    verify_file,
};
use pharmwatch_indexer::{IndexDoc, ListingSearcher, SearchRequest, SortBy};
use pharmwatch_store::{PageRecord, StateStore};

use super::rows::{CaseRow, EvidenceRef, rfc3339, write_csv};
use super::{
    EVIDENCE_FILE, LISTINGS_CSV, LISTINGS_JSON, NETWORKS_GRAPHML, NETWORKS_SVG, README_FILE,
    manifest, readme, wacz,
};
use crate::analysis::Current;
use crate::search;

/// What to export.
#[derive(Debug, Clone)]
pub struct CaseQuery {
    /// The search query, as `search` takes it.
    pub query: String,
    /// Also listings no rule flagged (as `search --all`).
    pub include_unflagged: bool,
    /// The order the listings are exported in.
    pub sort: SortBy,
    /// At most this many listings (default: every hit).
    pub limit: Option<usize>,
    /// Also write the package as one WACZ file ([`super::WACZ_FILE`]).
    pub wacz: bool,
}

/// What was exported, for the command's summary line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseSummary {
    pub listings: usize,
    /// Records copied into `evidence.warc.gz` (besides its own warcinfo).
    pub records: usize,
    pub source_files: usize,
    /// Listings for which the archive holds no record of the page.
    pub without_evidence: Vec<String>,
    /// Pages listed in the WACZ file, when one was written.
    pub wacz_pages: Option<usize>,
}

/// Hits asked for per search. The index caps a page (at 10,000); the loop below does not
/// depend on the cap, it asks again from where the last page ended.
const PAGE: usize = 10_000;

/// Every hit of the query (up to the limit), page after page.
pub fn all_hits(searcher: &ListingSearcher, q: &CaseQuery) -> Result<Vec<IndexDoc>> {
    let wanted = q.limit.unwrap_or(usize::MAX);
    let mut docs: Vec<IndexDoc> = Vec::new();
    let mut seen = HashSet::new();
    let mut offset = 0;
    while docs.len() < wanted {
        let request = SearchRequest {
            query: q.query.clone(),
            include_unflagged: q.include_unflagged,
            limit: PAGE.min(wanted - docs.len()),
            offset,
            sort: q.sort,
            facets: false,
            highlight: false,
        };
        let results = search::run(searcher, &request)?;
        if results.hits.is_empty() {
            break;
        }
        offset += results.hits.len();
        for hit in results.hits {
            // A crawl committing between two pages can move a listing across the boundary.
            if seen.insert(hit.doc.listing.id.clone()) {
                docs.push(hit.doc);
            }
        }
        if offset >= results.total {
            break;
        }
    }
    Ok(docs)
}

/// A record's place in the archive: file name and offset.
type Pointer = (String, u64);

/// Finds the archived response each listing was extracted from: the page's row in the state
/// store when it still names that body, else any page with that body, else a pass over the
/// archive for a response of that URL with that payload digest (after a 304 or a change,
/// the page row points at the later fetch). Also returns the other records to copy: the
/// latest fetch of each page when it is another record (what "last seen" rests on) and the
/// redirect hops that led to the page.
fn locate(
    store: &dyn StateStore,
    evidence_dir: &Path,
    docs: &[IndexDoc],
) -> Result<(Vec<Option<Pointer>>, Vec<Pointer>)> {
    let mut located: Vec<Option<Pointer>> = Vec::with_capacity(docs.len());
    let mut latest: Vec<Pointer> = Vec::new();
    let mut pending: HashSet<ResponseKey> = HashSet::new();
    for doc in docs {
        let l = &doc.listing;
        let page = store
            .page(&l.url)
            .with_context(|| format!("cannot read the page row of {}", l.url))?;
        if let Some(p) = page.as_ref().and_then(pointer) {
            latest.push(p);
        }
        let hops = store
            .redirects_to(&l.url)
            .with_context(|| format!("cannot read the redirects to {}", l.url))?;
        latest.extend(hops.iter().filter_map(pointer));
        let Some(digest) = l.evidence_digest.clone() else {
            located.push(page.as_ref().and_then(pointer));
            continue;
        };
        let exact = match page.filter(|p| p.body_sha256.as_deref() == Some(digest.as_str())) {
            Some(p) => Some(p),
            None => store
                .page_by_digest(&digest)
                .with_context(|| format!("cannot look up the page with body {digest}"))?,
        };
        match exact.as_ref().and_then(pointer) {
            Some(p) => located.push(Some(p)),
            None => {
                pending.insert((l.url.clone(), digest));
                located.push(None);
            }
        }
    }
    if !pending.is_empty() {
        tracing::info!(
            listings = pending.len(),
            "searching the archive for responses the state store no longer points at"
        );
        let found = find_responses(evidence_dir, &pending)
            .with_context(|| format!("cannot read the evidence in {}", evidence_dir.display()))?;
        for (doc, slot) in docs.iter().zip(located.iter_mut()) {
            if slot.is_none()
                && let Some(digest) = &doc.listing.evidence_digest
            {
                *slot = found
                    .get(&(doc.listing.url.clone(), digest.clone()))
                    .cloned();
            }
        }
    }
    Ok((located, latest))
}

fn pointer(page: &PageRecord) -> Option<Pointer> {
    page.warc.as_ref().map(|w| (w.file.clone(), w.offset))
}

/// A copied response record: where it came from and where it went.
struct Placed {
    record_id: String,
    http_status: Option<u16>,
    source_length: u64,
    package_offset: u64,
}

/// Writes `evidence.warc.gz`: its own warcinfo, then for each source file (in name order)
/// that file's warcinfo and the exchanges of the pointers into it (in file order), each
/// record copied byte for byte and each copied once.
fn write_evidence(
    evidence_dir: &Path,
    out: &Path,
    info: &[(String, String)],
    pointers: &BTreeSet<Pointer>,
) -> Result<(HashMap<Pointer, Placed>, usize, usize)> {
    let (mut warc, _) = RawWarcWriter::create(out, info)
        .with_context(|| format!("cannot create {}", out.display()))?;
    let mut placed = HashMap::new();
    let mut written: HashSet<Pointer> = HashSet::new();
    let mut files: BTreeSet<&str> = BTreeSet::new();
    for (file, offset) in pointers {
        if files.insert(file) {
            let head = raw_record_at(evidence_dir, file, 0).with_context(|| context(file, 0))?;
            if head.record_type == "warcinfo" && written.insert((file.clone(), 0)) {
                warc.append(&head)?;
            }
        }
        let records = exchange_records(evidence_dir, file, *offset)
            .with_context(|| context(file, *offset))?;
        for record in records {
            if !written.insert((record.file.clone(), record.offset)) {
                continue;
            }
            let (package_offset, source_length) = warc.append(&record)?;
            if record.offset == *offset {
                placed.insert(
                    (file.clone(), *offset),
                    Placed {
                        http_status: http_status(evidence_dir, &record),
                        record_id: record.record_id.clone(),
                        source_length,
                        package_offset,
                    },
                );
            }
        }
    }
    warc.finish()?;
    // Every record's digests are recomputed in the package itself: a record that changed in
    // the archive since it was written must not leave in a case file.
    let name = out
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(EVIDENCE_FILE);
    let dir = out.parent().unwrap_or(Path::new("."));
    let report = verify_file(dir, name).context("cannot re-read the exported evidence")?;
    if let Some(m) = report.mismatches.first() {
        bail!(
            "an archived record does not match its digest ({} {}: {}); run `pharmwatch evidence verify` on the data directory",
            m.record_id,
            m.offset,
            m.what
        );
    }
    Ok((placed, written.len(), files.len()))
}

fn context(file: &str, offset: u64) -> String {
    format!(
        "cannot copy the archived record at {file} @ {offset}; run `pharmwatch evidence verify`"
    )
}

fn http_status(dir: &Path, record: &RawRecord) -> Option<u16> {
    let rec = pharmwatch_evidence::read_record_at(dir, &record.file, record.offset).ok()?;
    pharmwatch_evidence::http_response_parts(&rec)
        .ok()
        .map(|r| r.status)
}

/// Writes every file of the package into `dir` (an empty directory).
pub fn write_case(
    data_dir: &Path,
    store: &dyn StateStore,
    q: &CaseQuery,
    docs: &[IndexDoc],
    dir: &Path,
) -> Result<CaseSummary> {
    let evidence_dir = data_dir.join("evidence");
    let (located, latest) = locate(store, &evidence_dir, docs)?;
    let pointers: BTreeSet<Pointer> = located.iter().flatten().cloned().chain(latest).collect();
    let now = time::OffsetDateTime::now_utc();
    let exported_at = rfc3339(now);
    let sources: BTreeSet<&str> = pointers.iter().map(|(f, _)| f.as_str()).collect();
    let info = warcinfo_fields(q, &exported_at, docs.len(), &sources);
    let (placed, records, source_files) =
        write_evidence(&evidence_dir, &dir.join(EVIDENCE_FILE), &info, &pointers)?;

    let mut rows = Vec::with_capacity(docs.len());
    let mut without_evidence = Vec::new();
    for (doc, at) in docs.iter().zip(&located) {
        let evidence = at.as_ref().and_then(|p| {
            placed.get(p).map(|pl| EvidenceRef {
                record_id: pl.record_id.clone(),
                http_status: pl.http_status,
                source_file: p.0.clone(),
                source_offset: p.1,
                source_length: pl.source_length,
                package_offset: pl.package_offset,
                package_length: pl.source_length,
            })
        });
        if evidence.is_none() {
            without_evidence.push(doc.listing.url.clone());
        }
        let gone_since = store
            .listing(&doc.listing.id)
            .with_context(|| {
                format!(
                    "cannot read listing {} from the state store",
                    doc.listing.id
                )
            })?
            .and_then(|s| s.gone_since);
        rows.push(CaseRow::new(doc, gone_since, evidence));
    }
    write_file(&dir.join(LISTINGS_CSV), |f| write_csv(&rows, f))?;
    write_file(&dir.join(LISTINGS_JSON), |f| {
        serde_json::to_writer_pretty(&mut *f, &rows)?;
        Ok(f.write_all(b"\n")?)
    })?;
    let networks = write_networks(store, docs, dir)?;
    let wacz_pages = if q.wacz {
        let pages: Vec<wacz::PageRef> = docs
            .iter()
            .zip(&rows)
            .filter_map(|(doc, row)| {
                row.evidence.as_ref().map(|e| wacz::PageRef {
                    url: doc.listing.url.clone(),
                    title: doc.listing.title.clone(),
                    package_offset: e.package_offset,
                })
            })
            .collect();
        let created = rfc3339(now.replace_nanosecond(0).unwrap_or(now));
        let about = wacz::About {
            query: &q.query,
            created: &created,
        };
        Some(wacz::write(dir, &pages, &about)?)
    } else {
        None
    };
    let meta = manifest::Meta {
        query: q.query.clone(),
        include_unflagged: q.include_unflagged,
        created_at: exported_at,
        listings: rows.len(),
    };
    let readme = readme::text(&meta, records, networks, &without_evidence, q.wacz);
    write_file(&dir.join(README_FILE), |f| {
        Ok(f.write_all(readme.as_bytes())?)
    })?;
    manifest::write(dir, &meta)?;
    Ok(CaseSummary {
        listings: rows.len(),
        records,
        source_files,
        without_evidence,
        wacz_pages,
    })
}

/// Writes [`NETWORKS_SVG`] and [`NETWORKS_GRAPHML`]: every network (whole) that a shop of
/// the exported listings belongs to. Returns how many networks that is.
fn write_networks(store: &dyn StateStore, docs: &[IndexDoc], dir: &Path) -> Result<usize> {
    use pharmwatch_signals::{Shop, draw};
    let current = Current::load(store)?;
    let mut ranks = BTreeSet::new();
    for doc in docs {
        if let Some(cluster) = current.networks.network_of(&Shop::of(&doc.listing)) {
            ranks.insert(cluster.rank);
        }
    }
    let clusters = current
        .networks
        .clusters
        .iter()
        .filter(|c| ranks.contains(&c.rank));
    let drawn = current.network_graphs(clusters.clone(), draw::MAX_SHOPS_DRAWN);
    let svg = draw::networks_svg(&drawn, |_| None);
    write_file(
        &dir.join(NETWORKS_SVG),
        |f| Ok(f.write_all(svg.as_bytes())?),
    )?;
    let graphml = draw::graphml::graphml(&current.network_graphs(clusters, usize::MAX));
    write_file(&dir.join(NETWORKS_GRAPHML), |f| {
        Ok(f.write_all(graphml.as_bytes())?)
    })?;
    Ok(ranks.len())
}

fn warcinfo_fields(
    q: &CaseQuery,
    exported_at: &str,
    listings: usize,
    sources: &BTreeSet<&str>,
) -> Vec<(String, String)> {
    let mut out = vec![
        (
            "software".to_string(),
            format!("pharmwatch/{}", env!("CARGO_PKG_VERSION")),
        ),
        ("format".into(), "WARC File Format 1.1".into()),
        (
            "conformsTo".into(),
            "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
                .into(),
        ),
        (
            "description".into(),
            "pharmwatch case export: the archived records of the listings the query selected, copied byte for byte from the evidence archive".into(),
        ),
        ("export-query".into(), q.query.clone()),
        (
            "export-include-unflagged".into(),
            q.include_unflagged.to_string(),
        ),
        ("export-time".into(), exported_at.to_string()),
        ("export-listings".into(), listings.to_string()),
        (
            "source-files".into(),
            sources.iter().copied().collect::<Vec<_>>().join(" "),
        ),
    ];
    if let Some(h) = std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()) {
        out.push(("hostname".into(), h));
    }
    out
}

/// Creates `path`, lets `fill` write it, and flushes it to stable storage.
fn write_file(path: &Path, fill: impl FnOnce(&mut std::fs::File) -> Result<()>) -> Result<()> {
    let mut file = std::fs::File::create_new(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    fill(&mut file).with_context(|| format!("cannot write {}", path.display()))?;
    file.sync_all()
        .with_context(|| format!("cannot write {}", path.display()))
}
