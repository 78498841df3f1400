//! The access token: with one configured, every page and API call needs it, either as
//! `Authorization: Bearer TOKEN` or as the session cookie the login form sets
//! (`HttpOnly; SameSite=Strict`, so scripts cannot read it and other sites cannot send it).
//!
//! Tokens are compared as SHA-256 digests in constant time: neither the content nor the
//! length of the expected token leaks through response timing.

use std::sync::Arc;

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

/// The configured token, kept only as digests.
pub struct AccessToken {
    token_digest: [u8; 32],
    /// The cookie's value is derived from the token, so a leaked cookie is not the token.
    session: String,
    session_digest: [u8; 32],
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

impl AccessToken {
    /// Keeps `token`'s digests.
    pub fn new(token: &str) -> Self {
        let session = hex_string(&digest(format!("pharmwatch-session\0{token}").as_bytes()));
        AccessToken {
            token_digest: digest(token.as_bytes()),
            session_digest: digest(session.as_bytes()),
            session,
        }
    }

    /// Whether `presented` is the token.
    pub fn matches_token(&self, presented: &str) -> bool {
        constant_time_eq(&digest(presented.as_bytes()), &self.token_digest)
    }

    fn matches_session(&self, presented: &str) -> bool {
        constant_time_eq(&digest(presented.as_bytes()), &self.session_digest)
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

/// `POST /login`: sets the session cookie when the token is right.
pub async fn login(State(state): State<Arc<AppState>>, Form(form): Form<LoginForm>) -> Response {
    let Some(token) = &state.token else {
        return Redirect::to("/").into_response();
    };
    if !token.matches_token(form.token.trim()) {
        return login_form(
            StatusCode::UNAUTHORIZED,
            Some("That is not the access token."),
        );
    }
    let cookie = format!(
        "{COOKIE}={}; HttpOnly; SameSite=Strict; Path=/",
        token.session
    );
    let mut res = Redirect::to("/").into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, value);
    }
    res
}

/// `POST /logout`: forgets the session cookie.
pub async fn logout() -> Response {
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("pw_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
    );
    res
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
        let session = token.session.clone();
        assert!(token.matches_session(&session));
        assert!(
            !token.matches_token(&session),
            "the cookie is not the token"
        );
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
        let cookie = format!("other=1; {COOKIE}={}", token.session);
        headers.insert(header::COOKIE, HeaderValue::from_str(&cookie).unwrap());
        assert!(token.admits(&headers));
    }
}
