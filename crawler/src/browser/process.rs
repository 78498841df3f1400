//! Starting headless Chromium contained: a fresh temporary profile, no extensions, downloads,
//! permissions, background traffic or direct network access (every request it makes is
//! intercepted and fetched by the crawler; anything that escapes interception, such as a
//! WebSocket, goes to a proxy that does not exist).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tokio::time::Instant;

use super::BrowserError;

/// How long Chromium may take to open its DevTools port.
const STARTUP_LIMIT: Duration = Duration::from_secs(30);

/// The V8 heap of one renderer, in MB: a page that allocates without bound crashes its
/// renderer (a failed page) instead of taking the machine's memory.
const RENDERER_HEAP_MB: u32 = 256;

/// A running Chromium; killed (and its profile deleted) when dropped.
pub(crate) struct BrowserProcess {
    child: Child,
    /// The DevTools websocket address.
    pub ws_url: String,
    /// Deleted after the process is killed (fields drop after `Drop::drop`).
    profile: tempfile::TempDir,
}

impl Drop for BrowserProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The executable: the configured one, else the first Chromium found on `PATH`.
fn executable(configured: Option<&Path>) -> Result<PathBuf, BrowserError> {
    if let Some(path) = configured {
        return Ok(path.to_path_buf());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in ["chromium", "chromium-browser", "google-chrome", "chrome"] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    Err(BrowserError::Launch(
        "no Chromium found on PATH (install Debian's `chromium`, or set [crawl] browser_path)"
            .into(),
    ))
}

/// Chromium's own sandbox needs user namespaces that a root process in a container lacks.
fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("Uid:"))?;
            line.split_whitespace().nth(1).map(|uid| uid == "0")
        })
        .unwrap_or(false)
}

fn arguments(profile: &Path) -> Vec<String> {
    let mut args: Vec<String> = [
        "--headless=new",
        "--remote-debugging-port=0",
        "--remote-debugging-address=127.0.0.1",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-extensions",
        "--disable-sync",
        "--disable-breakpad",
        "--disable-crash-reporter",
        "--disable-domain-reliability",
        "--disable-client-side-phishing-detection",
        "--disable-features=Translate,MediaRouter,OptimizationHints,AutofillServerCommunication,InterestFeedContentSuggestions",
        "--deny-permission-prompts",
        "--disable-notifications",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--hide-scrollbars",
        "--mute-audio",
        "--password-store=basic",
        "--use-mock-keychain",
        "--metrics-recording-only",
        // Requests not intercepted (WebSocket, WebRTC) must not reach the network directly.
        "--proxy-server=http://127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>",
        "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
        "--webrtc-ip-handling-policy=disable_non_proxied_udp",
        "about:blank",
    ]
    .iter()
    .map(|a| (*a).to_string())
    .collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    args.push(format!(
        "--js-flags=--max-old-space-size={RENDERER_HEAP_MB}"
    ));
    if running_as_root() {
        args.push("--no-sandbox".into());
    }
    args
}

/// Starts Chromium with a fresh profile and waits for its DevTools address.
pub(crate) async fn launch(configured: Option<&Path>) -> Result<BrowserProcess, BrowserError> {
    let exe = executable(configured)?;
    let profile = tempfile::Builder::new()
        .prefix("pharmwatch-browser-")
        .tempdir()
        .map_err(|e| BrowserError::Launch(format!("temporary profile: {e}")))?;
    let child = Command::new(&exe)
        .args(arguments(profile.path()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| BrowserError::Launch(format!("{}: {e}", exe.display())))?;
    let mut process = BrowserProcess {
        child,
        ws_url: String::new(),
        profile,
    };
    process.ws_url = wait_for_port(&mut process).await?;
    tracing::info!(browser = %exe.display(), "headless browser started");
    Ok(process)
}

/// Chromium writes `DevToolsActivePort` (port, then path) into the profile once it listens.
async fn wait_for_port(process: &mut BrowserProcess) -> Result<String, BrowserError> {
    let file = process.profile.path().join("DevToolsActivePort");
    let deadline = Instant::now() + STARTUP_LIMIT;
    while Instant::now() < deadline {
        if let Ok(text) = std::fs::read_to_string(&file)
            && let Some((port, path)) = text.split_once('\n')
            && !path.trim().is_empty()
        {
            return Ok(format!("ws://127.0.0.1:{}{}", port.trim(), path.trim()));
        }
        if let Ok(Some(status)) = process.child.try_wait() {
            return Err(BrowserError::Launch(format!(
                "the browser exited at start ({status})"
            )));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(BrowserError::Launch(format!(
        "the browser did not open its DevTools port within {}s",
        STARTUP_LIMIT.as_secs()
    )))
}
