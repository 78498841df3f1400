//! Webhook notifications: a run's summary as one JSON POST, with a timeout per attempt and a
//! few retries with doubling pauses. A notification that cannot be delivered is logged and
//! recorded (daemon status file); it never fails the run.

use pharmwatch_crawler::fetch::describe;
use std::time::Duration;

use pharmwatch_model::{Severity, Timestamp};
use serde::{Deserialize, Serialize};

use crate::config::NotifySettings;
use crate::report::RunReport;

/// First pause between attempts; doubles after each.
const FIRST_BACKOFF: Duration = Duration::from_millis(500);

/// The JSON body POSTed to a webhook.
#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    /// Always `"run"` for now: lets a receiver tell payload kinds apart later.
    pub event: &'static str,
    /// Daemon group, absent for a plain `crawl`.
    pub group: Option<String>,
    /// The run's number in the state store (absent when it failed before it got one).
    pub run: Option<i64>,
    /// `finished`, `interrupted` or `failed`.
    pub status: String,
    /// When the run started.
    #[serde(with = "pharmwatch_model::timestamp::option")]
    pub started_at: Option<Timestamp>,
    /// When it ended.
    #[serde(with = "pharmwatch_model::timestamp::option")]
    pub finished_at: Option<Timestamp>,
    /// The run's top-level counters (pages, page_errors, listings, flagged, new, changed, gone).
    pub counts: serde_json::Map<String, serde_json::Value>,
    /// Listings flagged for the first time in this run.
    pub new_flagged: usize,
    /// Listings whose price changed.
    pub price_changes: usize,
    /// Listings whose verdict changed.
    pub verdict_changes: usize,
    /// Listings no longer offered.
    pub gone: usize,
    /// Sites with no page answered in this run.
    pub failed_sites: Vec<String>,
    /// New flagged listings of severity high or critical.
    pub hits: Vec<Hit>,
    /// Why the run failed, when it did.
    pub error: Option<String>,
}

/// One new high or critical listing in a notification.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// The listing's page.
    pub url: String,
    /// Its title.
    pub title: String,
    /// The site it was found on.
    pub site: String,
    /// Its severity.
    pub severity: Option<Severity>,
    /// The rules that fired.
    pub rules: Vec<String>,
}

impl Notification {
    /// The summary of a run that produced a report.
    pub fn of_report(report: &RunReport, group: Option<&str>, failed_sites: Vec<String>) -> Self {
        let counts = report
            .counts
            .as_object()
            .map(|o| {
                o.iter()
                    .filter(|(_, v)| !v.is_object() && !v.is_array())
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let hits = report
            .new_flagged
            .iter()
            .filter(|l| l.severity.is_some_and(|s| s >= Severity::High))
            .map(|l| Hit {
                url: l.url.clone(),
                title: l.title.clone(),
                site: l.site.clone(),
                severity: l.severity,
                rules: l.rules.clone(),
            })
            .collect();
        Notification {
            event: "run",
            group: group.map(str::to_string),
            run: Some(report.run),
            status: report.status.clone(),
            started_at: Some(report.started_at),
            finished_at: report.finished_at,
            counts,
            new_flagged: report.new_flagged.len(),
            price_changes: report.price_changes.len(),
            verdict_changes: report.verdict_changes.len(),
            gone: report.gone.len(),
            failed_sites,
            hits,
            error: None,
        }
    }

    /// A run that failed before it had a report.
    pub fn of_failure(group: Option<&str>, started_at: Timestamp, error: String) -> Self {
        Notification {
            event: "run",
            group: group.map(str::to_string),
            run: None,
            status: "failed".into(),
            started_at: Some(started_at),
            finished_at: Some(time::OffsetDateTime::now_utc()),
            counts: serde_json::Map::new(),
            new_flagged: 0,
            price_changes: 0,
            verdict_changes: 0,
            gone: 0,
            failed_sites: Vec::new(),
            hits: Vec::new(),
            error: Some(error),
        }
    }
}

/// How a delivery went (kept in the daemon's status file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// Where it was posted.
    pub url: String,
    /// Whether the receiver accepted it (2xx).
    pub ok: bool,
    /// Attempts made.
    pub attempts: u32,
    /// HTTP status of the last attempt, when one answered.
    pub status: Option<u16>,
    /// What went wrong on the last attempt.
    pub error: Option<String>,
    /// When the last attempt ended.
    #[serde(with = "pharmwatch_model::timestamp")]
    pub at: Timestamp,
}

/// POSTs `payload` to `url`; retries on network errors, 429 and 5xx (`settings.retries`
/// times, unless `hurry`: shutting down, one attempt). Never returns an error: the outcome
/// says what happened and failures are logged.
pub async fn send(
    settings: &NotifySettings,
    url: &str,
    user_agent: &str,
    payload: &Notification,
    hurry: bool,
) -> Delivery {
    let mut delivery = Delivery {
        url: url.to_string(),
        ok: false,
        attempts: 0,
        status: None,
        error: None,
        at: time::OffsetDateTime::now_utc(),
    };
    let body = match serde_json::to_vec(payload) {
        Ok(body) => body,
        Err(e) => {
            delivery.error = Some(format!("cannot encode the notification: {e}"));
            return delivery;
        }
    };
    let client = match client(settings, user_agent) {
        Ok(client) => client,
        Err(e) => {
            delivery.error = Some(format!("cannot build the HTTP client: {e}"));
            tracing::warn!(webhook = url, "{}", delivery.error.as_deref().unwrap_or(""));
            return delivery;
        }
    };
    let attempts = if hurry { 1 } else { settings.retries + 1 };
    let mut pause = FIRST_BACKOFF;
    for attempt in 1..=attempts {
        delivery.attempts = attempt;
        let retry = match post(&client, url, body.clone()).await {
            Ok(status) => {
                delivery.status = Some(status);
                if (200..300).contains(&status) {
                    delivery.ok = true;
                    delivery.error = None;
                    break;
                }
                delivery.error = Some(format!("the webhook answered HTTP {status}"));
                status == 429 || status >= 500
            }
            Err(e) => {
                delivery.status = None;
                delivery.error = Some(describe(&e));
                true
            }
        };
        tracing::warn!(
            webhook = url,
            attempt,
            "notification not delivered: {}",
            delivery.error.as_deref().unwrap_or("")
        );
        if !retry || attempt == attempts {
            break;
        }
        tokio::time::sleep(pause).await;
        pause *= 2;
    }
    delivery.at = time::OffsetDateTime::now_utc();
    if delivery.ok {
        tracing::info!(
            webhook = url,
            attempts = delivery.attempts,
            "notification delivered"
        );
    }
    delivery
}

fn client(settings: &NotifySettings, user_agent: &str) -> reqwest::Result<reqwest::Client> {
    // reqwest is built without a TLS provider of its own; the crawler installs the same one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(settings.timeout_secs.max(1)))
        .connect_timeout(Duration::from_secs(settings.timeout_secs.clamp(1, 10)))
        .user_agent(user_agent)
        .no_proxy()
        .build()
}

async fn post(client: &reqwest::Client, url: &str, body: Vec<u8>) -> reqwest::Result<u16> {
    let response = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await?;
    Ok(response.status().as_u16())
}

/// The report the pipeline wrote for `run`, else rebuilt from the state store.
pub fn report_of(
    data_dir: &crate::pipeline::DataDir,
    run: pharmwatch_store::RunId,
) -> anyhow::Result<RunReport> {
    if let Ok(report) = crate::report::read(&data_dir.root, run.0) {
        return Ok(report);
    }
    let store = data_dir.open_store()?;
    crate::report::build(&*store, run)
}
