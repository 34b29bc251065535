//! Telegram errors as the log may show them. teloxide's own `Display` of a malformed response
//! carries the raw body, and a Bot API (or something posing as one) may echo in it — or in an
//! unrecognised error's description — the text the bot just sent: a two-factor key, backup codes,
//! an export. [`Redacted`] names the kind of failure and nothing a server wrote, except the fixed
//! descriptions of errors teloxide recognises.

use std::fmt;

use teloxide::{ApiError, RequestError};

/// A [`RequestError`] for the log: no response body, no echoed text, no URL.
pub(crate) struct Redacted<'a>(pub(crate) &'a RequestError);

impl fmt::Display for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            // A recognised error prints teloxide's fixed description of it.
            RequestError::Api(ApiError::Unknown(_)) => f.write_str("Telegram refused the request (unrecognised error)"),
            RequestError::Api(api) => write!(f, "Telegram refused the request: {api}"),
            RequestError::MigrateToChatId(_) => f.write_str("the group became a supergroup"),
            RequestError::RetryAfter(seconds) => write!(f, "too many requests; retry after {}s", seconds.seconds()),
            RequestError::Network(e) if e.is_timeout() => f.write_str("network error: timed out"),
            RequestError::Network(e) if e.is_connect() => f.write_str("network error: cannot connect"),
            RequestError::Network(e) if e.is_decode() || e.is_body() => f.write_str("network error: bad response body"),
            RequestError::Network(e) => match e.status() {
                Some(status) => write!(f, "network error: HTTP {}", status.as_u16()),
                None => f.write_str("network error"),
            },
            RequestError::InvalidJson { .. } => f.write_str("the response was not valid JSON (body not logged)"),
            RequestError::Io(e) => write!(f, "I/O error: {}", e.kind()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_response_or_unknown_description_never_reaches_the_text() {
        let secret = "otpauth://totp/arcana:me?secret=JBSWY3DPEHPK3PXP";
        let source = serde_json::from_str::<serde_json::Value>("{").expect_err("malformed");
        let raw = RequestError::InvalidJson { source: std::sync::Arc::new(source), raw: secret.into() };
        assert!(raw.to_string().contains(secret), "teloxide's own text carries the body");
        assert!(!Redacted(&raw).to_string().contains("secret"), "{}", Redacted(&raw));
        let unknown = RequestError::Api(ApiError::Unknown(format!("Bad Request: {secret}")));
        assert!(!Redacted(&unknown).to_string().contains("secret"), "{}", Redacted(&unknown));
        let known = RequestError::Api(ApiError::MessageToDeleteNotFound);
        assert!(Redacted(&known).to_string().contains("message to delete not found"), "{}", Redacted(&known));
    }
}
