//! The canonical form of a URL: what dedup, scope and records compare.
//!
//! Its own module because configuration (start URLs), the frontier and the workers all need it,
//! and none of them should need the others for it.

use url::Url;

/// Query parameters that only track visitors or sessions; they never change the page.
const TRACKING_PARAMS: &[&str] = &[
    "gclid",
    "gclsrc",
    "dclid",
    "fbclid",
    "msclkid",
    "yclid",
    "twclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_ga",
    "_gl",
    "_hsenc",
    "_hsmi",
    "sessionid",
    "session_id",
    "sid",
    "jsessionid",
    "phpsessid",
    "aspsessionid",
    "cfid",
    "cftoken",
    "oly_enc_id",
    "oly_anon_id",
    "vero_id",
    "wickedid",
    "__s",
];

fn is_tracking_param(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.starts_with("utm_") || TRACKING_PARAMS.contains(&k.as_str())
}

/// The canonical form of a URL used for dedup, scope and records.
///
/// Lower-case scheme and host (the `url` crate does this when parsing, as it resolves
/// dot segments and drops default ports), no trailing dot on the host, no fragment,
/// no `;jsessionid=` path parameter, tracking and session parameters removed, query
/// parameters sorted by key (stable, so repeated keys keep their order), and no empty
/// `?`.
pub fn normalize_url(url: &Url) -> Url {
    let mut out = url.clone();
    out.set_fragment(None);
    if let Some(host) = out.host_str()
        && host.ends_with('.')
        && host.len() > 1
    {
        let trimmed = host.trim_end_matches('.').to_string();
        let _ = out.set_host(Some(&trimmed));
    }
    let path = out.path();
    if let Some(pos) = path.to_ascii_lowercase().find(";jsessionid=") {
        let rest = &path[pos + 1..];
        let end = rest.find('/').map(|i| pos + 1 + i).unwrap_or(path.len());
        let new_path = format!("{}{}", &path[..pos], &path[end..]);
        out.set_path(&new_path);
    }
    if out.query().is_some() {
        let mut pairs: Vec<(String, String)> = out
            .query_pairs()
            .filter(|(k, _)| !is_tracking_param(k))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        if pairs.is_empty() {
            out.set_query(None);
        } else {
            out.query_pairs_mut().clear().extend_pairs(pairs);
        }
    }
    out
}
