//! Streaming `Content-Encoding` decoding under a size cap.
//!
//! We ask servers for `gzip, deflate` only and decode ourselves, chunk by chunk as the body
//! arrives, so a compression bomb stops at the cap after inflating at most `cap` bytes and
//! the raw bytes received stay available for evidence.

use std::io::{self, Write};

use flate2::write::{DeflateDecoder, MultiGzDecoder, ZlibDecoder};

/// Why decoding stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DecodeError {
    /// The decoded body would exceed the cap; the decoded prefix is kept.
    TooLarge,
    /// The compressed data is invalid.
    Corrupt(String),
}

/// A `Vec` that refuses to grow past its cap (and remembers that it was asked to).
struct CappedSink {
    buf: Vec<u8>,
    cap: usize,
    overflowed: bool,
}

impl Write for CappedSink {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let room = self.cap.saturating_sub(self.buf.len());
        if data.len() > room {
            self.buf.extend_from_slice(&data[..room]);
            self.overflowed = true;
            return Err(io::Error::other("decoded body over the cap"));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

enum Inner {
    Gzip(MultiGzDecoder<CappedSink>),
    Zlib(ZlibDecoder<CappedSink>),
    Deflate(DeflateDecoder<CappedSink>),
    /// `deflate` is zlib-wrapped per the RFC but raw on some servers: decided on the first
    /// two bytes.
    Undecided(Vec<u8>, usize),
}

/// Decoder for one response body.
pub(crate) struct BodyDecoder {
    inner: Inner,
}

/// The name of a supported content coding, or `None` for identity.
pub(crate) enum Coding {
    Identity,
    Gzip,
    Deflate,
}

impl Coding {
    /// Parses a `Content-Encoding` value; `Err` carries the unsupported coding.
    pub(crate) fn parse(header: Option<&str>) -> Result<Coding, String> {
        let Some(value) = header else {
            return Ok(Coding::Identity);
        };
        let codings: Vec<String> = value
            .split(',')
            .map(|c| c.trim().to_ascii_lowercase())
            .filter(|c| !c.is_empty() && c != "identity")
            .collect();
        match codings.as_slice() {
            [] => Ok(Coding::Identity),
            [one] if one == "gzip" || one == "x-gzip" => Ok(Coding::Gzip),
            [one] if one == "deflate" => Ok(Coding::Deflate),
            _ => Err(value.to_string()),
        }
    }
}

fn sink(cap: usize) -> CappedSink {
    CappedSink {
        buf: Vec::new(),
        cap,
        overflowed: false,
    }
}

fn is_zlib_header(b0: u8, b1: u8) -> bool {
    b0 & 0x0f == 8 && (u16::from(b0) << 8 | u16::from(b1)) % 31 == 0
}

impl BodyDecoder {
    /// A decoder for a compressed coding; identity bodies need none.
    pub(crate) fn new(coding: &Coding, cap: usize) -> Option<BodyDecoder> {
        let inner = match coding {
            Coding::Identity => return None,
            Coding::Gzip => Inner::Gzip(MultiGzDecoder::new(sink(cap))),
            Coding::Deflate => Inner::Undecided(Vec::new(), cap),
        };
        Some(BodyDecoder { inner })
    }

    /// Feeds the next chunk of raw body bytes.
    pub(crate) fn push(&mut self, chunk: &[u8]) -> Result<(), DecodeError> {
        if let Inner::Undecided(pending, cap) = &mut self.inner {
            pending.extend_from_slice(chunk);
            if pending.len() < 2 {
                return Ok(());
            }
            let start = std::mem::take(pending);
            let cap = *cap;
            self.inner = if is_zlib_header(start[0], start[1]) {
                Inner::Zlib(ZlibDecoder::new(sink(cap)))
            } else {
                Inner::Deflate(DeflateDecoder::new(sink(cap)))
            };
            return self.push(&start);
        }
        let result = match &mut self.inner {
            Inner::Gzip(d) => d.write_all(chunk),
            Inner::Zlib(d) => d.write_all(chunk),
            Inner::Deflate(d) => d.write_all(chunk),
            Inner::Undecided(..) => Ok(()),
        };
        result.map_err(|e| self.classify(e))
    }

    fn sink(&self) -> Option<&CappedSink> {
        match &self.inner {
            Inner::Gzip(d) => Some(d.get_ref()),
            Inner::Zlib(d) => Some(d.get_ref()),
            Inner::Deflate(d) => Some(d.get_ref()),
            Inner::Undecided(..) => None,
        }
    }

    fn classify(&self, e: io::Error) -> DecodeError {
        if self.sink().is_some_and(|s| s.overflowed) {
            DecodeError::TooLarge
        } else {
            DecodeError::Corrupt(e.to_string())
        }
    }

    /// Ends the stream; returns the decoded bytes, or the error with the decoded prefix.
    pub(crate) fn finish(mut self) -> (Vec<u8>, Option<DecodeError>) {
        let err = self.try_finish().err().map(|e| self.classify(e));
        (self.take_decoded(), err)
    }

    /// The decoded bytes so far (used when the raw stream was cut short).
    pub(crate) fn into_decoded(mut self) -> Vec<u8> {
        let _ = self.try_finish();
        self.take_decoded()
    }

    fn try_finish(&mut self) -> io::Result<()> {
        match &mut self.inner {
            Inner::Gzip(d) => d.try_finish(),
            Inner::Zlib(d) => d.try_finish(),
            Inner::Deflate(d) => d.try_finish(),
            Inner::Undecided(pending, _) if pending.is_empty() => Ok(()),
            Inner::Undecided(..) => Err(io::Error::other("deflate body of one byte")),
        }
    }

    fn take_decoded(&mut self) -> Vec<u8> {
        let sink = match &mut self.inner {
            Inner::Gzip(d) => d.get_mut(),
            Inner::Zlib(d) => d.get_mut(),
            Inner::Deflate(d) => d.get_mut(),
            Inner::Undecided(..) => return Vec::new(),
        };
        std::mem::take(&mut sink.buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::{DeflateEncoder, GzEncoder, ZlibEncoder};

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn decodes_in_small_chunks() {
        let text = b"<html>hello</html>".repeat(100);
        let z = gzip(&text);
        let mut d = BodyDecoder::new(&Coding::Gzip, 1 << 20).unwrap();
        for c in z.chunks(7) {
            d.push(c).unwrap();
        }
        let (out, err) = d.finish();
        assert_eq!(err, None);
        assert_eq!(out, text);
    }

    #[test]
    fn deflate_accepts_zlib_and_raw() {
        let text = b"deflate me ".repeat(50);
        let mut z = ZlibEncoder::new(Vec::new(), Compression::fast());
        z.write_all(&text).unwrap();
        let mut r = DeflateEncoder::new(Vec::new(), Compression::fast());
        r.write_all(&text).unwrap();
        for body in [z.finish().unwrap(), r.finish().unwrap()] {
            let mut d = BodyDecoder::new(&Coding::Deflate, 1 << 20).unwrap();
            d.push(&body[..1]).unwrap();
            d.push(&body[1..]).unwrap();
            let (out, err) = d.finish();
            assert_eq!(err, None);
            assert_eq!(out, text);
        }
    }

    #[test]
    fn bomb_stops_at_cap() {
        let z = gzip(&vec![0u8; 8 << 20]);
        let mut d = BodyDecoder::new(&Coding::Gzip, 1000).unwrap();
        let err = z.chunks(4096).find_map(|c| d.push(c).err());
        assert_eq!(err, Some(DecodeError::TooLarge));
        assert_eq!(d.into_decoded().len(), 1000);
    }

    #[test]
    fn corrupt_and_unsupported() {
        let mut d = BodyDecoder::new(&Coding::Gzip, 1000).unwrap();
        let bad = d.push(b"this is not gzip at all, not even close");
        let (_, err) = d.finish();
        assert!(matches!(bad.err().or(err), Some(DecodeError::Corrupt(_))));
        assert!(Coding::parse(Some("br")).is_err());
        assert!(Coding::parse(Some("gzip, br")).is_err());
        assert!(matches!(Coding::parse(Some("GZIP")), Ok(Coding::Gzip)));
        assert!(matches!(
            Coding::parse(Some("identity")),
            Ok(Coding::Identity)
        ));
    }
}
