//! Scheduled runs and notifications, through the real binary against the sample marketplace:
//! the daemon runs a group on a cron schedule without overlapping runs, catches up a run
//! missed while it was down, stops cleanly on SIGTERM; run summaries reach a webhook (and a
//! failing webhook never fails a run); `crawl` exit codes.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{crawl_raw, pharmwatch_raw, root, write_config};
use pharmwatch_marketplace::{Marketplace, MarketplaceOptions, RunningMarketplace, ShopEndpoint};
use pharmwatch_store::{RunStatus, SqliteStore, StateStore};
use serde_json::Value;

fn tiny_market() -> Marketplace {
    Marketplace::generate(&MarketplaceOptions {
        listings_per_shop: 10,
        ..MarketplaceOptions::default()
    })
}

fn serve(runtime: &tokio::runtime::Runtime) -> RunningMarketplace {
    runtime
        .block_on(pharmwatch_marketplace::serve(tiny_market()))
        .unwrap()
}

/// A webhook receiver on 127.0.0.1: records every POSTed JSON body and answers the
/// `statuses` in turn (the last one from then on).
struct Hook {
    url: String,
    bodies: Arc<Mutex<Vec<Value>>>,
}

impl Hook {
    fn start(statuses: Vec<u16>) -> Hook {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let seen = bodies.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let n = seen.lock().unwrap().len();
                let status = statuses[n.min(statuses.len() - 1)];
                if let Some(body) = answer(stream, status) {
                    seen.lock().unwrap().push(body);
                }
            }
        });
        Hook { url, bodies }
    }

    fn bodies(&self) -> Vec<Value> {
        self.bodies.lock().unwrap().clone()
    }
}

/// Reads one request (headers, then Content-Length bytes) and answers `status`.
fn answer(stream: TcpStream, status: u16) -> Option<Value> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    assert!(request_line.starts_with("POST /hook "), "{request_line}");
    let mut length = 0;
    let mut content_type = String::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().ok()?,
            "content-type" => content_type = value.trim().to_string(),
            _ => {}
        }
    }
    assert_eq!(content_type, "application/json");
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let mut stream = reader.into_inner();
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    Some(serde_json::from_slice(&body).unwrap())
}

/// `write_config` plus `extra` TOML at the end.
fn config_with(dir: &Path, shops: &[ShopEndpoint], extra: &str) -> PathBuf {
    let path = write_config(dir, shops);
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(extra);
    std::fs::write(&path, text).unwrap();
    path
}

fn site_list(shops: &[ShopEndpoint]) -> String {
    let names: Vec<String> = shops.iter().map(|s| format!("{:?}", s.name)).collect();
    format!("[{}]", names.join(", "))
}

fn spawn_daemon(data: &Path, config: &Path, extra: &[&str], log: &Path) -> Child {
    let log = std::fs::File::create(log).unwrap();
    Command::new(env!("CARGO_BIN_EXE_pharmwatch"))
        .args(["--data-dir", data.to_str().unwrap()])
        .args(["--config", config.to_str().unwrap()])
        .arg("daemon")
        .args(extra)
        .env_remove("PHARMWATCH_CONFIG")
        .env_remove("PHARMWATCH_DATA_DIR")
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(log.try_clone().unwrap())
        .spawn()
        .unwrap()
}

fn sigterm(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

fn wait_exit(child: &mut Child, limit: Duration, log: &Path) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!(
                "the daemon did not exit within {limit:?}:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn read_status(path: &Path) -> Option<Value> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

/// Polls the status file until `done` holds (or panics with the daemon's log).
fn wait_status(path: &Path, limit: Duration, log: &Path, done: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        if let Some(status) = read_status(path).filter(|s| done(s)) {
            return status;
        }
        assert!(
            start.elapsed() < limit,
            "status not reached within {limit:?}; status: {:?}\nlog:\n{}",
            read_status(path),
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn timestamp(v: &Value) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(
        v.as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap()
}

#[test]
fn daemon_runs_a_group_on_schedule_one_run_at_a_time_and_stops_on_sigterm() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = serve(&runtime);
    // Request times are monotonic instants: pin one to the wall clock.
    let (wall0, instant0) = (time::OffsetDateTime::now_utc(), Instant::now());
    let shops = running.shops();
    let hook = Hook::start(vec![200]);
    let tmp = tempfile::tempdir().unwrap();
    let status_path = tmp.path().join("health.json");
    let config = config_with(
        tmp.path(),
        &shops,
        &format!(
            "[daemon]\nstatus_file = {:?}\n\n[[group]]\nname = \"all\"\nsites = {}\nschedule = \"*/3 * * * * *\"\nwebhook = {:?}\n",
            status_path,
            site_list(&shops),
            hook.url
        ),
    );
    let data = tmp.path().join("data");
    let log = tmp.path().join("daemon.log");
    let mut child = spawn_daemon(&data, &config, &[], &log);

    let status = wait_status(&status_path, Duration::from_secs(120), &log, |s| {
        s["runs"].as_u64() >= Some(2)
            && s["groups"]["all"]["state"] == "idle"
            && s["groups"]["all"]["last_run"]["run"].as_i64() >= Some(2)
    });
    assert_eq!(status["pid"].as_u64(), Some(u64::from(child.id())));
    assert_eq!(status["groups"]["all"]["schedule"], "*/3 * * * * *");
    let next = timestamp(&status["groups"]["all"]["next_run"]);
    assert!(next > timestamp(&status["groups"]["all"]["last_run"]["finished_at"]));
    assert_eq!(status["groups"]["all"]["last_webhook"]["ok"], true);

    sigterm(&child);
    let exit = wait_exit(&mut child, Duration::from_secs(60), &log);
    assert_eq!(
        exit.code(),
        Some(0),
        "{}",
        std::fs::read_to_string(&log).unwrap()
    );
    let stopped = read_status(&status_path).unwrap();
    assert_eq!(stopped["state"], "stopped");
    assert!(stopped["stopped_at"].is_string());
    assert_eq!(stopped["groups"]["all"]["state"], "idle");
    let requests = running.request_log();
    runtime.block_on(running.shutdown());

    // Runs, from the state store: at least two, all ended, none overlapping another.
    let store = SqliteStore::open(&data.join("state.sqlite")).unwrap();
    let mut runs = store.runs().unwrap();
    runs.reverse();
    assert!(runs.len() >= 2, "{runs:?}");
    assert!(
        runs.iter().all(|r| r.status != RunStatus::Running),
        "{runs:?}"
    );
    assert!(runs[..2].iter().all(|r| r.status == RunStatus::Finished));
    for pair in runs.windows(2) {
        assert!(
            pair[0].finished_at.unwrap() <= pair[1].started_at,
            "runs overlap: {pair:?}"
        );
    }
    // Every request the marketplace saw falls inside one run: nothing was crawled between
    // or across runs. (50 ms for the two clocks.)
    let slack = time::Duration::milliseconds(50);
    let mut per_run = vec![0usize; runs.len()];
    for request in &requests {
        let at = wall0 + (request.at - instant0);
        let run = runs
            .iter()
            .position(|r| r.started_at - slack <= at && at <= r.finished_at.unwrap() + slack);
        let run = run.unwrap_or_else(|| panic!("request outside every run: {request:?}"));
        per_run[run] += 1;
    }
    assert!(per_run[0] > 0 && per_run[1] > 0, "{per_run:?}");
    for shop in &shops {
        let homes = requests
            .iter()
            .filter(|r| r.shop == shop.name && r.path == "/")
            .count();
        assert!(homes >= 2, "{} home fetched {homes} times", shop.name);
    }

    // One notification per run, in order, with the run's summary.
    let bodies = hook.bodies();
    assert!(bodies.len() >= 2, "{bodies:?}");
    let ids: Vec<i64> = bodies.iter().map(|b| b["run"].as_i64().unwrap()).collect();
    assert_eq!(ids[..2], [runs[0].id.0, runs[1].id.0]);
    let (first, second) = (&bodies[0], &bodies[1]);
    assert_eq!(first["group"], "all");
    assert_eq!(first["status"], "finished");
    assert!(first["counts"]["listings"].as_u64().unwrap() > 0, "{first}");
    assert!(first["new_flagged"].as_u64().unwrap() > 0, "{first}");
    assert!(first["failed_sites"].as_array().unwrap().is_empty());
    // The second run saw the same marketplace: nothing newly flagged, nothing gone.
    assert_eq!(second["new_flagged"], 0, "{second}");
    assert_eq!(second["gone"], 0, "{second}");
    assert_eq!(second["price_changes"], 0, "{second}");
    assert!(second["hits"].as_array().unwrap().is_empty());
}

#[test]
fn crawl_posts_its_summary_to_the_webhook() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = serve(&runtime);
    let hook = Hook::start(vec![200]);
    let tmp = tempfile::tempdir().unwrap();
    let config = config_with(
        tmp.path(),
        &running.shops(),
        &format!("[notify]\nwebhook = {:?}\n", hook.url),
    );
    let data = tmp.path().join("data");
    let out = crawl_raw(&data, &config);
    runtime.block_on(running.shutdown());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let bodies = hook.bodies();
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    let body = &bodies[0];
    let store = SqliteStore::open(&data.join("state.sqlite")).unwrap();
    let run = store.runs().unwrap()[0].clone();
    assert_eq!(body["event"], "run");
    assert_eq!(body["group"], Value::Null);
    assert_eq!(body["run"].as_i64(), Some(run.id.0));
    assert_eq!(body["status"], "finished");
    for key in ["pages", "listings", "flagged", "new", "gone"] {
        assert_eq!(body["counts"][key], run.counts[key], "{key}");
    }
    assert!(body["counts"]["listings"].as_u64().unwrap() > 0);

    // The same numbers as the run's report; hits are its new high and critical listings.
    let report: Value = serde_json::from_slice(
        &std::fs::read(data.join(format!("reports/{}.json", run.id.0))).unwrap(),
    )
    .unwrap();
    let new_flagged = report["new_flagged"].as_array().unwrap();
    assert_eq!(body["new_flagged"].as_u64(), Some(new_flagged.len() as u64));
    assert!(!new_flagged.is_empty());
    let high: Vec<&str> = new_flagged
        .iter()
        .filter(|l| matches!(l["severity"].as_str(), Some("high" | "critical")))
        .map(|l| l["url"].as_str().unwrap())
        .collect();
    let hits = body["hits"].as_array().unwrap();
    let hit_urls: Vec<&str> = hits.iter().map(|h| h["url"].as_str().unwrap()).collect();
    assert_eq!(hit_urls, high);
    let critical = hits
        .iter()
        .find(|h| h["severity"] == "critical")
        .expect("a critical hit (controlled substances are on sale)");
    assert!(critical["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(critical["site"].as_str().is_some_and(|s| !s.is_empty()));
    let rules: Vec<&str> = critical["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(rules.contains(&"controlled-substance-online"), "{rules:?}");
}

#[test]
fn a_failing_or_unreachable_webhook_is_retried_and_never_fails_the_run() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = serve(&runtime);
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let crawl = |extra: &str| {
        let config = config_with(tmp.path(), &running.shops(), extra);
        crawl_raw(&data, &config)
    };

    // 500 twice, then 200: delivered on the third attempt.
    let flaky = Hook::start(vec![500, 500, 200]);
    let out = crawl(&format!(
        "[notify]\nwebhook = {:?}\nretries = 3\n",
        flaky.url
    ));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(flaky.bodies().len(), 3);
    assert!(
        flaky.bodies().windows(2).all(|w| w[0] == w[1]),
        "same payload each time"
    );

    // Always 500: every attempt made, then given up; the run still succeeds.
    let broken = Hook::start(vec![500]);
    let out = crawl(&format!(
        "[notify]\nwebhook = {:?}\nretries = 2\n",
        broken.url
    ));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(broken.bodies().len(), 3);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not notified after 3 attempts"), "{stderr}");
    assert!(stderr.contains("HTTP 500"), "{stderr}");

    // Nobody listening.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let out = crawl(&format!(
        "[notify]\nwebhook = \"http://{closed}/hook\"\nretries = 1\n"
    ));
    runtime.block_on(running.shutdown());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not notified after 2 attempts"), "{stderr}");
}

#[test]
fn daemon_catches_up_a_run_missed_while_it_was_down() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = serve(&runtime);
    let tmp = tempfile::tempdir().unwrap();
    let status_path = tmp.path().join("data/daemon-status.json");
    // Once a year, on 1 January: the last due time is long past.
    let config = config_with(
        tmp.path(),
        &running.shops()[..1],
        &format!(
            "[[group]]\nname = \"yearly\"\nsites = {}\nschedule = \"0 0 1 1 *\"\n",
            site_list(&running.shops()[..1])
        ),
    );
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let previous = |finished: &str| {
        serde_json::json!({
            "pid": 1, "state": "stopped", "runs": 1,
            "started_at": "2025-01-01T00:00:00Z", "updated_at": finished,
            "groups": { "yearly": {
                "schedule": "0 0 1 1 *", "sites": [], "state": "idle", "next_run": null,
                "last_run": { "run": 1, "started_at": "2025-01-01T00:00:00Z",
                              "finished_at": finished, "status": "finished" }
            }}
        })
    };
    let log = tmp.path().join("daemon.log");

    // The last run ended before this year's due time: one run at once.
    std::fs::write(&status_path, previous("2025-01-01T00:05:00Z").to_string()).unwrap();
    let mut child = spawn_daemon(&data, &config, &["--max-runs", "1"], &log);
    let exit = wait_exit(&mut child, Duration::from_secs(120), &log);
    assert_eq!(
        exit.code(),
        Some(0),
        "{}",
        std::fs::read_to_string(&log).unwrap()
    );
    let status = read_status(&status_path).unwrap();
    let last = &status["groups"]["yearly"]["last_run"];
    assert_eq!(last["catch_up"], true, "{status}");
    assert_eq!(last["status"], "finished", "{status}");
    assert!(last["pages"].as_u64().unwrap() > 0);
    assert_eq!(status["runs"], 1);

    // That run is recent: a restart waits for next 1 January (and SIGTERM while idle is a
    // clean stop).
    let mut child = spawn_daemon(&data, &config, &[], &log);
    let idle = wait_status(&status_path, Duration::from_secs(30), &log, |s| {
        s["pid"].as_u64() == Some(u64::from(child.id()))
    });
    assert_eq!(idle["runs"], 0);
    let next = timestamp(&idle["groups"]["yearly"]["next_run"]);
    assert_eq!(
        (next.month(), next.day(), next.hour()),
        (time::Month::January, 1, 0)
    );
    assert!(next > time::OffsetDateTime::now_utc());
    sigterm(&child);
    let exit = wait_exit(&mut child, Duration::from_secs(30), &log);
    assert_eq!(exit.code(), Some(0));
    let status = read_status(&status_path).unwrap();
    assert_eq!(status["state"], "stopped");
    assert_eq!(status["runs"], 0);
    // The earlier run is still the group's last one.
    assert_eq!(status["groups"]["yearly"]["last_run"]["catch_up"], true);
    runtime.block_on(running.shutdown());
}

#[test]
fn daemon_refuses_configs_without_a_schedule_or_with_a_bad_one() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let site =
        "[[site]]\nname = \"x\"\nkind = \"pharmacy\"\nstart_urls = [\"http://127.0.0.1:9/\"]\n";
    for (extra, expected) in [
        ("", "nothing to schedule"),
        (
            "schedule = \"0 3 * * * * * *\"\n",
            "invalid cron expression",
        ),
        (
            "[[group]]\nname = \"g\"\nsites = [\"y\"]\nschedule = \"@daily\"\n",
            "`y`",
        ),
    ] {
        let config = tmp.path().join("c.toml");
        std::fs::write(&config, format!("{site}{extra}")).unwrap();
        let out = pharmwatch_raw(&[
            "--data-dir",
            data.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "daemon",
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
    }
}

#[test]
fn crawl_exits_3_and_names_a_site_that_answered_nothing() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = serve(&runtime);
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let tmp = tempfile::tempdir().unwrap();
    let config = config_with(
        tmp.path(),
        &running.shops()[..1],
        &format!(
            "[[site]]\nname = \"deadshop\"\nkind = \"pharmacy\"\nstart_urls = [\"http://{closed}/\"]\n"
        ),
    );
    // No retries: the dead site fails at once.
    let text = std::fs::read_to_string(&config).unwrap().replacen(
        "[crawl]\n",
        "[crawl]\nmax_retries = 0\n",
        1,
    );
    std::fs::write(&config, text).unwrap();
    let data = tmp.path().join("data");
    let out = crawl_raw(&data, &config);
    runtime.block_on(running.shutdown());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("no page answered by: deadshop"), "{stderr}");
    // Why, without -v: the failure's kind and what the connection attempt said.
    let why = stderr
        .lines()
        .find(|l| l.trim_start().starts_with("deadshop:"))
        .unwrap_or_else(|| panic!("no reason given for deadshop: {stderr}"));
    assert!(
        why.contains("robots_unavailable") && why.contains("Connection refused"),
        "{why}"
    );
}

#[test]
fn sigterm_during_a_run_ends_it_as_interrupted_and_exits_0() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = serve(&runtime);
    let shops = running.shops();
    let tmp = tempfile::tempdir().unwrap();
    let config = config_with(
        tmp.path(),
        &shops,
        &format!(
            "[[group]]\nname = \"slow\"\nsites = {}\nschedule = \"* * * * * *\"\n",
            site_list(&shops)
        ),
    );
    // 4 pages a second per shop: a run takes several seconds.
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("rate = 100.0", "rate = 4.0");
    std::fs::write(&config, text).unwrap();
    let data = tmp.path().join("data");
    let status_path = data.join("daemon-status.json");
    let log = tmp.path().join("daemon.log");
    let mut child = spawn_daemon(&data, &config, &[], &log);
    wait_status(&status_path, Duration::from_secs(60), &log, |s| {
        s["groups"]["slow"]["state"] == "running"
    });
    let start = Instant::now();
    while running.request_log().len() < 8 {
        assert!(start.elapsed() < Duration::from_secs(30), "no requests");
        std::thread::sleep(Duration::from_millis(50));
    }
    sigterm(&child);
    let exit = wait_exit(&mut child, Duration::from_secs(30), &log);
    assert_eq!(
        exit.code(),
        Some(0),
        "{}",
        std::fs::read_to_string(&log).unwrap()
    );
    let requests = running.request_log().len();
    runtime.block_on(running.shutdown());

    let status = read_status(&status_path).unwrap();
    assert_eq!(status["state"], "stopped");
    assert_eq!(status["runs"], 1);
    assert_eq!(
        status["groups"]["slow"]["last_run"]["status"],
        "interrupted"
    );
    let store = SqliteStore::open(&data.join("state.sqlite")).unwrap();
    let runs = store.runs().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].status, RunStatus::Interrupted);
    assert!(runs[0].finished_at.is_some());
    // Far fewer requests than a whole crawl of four shops would have made.
    assert!(requests < 60, "{requests}");
}
