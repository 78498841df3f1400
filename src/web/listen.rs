//! Connections: the request head is read and checked here before hyper sees it, so every
//! response carries the security headers — including the refusal of a request hyper could not
//! have read.
//!
//! hyper answers a request line or head it cannot parse with its own bare 400, 414 or 431
//! before the router runs, so those answers had no Content-Security-Policy (issue 23). Here
//! the head is read first, parsed with `httparse` (hyper's own parser) within limits stricter
//! than hyper's, and checked the way hyper checks it (method, URI, Content-Length,
//! Transfer-Encoding); a head that fails is answered by [`refusal`] with the same headers as
//! every page. A head that passes is handed to hyper with its bytes replayed, and each
//! connection carries that one request (no keep-alive): a second request on the connection
//! would reach hyper unchecked. On loopback a new connection per request costs well under a
//! millisecond; the page loads one stylesheet.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::http::{Method, StatusCode, Uri};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use super::{AppState, security_header_values};

/// Longest request target accepted (nginx's default buffer for a request line is 8 KB).
pub const MAX_URI_LEN: usize = 8 * 1024;
/// Longest request head (request line and headers) accepted.
pub const MAX_HEAD_LEN: usize = 64 * 1024;
/// Most header fields in one request (hyper's default).
const MAX_HEADERS: usize = 100;
/// How long a client may take to send its request head.
const HEAD_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves `state`'s pages on `listener` until `shutdown` completes, then waits for the
/// requests in progress.
pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let router = super::router(state);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(connection(stream, router.clone()));
                }
                // Out of file descriptors and the like: the next accept may succeed.
                Err(e) => {
                    tracing::warn!("cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    while connections.join_next().await.is_some() {}
    Ok(())
}

/// One connection: its checked head, then hyper with the router.
async fn connection(mut stream: TcpStream, router: Router) {
    let head = match tokio::time::timeout(HEAD_TIMEOUT, read_head(&mut stream)).await {
        Ok(Ok(head)) => head,
        Ok(Err(HeadError::Refused(status))) => {
            let _ = stream.write_all(&refusal(status)).await;
            let _ = stream.shutdown().await;
            return;
        }
        // The client went away, or sent nothing readable in time: nobody to answer.
        Ok(Err(HeadError::Io(e))) => {
            tracing::debug!("connection closed before a request: {e}");
            return;
        }
        Err(_) => return,
    };
    let io = TokioIo::new(Replay {
        head,
        read: 0,
        stream,
    });
    let service = TowerToHyperService::new(router);
    let served = hyper::server::conn::http1::Builder::new()
        .keep_alive(false)
        .serve_connection(io, service)
        .await;
    if let Err(e) = served {
        tracing::debug!("connection ended: {e}");
    }
}

/// Why a head is not handed to hyper.
#[derive(Debug)]
enum HeadError {
    /// Answer with this status.
    Refused(StatusCode),
    Io(io::Error),
}

/// Reads until a whole request head is buffered and checks it; the bytes read (the head and
/// whatever body followed it) are returned for hyper.
async fn read_head(stream: &mut TcpStream) -> Result<Vec<u8>, HeadError> {
    let mut buf = Vec::with_capacity(4096);
    loop {
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await.map_err(HeadError::Io)?;
        if n == 0 {
            return Err(HeadError::Io(io::ErrorKind::UnexpectedEof.into()));
        }
        buf.extend_from_slice(&chunk[..n]);
        match check_head(&buf) {
            Ok(true) => return Ok(buf),
            Ok(false) => continue,
            Err(status) => return Err(HeadError::Refused(status)),
        }
    }
}

/// `Ok(true)`: a complete head hyper will accept; `Ok(false)`: incomplete so far; `Err`: the
/// status that refuses it.
pub fn check_head(buf: &[u8]) -> Result<bool, StatusCode> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(buf) {
        Ok(httparse::Status::Complete(len)) => {
            if req.path.is_some_and(|p| p.len() > MAX_URI_LEN) {
                return Err(StatusCode::URI_TOO_LONG);
            }
            if len > MAX_HEAD_LEN {
                return Err(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
            }
            check_parsed(&req).map(|()| true)
        }
        Ok(httparse::Status::Partial) => {
            let line_ended = buf.contains(&b'\n');
            if !line_ended && buf.len() > MAX_URI_LEN {
                Err(StatusCode::URI_TOO_LONG)
            } else if buf.len() > MAX_HEAD_LEN {
                Err(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)
            } else {
                Ok(false)
            }
        }
        Err(httparse::Error::TooManyHeaders) => Err(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE),
        Err(_) => Err(StatusCode::BAD_REQUEST),
    }
}

/// What hyper checks of a parsed head beyond `httparse` (`proto/h1/role.rs`).
fn check_parsed(req: &httparse::Request<'_, '_>) -> Result<(), StatusCode> {
    let bad = Err(StatusCode::BAD_REQUEST);
    let (Some(method), Some(path), Some(version)) = (req.method, req.path, req.version) else {
        return bad;
    };
    if Method::from_bytes(method.as_bytes()).is_err() || Uri::try_from(path).is_err() {
        return bad;
    }
    let mut lengths = Vec::new();
    let mut encodings = Vec::new();
    for header in req.headers.iter() {
        if header.name.eq_ignore_ascii_case("content-length") {
            lengths.push(header.value);
        } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
            encodings.push(header.value);
        }
    }
    if encodings.is_empty() {
        let parsed: Option<Vec<u64>> = lengths.iter().map(|v| content_length(v)).collect();
        match parsed {
            Some(values) if values.windows(2).all(|w| w[0] == w[1]) => {}
            _ => return bad,
        }
    } else {
        // HTTP/1.0 has no chunked bodies; otherwise `chunked` must be the last coding.
        let last = encodings
            .last()
            .and_then(|v| std::str::from_utf8(v).ok())
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim);
        if version == 0 || !last.is_some_and(|c| c.eq_ignore_ascii_case("chunked")) {
            return bad;
        }
    }
    Ok(())
}

/// A Content-Length value: digits only (a list of equal values, as hyper allows).
fn content_length(value: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(value).ok()?;
    let mut result = None;
    for part in text.split(',') {
        let part = part.trim();
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n = part.parse::<u64>().ok()?;
        if result.is_some_and(|r| r != n) {
            return None;
        }
        result = Some(n);
    }
    result
}

/// The whole answer to a refused head: the status, the security headers of every page, and
/// a one-line text body saying what to change.
pub fn refusal(status: StatusCode) -> Vec<u8> {
    let reason = status.canonical_reason().unwrap_or("Bad Request");
    let body = match status {
        StatusCode::URI_TOO_LONG => {
            format!("The address is longer than {MAX_URI_LEN} bytes: shorten the query.\n")
        }
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => format!(
            "The request's headers are larger than {MAX_HEAD_LEN} bytes or more than {MAX_HEADERS} fields.\n"
        ),
        _ => "The request could not be read as HTTP/1.1.\n".to_string(),
    };
    let mut out = format!("HTTP/1.1 {} {reason}\r\n", status.as_u16());
    for (name, value) in security_header_values() {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!(
        "content-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    ));
    out.into_bytes()
}

/// The connection's stream with the bytes already read put back in front.
struct Replay {
    head: Vec<u8>,
    read: usize,
    stream: TcpStream,
}

impl AsyncRead for Replay {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.read < this.head.len() {
            let rest = &this.head[this.read..];
            let n = rest.len().min(out.remaining());
            out.put_slice(&rest[..n]);
            this.read += n;
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.stream).poll_read(cx, out)
    }
}

impl AsyncWrite for Replay {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_hyper_would_refuse_are_refused_here() {
        let ok = b"GET /search?q=a HTTP/1.1\r\nHost: x\r\n\r\n";
        assert_eq!(check_head(ok), Ok(true));
        assert_eq!(check_head(&ok[..20]), Ok(false), "incomplete");
        let long = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(MAX_URI_LEN));
        assert_eq!(check_head(long.as_bytes()), Err(StatusCode::URI_TOO_LONG));
        let unended = format!("GET /{}", "a".repeat(MAX_URI_LEN));
        assert_eq!(
            check_head(unended.as_bytes()),
            Err(StatusCode::URI_TOO_LONG)
        );
        let big = format!("GET / HTTP/1.1\r\nX: {}\r\n", "a".repeat(MAX_HEAD_LEN));
        assert_eq!(
            check_head(big.as_bytes()),
            Err(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)
        );
        for bad in [
            "GET / HTTP/9.9\r\n\r\n",
            "G(T / HTTP/1.1\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
            "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
        ] {
            assert_eq!(
                check_head(bad.as_bytes()),
                Err(StatusCode::BAD_REQUEST),
                "{bad}"
            );
        }
        let chunked = b"POST /login HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n";
        assert_eq!(check_head(chunked), Ok(true));
    }

    #[test]
    fn a_refusal_carries_the_page_headers() {
        let text = String::from_utf8(refusal(StatusCode::URI_TOO_LONG)).unwrap();
        assert!(text.starts_with("HTTP/1.1 414 URI Too Long\r\n"), "{text}");
        assert!(
            text.contains("content-security-policy: default-src 'none'"),
            "{text}"
        );
        assert!(text.contains("x-frame-options: DENY"), "{text}");
    }
}
