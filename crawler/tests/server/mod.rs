//! A tiny, deliberately misbehaving HTTP/1.1 server on 127.0.0.1 for crawler tests.
//!
//! Hand-written on tokio's TcpListener so a test can send exactly the bytes it wants
//! (endless bodies, one byte per second, raw gzip), and every request is logged with the
//! instant it arrived so politeness can be checked from the server's side.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// How the body of a reply is sent.
#[derive(Clone)]
pub enum Body {
    /// With Content-Length.
    Bytes(Vec<u8>),
    /// No Content-Length, bytes forever until the client hangs up.
    Endless,
    /// With Content-Length, one byte per second.
    Drip(Vec<u8>),
    /// With Content-Length; the head is sent at once, the body after this long.
    Delayed(Duration, Vec<u8>),
    /// With the Content-Length of all the bytes, of which only the first `.1` are sent
    /// before the connection closes.
    Cut(Vec<u8>, usize),
}

#[derive(Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

impl Reply {
    pub fn html(body: impl Into<String>) -> Reply {
        Reply::bytes(200, "text/html; charset=utf-8", body.into().into_bytes())
    }

    pub fn bytes(status: u16, content_type: &str, body: Vec<u8>) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: Body::Bytes(body),
        }
    }

    pub fn status(status: u16) -> Reply {
        Reply::bytes(
            status,
            "text/plain",
            format!("status {status}").into_bytes(),
        )
    }

    pub fn redirect(to: &str) -> Reply {
        Reply::status(302).header("Location", to)
    }

    pub fn text(body: &str) -> Reply {
        Reply::bytes(200, "text/plain", body.as_bytes().to_vec())
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Hit {
    pub at: Instant,
    pub path: String,
    pub headers: Vec<(String, String)>,
}

impl Hit {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

type Handler = dyn Fn(&Hit) -> Reply + Send + Sync;

pub struct Server {
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<Hit>>>,
    accept: JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

impl Server {
    pub async fn start(handler: impl Fn(&Hit) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let accept_log = log.clone();
        let accept = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (log, handler) = (accept_log.clone(), handler.clone());
                tokio::spawn(async move {
                    let _ = serve(stream, log, handler).await;
                });
            }
        });
        Server { addr, log, accept }
    }

    /// Serves fixed pages by path (path + query); anything else is 404.
    pub async fn pages(pages: Vec<(&str, Reply)>) -> Server {
        let pages: Vec<(String, Reply)> =
            pages.into_iter().map(|(p, r)| (p.to_string(), r)).collect();
        Server::start(move |hit| {
            pages
                .iter()
                .find(|(p, _)| *p == hit.path)
                .map(|(_, r)| r.clone())
                .unwrap_or_else(|| Reply::status(404))
        })
        .await
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.log.lock().unwrap().clone()
    }

    pub fn paths(&self) -> Vec<String> {
        self.hits().into_iter().map(|h| h.path).collect()
    }

    pub fn count(&self, path: &str) -> usize {
        self.paths().iter().filter(|p| *p == path).count()
    }
}

async fn serve(
    mut stream: TcpStream,
    log: Arc<Mutex<Vec<Hit>>>,
    handler: Arc<Handler>,
) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await?;
        if n == 0 || head.len() > 64 * 1024 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&head);
    let mut lines = text.split("\r\n");
    let path = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .unwrap_or("/")
        .to_string();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let hit = Hit {
        at: Instant::now(),
        path,
        headers,
    };
    log.lock().unwrap().push(hit.clone());
    let reply = handler(&hit);
    let mut out = format!("HTTP/1.1 {} X\r\nConnection: close\r\n", reply.status);
    for (k, v) in &reply.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    match &reply.body {
        Body::Bytes(b) | Body::Drip(b) | Body::Delayed(_, b) | Body::Cut(b, _) => {
            out.push_str(&format!("Content-Length: {}\r\n\r\n", b.len()))
        }
        Body::Endless => out.push_str("\r\n"),
    }
    stream.write_all(out.as_bytes()).await?;
    match reply.body {
        Body::Bytes(b) => stream.write_all(&b).await?,
        Body::Cut(b, sent) => {
            stream.write_all(&b[..sent.min(b.len())]).await?;
            stream.flush().await?;
        }
        Body::Delayed(delay, b) => {
            stream.flush().await?;
            tokio::time::sleep(delay).await;
            stream.write_all(&b).await?;
        }
        Body::Drip(b) => {
            for byte in b {
                stream.write_all(&[byte]).await?;
                stream.flush().await?;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        Body::Endless => {
            let chunk = b"<p>more</p>".repeat(6000);
            loop {
                stream.write_all(&chunk).await?;
            }
        }
    }
    stream.shutdown().await
}
