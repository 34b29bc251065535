//! HS256 JSON Web Tokens: RFC 7519 claims in an RFC 7515 JWS compact serialisation, signed and
//! checked with `ring`'s HMAC-SHA256 (constant-time comparison).
//!
//! Hand-written on purpose: the `jsonwebtoken` 9 line (ring-based) has an `exp`/`nbf` bypass,
//! and 10.x needs aws-lc-rs or a crypto provider of our own; arcana needs one algorithm, so the
//! whole verifier is the ~100 lines below, tested against the RFCs' own example. What it refuses:
//! anything but exactly three canonical base64url parts, a header whose `alg` is not `HS256`
//! (so `none`, `HS384`, `RS256` and a missing `alg` all fail before any key is used), a `crit`
//! header, a `kid` other than the current signing key's, a wrong signature, a payload that is not
//! the claims arcana writes, and an expired or not-yet-issued token.

use ring::hmac;
use serde::{Deserialize, Serialize};

use crate::sanitize::base64url;

/// Longest token accepted (arcana's are about 250 bytes).
pub const MAX_TOKEN_LEN: usize = 2048;

/// Seconds of clock difference tolerated for `iat`.
const LEEWAY_S: u64 = 60;

/// Why a token was refused. Deliberately coarse at the edge: every variant becomes the same
/// "401 invalid token" for the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not three base64url parts, too long, or a part that does not decode.
    #[error("malformed token")]
    Malformed,
    /// The header names another algorithm (or none), or a critical extension.
    #[error("unsupported token algorithm")]
    Algorithm,
    /// Signed with another key (or a rotated-out one).
    #[error("unknown signing key")]
    UnknownKey,
    /// The signature does not match.
    #[error("bad token signature")]
    Signature,
    /// The claims are not the ones arcana issues.
    #[error("malformed token claims")]
    Claims,
    /// Past `exp`, or issued in the future.
    #[error("token expired")]
    Expired,
}

/// What an arcana token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    /// The Telegram user id, as a decimal string (RFC 7519 `sub` is a string).
    pub sub: String,
    /// The arcana session the token is bound to.
    pub sid: String,
    /// Issued at (Unix seconds).
    pub iat: u64,
    /// Expires at (Unix seconds).
    pub exp: u64,
    /// The language the sign-in's hints chose (`en`, `ru`, `es`): Telegram's `language_code`,
    /// else the browser's. Absent in tokens issued before it was added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

impl Claims {
    /// The user id in `sub`.
    pub fn user(&self) -> Result<i64, TokenError> {
        self.sub.parse().map_err(|_| TokenError::Claims)
    }
}

#[derive(Deserialize)]
struct Header {
    alg: Option<String>,
    kid: Option<String>,
    crit: Option<serde_json::Value>,
}

/// A signing key and its id (`kid`).
pub struct SigningKey {
    id: String,
    key: hmac::Key,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey").field("id", &self.id).finish_non_exhaustive()
    }
}

impl SigningKey {
    /// The key `secret`, named `id` in the tokens it signs.
    #[must_use]
    pub fn new(id: String, secret: &[u8]) -> SigningKey {
        SigningKey { id, key: hmac::Key::new(hmac::HMAC_SHA256, secret) }
    }

    /// The key's id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// A signed token carrying `claims`.
    #[must_use]
    pub fn sign(&self, claims: &Claims) -> String {
        let header = serde_json::json!({ "alg": "HS256", "typ": "JWT", "kid": self.id });
        let payload = serde_json::to_vec(claims).unwrap_or_default();
        let input = format!("{}.{}", base64url::encode(header.to_string().as_bytes()), base64url::encode(&payload));
        let tag = hmac::sign(&self.key, input.as_bytes());
        format!("{input}.{}", base64url::encode(tag.as_ref()))
    }

    /// The claims of `token` if this key signed it and it is valid at `now_s` (Unix seconds).
    pub fn verify(&self, token: &str, now_s: u64) -> Result<Claims, TokenError> {
        let (header, payload) = verify_jws(&self.key, token)?;
        if header.kid.as_deref() != Some(self.id.as_str()) {
            return Err(TokenError::UnknownKey);
        }
        let claims: Claims = serde_json::from_slice(&payload).map_err(|_| TokenError::Claims)?;
        claims.user()?;
        if now_s >= claims.exp || claims.iat > now_s.saturating_add(LEEWAY_S) || claims.iat >= claims.exp {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

/// Checks an HS256 JWS in compact form under `key`: the header (only `alg: HS256`, no `crit`)
/// and the signature; returns the header and the payload bytes.
fn verify_jws(key: &hmac::Key, token: &str) -> Result<(Header, Vec<u8>), TokenError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(TokenError::Malformed);
    }
    let mut parts = token.split('.');
    let (Some(head), Some(body), Some(signature), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let header_bytes = base64url::decode(head).ok_or(TokenError::Malformed)?;
    let header: Header = serde_json::from_slice(&header_bytes).map_err(|_| TokenError::Malformed)?;
    if header.alg.as_deref() != Some("HS256") || header.crit.is_some() {
        return Err(TokenError::Algorithm);
    }
    let tag = base64url::decode(signature).ok_or(TokenError::Malformed)?;
    let signed = &token[..head.len() + 1 + body.len()];
    hmac::verify(key, signed.as_bytes(), &tag).map_err(|_| TokenError::Signature)?;
    let payload = base64url::decode(body).ok_or(TokenError::Malformed)?;
    Ok((header, payload))
}

/// Parses and checks `token` under `key` without the claims rules (for the fuzz target: no
/// input may panic it).
pub fn fuzz_parse(token: &str) {
    let key = SigningKey::new(String::from("1"), b"fuzz");
    let _ = key.verify(token, 1_700_000_000);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7515 appendix A.1 (the same token is RFC 7519 §3.1's example): the HMAC key as a JWK
    /// `k`, and the compact serialisation.
    const RFC_KEY: &str = "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
    const RFC_TOKEN: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    fn rfc_key() -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, &base64url::decode(RFC_KEY).expect("key"))
    }

    #[test]
    fn the_rfc_7515_example_verifies_and_its_payload_is_the_rfcs() {
        let (header, payload) = verify_jws(&rfc_key(), RFC_TOKEN).expect("RFC example verifies");
        assert_eq!(header.alg.as_deref(), Some("HS256"));
        assert_eq!(payload, b"{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}");
        // And our HMAC over the RFC's signing input gives the RFC's signature.
        let (input, signature) = RFC_TOKEN.rsplit_once('.').expect("dot");
        let tag = hmac::sign(&rfc_key(), input.as_bytes());
        assert_eq!(base64url::encode(tag.as_ref()), signature);
    }

    #[test]
    fn the_rfc_example_with_one_changed_byte_fails() {
        let mut bad = RFC_TOKEN.to_owned();
        bad.replace_range(40..41, if &RFC_TOKEN[40..41] == "a" { "b" } else { "a" });
        assert!(verify_jws(&rfc_key(), &bad).is_err());
    }

    fn key() -> SigningKey {
        SigningKey::new(String::from("3"), &[7u8; 32])
    }

    fn claims() -> Claims {
        Claims { sub: String::from("42"), sid: String::from("ab"), iat: 1_000, exp: 1_000 + 86_400, lang: None }
    }

    fn forge(header: &str, payload: &str, key: &[u8]) -> String {
        let input = format!("{}.{}", base64url::encode(header.as_bytes()), base64url::encode(payload.as_bytes()));
        let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), input.as_bytes());
        format!("{input}.{}", base64url::encode(tag.as_ref()))
    }

    #[test]
    fn a_signed_token_round_trips_until_it_expires() {
        let token = key().sign(&claims());
        assert_eq!(key().verify(&token, 2_000), Ok(claims()));
        assert_eq!(key().verify(&token, 1_000 + 86_400), Err(TokenError::Expired));
        assert_eq!(key().verify(&token, 500), Err(TokenError::Expired), "issued in the future");
    }

    #[test]
    fn alg_none_other_algorithms_and_crit_are_refused() {
        let payload = serde_json::to_string(&claims()).expect("json");
        let none =
            format!("{}.{}.", base64url::encode(br#"{"alg":"none","kid":"3"}"#), base64url::encode(payload.as_bytes()));
        assert_eq!(key().verify(&none, 2_000), Err(TokenError::Algorithm), "the classic alg-none token");
        let none_signed = forge(r#"{"alg":"none","kid":"3"}"#, &payload, &[7u8; 32]);
        assert_eq!(key().verify(&none_signed, 2_000), Err(TokenError::Algorithm));
        for alg in ["HS384", "HS512", "RS256", "ES256", "hs256", ""] {
            let token = forge(&format!(r#"{{"alg":"{alg}","kid":"3"}}"#), &payload, &[7u8; 32]);
            assert_eq!(key().verify(&token, 2_000), Err(TokenError::Algorithm), "{alg}");
        }
        let missing = forge(r#"{"kid":"3"}"#, &payload, &[7u8; 32]);
        assert_eq!(key().verify(&missing, 2_000), Err(TokenError::Algorithm));
        let crit = forge(r#"{"alg":"HS256","kid":"3","crit":["exp"]}"#, &payload, &[7u8; 32]);
        assert_eq!(key().verify(&crit, 2_000), Err(TokenError::Algorithm));
    }

    #[test]
    fn a_changed_payload_another_key_or_kid_is_refused() {
        let token = key().sign(&claims());
        let (head, rest) = token.split_once('.').expect("dot");
        let (_, signature) = rest.split_once('.').expect("dot");
        let mut other = claims();
        other.sub = String::from("43");
        let swapped = format!(
            "{head}.{}.{signature}",
            base64url::encode(serde_json::to_string(&other).expect("json").as_bytes())
        );
        assert_eq!(key().verify(&swapped, 2_000), Err(TokenError::Signature));
        let foreign = SigningKey::new(String::from("3"), &[8u8; 32]).sign(&claims());
        assert_eq!(key().verify(&foreign, 2_000), Err(TokenError::Signature));
        let rotated = SigningKey::new(String::from("2"), &[7u8; 32]).sign(&claims());
        assert_eq!(key().verify(&rotated, 2_000), Err(TokenError::UnknownKey));
    }

    #[test]
    fn malformed_tokens_are_refused_without_panicking() {
        for token in ["", ".", "..", "a.b.c", "a.b.c.d", &"a".repeat(5000), "eyJ.eyJ.%%%"] {
            assert!(key().verify(token, 2_000).is_err(), "{token}");
        }
        let extra =
            forge(r#"{"alg":"HS256","kid":"3"}"#, r#"{"sub":"1","sid":"a","iat":1,"exp":9,"admin":true}"#, &[7u8; 32]);
        assert_eq!(key().verify(&extra, 2), Err(TokenError::Claims), "unknown claims are refused");
        let bad_sub = forge(r#"{"alg":"HS256","kid":"3"}"#, r#"{"sub":"x","sid":"a","iat":1,"exp":9}"#, &[7u8; 32]);
        assert_eq!(key().verify(&bad_sub, 2), Err(TokenError::Claims));
    }
}
