//! The crawler's side of a rendered page's requests: which it may make, and making them
//! politely with the crawler's own client, so each is archived exactly as received.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use url::{Host, Url};

use super::gate::HostGate;
use crate::fetch::{Exchange, Limits, exchange};
use crate::frontier::Scope;

/// Fetches a page's requests for the browser.
#[derive(Clone)]
pub(crate) struct Fetcher {
    pub client: reqwest::Client,
    pub limits: Limits,
    pub scope: Arc<Scope>,
    pub gate: Arc<HostGate>,
    /// The site's interval between two requests to one host.
    pub interval: Duration,
}

impl Fetcher {
    /// http(s) only; a loopback or private address only when the site itself names it (a
    /// shop's page must not make the crawler probe the investigator's own network).
    pub(crate) fn may_fetch(&self, url: &Url) -> bool {
        matches!(url.scheme(), "http" | "https") && (self.scope.host_allowed(url) || !is_local(url))
    }

    /// One exchange, in the host's turn.
    pub(crate) async fn fetch(&self, url: &Url) -> Exchange {
        let _turn = self.gate.turn(url, self.interval).await;
        exchange(&self.client, url, &self.limits, None, || {}).await
    }
}

fn is_local(url: &Url) -> bool {
    let ip = match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip),
        Some(Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            return name == "localhost" || name.ends_with(".localhost") || name.ends_with(".local");
        }
        None => return true,
    };
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_unique_local()
                || v6.is_unicast_link_local()
                || v6
                    .to_ipv4_mapped()
                    .is_some_and(|v4| v4.is_loopback() || v4.is_private() || v4.is_link_local())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_and_private_addresses_are_local() {
        for local in [
            "http://127.0.0.1:8080/",
            "http://10.1.2.3/",
            "http://192.168.0.1/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]/",
            "http://[fd00::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://localhost:9222/json",
            "http://printer.local/",
        ] {
            assert!(is_local(&Url::parse(local).unwrap()), "{local}");
        }
        for public in [
            "http://shop.example/",
            "https://93.184.216.34/",
            "http://[2001:db8::1]/",
        ] {
            assert!(!is_local(&Url::parse(public).unwrap()), "{public}");
        }
    }
}
