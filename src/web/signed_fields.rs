//! What Telegram's two signed payloads share — the Mini App's `initData` and the Login Widget's
//! callback: `key=value` fields plus a hex `hash`, checked as
//! `HMAC-SHA256(secret, data-check-string)` where the data-check-string is every other field as
//! `key=value`, sorted by key, joined by line feeds (core.telegram.org/bots/webapps and
//! /widgets/login). Parsing is strict: a repeated key, an over-long payload or a malformed hash
//! refuses the whole thing before any MAC is computed, and the comparison is constant-time
//! (`ring::hmac::verify`).

use std::collections::BTreeMap;

use ring::hmac;

/// Longest payload accepted (Telegram's are a few hundred bytes).
pub const MAX_PAYLOAD_LEN: usize = 4096;
/// Most fields accepted.
const MAX_FIELDS: usize = 32;

/// Why signed Telegram data was refused. Every variant is a 401 at the edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.reason())]
pub enum SignedDataError {
    /// Longer than [`MAX_PAYLOAD_LEN`].
    TooLong,
    /// Not `key=value` pairs, a repeated key, or too many fields.
    Malformed,
    /// No `hash`, or not 64 lower-case hex digits.
    Hash,
    /// The hash does not match (tampered, or signed for another bot).
    Signature,
    /// No user, or a user field that does not parse.
    User,
    /// No `auth_date`, or it is older than allowed.
    Stale,
    /// `auth_date` lies in the future.
    Future,
}

impl SignedDataError {
    /// What went wrong, in a few words (the message, and the reason an audit entry counts).
    #[must_use]
    pub fn reason(self) -> &'static str {
        match self {
            SignedDataError::TooLong => "signed data too long",
            SignedDataError::Malformed => "malformed signed data",
            SignedDataError::Hash => "missing or malformed hash",
            SignedDataError::Signature => "bad signature",
            SignedDataError::User => "no user in signed data",
            SignedDataError::Stale => "signed data expired",
            SignedDataError::Future => "signed data from the future",
        }
    }
}

/// Seconds an `auth_date` may lie ahead of our clock.
const FUTURE_LEEWAY_S: u64 = 60;

/// Parsed fields, not yet verified.
#[derive(Debug)]
pub(super) struct SignedFields {
    fields: BTreeMap<String, String>,
    hash: [u8; 32],
}

impl SignedFields {
    /// Parses a URL-encoded query, leaving out the names in `unsigned` (our own parameters).
    pub(super) fn parse(query: &str, unsigned: &[&str]) -> Result<SignedFields, SignedDataError> {
        if query.len() > MAX_PAYLOAD_LEN {
            return Err(SignedDataError::TooLong);
        }
        let mut fields = BTreeMap::new();
        let mut hash = None;
        for (count, (key, value)) in url::form_urlencoded::parse(query.as_bytes()).enumerate() {
            // A line feed would let one field's text pose as another line of the check string.
            if count >= MAX_FIELDS || key.is_empty() || key.contains('\n') || value.contains('\n') {
                return Err(SignedDataError::Malformed);
            }
            if key == "hash" {
                if hash.replace(value.into_owned()).is_some() {
                    return Err(SignedDataError::Malformed);
                }
                continue;
            }
            if unsigned.contains(&key.as_ref()) {
                continue;
            }
            if fields.insert(key.into_owned(), value.into_owned()).is_some() {
                return Err(SignedDataError::Malformed);
            }
        }
        let hash = hash.as_deref().and_then(decode_hex).ok_or(SignedDataError::Hash)?;
        Ok(SignedFields { fields, hash })
    }

    /// The data-check-string.
    fn check_string(&self) -> String {
        let lines: Vec<String> = self.fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
        lines.join("\n")
    }

    /// Checks the hash under `secret`, then that `auth_date` is within `max_age_s` of `now_s`.
    pub(super) fn verify(&self, secret: &[u8], now_s: u64, max_age_s: u64) -> Result<u64, SignedDataError> {
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
        hmac::verify(&key, self.check_string().as_bytes(), &self.hash).map_err(|_| SignedDataError::Signature)?;
        let auth_date: u64 = self.get("auth_date").and_then(|d| d.parse().ok()).ok_or(SignedDataError::Stale)?;
        if auth_date > now_s.saturating_add(FUTURE_LEEWAY_S) {
            return Err(SignedDataError::Future);
        }
        if now_s.saturating_sub(auth_date) > max_age_s {
            return Err(SignedDataError::Stale);
        }
        Ok(auth_date)
    }

    /// The first 16 bytes of the hash: what identifies this signed payload (for the replay check).
    pub(super) fn signature(&self) -> [u8; 16] {
        let mut out = [0u8; 16];
        out.copy_from_slice(&self.hash[..16]);
        out
    }

    /// A field's value.
    pub(super) fn get(&self, key: &str) -> Option<&str> {
        self.fields.get(key).map(String::as_str)
    }
}

/// Signs `fields` as Telegram does, for tests and the test tools: the hex hash.
#[must_use]
pub fn sign_hex(secret: &[u8], fields: &[(&str, &str)]) -> String {
    let mut sorted: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
    sorted.sort();
    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, secret), sorted.join("\n").as_bytes());
    crate::sanitize::hex_id(tag.as_ref())
}

/// Telegram's hash as it compares it: 64 lower-case hex digits (upper-case is refused).
fn decode_hex(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    crate::sanitize::parse_lower_hex(text, &mut out).then_some(out)
}
