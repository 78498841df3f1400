//! A real PostgreSQL server for tests, one fresh database per test.
//!
//! `PHARMWATCH_TEST_POSTGRES_URL` (a URL a superuser connects with) names a server to use.
//! Without it, the first test of the process starts a throw-away cluster in a temporary
//! directory with the system's `initdb` and `postgres` (on Debian under
//! `/usr/lib/postgresql/*/bin`), on a free loopback port, run as the `postgres` user when the
//! tests run as root (initdb refuses root). A watchdog shell stops it and deletes the
//! directory once the test process has exited. Where no server can be had the tests say why
//! and skip, unless `PHARMWATCH_REQUIRE_POSTGRES=1`, where they fail.
//!
//! Shared by the store crate's tests and the root package's (`#[path]`), so it is included,
//! not a crate: each includer uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use postgres::{Client, NoTls};

/// A server to use instead of starting one.
pub const URL_VAR: &str = "PHARMWATCH_TEST_POSTGRES_URL";
/// Set to `1` to fail rather than skip when no server can be had (CI).
pub const REQUIRE_VAR: &str = "PHARMWATCH_REQUIRE_POSTGRES";

/// A database of its own for one test, dropped with it.
pub struct TestDb {
    /// Connects to this database.
    pub url: String,
    name: String,
    admin_url: String,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = Client::connect(&self.admin_url, NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// A fresh, empty database; `None` (having said why) where no server can be had and
/// PostgreSQL is not required.
pub fn fresh_database() -> Option<TestDb> {
    let server = match server() {
        Ok(server) => server,
        Err(why) => {
            if std::env::var(REQUIRE_VAR).is_ok_and(|v| v == "1") {
                panic!("{REQUIRE_VAR}=1 but no PostgreSQL server: {why}");
            }
            eprintln!("skipped: no PostgreSQL server ({why}); set {URL_VAR} or install postgresql");
            return None;
        }
    };
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "pharmwatch_test_{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
    );
    let mut admin = Client::connect(&server.admin_url, NoTls)
        .unwrap_or_else(|e| panic!("connecting to the test server: {e}"));
    admin
        .batch_execute(&format!("CREATE DATABASE \"{name}\""))
        .unwrap_or_else(|e| panic!("creating test database {name}: {e}"));
    Some(TestDb {
        url: with_database(&server.admin_url, &name),
        name,
        admin_url: server.admin_url.clone(),
    })
}

struct Server {
    admin_url: String,
}

fn server() -> Result<&'static Server, String> {
    static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();
    SERVER
        .get_or_init(|| match std::env::var(URL_VAR) {
            Ok(url) if !url.trim().is_empty() => Ok(Server { admin_url: url }),
            _ => start_cluster(),
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// `url` naming database `name` instead of its own.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let authority_end = base[after_scheme..]
        .find('/')
        .map_or(base.len(), |i| after_scheme + i);
    let mut out = format!("{}/{name}", &base[..authority_end]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// The directory holding `initdb` and `postgres`: the newest Debian version, else `PATH`'s.
fn bin_dir() -> Option<PathBuf> {
    let mut debian: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|bin| bin.join("initdb").is_file() && bin.join("postgres").is_file())
        .collect();
    debian.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name()?.to_str()?.parse::<u32>().ok())
            .unwrap_or(0)
    });
    if let Some(newest) = debian.pop() {
        return Some(newest);
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .find(|dir| dir.join("initdb").is_file() && dir.join("postgres").is_file())
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn start_cluster() -> Result<Server, String> {
    let bin = bin_dir().ok_or("no initdb/postgres under /usr/lib/postgresql/*/bin or on PATH")?;
    let dir = std::env::temp_dir().join(format!(
        "pharmwatch-pg-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    std::fs::create_dir(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    // initdb refuses to run as root: run the server as `postgres`, in a directory it owns.
    let as_user: Vec<String> = if running_as_root() {
        let chown = Command::new("chown")
            .arg("postgres:")
            .arg(&dir)
            .status()
            .map_err(|e| format!("chown: {e}"))?;
        if !chown.success() {
            return Err("running as root and there is no `postgres` user to run initdb as".into());
        }
        [
            "setpriv",
            "--reuid=postgres",
            "--regid=postgres",
            "--clear-groups",
            "--",
        ]
        .map(String::from)
        .to_vec()
    } else {
        Vec::new()
    };
    let data = dir.join("data");
    let initdb = command(&as_user, &bin.join("initdb"))
        .arg("-D")
        .arg(&data)
        .args([
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ])
        .output()
        .map_err(|e| format!("running initdb: {e}"))?;
    if !initdb.status.success() {
        let _ = std::fs::remove_dir_all(&dir);
        return Err(format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&initdb.stderr).trim()
        ));
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("finding a free port: {e}"))?
        .port();
    let mut child = start_with_watchdog(&as_user, &bin, &dir, port)?;
    let admin_url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match Client::connect(&admin_url, NoTls) {
            Ok(_) => return Ok(Server { admin_url }),
            Err(e) if Instant::now() > deadline => {
                return Err(format!("server did not come up: {e}; {}", log(&dir)));
            }
            Err(_) => {}
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("server exited ({status}): {}", log(&dir)));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn command(as_user: &[String], program: &Path) -> Command {
    match as_user.split_first() {
        Some((first, rest)) => {
            let mut c = Command::new(first);
            c.args(rest).arg(program);
            c
        }
        None => Command::new(program),
    }
}

/// Starts `postgres` under a shell that stops it (fast shutdown) and deletes `dir` once this
/// process has exited: statics are never dropped, so nothing in the test process could.
fn start_with_watchdog(
    as_user: &[String],
    bin: &Path,
    dir: &Path,
    port: u16,
) -> Result<Child, String> {
    const WATCHDOG: &str = r#"
        "$@" >"$PW_DIR/postgres.log" 2>&1 &
        pg=$!
        while kill -0 "$PW_PARENT" 2>/dev/null && kill -0 "$pg" 2>/dev/null; do sleep 1; done
        kill -INT "$pg" 2>/dev/null
        wait "$pg"
        rm -rf "$PW_DIR"
    "#;
    Command::new("sh")
        .arg("-c")
        .arg(WATCHDOG)
        .arg("sh")
        .args(as_user)
        .arg(bin.join("postgres"))
        .arg("-D")
        .arg(dir.join("data"))
        .arg("-k")
        .arg(dir)
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .args(["-c", "fsync=off", "-c", "synchronous_commit=off"])
        .args(["-c", "full_page_writes=off", "-c", "max_connections=300"])
        .args(["-c", "shared_buffers=32MB"])
        .env("PW_DIR", dir)
        .env("PW_PARENT", std::process::id().to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting postgres: {e}"))
}

fn log(dir: &Path) -> String {
    let log = std::fs::read_to_string(dir.join("postgres.log")).unwrap_or_default();
    let tail: Vec<&str> = log.lines().rev().take(5).collect();
    format!(
        "log: {}",
        tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
    )
}
