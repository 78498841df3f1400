//! robots.txt per RFC 9309, matched with `texting_robots`.

use std::fmt;
use std::time::Duration;

use texting_robots::Robot;
use url::Url;

/// Bytes of robots.txt parsed at most (RFC 9309 asks crawlers to parse at least 500 KiB).
pub const ROBOTS_MAX_BYTES: u64 = 500 * 1024;
/// Redirect hops followed for robots.txt (RFC 9309: at least five).
pub const ROBOTS_MAX_REDIRECTS: u32 = 5;

enum Policy {
    AllowAll,
    DisallowAll,
    Rules(Box<Robot>),
}

/// The robots.txt verdict for one origin (`scheme://host:port`).
pub struct RobotsRules {
    policy: Policy,
    /// Crawl-delay of the group that applies to our agent token.
    pub crawl_delay: Option<Duration>,
    /// Sitemaps the file lists.
    pub sitemaps: Vec<String>,
    /// Why the policy is what it is (for logs and records).
    pub reason: String,
}

impl fmt::Debug for RobotsRules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RobotsRules")
            .field("reason", &self.reason)
            .field("crawl_delay", &self.crawl_delay)
            .finish()
    }
}

impl RobotsRules {
    /// Everything allowed (robots.txt answered 4xx, RFC 9309 §2.3.1.3).
    pub fn allow_all(reason: impl Into<String>) -> Self {
        RobotsRules {
            policy: Policy::AllowAll,
            crawl_delay: None,
            sitemaps: Vec::new(),
            reason: reason.into(),
        }
    }

    /// Everything disallowed (5xx or unreachable, RFC 9309 §2.3.1.4).
    pub fn disallow_all(reason: impl Into<String>) -> Self {
        RobotsRules {
            policy: Policy::DisallowAll,
            ..RobotsRules::allow_all(reason)
        }
    }

    /// Parses a robots.txt body for `agent` (the User-Agent's product token). A file that
    /// cannot be parsed at all allows everything, as an empty file would.
    pub fn parse(agent: &str, body: &[u8]) -> Self {
        match Robot::new(agent, body) {
            Ok(robot) => RobotsRules {
                crawl_delay: robot
                    .delay
                    .filter(|d| d.is_finite() && *d > 0.0)
                    .map(|d| Duration::from_secs_f32(d.min(86_400.0))),
                sitemaps: robot.sitemaps.clone(),
                policy: Policy::Rules(Box::new(robot)),
                reason: "robots.txt rules".into(),
            },
            Err(e) => RobotsRules::allow_all(format!("robots.txt unparsable ({e}): allow all")),
        }
    }

    /// The verdict for a final robots.txt response (after redirects): status and body,
    /// or `None` when no response arrived.
    pub fn from_response(agent: &str, status: Option<u16>, body: &[u8]) -> Self {
        match status {
            Some(200..=299) => RobotsRules::parse(agent, body),
            Some(429) => RobotsRules::disallow_all("robots.txt answered 429: disallow all"),
            Some(s @ 400..=499) => {
                RobotsRules::allow_all(format!("robots.txt answered {s}: allow all"))
            }
            Some(s) => RobotsRules::disallow_all(format!("robots.txt answered {s}: disallow all")),
            None => RobotsRules::disallow_all("robots.txt unreachable: disallow all"),
        }
    }

    /// Whether the URL may be fetched.
    pub fn allowed(&self, url: &Url) -> bool {
        match &self.policy {
            Policy::AllowAll => true,
            Policy::DisallowAll => false,
            Policy::Rules(robot) => robot.allowed(url.as_str()),
        }
    }

    /// Whether this verdict came from the host being unavailable (not worth caching long).
    pub fn is_unavailable(&self) -> bool {
        matches!(self.policy, Policy::DisallowAll)
    }
}

/// The robots.txt URL of the URL's origin.
pub fn robots_url(url: &Url) -> Option<Url> {
    let mut r = url.clone();
    r.set_fragment(None);
    r.set_query(None);
    r.set_path("/robots.txt");
    r.host_str()?;
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(p: &str) -> Url {
        Url::parse(&format!("http://a.example{p}")).unwrap()
    }

    #[test]
    fn status_handling_follows_rfc_9309() {
        assert!(RobotsRules::from_response("pharmwatch", Some(404), b"").allowed(&u("/x")));
        assert!(RobotsRules::from_response("pharmwatch", Some(403), b"").allowed(&u("/x")));
        assert!(!RobotsRules::from_response("pharmwatch", Some(503), b"").allowed(&u("/x")));
        assert!(!RobotsRules::from_response("pharmwatch", None, b"").allowed(&u("/x")));
    }

    #[test]
    fn groups_and_crawl_delay_match_our_token() {
        let txt = b"User-agent: *\nDisallow: /cart/\n\nUser-agent: pharmwatch\nDisallow: /account/\nCrawl-delay: 2\n";
        let r = RobotsRules::from_response("pharmwatch", Some(200), txt);
        assert!(!r.allowed(&u("/account/login")));
        assert!(r.allowed(&u("/cart/")), "our own group replaces `*`");
        assert_eq!(r.crawl_delay, Some(Duration::from_secs(2)));
        let other = RobotsRules::from_response("otherbot", Some(200), txt);
        assert!(!other.allowed(&u("/cart/")));
        assert_eq!(other.crawl_delay, None);
    }

    #[test]
    fn robots_url_is_at_the_origin() {
        let r = robots_url(&Url::parse("http://a.example:8080/x/y?q=1#f").unwrap()).unwrap();
        assert_eq!(r.as_str(), "http://a.example:8080/robots.txt");
    }
}
