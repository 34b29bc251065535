//! A tiny blocking HTTP/1.1 client over `std::net::TcpStream`, to talk to the fake server
//! byte by byte in its self-tests.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::Value;

/// A parsed response.
pub struct RawResponse {
    pub status: u16,
    pub body: String,
}

impl RawResponse {
    /// The body as JSON; panics if it is not.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("response body is not JSON ({e}): {}", self.body))
    }
}

/// A connection to the fake server, reusable for several requests (keep-alive).
pub struct RawConn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl RawConn {
    /// Connects to `http://127.0.0.1:PORT` (the fake server's `url()`).
    pub fn connect(url: &str) -> Self {
        let addr = url.strip_prefix("http://").expect("http:// URL");
        let stream = TcpStream::connect(addr).expect("connect to the fake server");
        stream.set_read_timeout(Some(Duration::from_secs(40))).expect("set read timeout");
        Self { stream, buf: Vec::new() }
    }

    /// Sends raw request bytes and reads one response; `None` if the server closed the
    /// connection without answering.
    pub fn exchange(&mut self, request: &[u8]) -> Option<RawResponse> {
        self.stream.write_all(request).expect("write request");
        let head_end = loop {
            if let Some(pos) = find(&self.buf, b"\r\n\r\n") {
                break pos;
            }
            if self.fill() == 0 {
                assert!(self.buf.is_empty(), "connection closed mid-response");
                return None;
            }
        };
        let head = String::from_utf8_lossy(&self.buf[..head_end]).into_owned();
        self.buf.drain(..head_end + 4);
        let status = head.split_whitespace().nth(1).and_then(|code| code.parse().ok()).expect("status code");
        let length: usize = head
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("content-length").then(|| value.trim().parse().ok())?
            })
            .expect("Content-Length header");
        while self.buf.len() < length {
            assert!(self.fill() > 0, "connection closed mid-body");
        }
        let body = String::from_utf8_lossy(&self.buf[..length]).into_owned();
        self.buf.drain(..length);
        Some(RawResponse { status, body })
    }

    /// A JSON POST to `/bot<token>/<method>` on this connection.
    pub fn post_json(&mut self, token: &str, method: &str, body: &Value) -> Option<RawResponse> {
        let body = body.to_string();
        let request = format!(
            "POST /bot{token}/{method} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.exchange(request.as_bytes())
    }

    fn fill(&mut self) -> usize {
        let mut chunk = [0_u8; 8192];
        match self.stream.read(&mut chunk) {
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                n
            }
            Err(e) if e.kind() == ErrorKind::ConnectionReset => 0,
            Err(e) => panic!("read from the fake server: {e}"),
        }
    }
}

/// One JSON POST on a fresh connection.
pub fn post_json(url: &str, token: &str, method: &str, body: &Value) -> Option<RawResponse> {
    RawConn::connect(url).post_json(token, method, body)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
