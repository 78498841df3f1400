//! robots.txt per RFC 9309, parsed and matched the way Google's reference parser
//! (google/robotstxt) does, so that a shop's robots.txt means to pharmwatch what it means to
//! the crawler its author tested it against.
//!
//! Why not a crate: `texting_robots`, used before, ignored a group headed `User-agent: FOO BAR`
//! for the product token `Foo` (RFC 9309 §2.2.1 compares the value up to the first character
//! that is not a letter, `-` or `_`), and no crate we found keeps the line of the rule that
//! decided, which `pharmwatch robots` prints. The rules (all tested in
//! `crawler/tests/robots_rfc9309.rs` against the cases of Google's `robots_test.cc`):
//!
//! - Lines end at LF, CR or CRLF; a UTF-8 byte order mark (or a prefix of one) at the start is
//!   skipped; `#` starts a comment; a line is cut after [`MAX_LINE_BYTES`].
//! - `key: value`, or `key value` when the colon is missing and the line has exactly two
//!   words. Keys are case-insensitive prefixes: `user-agent` (also `useragent`,
//!   `user agent`), `allow`, `disallow` (and its common misspellings), `sitemap`
//!   (`site-map`), `crawl-delay` (not in the RFC; honoured as most crawlers do).
//! - A group is one or more user-agent lines and the rules after them; a user-agent line
//!   after a rule starts a new group. Rules before any user-agent line are ignored. Every
//!   group naming our token applies (merged); only when none does, every `*` group applies.
//! - The longest matching pattern decides (in octets, after percent-encoding non-ASCII bytes
//!   of the pattern and upper-casing its `%xx`); on a tie `allow` wins; an empty pattern
//!   matches nothing. `*` matches any run of characters, `$` at the end anchors the match.
//!   `Allow: /dir/index.html` also allows `/dir/`.

use std::fmt;
use std::time::Duration;

use url::Url;

/// Bytes of robots.txt parsed at most (RFC 9309 asks crawlers to parse at least 500 KiB).
pub const ROBOTS_MAX_BYTES: u64 = 500 * 1024;
/// Redirect hops followed for robots.txt (RFC 9309: at least five).
pub const ROBOTS_MAX_REDIRECTS: u32 = 5;
/// Bytes of one line kept (Google's limit: eight times the longest URL IE accepted).
pub const MAX_LINE_BYTES: usize = 2083 * 8 - 1;
/// The longest Crawl-delay honoured: a day.
const MAX_CRAWL_DELAY_SECS: f64 = 86_400.0;

/// One allow or disallow line of a group that applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RobotsRule {
    /// `true` for `Allow`, `false` for `Disallow`.
    pub allow: bool,
    /// The pattern as matched (non-ASCII percent-encoded, `%xx` upper-cased).
    pub pattern: String,
    /// 1-based line number in the file.
    pub line: usize,
}

impl fmt::Display for RobotsRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = if self.allow { "Allow" } else { "Disallow" };
        write!(f, "line {}: {key}: {}", self.line, self.pattern)
    }
}

/// A user-agent line that made a group apply to us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentLine {
    /// 1-based line number.
    pub line: usize,
    /// The line's value as written (`*` or a product token).
    pub value: String,
}

/// Why a URL may or may not be fetched: what `pharmwatch robots` prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RobotsDecision {
    /// Whether the URL may be fetched.
    pub allowed: bool,
    /// The user-agent lines of the groups that apply (ours, else `*`); empty when none does
    /// or the file was not parsed (allow-all or disallow-all verdicts).
    pub group: Vec<AgentLine>,
    /// The rule that decided; `None` when no rule matched (allowed) or the whole host is
    /// allowed or disallowed by status (see `reason`).
    pub rule: Option<RobotsRule>,
    /// Why the policy is what it is.
    pub reason: String,
}

#[derive(Debug, Default)]
struct Rules {
    rules: Vec<RobotsRule>,
    group: Vec<AgentLine>,
    delay: Option<f64>,
}

#[derive(Debug)]
enum Policy {
    AllowAll,
    DisallowAll,
    /// Rules of the groups naming our token when there are any, else of the `*` groups.
    Rules(Rules),
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

    /// Parses a robots.txt body for `agent` (the User-Agent's product token). Any bytes
    /// parse: lines that mean nothing are skipped, as the RFC asks.
    pub fn parse(agent: &str, body: &[u8]) -> Self {
        let parsed = parse(agent, body);
        let (rules, sitemaps) = parsed;
        let crawl_delay = rules
            .delay
            .filter(|d| d.is_finite() && *d > 0.0)
            .map(|d| Duration::from_secs_f64(d.min(MAX_CRAWL_DELAY_SECS)));
        RobotsRules {
            policy: Policy::Rules(rules),
            crawl_delay,
            sitemaps,
            reason: "robots.txt rules".into(),
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
        self.allowed_path(path_of(url))
    }

    /// Whether a path (with its query, as `/a/b?c`) may be fetched.
    pub fn allowed_path(&self, path: &str) -> bool {
        match &self.policy {
            Policy::AllowAll => true,
            Policy::DisallowAll => false,
            Policy::Rules(rules) => decide(&rules.rules, path).is_none_or(|r| r.allow),
        }
    }

    /// The decision for the URL, with the group and the rule behind it.
    pub fn explain(&self, url: &Url) -> RobotsDecision {
        self.explain_path(path_of(url))
    }

    /// [`RobotsRules::explain`] for a path with its query.
    pub fn explain_path(&self, path: &str) -> RobotsDecision {
        let reason = self.reason.clone();
        match &self.policy {
            Policy::AllowAll | Policy::DisallowAll => RobotsDecision {
                allowed: matches!(self.policy, Policy::AllowAll),
                group: Vec::new(),
                rule: None,
                reason,
            },
            Policy::Rules(rules) => {
                let rule = decide(&rules.rules, path).cloned();
                RobotsDecision {
                    allowed: rule.as_ref().is_none_or(|r| r.allow),
                    group: rules.group.clone(),
                    rule,
                    reason,
                }
            }
        }
    }

    /// Whether this verdict came from the host being unavailable (not worth caching long).
    pub fn is_unavailable(&self) -> bool {
        matches!(self.policy, Policy::DisallowAll)
    }
}

/// The path, parameters and query of a URL, as robots.txt patterns are matched against.
fn path_of(url: &Url) -> &str {
    &url[url::Position::BeforePath..url::Position::AfterQuery]
}

/// The path and query of a URL given as text, the way Google's `GetPathParamsQuery` reads
/// it (scheme and authority dropped, fragment dropped, `/` when there is no path).
pub fn path_params_query(url: &str) -> String {
    let find_from = |from: usize, set: &[char]| url.get(from..)?.find(set).map(|p| from + p);
    // Two leading slashes start an authority without a scheme.
    let search_start = if url.starts_with("//") { 2 } else { 0 };
    let early_path = find_from(search_start, &['/', '?', ';']);
    let scheme_end = url
        .get(search_start..)
        .and_then(|rest| rest.find("://"))
        .map(|p| search_start + p)
        .filter(|end| early_path.is_none_or(|path| path >= *end));
    let authority_start = scheme_end.map_or(search_start, |end| end + 3);
    let Some(path_start) = find_from(authority_start, &['/', '?', ';']) else {
        return "/".into();
    };
    let hash = find_from(search_start, &['#']);
    if hash.is_some_and(|h| h < path_start) {
        return "/".into();
    }
    let path = &url[path_start..hash.unwrap_or(url.len())];
    if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    }
}

/// The deciding rule for `path` among `rules`: the longest matching pattern, `allow` on a tie;
/// `None` when no non-empty pattern matches.
fn decide<'r>(rules: &'r [RobotsRule], path: &str) -> Option<&'r RobotsRule> {
    let mut best: Option<&RobotsRule> = None;
    for rule in rules {
        if rule.pattern.is_empty() || !matches(path.as_bytes(), rule.pattern.as_bytes()) {
            continue;
        }
        let better = match best {
            None => true,
            Some(b) => {
                rule.pattern.len() > b.pattern.len()
                    || (rule.pattern.len() == b.pattern.len() && rule.allow && !b.allow)
            }
        };
        if better {
            best = Some(rule);
        }
    }
    best
}

/// Whether `pattern` (with `*` and a final `$`) matches a prefix of `path` (all of it with `$`).
fn matches(path: &[u8], pattern: &[u8]) -> bool {
    let (pattern, anchored) = match pattern.split_last() {
        Some((b'$', head)) => (head, true),
        _ => (pattern, false),
    };
    // Classic wildcard matching with backtracking to the last `*`: linear for patterns
    // with one `*`, at worst path × pattern.
    let (mut p, mut s) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if p == pattern.len() {
            if !anchored || s == path.len() {
                return true;
            }
        } else if pattern[p] == b'*' {
            star = Some((p, s));
            p += 1;
            continue;
        } else if s < path.len() && pattern[p] == path[s] {
            p += 1;
            s += 1;
            continue;
        }
        match star {
            Some((sp, ss)) if ss < path.len() => {
                star = Some((sp, ss + 1));
                p = sp + 1;
                s = ss + 1;
            }
            _ => return false,
        }
    }
}

/// Percent-encodes non-ASCII bytes and upper-cases `%xx` escapes (Google's
/// `MaybeEscapePattern`).
pub fn escape_pattern(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
        {
            out.push('%');
            out.push(char::from(bytes[i + 1].to_ascii_uppercase()));
            out.push(char::from(bytes[i + 2].to_ascii_uppercase()));
            i += 3;
        } else if b.is_ascii() {
            out.push(char::from(b));
            i += 1;
        } else {
            out.push_str(&format!("%{b:02X}"));
            i += 1;
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    UserAgent,
    Allow,
    Disallow,
    Sitemap,
    CrawlDelay,
}

fn key_of(key: &str) -> Option<Key> {
    let k = key.to_ascii_lowercase();
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| k.starts_with(p));
    if starts(&["user-agent", "useragent", "user agent"]) {
        Some(Key::UserAgent)
    } else if starts(&["allow"]) {
        Some(Key::Allow)
    } else if starts(&[
        "disallow",
        "dissallow",
        "dissalow",
        "disalow",
        "diasllow",
        "disallaw",
    ]) {
        Some(Key::Disallow)
    } else if starts(&["sitemap", "site-map"]) {
        Some(Key::Sitemap)
    } else if starts(&["crawl-delay", "crawldelay", "crawl delay"]) {
        Some(Key::CrawlDelay)
    } else {
        None
    }
}

/// Key and value of one line (comment already removed); `None` for a line without both.
fn key_value(line: &str) -> Option<(&str, &str)> {
    let line = line.trim_matches([' ', '\t']);
    let (key, value) = match line.split_once(':') {
        Some(kv) => kv,
        None => {
            // Google: a missing colon is assumed when the line is exactly two words.
            let sep = line.find([' ', '\t'])?;
            let value = line[sep + 1..].trim_start_matches([' ', '\t']);
            if value.contains([' ', '\t']) {
                return None;
            }
            (&line[..sep], value)
        }
    };
    let key = key.trim_matches([' ', '\t']);
    (!key.is_empty()).then_some((key, value.trim_matches([' ', '\t'])))
}

/// The product token of a user-agent line's value: its leading letters, `-` and `_`.
fn product_token(value: &str) -> &str {
    let end = value
        .find(|c: char| !(c.is_ascii_alphabetic() || c == '-' || c == '_'))
        .unwrap_or(value.len());
    &value[..end]
}

/// The lines of a robots.txt body with their 1-based numbers: LF, CR and CRLF end lines, a
/// leading (partial) UTF-8 BOM is skipped, each line is cut after [`MAX_LINE_BYTES`].
fn lines(body: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let bom = b"\xEF\xBB\xBF";
    let skip = bom.iter().zip(body).take_while(|(a, b)| a == b).count();
    let mut rest = &body[skip..];
    let mut number = 0;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        number += 1;
        let end = rest
            .iter()
            .position(|b| *b == b'\n' || *b == b'\r')
            .unwrap_or(rest.len());
        let line = &rest[..end];
        let mut next = end;
        if rest.get(end) == Some(&b'\r') && rest.get(end + 1) == Some(&b'\n') {
            next += 2;
        } else if end < rest.len() {
            next += 1;
        }
        rest = &rest[next..];
        Some((number, &line[..line.len().min(MAX_LINE_BYTES)]))
    })
}

/// The rules that apply to `agent`, and the sitemaps.
fn parse(agent: &str, body: &[u8]) -> (Rules, Vec<String>) {
    let mut specific = Rules::default();
    let mut global = Rules::default();
    let mut sitemaps = Vec::new();
    let mut ever_specific = false;
    // The current group: does it name us, is it `*`, has a rule ended its agent lines.
    let (mut is_specific, mut is_global, mut in_rules) = (false, false, false);
    for (number, raw) in lines(body) {
        let text = String::from_utf8_lossy(raw);
        let text = text.split('#').next().unwrap_or("");
        let Some((key, value)) = key_value(text) else {
            continue;
        };
        let Some(key) = key_of(key) else {
            continue;
        };
        match key {
            Key::UserAgent => {
                if in_rules {
                    (is_specific, is_global, in_rules) = (false, false, false);
                }
                let agent_line = AgentLine {
                    line: number,
                    value: value.to_string(),
                };
                let star = value.starts_with('*')
                    && value[1..]
                        .chars()
                        .next()
                        .is_none_or(|c| c == ' ' || c == '\t');
                if star {
                    is_global = true;
                    global.group.push(agent_line);
                } else {
                    let token = product_token(value);
                    if !token.is_empty() && token.eq_ignore_ascii_case(agent) {
                        is_specific = true;
                        ever_specific = true;
                        specific.group.push(agent_line);
                    }
                }
            }
            Key::Allow | Key::Disallow => {
                if !is_specific && !is_global {
                    // Rules outside any group, or of other agents' groups, are skipped.
                    continue;
                }
                in_rules = true;
                let allow = key == Key::Allow;
                let pattern = escape_pattern(value);
                let mut new = vec![RobotsRule {
                    allow,
                    pattern: pattern.clone(),
                    line: number,
                }];
                // Google: allowing a directory's index page allows the directory.
                if allow
                    && let Some(slash) = pattern.rfind('/')
                    && pattern[slash..].starts_with("/index.htm")
                {
                    new.push(RobotsRule {
                        allow,
                        pattern: format!("{}$", &pattern[..=slash]),
                        line: number,
                    });
                }
                for target in [
                    is_specific.then_some(&mut specific),
                    is_global.then_some(&mut global),
                ]
                .into_iter()
                .flatten()
                {
                    target.rules.extend(new.iter().cloned());
                }
            }
            Key::CrawlDelay => {
                let delay = value.parse::<f64>().ok().filter(|d| d.is_finite());
                if is_specific {
                    specific.delay = specific.delay.or(delay);
                }
                if is_global {
                    global.delay = global.delay.or(delay);
                }
            }
            Key::Sitemap => {
                if !value.is_empty() {
                    sitemaps.push(value.to_string());
                }
            }
        }
    }
    let rules = if ever_specific { specific } else { global };
    (rules, sitemaps)
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
