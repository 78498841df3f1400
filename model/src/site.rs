use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What kind of place a listing was found on. Rules use it (any medicine on a darknet
/// market is a red flag; "sans ordonnance" on a pharmacy is not by itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SiteKind {
    #[default]
    /// An online pharmacy.
    Pharmacy,
    /// A marketplace of many sellers.
    Marketplace,
    /// A classifieds site.
    Classifieds,
    /// A forum.
    Forum,
    /// A darknet market (.onion, behind a SOCKS proxy).
    DarknetMarket,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown site kind `{0}`: expected one of pharmacy, marketplace, classifieds, forum, darknet-market"
)]
/// A site kind that is not one of the known names.
pub struct UnknownSiteKind(pub String);

impl SiteKind {
    /// Every kind, in the order reports list them.
    pub const ALL: [SiteKind; 5] = [
        SiteKind::Pharmacy,
        SiteKind::Marketplace,
        SiteKind::Classifieds,
        SiteKind::Forum,
        SiteKind::DarknetMarket,
    ];

    /// The kind's name in configuration and JSON (`pharmacy`, `darknet_market`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            SiteKind::Pharmacy => "pharmacy",
            SiteKind::Marketplace => "marketplace",
            SiteKind::Classifieds => "classifieds",
            SiteKind::Forum => "forum",
            SiteKind::DarknetMarket => "darknet-market",
        }
    }
}

impl FromStr for SiteKind {
    type Err = UnknownSiteKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SiteKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownSiteKind(s.to_string()))
    }
}

impl fmt::Display for SiteKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The host a shop is known by: `host[:port]` of `url`, lower case, without the scheme's
/// default port (`shop.example`, `127.0.0.1:8080`), or `None` when the URL has no authority.
/// One rule everywhere a shop's domain is shown, searched, faceted or grouped: two shops on
/// one host but different ports are different shops.
pub fn shop_host(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority
        .rsplit('@')
        .next()
        .unwrap_or_default()
        .to_lowercase();
    if authority.is_empty() {
        return None;
    }
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "http" => ":80",
        "https" => ":443",
        _ => return Some(authority),
    };
    Some(
        authority
            .strip_suffix(default_port)
            .map_or(authority.clone(), str::to_string),
    )
}

#[cfg(test)]
mod shop_host_tests {
    use super::shop_host;

    #[test]
    fn host_with_a_non_default_port_lower_case() {
        for (url, host) in [
            ("https://Shop.Example/p/1", Some("shop.example")),
            ("http://shop.example:80/", Some("shop.example")),
            ("https://shop.example:443/x", Some("shop.example")),
            ("http://127.0.0.1:39645/product/1", Some("127.0.0.1:39645")),
            ("https://shop.example:8443?q=1", Some("shop.example:8443")),
            (
                "http://user:pw@shop.example:81#top",
                Some("shop.example:81"),
            ),
            ("http://[::1]:8080/", Some("[::1]:8080")),
            ("http://xyz.onion/", Some("xyz.onion")),
            ("shop.example/p", None),
            ("http:///path", None),
        ] {
            assert_eq!(shop_host(url).as_deref(), host, "{url}");
        }
    }
}
