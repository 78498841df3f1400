//! A normal shop's crawl rate alone and next to a site serving pathological HTML (issue 23).
//!
//! Two servers on 127.0.0.1: a shop of `PAGES` product pages in a chain of category pages, and
//! a hostile site whose pages are 800k nested `<div>`s (8.8 MB each with the links; under a
//! 10 MB body cap). The shop is crawled alone, then together with the hostile site; the rate
//! is the shop's pages over the time from its first page record to its last.
//! Run: `cargo run --release -p pharmwatch-crawler --example hostile_neighbour [PAGES] [HOSTILE]`
//! (`bench/hostile_neighbour.sh` records the result in bench/RESULTS.md).

use std::sync::Arc;
use std::time::Instant;

use pharmwatch_crawler::{CrawlSettings, Crawler, RecordKind, SiteConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

type Pages = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Serves `pages` over HTTP/1.1 (one request per connection); returns the base URL.
async fn serve(pages: Pages) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let addr = listener.local_addr().expect("has an address");
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let pages = pages.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&head);
                let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
                let (status, body) = match pages(&path) {
                    Some(body) => ("200 OK", body),
                    None => ("404 Not Found", String::new()),
                };
                let reply = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(reply.as_bytes()).await;
                let _ = stream.write_all(body.as_bytes()).await;
            });
        }
    });
    format!("http://{addr}")
}

fn shop(pages: usize) -> Pages {
    Arc::new(move |path: &str| {
        if path == "/robots.txt" {
            return Some("User-agent: *\nAllow: /\n".into());
        }
        let n: usize = path
            .trim_start_matches("/c/")
            .trim_start_matches("/p/")
            .trim_end_matches(".html")
            .parse()
            .unwrap_or(0);
        if path.starts_with("/p/") {
            return (n < pages).then(|| {
                format!(
                    r#"<!doctype html><html lang="en"><head><title>Sildenafil {n}</title>
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"Product",
"name":"Sildenafil 100mg x {n} tablets","offers":{{"@type":"Offer","price":"89.99","priceCurrency":"USD"}}}}</script>
</head><body><h1>Sildenafil 100mg x {n} tablets</h1><p>Ships worldwide, pay with bitcoin.</p>
<a href="/">home</a></body></html>"#
                )
            });
        }
        // Category pages: ten products each and the next category.
        let first = n * 10;
        (first < pages || path == "/").then(|| {
            let products: String = (first..(first + 10).min(pages))
                .map(|i| format!(r#"<a href="/p/{i}.html">product {i}</a> "#))
                .collect();
            format!(
                r#"<html><body>{products}<a rel="next" href="/c/{}.html">next</a></body></html>"#,
                n + 1
            )
        })
    })
}

fn hostile(pages: usize) -> Pages {
    let nested = Arc::new("<div>".repeat(800_000));
    Arc::new(move |path: &str| {
        if path == "/robots.txt" {
            return Some("User-agent: *\nAllow: /\n".into());
        }
        let links: String = (0..pages)
            .map(|i| format!(r#"<a href="/deep/{i}.html">deep</a>"#))
            .collect();
        Some(format!("<html><body>{links}{nested}</body></html>"))
    })
}

fn site(name: &str, base: &str) -> SiteConfig {
    toml::from_str(&format!(
        "name = \"{name}\"\nkind = \"pharmacy\"\nstart_urls = [\"{base}/\"]"
    ))
    .expect("a valid site")
}

/// The shop's pages per second in a crawl of `sites`.
async fn shop_rate(sites: Vec<SiteConfig>) -> (usize, f64, usize) {
    let settings = CrawlSettings {
        default_rate: 500.0,
        max_body_bytes: 10 * 1024 * 1024,
        timeout_secs: 60,
        ..CrawlSettings::default()
    };
    let crawler = Crawler::new(settings, sites).expect("valid settings");
    let (tx, mut rx) = mpsc::channel(64);
    let run = tokio::spawn(async move { crawler.run(tx, CancellationToken::new()).await });
    let (mut first, mut last, mut count, mut hostile_cut) = (None, None, 0, 0);
    while let Some(r) = rx.recv().await {
        if r.kind != RecordKind::Page {
            continue;
        }
        if r.site == "shop" {
            let now = Instant::now();
            first.get_or_insert(now);
            last = Some(now);
            count += 1;
        } else if r.error.is_some() {
            hostile_cut += 1;
        }
    }
    run.await.expect("joins").expect("crawls");
    let secs = match (first, last) {
        (Some(a), Some(b)) => (b - a).as_secs_f64().max(1e-3),
        _ => f64::NAN,
    };
    (count, count as f64 / secs, hostile_cut)
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let pages: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2_000);
    let hostile_pages: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(4);
    let shop_base = serve(shop(pages)).await;
    let hostile_base = serve(hostile(hostile_pages)).await;
    let (n, alone, _) = shop_rate(vec![site("shop", &shop_base)]).await;
    println!("shop alone: {n} pages, {alone:.1} pages/s");
    let (n2, together, cut) = shop_rate(vec![
        site("hostile", &hostile_base),
        site("shop", &shop_base),
    ])
    .await;
    println!(
        "shop next to the hostile site: {n2} pages, {together:.1} pages/s ({cut} hostile pages cut off)"
    );
    println!("ratio: {:.2}", together / alone);
}
