//! hyper answers a request head it cannot parse by itself, before any route or middleware sees
//! the request: 400 (a malformed head), 414 (a URI too long) and 431 (a head over
//! [`super::server::MAX_HEAD_BYTES`], or too many headers) — bare, without the security headers
//! every other answer carries. [`Guarded`] wraps a connection's plaintext stream and replaces
//! such an answer on its way out with the same status, a short JSON error, `Connection: close`
//! and the headers of [`super::headers::security_headers`].
//!
//! An answer is hyper's own when a write starts with a complete response head of one of those
//! three statuses that lacks `x-content-type-options` — every answer that went through the router
//! has it. hyper writes such an answer as one buffer (it has no body; [`Guarded`] is not
//! vectored, so hyper flattens its writes) and closes the connection after it.

use std::{
    io,
    pin::Pin,
    task::{Context, Poll, ready},
};

use axum::http::StatusCode;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::headers::{Served, security_headers};

/// A connection's stream whose bare parse-error answers get arcana's headers.
#[derive(Debug)]
pub(super) struct Guarded<I> {
    inner: I,
    https: bool,
    /// A replacement answer still to be written, and how much of it is.
    pending: Vec<u8>,
    written: usize,
}

impl<I> Guarded<I> {
    /// Wraps `inner`; `https` adds HSTS to replaced answers.
    pub(super) fn new(inner: I, https: bool) -> Guarded<I> {
        Guarded { inner, https, pending: Vec::new(), written: 0 }
    }
}

impl<I: AsyncWrite + Unpin> Guarded<I> {
    /// Writes what is left of a replacement answer.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.pending.clear();
        self.written = 0;
        Poll::Ready(Ok(()))
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for Guarded<I> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for Guarded<I> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        if let Some(answer) = replacement(buf, this.https) {
            this.pending = answer;
            // The bare answer counts as written; its replacement goes out now or on the flush
            // hyper does next (a pending write has registered the waker).
            if let Poll::Ready(Err(e)) = this.poll_pending(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

/// arcana's answer in place of hyper's bare one in `written`, or `None` when `written` is not one.
fn replacement(written: &[u8], https: bool) -> Option<Vec<u8>> {
    // Most writes are answers that are not 4xx, or bodies: leave them at the first bytes.
    if !(written.starts_with(b"HTTP/1.1 4") || written.starts_with(b"HTTP/1.0 4")) {
        return None;
    }
    let end = written.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&written[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let code = status_line.strip_prefix("HTTP/1.1 ").or_else(|| status_line.strip_prefix("HTTP/1.0 "))?;
    let status = StatusCode::from_bytes(code.get(..3)?.as_bytes()).ok()?;
    let message = match status {
        StatusCode::BAD_REQUEST => "malformed request",
        StatusCode::URI_TOO_LONG => "request URI too long",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "request head too large",
        _ => return None,
    };
    let ours = lines.any(|line| {
        line.split_once(':').is_some_and(|(name, _)| name.trim().eq_ignore_ascii_case("x-content-type-options"))
    });
    if ours {
        return None;
    }
    let body = serde_json::to_string(&super::responses::ErrorBody::new(message)).unwrap_or_default();
    let mut answer = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        status.as_str(),
        status.canonical_reason().unwrap_or_default(),
        body.len()
    );
    for (name, value) in security_headers(Served::Api, https) {
        answer.push_str(name);
        answer.push_str(": ");
        answer.push_str(value);
        answer.push_str("\r\n");
    }
    answer.push_str("\r\n");
    answer.push_str(&body);
    Some(answer.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: &[u8]) -> String {
        String::from_utf8_lossy(bytes).into_owned()
    }

    #[test]
    fn hypers_bare_parse_errors_get_the_headers_and_a_json_error() {
        let bare = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let answer = text(&replacement(bare, true).expect("replaced"));
        assert!(answer.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"), "{answer}");
        for expected in [
            "x-content-type-options: nosniff\r\n",
            "content-security-policy: default-src 'none'; frame-ancestors 'none'\r\n",
            "referrer-policy: no-referrer\r\n",
            "cache-control: no-store\r\n",
            "strict-transport-security: max-age=31536000",
            "connection: close\r\n",
        ] {
            assert!(answer.contains(expected), "{expected} in {answer}");
        }
        let body = r#"{"error":"request head too large"}"#;
        assert!(answer.ends_with(body), "{answer}");
        assert!(answer.contains(&format!("content-length: {}\r\n", body.len())), "{answer}");
        let bad = text(&replacement(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n", false).expect("400"));
        assert!(bad.contains("malformed request") && !bad.contains("strict-transport-security"), "{bad}");
        assert!(replacement(b"HTTP/1.1 414 URI Too Long\r\n\r\n", false).is_some());
    }

    #[test]
    fn answers_that_went_through_the_router_pass_unchanged() {
        let ours = b"HTTP/1.1 400 Bad Request\r\nx-content-type-options: nosniff\r\ncontent-length: 2\r\n\r\n{}";
        assert_eq!(replacement(ours, false), None);
        assert_eq!(replacement(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n", false), None);
        assert_eq!(replacement(b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-le", false), None, "a part");
        assert_eq!(replacement(b"{\"error\":\"HTTP/1.1 431 \"}", false), None, "a body");
        assert_eq!(replacement(b"HTTP/1.1 100 Continue\r\n\r\n", false), None);
    }

    #[tokio::test]
    async fn the_replacement_is_what_reaches_the_peer() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (client, server) = tokio::io::duplex(64);
        let mut guarded = Guarded::new(server, false);
        let bare = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n";
        let writer = tokio::spawn(async move {
            let n = guarded.write(bare).await.expect("write");
            guarded.shutdown().await.expect("shutdown");
            n
        });
        let mut received = Vec::new();
        let mut client = client;
        client.read_to_end(&mut received).await.expect("read");
        assert_eq!(writer.await.expect("writer"), bare.len(), "the bare answer counts as written");
        let received = text(&received);
        assert!(
            received.contains("nosniff") && received.ends_with(r#"{"error":"request head too large"}"#),
            "{received}"
        );
    }
}
