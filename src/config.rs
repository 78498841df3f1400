//! The configuration file users write (`config/pharmwatch.toml`): crawl settings, where the
//! rules and reference data live, and the sites to watch.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use pharmwatch_crawler::config::{CrawlSettings, SiteConfig};
use serde::Deserialize;

/// Where the default configuration lives, relative to the working directory.
pub const DEFAULT_CONFIG_PATH: &str = "config/pharmwatch.toml";

/// An error in what the user wrote (config, rule files, arguments, a query): the commands map
/// it to exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// The whole configuration file.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `[crawl]`: limits and politeness for every site.
    #[serde(default)]
    pub crawl: CrawlSettings,
    /// `[rules]`: the rule packs and reference data.
    #[serde(default)]
    pub rules: RulesSettings,
    /// `[[site]]`: the sites to crawl.
    #[serde(default, rename = "site")]
    pub sites: Vec<SiteConfig>,
    /// Explicit site groups for `daemon` (`[[group]]`); sites with a `schedule` and in no
    /// group form implicit groups, one per schedule string.
    #[serde(default, rename = "group")]
    pub groups: Vec<GroupConfig>,
    /// Settings of `daemon`.
    #[serde(default)]
    pub daemon: DaemonSettings,
    /// Where run summaries are POSTed (plain `crawl` runs; daemon groups without a webhook).
    #[serde(default)]
    pub notify: NotifySettings,
    /// When a listing counts as gone.
    #[serde(default)]
    pub listings: ListingSettings,
    /// Where the state store is (`[store]`).
    #[serde(default)]
    pub store: StoreSettings,
    /// Folder the config was read from: relative paths inside it resolve against it.
    #[serde(skip)]
    pub base_dir: Option<PathBuf>,
    /// SHA-256 of the config text, recorded with each run and in its evidence.
    #[serde(skip)]
    pub digest: String,
}

/// Where rule packs and reference data (lexicon, currency rates) are read from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesSettings {
    /// Files or folders of rule files.
    #[serde(default = "default_packs")]
    pub packs: Vec<PathBuf>,
    /// Folder with the drug lexicon and currency rates.
    #[serde(default = "default_lexicon")]
    pub lexicon: PathBuf,
}

fn default_packs() -> Vec<PathBuf> {
    vec![PathBuf::from("rules/packs")]
}

fn default_lexicon() -> PathBuf {
    PathBuf::from("config/reference")
}

/// `[listings]`: when a stored listing counts as gone.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListingSettings {
    /// A page that fails (no answer, 5xx, another 4xx) in this many consecutive runs takes
    /// its listings with it; until then they stay live. A 404/410, or an answer that no
    /// longer carries a listing, makes it gone at once.
    #[serde(default = "default_gone_after_failed_runs")]
    pub gone_after_failed_runs: u32,
}

fn default_gone_after_failed_runs() -> u32 {
    3
}

impl Default for ListingSettings {
    fn default() -> Self {
        ListingSettings {
            gone_after_failed_runs: default_gone_after_failed_runs(),
        }
    }
}

/// A named set of sites crawled together on one schedule by `daemon`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupConfig {
    /// The group's name (status file, reports, webhooks).
    pub name: String,
    /// Names of `[[site]]` sections.
    pub sites: Vec<String>,
    /// Cron expression: 5 fields, or 6 with seconds first (UTC).
    pub schedule: String,
    /// URL that receives each run's summary as a JSON POST (overrides `[notify] webhook`).
    #[serde(default)]
    pub webhook: Option<String>,
}

/// `[store]`: a PostgreSQL state store several machines share, instead of `state.sqlite`
/// in the data directory.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreSettings {
    /// `postgres://user[:password]@host[:port]/database`.
    #[serde(default)]
    pub url: Option<String>,
}

/// `[daemon]`: where the daemon reports its health and whether it catches up missed runs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DaemonSettings {
    /// Health file (JSON); default `DATA_DIR/daemon-status.json`.
    #[serde(default)]
    pub status_file: Option<PathBuf>,
    /// Run a group once at start when a due time passed since its last run.
    #[serde(default = "yes")]
    pub catch_up: bool,
}

fn yes() -> bool {
    true
}

impl Default for DaemonSettings {
    fn default() -> Self {
        DaemonSettings {
            status_file: None,
            catch_up: true,
        }
    }
}

/// `[notify]`: the webhook that receives run summaries, and how hard to try.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifySettings {
    /// Where each run's summary is posted (HTTP POST of JSON), if anywhere.
    #[serde(default)]
    pub webhook: Option<String>,
    /// Per attempt.
    #[serde(default = "default_webhook_timeout")]
    pub timeout_secs: u64,
    /// Further attempts after a failed one (5xx, 429, network error), with doubling pauses.
    #[serde(default = "default_webhook_retries")]
    pub retries: u32,
}

fn default_webhook_timeout() -> u64 {
    10
}

fn default_webhook_retries() -> u32 {
    3
}

impl Default for NotifySettings {
    fn default() -> Self {
        NotifySettings {
            webhook: None,
            timeout_secs: default_webhook_timeout(),
            retries: default_webhook_retries(),
        }
    }
}

impl Default for RulesSettings {
    fn default() -> Self {
        RulesSettings {
            packs: default_packs(),
            lexicon: default_lexicon(),
        }
    }
}

impl Config {
    /// Reads the config named on the command line, else `config/pharmwatch.toml` when present,
    /// else built-in defaults.
    pub fn load(explicit: Option<&Path>) -> Result<Config> {
        match explicit {
            Some(path) => Self::from_file(path),
            None if Path::new(DEFAULT_CONFIG_PATH).is_file() => {
                Self::from_file(Path::new(DEFAULT_CONFIG_PATH))
            }
            None => Ok(Config::default()),
        }
    }

    /// Parses one config file; errors name the file, the line and column, and the key.
    pub fn from_file(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        let mut config = Self::from_toml(&text, &path.display().to_string())?;
        config.base_dir = path.parent().map(Path::to_path_buf);
        Ok(config)
    }

    /// Parses config text; `origin` names the source in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Config> {
        let mut config: Config = toml::from_str(text).map_err(|e| {
            let position = e
                .span()
                .map(|span| {
                    let (line, col) = line_col(text, span.start);
                    format!(":{line}:{col}")
                })
                .unwrap_or_default();
            anyhow::anyhow!("{origin}{position}: {}", with_suggestion(e.message()))
        })?;
        config.check(origin)?;
        config.check_sites(origin, text)?;
        config.digest = pharmwatch_model::sha256_hex(text.as_bytes());
        Ok(config)
    }

    fn check(&self, origin: &str) -> Result<()> {
        let mut seen = std::collections::HashSet::new();
        for site in &self.sites {
            if !seen.insert(site.name.as_str()) {
                bail!(
                    "{origin}: two [[site]] sections are named `{}`: site names must be unique",
                    site.name
                );
            }
            if let Some(expr) = &site.schedule {
                crate::schedule::Schedule::parse(expr)
                    .map_err(|e| anyhow::anyhow!("{origin}: [[site]] `{}`: {e}", site.name))?;
            }
        }
        self.check_groups(origin, &seen)?;
        if self.listings.gone_after_failed_runs == 0 {
            bail!(
                "{origin}: [listings] gone_after_failed_runs = 0: it must be at least 1 (the runs a page may fail in before its listings count as gone)"
            );
        }
        let not_postgres = |url: &&String| !pharmwatch_store::is_postgres_url(url);
        if let Some(url) = self.store.url.as_ref().filter(not_postgres) {
            bail!(
                "{origin}: [store] url = `{}`: expected a postgres://user@host/database URL (leave [store] out for state.sqlite in the data directory)",
                pharmwatch_store::redact_url(url)
            );
        }
        for url in self
            .groups
            .iter()
            .filter_map(|g| g.webhook.as_ref())
            .chain(&self.notify.webhook)
        {
            check_webhook(url).map_err(|e| anyhow::anyhow!("{origin}: {e}"))?;
        }
        Ok(())
    }

    /// Each site as the crawler will check it (URLs, rates, hosts, proxy), with the file and
    /// line of the offending key.
    fn check_sites(&self, origin: &str, text: &str) -> Result<()> {
        for (index, site) in self.sites.iter().enumerate() {
            if let Err(err) = site.validate() {
                let field = match &err {
                    pharmwatch_crawler::CrawlError::Config { field, .. } => Some(*field),
                    _ => None,
                };
                let line = field
                    .and_then(|f| site_key_line(text, index, f))
                    .map(|l| format!(":{l}"))
                    .unwrap_or_default();
                bail!("{origin}{line}: {err}");
            }
        }
        Ok(())
    }

    fn check_groups(&self, origin: &str, sites: &std::collections::HashSet<&str>) -> Result<()> {
        let mut names = std::collections::HashSet::new();
        for group in &self.groups {
            if !names.insert(group.name.as_str()) {
                bail!(
                    "{origin}: two [[group]] sections are named `{}`: group names must be unique",
                    group.name
                );
            }
            if group.sites.is_empty() {
                bail!("{origin}: [[group]] `{}` names no sites", group.name);
            }
            if let Some(unknown) = group.sites.iter().find(|s| !sites.contains(s.as_str())) {
                bail!(
                    "{origin}: [[group]] `{}` names the site `{unknown}`, which has no [[site]] section",
                    group.name
                );
            }
            crate::schedule::Schedule::parse(&group.schedule)
                .map_err(|e| anyhow::anyhow!("{origin}: [[group]] `{}`: {e}", group.name))?;
        }
        Ok(())
    }

    /// Resolves a path from the config: absolute as is; relative against the working directory
    /// when it exists there, else against the config file's folder's parent (the project root
    /// for `config/pharmwatch.toml`), else against the source tree (for `cargo run`).
    pub fn resolve(&self, path: &Path) -> PathBuf {
        resolve_path(path, self.base_dir.as_deref())
    }

    /// Selects sites by name (all when `names` is empty); an unknown name is an error that
    /// lists the known ones.
    pub fn select_sites(&self, names: &[String]) -> Result<Vec<SiteConfig>> {
        if names.is_empty() {
            return Ok(self.sites.clone());
        }
        names
            .iter()
            .map(|name| {
                self.sites
                    .iter()
                    .find(|s| &s.name == name)
                    .cloned()
                    .with_context(|| {
                        let known: Vec<&str> = self.sites.iter().map(|s| s.name.as_str()).collect();
                        format!(
                            "no site named `{name}` in the config; known sites: {}",
                            known.join(", ")
                        )
                    })
            })
            .collect()
    }
}

/// A webhook must be an http(s) URL.
fn check_webhook(text: &str) -> Result<()> {
    let url = url::Url::parse(text).with_context(|| format!("webhook `{text}` is not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        bail!("webhook `{text}` must be an http:// or https:// URL");
    }
    Ok(())
}

/// See [`Config::resolve`].
pub fn resolve_path(path: &Path, config_dir: Option<&Path>) -> PathBuf {
    if path.is_absolute() || path.exists() {
        return path.to_path_buf();
    }
    let candidates = config_dir
        .and_then(Path::parent)
        .map(|root| root.join(path))
        .into_iter()
        .chain(std::iter::once(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(path),
        ));
    for candidate in candidates {
        if candidate.exists() {
            return candidate;
        }
    }
    path.to_path_buf()
}

/// 1-based line and column (in characters) of a byte offset.
/// serde's "unknown field `start_url`, expected one of `name`, `start_urls`, …" with
/// "(did you mean `start_urls`?)" after the name, when a known key is that close.
fn with_suggestion(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message.to_string();
    };
    let Some((got, expected)) = rest.split_once('`') else {
        return message.to_string();
    };
    let known = expected.split('`').skip(1).step_by(2);
    let best = known
        .map(|k| (strsim::damerau_levenshtein(got, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min();
    match best {
        Some((_, k)) => message.replacen(
            &format!("`{got}`"),
            &format!("`{got}` (did you mean `{k}`?)"),
            1,
        ),
        None => message.to_string(),
    }
}

/// The 1-based line of `key = …` in the `index`-th `[[site]]` section of `text`, if written.
fn site_key_line(text: &str, index: usize, key: &str) -> Option<usize> {
    let mut sites_seen = 0;
    let mut in_wanted = false;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.starts_with('[') {
            in_wanted = line == "[[site]]" && sites_seen == index;
            sites_seen += usize::from(line == "[[site]]");
            continue;
        }
        let is_key = line
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='));
        if in_wanted && is_key {
            return Some(n + 1);
        }
    }
    None
}

/// 1-based line and column of byte `offset` in `text` (clamped to its end), for messages.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_url_must_be_a_postgres_url_and_its_password_stays_out_of_errors() {
        let ok =
            Config::from_toml("[store]\nurl = \"postgres://pw@db/cases\"\n", "c.toml").unwrap();
        assert_eq!(ok.store.url.as_deref(), Some("postgres://pw@db/cases"));
        assert_eq!(Config::default().store.url, None);
        let text = "[store]\nurl = \"mysql://pw:s3cret@db/cases\"\n";
        let err = Config::from_toml(text, "c.toml").unwrap_err().to_string();
        assert!(err.starts_with("c.toml: [store] url"), "{err}");
        assert!(
            err.contains("postgres://") && !err.contains("s3cret"),
            "{err}"
        );
        let typo = Config::from_toml("[store]\nuri = \"postgres://db/x\"\n", "c.toml")
            .unwrap_err()
            .to_string();
        assert!(
            typo.starts_with("c.toml:2:1:") && typo.contains("url"),
            "{typo}"
        );
    }

    #[test]
    fn unknown_key_names_file_line_and_column() {
        let text = "[crawl]\nuser_agent = \"x\"\nspeed = 3\n";
        let err = Config::from_toml(text, "my.toml").unwrap_err().to_string();
        assert!(err.starts_with("my.toml:3:1:"), "{err}");
        assert!(err.contains("speed"), "{err}");
    }

    #[test]
    fn duplicate_site_names_are_refused() {
        let text = r#"
[[site]]
name = "a"
kind = "pharmacy"
start_urls = ["http://127.0.0.1:1/"]
[[site]]
name = "a"
kind = "forum"
start_urls = ["http://127.0.0.1:2/"]
"#;
        let err = Config::from_toml(text, "c.toml").unwrap_err().to_string();
        assert!(err.contains("`a`"), "{err}");
    }

    #[test]
    fn a_mistyped_key_gets_a_suggestion() {
        let text = "[[site]]\nname = \"a\"\nstart_url = [\"http://a.example/\"]\n";
        let err = Config::from_toml(text, "my.toml").unwrap_err().to_string();
        assert!(err.starts_with("my.toml:3:1"), "{err}");
        assert!(
            err.contains("`start_url` (did you mean `start_urls`?)"),
            "{err}"
        );
    }

    #[test]
    fn a_bad_site_value_names_the_file_and_line() {
        let text = "[crawl]\ntimeout_secs = 5\n\n[[site]]\nname = \"a\"\nstart_urls = [\"http://a.example/\"]\n\n[[site]]\nname = \"b\"\nstart_urls = [\"http://b.example/\"]\nrate = -1\n";
        let err = Config::from_toml(text, "my.toml").unwrap_err().to_string();
        assert!(
            err.starts_with("my.toml:11: site `b`: field `rate`"),
            "{err}"
        );
        let outside = "[[site]]\nname = \"c\"\nstart_urls = [\"http://c.example/\"]\nallowed_hosts = [\"d.example\"]\n";
        let err = Config::from_toml(outside, "my.toml")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("my.toml:3: site `c`: field `start_urls`"),
            "{err}"
        );
        assert!(err.contains("outside allowed_hosts"), "{err}");
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncé d", 7), (2, 4));
        assert_eq!(line_col("", 5), (1, 1));
    }
}
