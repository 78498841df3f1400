//! The access token: with one configured, every page and API call needs it, either as
//! `Authorization: Bearer TOKEN` or as the session cookie the login form sets
//! (`HttpOnly; SameSite=Strict`, so scripts cannot read it and other sites cannot send it).
//!
//! Tokens are compared as SHA-256 digests in constant time: neither the content nor the
//! length of the expected token leaks through response timing.
//!
//! Sessions: each login gets a random id (256 bits from the OS), kept server-side only as
//! its digest with an expiry ([`SESSION_TTL`]); `POST /logout` forgets it, so a copied cookie
//! stops working. The cookie is `Secure` when the server is told it is behind TLS
//! (`serve --secure-cookie`). `POST /login` must come from the server's own pages (its
//! `Origin`, or else `Referer`, names the request's `Host`), and after
//! [`MAX_FAILED_LOGINS`] wrong tokens within a minute further attempts are refused for the
//! rest of that minute.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Form;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::{AppState, templates};

/// Name of the session cookie.
const COOKIE: &str = "pw_session";
/// Shortest token accepted (a guessable token on a network address is no protection).
pub const MIN_TOKEN_LEN: usize = 16;

/// How long a login lasts.
pub const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);
/// Wrong tokens accepted within [`FAILED_LOGIN_WINDOW`] before logins are refused.
pub const MAX_FAILED_LOGINS: usize = 10;
const FAILED_LOGIN_WINDOW: Duration = Duration::from_secs(60);
/// Most live sessions kept; the oldest is dropped beyond it (bounds memory).
const MAX_SESSIONS: usize = 10_000;

/// The configured token, kept only as digests, and the live sessions.
pub struct AccessToken {
    token_digest: [u8; 32],
    /// Digests of live session ids, with their expiry.
    sessions: Mutex<HashMap<[u8; 32], Instant>>,
    failed_logins: Mutex<VecDeque<Instant>>,
    /// Set `Secure` on the cookie (the server is reached over TLS through a proxy).
    secure_cookie: bool,
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

impl AccessToken {
    /// Keeps `token`'s digest.
    pub fn new(token: &str) -> Self {
        AccessToken {
            token_digest: digest(token.as_bytes()),
            sessions: Mutex::default(),
            failed_logins: Mutex::default(),
            secure_cookie: false,
        }
    }

    /// Marks the session cookie `Secure`.
    pub fn with_secure_cookie(mut self, secure: bool) -> Self {
        self.secure_cookie = secure;
        self
    }

    /// Starts a session: its id, for the cookie (`None` if the OS has no randomness).
    fn start_session(&self) -> Option<String> {
        let mut id = [0u8; 32];
        getrandom::fill(&mut id).ok()?;
        let id = hex_string(&id);
        let now = Instant::now();
        let mut sessions = self.sessions.lock().ok()?;
        sessions.retain(|_, expiry| *expiry > now);
        if sessions.len() >= MAX_SESSIONS
            && let Some(oldest) = sessions.iter().min_by_key(|(_, e)| **e).map(|(k, _)| *k)
        {
            sessions.remove(&oldest);
        }
        sessions.insert(digest(id.as_bytes()), now + SESSION_TTL);
        Some(id)
    }

    /// Forgets a session.
    fn end_session(&self, presented: &str) {
        if let Ok(mut sessions) = self.sessions.lock() {
            sessions.remove(&digest(presented.as_bytes()));
        }
    }

    /// Counts a wrong token; whether logins are still accepted.
    fn login_allowed(&self, failed_now: bool) -> bool {
        let Ok(mut failed) = self.failed_logins.lock() else {
            return false;
        };
        let now = Instant::now();
        while failed
            .front()
            .is_some_and(|t| now.duration_since(*t) > FAILED_LOGIN_WINDOW)
        {
            failed.pop_front();
        }
        if failed_now {
            failed.push_back(now);
        }
        failed.len() < MAX_FAILED_LOGINS
    }

    /// Whether `presented` is the token.
    pub fn matches_token(&self, presented: &str) -> bool {
        constant_time_eq(&digest(presented.as_bytes()), &self.token_digest)
    }

    /// Whether `presented` is a live session id. The lookup is by digest: what the map
    /// compares is not what the client sent.
    fn matches_session(&self, presented: &str) -> bool {
        let key = digest(presented.as_bytes());
        self.sessions
            .lock()
            .is_ok_and(|s| s.get(&key).is_some_and(|expiry| *expiry > Instant::now()))
    }

    /// Whether the request carries the token (bearer header) or the session cookie.
    fn admits(&self, headers: &HeaderMap) -> bool {
        let bearer = headers
            .get_all(header::AUTHORIZATION)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(bearer_token)
            .any(|t| self.matches_token(t));
        bearer || cookies(headers, COOKIE).any(|v| self.matches_session(v))
    }
}

/// The token of an `Authorization: Bearer TOKEN` value; the scheme name is case-insensitive
/// (RFC 9110 §11.1), so `bearer` and `BEARER` are read too.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once([' ', '\t'])?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

fn hex_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Equal-length comparison whose time does not depend on where the inputs differ.
fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b.iter()) {
        diff |= x ^ y;
    }
    std::hint::black_box(diff) == 0
}

/// Values of the cookies called `name`.
fn cookies<'a>(headers: &'a HeaderMap, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(move |pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name).then_some(v)
        })
}

/// Lets a request through when no token is configured, when it carries the token, or when it
/// asks for the login form or the stylesheet; otherwise 401 (a login form for pages, JSON for
/// the API).
pub async fn require_token(
    State(state): State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Response {
    let Some(token) = &state.token else {
        // Without a token the server is on loopback; a page elsewhere that re-points its own
        // name at 127.0.0.1 (DNS rebinding) must not be able to read it.
        if !loopback_host(req.headers()) {
            let body = templates::error_body(
                StatusCode::FORBIDDEN,
                "this server answers only to loopback names (localhost, 127.0.0.1, [::1]); \
                 to serve it under another name, give it an access token",
            );
            return (StatusCode::FORBIDDEN, templates::layout("Forbidden", body)).into_response();
        }
        return next.run(req).await;
    };
    let path = req.uri().path();
    if path == "/login" || path == "/static/style.css" || token.admits(req.headers()) {
        return next.run(req).await;
    }
    if path.starts_with("/api/") {
        let mut res = (
            StatusCode::UNAUTHORIZED,
            axum::Json(serde_json::json!({ "error": "an access token is required" })),
        )
            .into_response();
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"pharmwatch\""),
        );
        return res;
    }
    login_form(StatusCode::UNAUTHORIZED, None)
}

/// Whether the request's `Host` names a loopback address (or is absent, as in HTTP/1.0).
fn loopback_host(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return headers.get(header::HOST).is_none();
    };
    let name = match host.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `GET /login`.
pub async fn login_page() -> Response {
    login_form(StatusCode::OK, None)
}

#[derive(Deserialize)]
pub struct LoginForm {
    token: String,
}

/// `POST /login`: starts a session when the token is right.
pub async fn login(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let Some(token) = &state.token else {
        return Redirect::to("/").into_response();
    };
    if !same_origin(&headers) {
        return login_form(
            StatusCode::FORBIDDEN,
            Some("Sign in from this server's own page (the request came from another site)."),
        );
    }
    if !token.login_allowed(false) {
        return login_form(
            StatusCode::TOO_MANY_REQUESTS,
            Some("Too many wrong tokens: wait a minute and try again."),
        );
    }
    if !token.matches_token(form.token.trim()) {
        token.login_allowed(true);
        return login_form(
            StatusCode::UNAUTHORIZED,
            Some("That is not the access token."),
        );
    }
    let Some(id) = token.start_session() else {
        return login_form(
            StatusCode::INTERNAL_SERVER_ERROR,
            Some("No session could be started (no randomness from the system)."),
        );
    };
    let secure = if token.secure_cookie { "; Secure" } else { "" };
    let cookie = format!(
        "{COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{secure}",
        SESSION_TTL.as_secs()
    );
    let mut res = Redirect::to("/").into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, value);
    }
    res
}

/// `POST /logout`: ends the session on the server and clears the cookie.
pub async fn logout(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if let Some(token) = &state.token {
        for id in cookies(&headers, COOKIE) {
            token.end_session(id);
        }
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("pw_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
    );
    res
}

/// Whether a form post comes from this server's pages: its `Origin` (or, without one, its
/// `Referer`) has the request's `Host` as authority. A request with neither is not a
/// cross-site browser post (browsers send `Origin` on every cross-site POST).
fn same_origin(headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok());
    match (source, host) {
        (None, _) => true,
        (Some(source), Some(host)) => url::Url::parse(source).is_ok_and(|u| {
            let authority = match u.port() {
                Some(port) => format!("{}:{port}", u.host_str().unwrap_or("")),
                None => u.host_str().unwrap_or("").to_string(),
            };
            authority.eq_ignore_ascii_case(host)
        }),
        (Some(_), None) => false,
    }
}

fn login_form(status: StatusCode, problem: Option<&str>) -> Response {
    let body = html! {
        h1 { "Sign in" }
        p { "This pharmwatch server requires its access token." }
        @if let Some(problem) = problem {
            p.error { (problem) }
        }
        form method="post" action="/login" {
            label for="token" { "Access token" }
            " "
            input #token type="password" name="token" autocomplete="current-password" required;
            " "
            button type="submit" { "Sign in" }
        }
    };
    (status, templates::layout("Sign in", body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_sessions_are_checked_by_digest() {
        let token = AccessToken::new("correct horse battery staple");
        assert!(token.matches_token("correct horse battery staple"));
        assert!(!token.matches_token("correct horse battery stapl"));
        assert!(!token.matches_token(""));
        let session = token.start_session().expect("a session");
        assert!(token.matches_session(&session));
        assert!(
            !token.matches_token(&session),
            "the cookie is not the token"
        );
        let other = token.start_session().expect("a session");
        assert_ne!(session, other, "each login gets its own id");
        token.end_session(&session);
        assert!(!token.matches_session(&session), "logout ends it");
        assert!(token.matches_session(&other));
        // An expired session is refused.
        if let Ok(mut sessions) = token.sessions.lock() {
            for expiry in sessions.values_mut() {
                *expiry = Instant::now();
            }
        }
        assert!(!token.matches_session(&other));
    }

    #[test]
    fn wrong_tokens_are_rate_limited_and_logins_same_origin() {
        let token = AccessToken::new("correct horse battery staple");
        for _ in 0..MAX_FAILED_LOGINS - 1 {
            assert!(token.login_allowed(true));
        }
        assert!(!token.login_allowed(true));
        assert!(!token.login_allowed(false));
        let headers = |pairs: &[(header::HeaderName, &'static str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(k.clone(), HeaderValue::from_static(v));
            }
            h
        };
        let host = (header::HOST, "127.0.0.1:8080");
        assert!(same_origin(&headers(std::slice::from_ref(&host))));
        assert!(same_origin(&headers(&[
            host.clone(),
            (header::ORIGIN, "http://127.0.0.1:8080")
        ])));
        assert!(!same_origin(&headers(&[
            host.clone(),
            (header::ORIGIN, "http://evil.example")
        ])));
        assert!(!same_origin(&headers(&[
            host.clone(),
            (header::REFERER, "http://evil.example/login")
        ])));
        assert!(same_origin(&headers(&[
            host,
            (header::REFERER, "http://127.0.0.1:8080/login")
        ])));
    }

    #[test]
    fn only_loopback_host_names_pass_without_a_token() {
        let host = |h: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::HOST, HeaderValue::from_static(h));
            loopback_host(&headers)
        };
        assert!(host("127.0.0.1:8080"));
        assert!(host("localhost"));
        assert!(host("LOCALHOST:80"));
        assert!(host("[::1]:8080"));
        assert!(!host("evil.example:8080"));
        assert!(!host("127.0.0.1.evil.example"));
        assert!(!host("10.0.0.1:8080"));
        assert!(loopback_host(&HeaderMap::new()));
    }

    #[test]
    fn bearer_and_cookie_headers_are_read() {
        let token = AccessToken::new("0123456789abcdef");
        let mut headers = HeaderMap::new();
        assert!(!token.admits(&headers));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer 0123456789abcdef"),
        );
        assert!(token.admits(&headers));
        for value in ["bearer 0123456789abcdef", "BEARER  0123456789abcdef"] {
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, HeaderValue::from_static(value));
            assert!(token.admits(&headers), "{value}");
        }
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic 0123456789abcdef"),
        );
        assert!(!token.admits(&headers));
        let mut headers = HeaderMap::new();
        let session = token.start_session().expect("a session");
        let cookie = format!("other=1; {COOKIE}={session}");
        headers.insert(header::COOKIE, HeaderValue::from_str(&cookie).unwrap());
        assert!(token.admits(&headers));
    }
}
