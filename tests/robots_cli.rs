//! `pharmwatch robots`: the decision for a URL, the group and rule behind it, the
//! Crawl-delay; from a file and from a live robots.txt on 127.0.0.1.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;

use common::{pharmwatch, pharmwatch_raw};

const ROBOTS: &str = "User-agent: *\nDisallow: /\n\nUser-Agent: FOO BAR\nCrawl-delay: 2.5\nAllow: /shop/\nDisallow: /shop/cart\n";

fn robots_file() -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().expect("a temp file");
    file.write_all(ROBOTS.as_bytes()).expect("written");
    file
}

fn stdout(args: &[&str]) -> String {
    String::from_utf8_lossy(&pharmwatch(args).stdout).into_owned()
}

#[test]
fn prints_the_decision_group_rule_and_crawl_delay() {
    let file = robots_file();
    let path = file.path().to_str().expect("utf-8 path");
    let out = stdout(&[
        "robots",
        "http://shop.example/shop/cart/1",
        "--robots",
        path,
        "--agent",
        "foo",
    ]);
    assert!(
        out.contains("http://shop.example/shop/cart/1: disallowed for agent `foo`"),
        "{out}"
    );
    assert!(out.contains("group: line 4: User-agent: FOO BAR"), "{out}");
    assert!(out.contains("rule: line 7: Disallow: /shop/cart"), "{out}");
    assert!(out.contains("crawl-delay: 2.5s"), "{out}");

    let out = stdout(&[
        "robots",
        "http://shop.example/shop/item",
        "--robots",
        path,
        "--agent",
        "foo",
    ]);
    assert!(out.contains(": allowed for agent `foo`"), "{out}");
    assert!(out.contains("rule: line 6: Allow: /shop/"), "{out}");

    // Another token falls back to `*`.
    let out = stdout(&[
        "robots",
        "http://shop.example/shop/item",
        "--robots",
        path,
        "--agent",
        "qux",
    ]);
    assert!(out.contains("disallowed"), "{out}");
    assert!(out.contains("group: line 1: User-agent: *"), "{out}");
    assert!(out.contains("rule: line 2: Disallow: /"), "{out}");
    assert!(out.contains("crawl-delay: none"), "{out}");
}

#[test]
fn fetches_the_sites_robots_txt() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binds");
    let port = listener.local_addr().expect("address").port();
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("a request");
        let mut buf = [0u8; 4096];
        let n = stream.read(&mut buf).unwrap_or(0);
        let request = String::from_utf8_lossy(&buf[..n]).into_owned();
        let reply = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{ROBOTS}",
            ROBOTS.len()
        );
        let _ = stream.write_all(reply.as_bytes());
        request
    });
    let url = format!("http://127.0.0.1:{port}/shop/cart");
    let out = stdout(&["robots", &url, "--agent", "FOO"]);
    let request = server.join().expect("served");
    assert!(request.starts_with("GET /robots.txt "), "{request}");
    assert!(out.contains("disallowed"), "{out}");
    assert!(
        out.contains(&format!("robots.txt: http://127.0.0.1:{port}/robots.txt")),
        "{out}"
    );
}

#[test]
fn a_bad_url_names_the_argument_and_the_fix() {
    let out = pharmwatch_raw(&["robots", "not a url", "--robots", "/dev/null"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`not a url`") && err.contains("https://shop.example/page"),
        "{err}"
    );
}
