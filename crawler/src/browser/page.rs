//! Rendering one page: a fresh browser context and tab, every request the page makes held
//! until the crawler has fetched it (politely, and archived as received), then the DOM and a
//! full-page screenshot once the page has settled.

use std::collections::VecDeque;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use pharmwatch_model::Timestamp;
use serde_json::{Value, json};
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep_until};
use url::Url;

use super::cdp::{Cdp, Event};
use super::fetcher::Fetcher;
use super::{BrowserError, Document, RenderFailed};
use crate::fetch::Exchange;
use crate::{CapturedExchange, RenderCapture};

/// How long the page's network must be quiet, after its load event, to count as settled.
const NETWORK_IDLE: Duration = Duration::from_millis(500);
/// How often settling is checked.
const SETTLE_CHECK: Duration = Duration::from_millis(100);
/// Window the page is laid out in (the screenshot is the whole page at this width).
const VIEWPORT: (u32, u32) = (1280, 800);
/// Requests of one page being fetched at once; the rest wait in the page's own queue, so a
/// page that floods its host cannot starve the other pages rendered on it.
const PAGE_FETCHES: usize = 4;
/// Time to close a tab and its context, after the page's own limit.
const CLEANUP_LIMIT: Duration = Duration::from_secs(5);

/// Response headers that describe the bytes on the wire, not the decoded body handed over.
const WIRE_HEADERS: [&str; 5] = [
    "content-encoding",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
];

/// What the page waits for before it is read.
pub(crate) struct Settle<'a> {
    /// A CSS selector that must match (else: network idle after the load event).
    pub wait_for: Option<&'a str>,
    /// The page fails when it has not settled by then.
    pub deadline: Instant,
}

/// Renders `doc` in a new context of the browser behind `cdp`; the context is disposed of
/// whatever happens.
pub(crate) async fn render(
    cdp: &Cdp,
    doc: &Document<'_>,
    settle: &Settle<'_>,
    fetcher: &Fetcher,
) -> Result<RenderCapture, RenderFailed> {
    let deadline = settle.deadline;
    let context = cdp
        .call(
            None,
            "Target.createBrowserContext",
            json!({ "disposeOnDetach": true }),
            deadline,
        )
        .await?;
    let context = text(&context, "browserContextId")?;
    let result = in_context(cdp, &context, doc, settle, fetcher).await;
    let cleanup = Instant::now() + CLEANUP_LIMIT;
    let dispose = json!({ "browserContextId": context });
    if let Err(e) = cdp
        .call(None, "Target.disposeBrowserContext", dispose, cleanup)
        .await
    {
        tracing::debug!(error = %e, "browser context not disposed (the browser restarts if it is gone)");
    }
    result
}

async fn in_context(
    cdp: &Cdp,
    context: &str,
    doc: &Document<'_>,
    settle: &Settle<'_>,
    fetcher: &Fetcher,
) -> Result<RenderCapture, RenderFailed> {
    let deadline = settle.deadline;
    let deny = json!({ "behavior": "deny", "browserContextId": context });
    cdp.call(None, "Browser.setDownloadBehavior", deny, deadline)
        .await?;
    let target = json!({ "url": "about:blank", "browserContextId": context });
    let target = cdp
        .call(None, "Target.createTarget", target, deadline)
        .await?;
    let target = text(&target, "targetId")?;
    let attach = json!({ "targetId": target, "flatten": true });
    let session = cdp
        .call(None, "Target.attachToTarget", attach, deadline)
        .await?;
    let session = text(&session, "sessionId")?;
    let mut events = cdp.subscribe(&session);
    let result = in_tab(cdp, &session, &mut events, doc, settle, fetcher).await;
    cdp.forget(&session);
    result
}

async fn in_tab(
    cdp: &Cdp,
    session: &str,
    events: &mut tokio::sync::mpsc::UnboundedReceiver<Event>,
    doc: &Document<'_>,
    settle: &Settle<'_>,
    fetcher: &Fetcher,
) -> Result<RenderCapture, RenderFailed> {
    let deadline = settle.deadline;
    let s = Some(session);
    let patterns = json!({ "patterns": [{ "urlPattern": "*", "requestStage": "Request" }] });
    cdp.call(s, "Fetch.enable", patterns, deadline).await?;
    cdp.call(s, "Inspector.enable", json!({}), deadline).await?;
    cdp.call(s, "Page.enable", json!({}), deadline).await?;
    let metrics = json!({
        "width": VIEWPORT.0, "height": VIEWPORT.1, "deviceScaleFactor": 1, "mobile": false
    });
    cdp.call(s, "Emulation.setDeviceMetricsOverride", metrics, deadline)
        .await?;
    let mut tab = Tab {
        cdp,
        session,
        doc,
        fetcher,
        document_served: false,
        inflight: JoinSet::new(),
        waiting: VecDeque::new(),
        resources: Vec::new(),
    };
    let outcome = tab.capture(events, settle).await;
    // Requests already sent reached the server: they are archived whatever became of the page.
    tab.finish_fetches().await;
    match outcome {
        Ok((dom, screenshot, captured_at)) => Ok(RenderCapture {
            dom: Some(dom),
            screenshot,
            captured_at,
            resources: tab.resources,
        }),
        Err(error) => Err(RenderFailed {
            error,
            resources: tab.resources,
        }),
    }
}

/// One tab while its page loads.
struct Tab<'a> {
    cdp: &'a Cdp,
    session: &'a str,
    doc: &'a Document<'a>,
    fetcher: &'a Fetcher,
    /// The page's own document was answered from the crawler's response.
    document_served: bool,
    /// Requests being fetched for the page: (request id, URL, exchange).
    inflight: JoinSet<(String, Url, Exchange)>,
    /// Requests waiting for one of the page's [`PAGE_FETCHES`] to end: (request id, URL).
    waiting: VecDeque<(String, Url)>,
    resources: Vec<CapturedExchange>,
}

impl Tab<'_> {
    /// Loads the page until it settles, then reads its DOM and takes its screenshot.
    async fn capture(
        &mut self,
        events: &mut tokio::sync::mpsc::UnboundedReceiver<Event>,
        settle: &Settle<'_>,
    ) -> Result<(Bytes, Option<Bytes>, Timestamp), BrowserError> {
        let deadline = settle.deadline;
        self.load(events, settle).await?;
        let dom = self.dom(deadline).await?;
        let captured_at = Timestamp::now_utc();
        let screenshot = match self.screenshot(deadline).await {
            Ok(png) => Some(png),
            Err(e) => {
                tracing::warn!(url = %self.doc.url, error = %e, "no screenshot of the rendered page");
                None
            }
        };
        Ok((dom, screenshot, captured_at))
    }

    /// Waits for the fetches still running (each within the crawler's exchange time limit)
    /// and keeps them; the queued ones were never sent.
    async fn finish_fetches(&mut self) {
        self.waiting.clear();
        while let Some(done) = self.inflight.join_next().await {
            if let Ok((_, url, exchange)) = done {
                self.resources.push(captured(url, exchange));
            }
        }
    }

    /// Navigates and answers the page's requests until it settles.
    async fn load(
        &mut self,
        events: &mut tokio::sync::mpsc::UnboundedReceiver<Event>,
        settle: &Settle<'_>,
    ) -> Result<(), BrowserError> {
        let deadline = settle.deadline;
        let s = Some(self.session);
        let url = json!({ "url": self.doc.url.as_str() });
        let cdp = self.cdp;
        let navigate = cdp.call(s, "Page.navigate", url, deadline);
        tokio::pin!(navigate);
        let (mut navigated, mut loaded) = (false, false);
        let mut quiet_since = Instant::now();
        let mut check = tokio::time::interval(SETTLE_CHECK);
        loop {
            tokio::select! {
                answer = &mut navigate, if !navigated => {
                    navigated = true;
                    if let Some(error) = answer?.get("errorText").and_then(Value::as_str) {
                        return Err(BrowserError::Navigation(error.to_string()));
                    }
                }
                event = events.recv() => {
                    let event = event.ok_or(BrowserError::Closed)?;
                    match event.method.as_str() {
                        "Fetch.requestPaused" => self.paused(&event.params, deadline).await,
                        "Page.loadEventFired" => loaded = true,
                        "Inspector.targetCrashed" => return Err(BrowserError::Crashed),
                        "Inspector.detached" => return Err(BrowserError::Closed),
                        _ => {}
                    }
                    quiet_since = Instant::now();
                }
                Some(done) = self.inflight.join_next() => {
                    let (request, url, exchange) = done
                        .map_err(|e| BrowserError::Protocol(format!("a fetch for the page failed: {e}")))?;
                    self.answer(&request, &exchange, deadline).await;
                    self.resources.push(captured(url, exchange));
                    if let Some((request, url)) = self.waiting.pop_front() {
                        self.start_fetch(request, url);
                    }
                    quiet_since = Instant::now();
                }
                _ = check.tick() => {
                    let idle = self.inflight.is_empty()
                        && self.waiting.is_empty()
                        && quiet_since.elapsed() >= NETWORK_IDLE;
                    if navigated && loaded && idle && self.wanted_is_there(settle).await? {
                        return Ok(());
                    }
                }
                () = sleep_until(deadline) => {
                    let what = match settle.wait_for {
                        Some(selector) => format!("`{selector}` (wait_for) did not appear"),
                        None => "its network did not go idle".to_string(),
                    };
                    return Err(BrowserError::Timeout(format!(
                        "the page did not settle in time: {what}"
                    )));
                }
            }
        }
    }

    /// Whether the site's `wait_for` selector matches (always, without one).
    async fn wanted_is_there(&self, settle: &Settle<'_>) -> Result<bool, BrowserError> {
        let Some(selector) = settle.wait_for else {
            return Ok(true);
        };
        let selector = serde_json::to_string(selector).unwrap_or_default();
        let expression = format!("document.querySelector({selector}) !== null");
        let value = self.evaluate(&expression, settle.deadline).await?;
        Ok(value.as_bool().unwrap_or(false))
    }

    /// A request of the page waits here: the document is answered with the crawler's
    /// response, anything else the crawler may fetch is fetched, the rest refused.
    async fn paused(&mut self, params: &Value, deadline: Instant) {
        let id = params["requestId"].as_str().unwrap_or("").to_string();
        let method = params["request"]["method"].as_str().unwrap_or("");
        let kind = params["resourceType"].as_str().unwrap_or("");
        let url = params["request"]["url"]
            .as_str()
            .and_then(|u| Url::parse(u).ok());
        if !self.document_served && kind == "Document" {
            self.document_served = true;
            let (status, headers, body) = (self.doc.status, self.doc.headers, self.doc.body);
            self.fulfil(&id, status, headers, body, deadline).await;
            return;
        }
        match url {
            Some(url) if method == "GET" && self.fetcher.may_fetch(&url) => {
                if self.inflight.len() < PAGE_FETCHES {
                    self.start_fetch(id, url);
                } else {
                    self.waiting.push_back((id, url));
                }
            }
            _ => {
                // Not a GET (forms, beacons), not http(s), or a local address the site does
                // not name: the crawler only reads, and only what it may.
                tracing::debug!(method, url = ?params["request"]["url"], "page request refused");
                self.fail(&id, "BlockedByClient", deadline).await;
            }
        }
    }

    fn start_fetch(&mut self, request: String, url: Url) {
        let fetcher = self.fetcher.clone();
        self.inflight.spawn(async move {
            let exchange = fetcher.fetch(&url).await;
            (request, url, exchange)
        });
    }

    /// Hands a fetched response to the page (or the failure, when none arrived).
    async fn answer(&self, request: &str, exchange: &Exchange, deadline: Instant) {
        match exchange.status {
            Some(status) => {
                let headers = &exchange.response_headers;
                self.fulfil(request, status, headers, &exchange.decoded, deadline)
                    .await;
            }
            None => self.fail(request, "Failed", deadline).await,
        }
    }

    async fn fulfil(
        &self,
        request: &str,
        status: u16,
        headers: &[(String, String)],
        body: &[u8],
        deadline: Instant,
    ) {
        let headers: Vec<Value> = headers
            .iter()
            .filter(|(name, _)| !WIRE_HEADERS.contains(&name.to_ascii_lowercase().as_str()))
            .map(|(name, value)| json!({ "name": name, "value": value }))
            .collect();
        let params = json!({
            "requestId": request,
            "responseCode": status,
            "responseHeaders": headers,
            "body": BASE64.encode(body),
        });
        let s = Some(self.session);
        if let Err(e) = self
            .cdp
            .call(s, "Fetch.fulfillRequest", params, deadline)
            .await
        {
            tracing::debug!(error = %e, "response not accepted by the browser");
            self.fail(request, "Failed", deadline).await;
        }
    }

    async fn fail(&self, request: &str, reason: &str, deadline: Instant) {
        let params = json!({ "requestId": request, "errorReason": reason });
        let s = Some(self.session);
        if let Err(e) = self
            .cdp
            .call(s, "Fetch.failRequest", params, deadline)
            .await
        {
            tracing::debug!(error = %e, "request not failed");
        }
    }

    async fn evaluate(&self, expression: &str, deadline: Instant) -> Result<Value, BrowserError> {
        let params = json!({ "expression": expression, "returnByValue": true });
        let mut answer = self
            .cdp
            .call(Some(self.session), "Runtime.evaluate", params, deadline)
            .await?;
        if let Some(e) = answer.get("exceptionDetails") {
            return Err(BrowserError::Protocol(format!("script error: {e}")));
        }
        let value = answer
            .get_mut("result")
            .and_then(|r| r.get_mut("value"))
            .map(Value::take);
        Ok(value.unwrap_or_default())
    }

    /// The rendered document as HTML.
    async fn dom(&self, deadline: Instant) -> Result<Bytes, BrowserError> {
        let html = self
            .evaluate("document.documentElement.outerHTML", deadline)
            .await?;
        let html = html
            .as_str()
            .ok_or_else(|| BrowserError::Protocol("the page has no document element".into()))?;
        Ok(Bytes::from(format!("<!DOCTYPE html>\n{html}")))
    }

    /// The whole page (beyond the window) as PNG.
    async fn screenshot(&self, deadline: Instant) -> Result<Bytes, BrowserError> {
        let params = json!({ "format": "png", "captureBeyondViewport": true });
        let answer = self
            .cdp
            .call(
                Some(self.session),
                "Page.captureScreenshot",
                params,
                deadline,
            )
            .await?;
        let data = text(&answer, "data")?;
        BASE64
            .decode(data)
            .map(Bytes::from)
            .map_err(|e| BrowserError::Protocol(format!("screenshot is not base64: {e}")))
    }
}

fn captured(url: Url, ex: Exchange) -> CapturedExchange {
    CapturedExchange {
        url: url.to_string(),
        status: ex.status,
        fetched_at: ex.fetched_at,
        remote_addr: ex.remote_addr,
        http_version: ex.http_version,
        request_headers: ex.request_headers,
        response_headers: ex.response_headers,
        body: ex.raw,
        truncated: ex.truncated,
        error: ex.error,
    }
}

/// A text field of a command's result.
fn text(result: &Value, field: &str) -> Result<String, BrowserError> {
    result
        .get(field)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| BrowserError::Protocol(format!("answer without `{field}`")))
}
