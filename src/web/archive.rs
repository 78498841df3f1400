//! The archived copy of a page (`/archive/{sha256}`), served from the WARC exactly as
//! received.
//!
//! Decision: the body bytes are sent unchanged with the archived `Content-Type` and
//! `Content-Encoding`, so the browser decodes the charset (GBK pages stay GBK) and any
//! gzip/deflate itself, and the bytes on the wire hash to the evidence digest. The page is
//! hostile by assumption, so the response carries `Content-Security-Policy: sandbox;
//! default-src 'none'; img-src 'none'; style-src 'unsafe-inline'`: a sandboxed, unique origin
//! with no scripts, no forms, no plug-ins and no outbound loads (nothing tells the seller
//! someone is looking); only its inline styles apply. `nosniff` keeps the browser to the
//! archived type, `no-referrer` leaks nothing if a link is followed, and no other archived
//! header (cookies, caching, redirects) is passed on.
//!
//! The screenshot of a listing's page rendered in a browser (`/evidence/screenshot/{id}`, by
//! listing id) is the `urn:view:URL` resource record archived with the page's response, its block digest checked before it is sent: a PNG that the page's
//! own policy (`img-src 'self'`) lets the listing page show.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use pharmwatch_evidence::{body_record_at, capture_resource, digest_matches, http_response_parts};
use pharmwatch_model::ListingId;
use pharmwatch_store::{StateStore, WarcPointer};

use super::{AppState, WebError, blocking};

/// Policy of the archived copy.
pub const ARCHIVE_CSP: &str =
    "sandbox; default-src 'none'; img-src 'none'; style-src 'unsafe-inline'";

/// The archived body with the headers it is served with.
struct Archived {
    body: Vec<u8>,
    content_type: Option<String>,
    content_encoding: Option<String>,
}

/// `GET /archive/{sha256}`: the page whose body as received has that digest.
pub async fn archived_copy(
    State(state): State<Arc<AppState>>,
    Path(digest): Path<String>,
) -> Result<Response, WebError> {
    if digest.len() != 64 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(WebError::NotFound(
            "an archived copy is named by the SHA-256 (hex) of its body".into(),
        ));
    }
    let archived = blocking(move || read(&state, &digest.to_ascii_lowercase())).await?;
    let mut res = archived.body.into_response();
    let headers = res.headers_mut();
    let content_type = archived
        .content_type
        .and_then(|v| HeaderValue::from_str(&v).ok())
        .unwrap_or(HeaderValue::from_static("text/plain"));
    headers.insert(header::CONTENT_TYPE, content_type);
    if let Some(v) = archived
        .content_encoding
        .and_then(|v| HeaderValue::from_str(&v).ok())
    {
        headers.insert(header::CONTENT_ENCODING, v);
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(ARCHIVE_CSP),
    );
    headers.insert(
        HeaderName::from_static("x-robots-tag"),
        HeaderValue::from_static("noindex, nofollow"),
    );
    Ok(res)
}

fn read(state: &AppState, digest: &str) -> Result<Archived, WebError> {
    let pointer = locate(state, digest)?;
    // A 304's revisit record holds no body: the response it confirms does.
    let (record, _) = body_record_at(
        &state.data().evidence(),
        &pointer.file,
        pointer.offset,
        Some(digest),
    )
    .map_err(|e| WebError::Internal(anyhow::Error::new(e)))?;
    let response =
        http_response_parts(&record).map_err(|e| WebError::Internal(anyhow::Error::new(e)))?;
    // The record is found through the store; the bytes served must still be the ones the
    // digest names (a WARC file edited on disk, or a pointer to a revisit record, is not).
    if pharmwatch_model::sha256_hex(response.body) != digest {
        return Err(WebError::NotFound(format!(
            "the archived record found for SHA-256 {digest} does not hold that body; run `pharmwatch evidence verify`"
        )));
    }
    Ok(Archived {
        body: response.body.to_vec(),
        content_type: response.header("content-type").map(str::to_string),
        content_encoding: response.header("content-encoding").map(str::to_string),
    })
}

/// Where the body with this digest is archived: the latest fetch of a page that still has
/// it, or else the fetch a listing's history row recorded (the page has changed since; its
/// timeline still links to what it showed then).
fn locate(state: &AppState, digest: &str) -> Result<WarcPointer, WebError> {
    let store = state.store()?;
    if let Some(pointer) = store.page_by_digest(digest)?.and_then(|page| page.warc) {
        return Ok(pointer);
    }
    store
        .history_evidence_record(digest)?
        .ok_or_else(|| WebError::NotFound(format!("no archived page with SHA-256 {digest}")))
}

/// `GET /evidence/screenshot/{listing id}`: the screenshot taken when the listing's page
/// was rendered, as `image/png`.
pub async fn screenshot(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let png = blocking(move || {
        let listing = state
            .store()?
            .listing(&ListingId::from_stored(id.as_str()))?
            .ok_or_else(|| WebError::NotFound(format!("no listing with id {id}")))?
            .listing;
        screenshot_of(&state, &listing.url)?.ok_or_else(|| {
            WebError::NotFound(format!(
                "no screenshot archived with {} (only pages of render = \"browser\" sites have one)",
                listing.url
            ))
        })
    })
    .await?;
    let mut res = png.into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    Ok(res)
}

/// The screenshot archived with the latest fetch of the page at `url`, when it has one; an
/// error when the record does not match its digest.
///
/// Looked up by URL, not by body digest: the pages of a script-built shop are often one and
/// the same shell, so a digest names many pages.
pub fn screenshot_of(state: &AppState, url: &str) -> Result<Option<Vec<u8>>, WebError> {
    let store = state.store()?;
    let Some(pointer) = store.page(url)?.and_then(|page| page.warc) else {
        return Ok(None);
    };
    let target = format!("urn:view:{url}");
    let dir = state.data().evidence();
    let found = capture_resource(&dir, &pointer.file, pointer.offset, &target)
        .map_err(|e| WebError::Internal(anyhow::Error::new(e)))?;
    let Some((shot, offset)) = found else {
        return Ok(None);
    };
    let recorded = shot.header("WARC-Block-Digest").unwrap_or_default();
    let intact = digest_matches(recorded, &shot.block)
        .map_err(|e| WebError::Internal(anyhow::Error::new(e)))?;
    if !intact {
        return Err(WebError::Internal(anyhow::anyhow!(
            "the screenshot record at {} @ {offset} does not match its digest; run `pharmwatch evidence verify`",
            pointer.file
        )));
    }
    Ok(Some(shot.block))
}
