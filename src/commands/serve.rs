//! `pharmwatch serve`: the investigators' web page over the data directory (see `web`).

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Args;

use super::{ConfigError, Global};
use pharmwatch::web::{AccessToken, AppState};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. Loopback by default; any other address requires --token.
    /// Port 0 picks a free port (the address is printed as `listening on http://ADDR`).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Access token every page and API call must present (`Authorization: Bearer TOKEN`, or
    /// the login form's cookie); at least 16 characters. Prefer the environment variable:
    /// command lines are visible to other local users.
    #[arg(long, env = "PHARMWATCH_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Mark the login cookie `Secure` (browsers send it only over HTTPS): for a server
    /// reached through a TLS-terminating proxy.
    #[arg(long, env = "PHARMWATCH_SECURE_COOKIE")]
    pub secure_cookie: bool,
}

pub fn run(global: &Global, args: ServeArgs) -> Result<ExitCode> {
    let addr = parse_bind(&args.bind)?;
    let token =
        check_token(addr, args.token.as_deref())?.map(|t| t.with_secure_cookie(args.secure_cookie));
    let index = pharmwatch::pipeline::DataDir::new(&global.data_dir).index();
    if !index.is_dir() {
        tracing::warn!(
            "no index at {} yet: pages will say so until a crawl writes one",
            index.display()
        );
    }
    let state = Arc::new(
        AppState::new(global.data_dir.clone(), token)
            .with_drug_names(super::search::drug_names(global)),
    );
    super::runtime()?.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let local = listener.local_addr()?;
        // Tests and scripts read the port from this line (with --bind 127.0.0.1:0).
        println!("listening on http://{local}");
        std::io::stdout().flush()?;
        pharmwatch::web::serve(listener, state, shutdown_signal())
            .await
            .context("the web server failed")
    })?;
    Ok(ExitCode::SUCCESS)
}

/// An address and port, or a host name and port (`localhost:8080`) resolved to its first
/// address; a name is refused off loopback unless every address it resolves to is loopback
/// (checked by [`check_token`] on the one chosen).
fn parse_bind(bind: &str) -> Result<SocketAddr> {
    if let Ok(addr) = bind.parse() {
        return Ok(addr);
    }
    let bad = || {
        ConfigError(format!(
            "--bind `{bind}` is not an address and port or a host name and port, e.g. \
             127.0.0.1:8080, [::1]:8080 or localhost:8080"
        ))
    };
    let addrs: Vec<SocketAddr> = std::net::ToSocketAddrs::to_socket_addrs(bind)
        .map_err(|_| bad())?
        .collect();
    // A name that mixes loopback and other addresses would make "loopback" depend on the
    // order of the resolver's answers: take a loopback one when there is one.
    addrs
        .iter()
        .find(|a| a.ip().is_loopback())
        .or_else(|| addrs.first())
        .copied()
        .ok_or_else(|| bad().into())
}

/// A token is required off loopback, and must not be trivially guessable.
fn check_token(addr: SocketAddr, token: Option<&str>) -> Result<Option<AccessToken>> {
    match token.map(str::trim) {
        Some(t) if t.chars().count() < pharmwatch::web::MIN_TOKEN_LEN => Err(ConfigError(format!(
            "the access token must be at least {} characters long",
            pharmwatch::web::MIN_TOKEN_LEN
        ))
        .into()),
        Some(t) => Ok(Some(AccessToken::new(t))),
        None if addr.ip().is_loopback() => Ok(None),
        None => Err(ConfigError(format!(
            "refusing to serve on {addr} without an access token: anyone who can reach that \
             address could read the findings. Pass --token (or set PHARMWATCH_TOKEN), or bind \
             a loopback address such as 127.0.0.1:8080"
        ))
        .into()),
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bind_takes_addresses_and_host_names() {
        assert!(parse_bind("127.0.0.1:8080").is_ok());
        let local = parse_bind("localhost:8080").expect("localhost resolves");
        assert!(local.ip().is_loopback() && local.port() == 8080);
        let e = parse_bind("no port").expect_err("not an address");
        assert!(e.to_string().contains("localhost:8080"), "{e}");
    }

    #[test]
    fn non_loopback_needs_a_long_enough_token() {
        let lo: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let any: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        assert!(check_token(lo, None).unwrap().is_none());
        let refused = check_token(any, None).unwrap_err();
        assert_eq!(super::super::exit_code_for(&refused), 2);
        assert!(check_token(any, Some("short")).is_err());
        assert!(
            check_token(any, Some("0123456789abcdef"))
                .unwrap()
                .is_some()
        );
    }
}
