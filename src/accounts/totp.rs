//! Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), as authenticator apps expect
//! them: HMAC-SHA-1, 30-second steps, 6 digits.
//!
//! - [`TotpSecret`] holds the shared secret (20 random bytes, zeroized on drop, redacted in
//!   `Debug`) and renders it as RFC 4648 base32 for manual entry.
//! - [`otpauth_uri`] builds the `otpauth://totp/...` URI that a QR code carries.
//! - [`verify`] checks a user-typed code against the current step ± a small skew, refuses
//!   replays of a step at or before the last one used, and compares in constant time.
//!
//! SHA-1 is used only because RFC 6238 authenticator apps default to it; as an HMAC it is still
//! sound, and ring names it `HMAC_SHA1_FOR_LEGACY_USE_ONLY` for exactly this case.

use std::fmt;

use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::{Zeroize, Zeroizing};

/// Length of a freshly generated secret, in bytes (160 bits, RFC 4226's recommendation).
pub const SECRET_LEN: usize = 20;

/// Length of one time step, in seconds.
pub const STEP_SECS: u64 = 30;

/// Number of digits in a code.
pub const DIGITS: usize = 6;

/// The largest skew [`verify`] honours; larger requests are clamped to this.
pub const MAX_SKEW_STEPS: u64 = 10;

/// `10^DIGITS`.
const MODULUS: u32 = 1_000_000;

/// RFC 4648 base32 alphabet.
const BASE32_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Why a typed code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TotpError {
    /// The input is not exactly six ASCII digits (spaces aside).
    #[error("a code is six digits")]
    Malformed,
    /// Well-formed, but not the code of any step in the accepted window.
    #[error("the code is not valid")]
    Invalid,
    /// The code matched a step at or before the last step already used.
    #[error("the code was already used")]
    Replayed,
}

/// The operating system's random number generator failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the system random number generator failed")]
pub struct RandomnessError;

/// A TOTP shared secret. Zeroized on drop; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Zeroizing<Vec<u8>>);

impl TotpSecret {
    /// Generates a fresh 20-byte secret from the system random number generator.
    pub fn generate() -> Result<Self, RandomnessError> {
        Self::generate_with(&SystemRandom::new())
    }

    /// Generates a fresh 20-byte secret from `rng`.
    pub fn generate_with(rng: &dyn SecureRandom) -> Result<Self, RandomnessError> {
        let mut bytes = Zeroizing::new(vec![0u8; SECRET_LEN]);
        rng.fill(&mut bytes).map_err(|_| RandomnessError)?;
        Ok(Self(bytes))
    }

    /// Wraps existing secret bytes (e.g. read back from the vault).
    #[must_use]
    pub fn from_bytes(bytes: &[u8]) -> Self {
        Self(Zeroizing::new(bytes.to_vec()))
    }

    /// The raw secret bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The secret as RFC 4648 base32 without padding, for typing into an authenticator app.
    #[must_use]
    pub fn to_base32(&self) -> Zeroizing<String> {
        base32(&self.0)
    }
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(<redacted>)")
    }
}

/// RFC 4648 base32 (upper case, no padding) of `bytes`.
fn base32(bytes: &[u8]) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(bytes.len().div_ceil(5) * 8));
    let mut buffer: u16 = 0;
    let mut bits: u32 = 0;
    for &byte in bytes {
        buffer = (buffer << 8) | u16::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32_ALPHABET[usize::from((buffer >> bits) & 0x1f)]));
        }
        // Keep only the bits not yet emitted, so the shift above never overflows.
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(BASE32_ALPHABET[usize::from((buffer << (5 - bits)) & 0x1f)]));
    }
    buffer.zeroize();
    out
}

/// RFC 4226 HOTP before the final `mod 10^digits`: the 31-bit dynamically truncated value.
fn truncated(secret: &[u8], counter: u64) -> u32 {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let tag = hmac::sign(&key, &counter.to_be_bytes());
    let mac = tag.as_ref();
    let offset = usize::from(mac[mac.len() - 1] & 0x0f);
    u32::from_be_bytes([mac[offset] & 0x7f, mac[offset + 1], mac[offset + 2], mac[offset + 3]])
}

/// The 6-digit code of time step `step` (a HOTP counter).
#[must_use]
pub fn code_at_step(secret: &[u8], step: u64) -> u32 {
    truncated(secret, step) % MODULUS
}

/// The time step containing `unix_secs`.
#[must_use]
pub fn step_at(unix_secs: u64) -> u64 {
    unix_secs / STEP_SECS
}

/// The 6-digit code valid at `unix_secs` (RFC 6238, T0 = 0, 30-second steps).
#[must_use]
pub fn code_at(secret: &[u8], unix_secs: u64) -> u32 {
    code_at_step(secret, step_at(unix_secs))
}

/// A code as exactly six digits, zero-padded (`7081804 % 10^6` → `"081804"`).
#[must_use]
pub fn format_code(code: u32) -> String {
    format!("{:0width$}", code % MODULUS, width = DIGITS)
}

/// The `otpauth://` URI authenticator apps import (usually via a QR code):
/// `otpauth://totp/Issuer:account?secret=BASE32&issuer=Issuer&algorithm=SHA1&digits=6&period=30`,
/// with `issuer` and `account` percent-encoded (everything but RFC 3986 unreserved characters).
///
/// It carries the secret, so it comes back zeroizing.
#[must_use]
pub fn otpauth_uri(secret: &TotpSecret, issuer: &str, account: &str) -> Zeroizing<String> {
    let issuer = percent_encode(issuer);
    let account = percent_encode(account);
    let secret = secret.to_base32();
    let mut uri = Zeroizing::new(String::with_capacity(64 + 2 * issuer.len() + account.len() + secret.len()));
    uri.push_str("otpauth://totp/");
    uri.push_str(&issuer);
    uri.push(':');
    uri.push_str(&account);
    uri.push_str("?secret=");
    uri.push_str(&secret);
    uri.push_str("&issuer=");
    uri.push_str(&issuer);
    uri.push_str("&algorithm=SHA1&digits=");
    uri.push_str(&DIGITS.to_string());
    uri.push_str("&period=");
    uri.push_str(&STEP_SECS.to_string());
    uri
}

/// Percent-encodes every byte of `text` except RFC 3986 unreserved characters
/// (`A-Z a-z 0-9 - . _ ~`); spaces become `%20`.
fn percent_encode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
    out
}

/// Parses a typed code leniently: whitespace anywhere is ignored, and what remains must be
/// exactly six ASCII digits. Returns the digits as ASCII bytes.
fn parse_input(input: &str) -> Result<Zeroizing<[u8; DIGITS]>, TotpError> {
    let mut digits = Zeroizing::new([0u8; DIGITS]);
    let mut len = 0;
    for c in input.chars() {
        if c.is_whitespace() {
            continue;
        }
        if !c.is_ascii_digit() || len == DIGITS {
            return Err(TotpError::Malformed);
        }
        // `c` is an ASCII digit, so it fits in one byte.
        digits[len] = u8::try_from(c).map_err(|_| TotpError::Malformed)?;
        len += 1;
    }
    if len == DIGITS { Ok(digits) } else { Err(TotpError::Malformed) }
}

/// Checks `input` against the codes of the steps `current − skew ..= current + skew`
/// (`skew_steps` is clamped to [`MAX_SKEW_STEPS`]; use 1), where `current` is the step of
/// `unix_secs`. On success returns the matched step, which the caller stores and passes back as
/// `last_used_step` next time: a code whose step is at or before it is [`TotpError::Replayed`].
///
/// # Constant time
///
/// Every candidate step's code is computed and compared, with no early exit. Each comparison is
/// `ring::hmac::verify(k, input, HMAC(k, candidate))` under a key `k` derived from the secret:
/// ring compares the two tags in constant time, and even if it did not, a timing difference
/// would say something about pseudorandom tags, not about which digits of the code were right
/// (the "double HMAC" comparison). Only the final outcome — which step matched, if any — then
/// steers control flow, and that outcome is what the caller learns anyway.
///
/// If the input matches both a replayed step and a fresh one (two steps sharing a code), the
/// fresh one wins.
pub fn verify(
    secret: &[u8],
    input: &str,
    unix_secs: u64,
    last_used_step: Option<u64>,
    skew_steps: u64,
) -> Result<u64, TotpError> {
    let typed = parse_input(input)?;
    let skew = skew_steps.min(MAX_SKEW_STEPS);
    let current = step_at(unix_secs);
    let first = current.saturating_sub(skew);
    let last = current.saturating_add(skew);

    let compare_key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    let mut fresh: Option<u64> = None;
    let mut replayed = false;
    for step in first..=last {
        let candidate = Zeroizing::new(format_code(code_at_step(secret, step)));
        let tag = hmac::sign(&compare_key, candidate.as_bytes());
        let matched = hmac::verify(&compare_key, typed.as_slice(), tag.as_ref()).is_ok();
        let is_replay = last_used_step.is_some_and(|used| step <= used);
        // Record the outcome without leaving the loop; the newest fresh match wins.
        if matched && is_replay {
            replayed = true;
        } else if matched {
            fresh = Some(step);
        }
    }
    match (fresh, replayed) {
        (Some(step), _) => Ok(step),
        (None, true) => Err(TotpError::Replayed),
        (None, false) => Err(TotpError::Invalid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    /// RFC 6238 appendix B, SHA-1 column: (time, 8-digit TOTP).
    const RFC_VECTORS: [(u64, u32); 6] = [
        (59, 94_287_082),
        (1_111_111_109, 7_081_804),
        (1_111_111_111, 14_050_471),
        (1_234_567_890, 89_005_924),
        (2_000_000_000, 69_279_037),
        (20_000_000_000, 65_353_130),
    ];

    #[test]
    fn rfc6238_sha1_vectors_eight_digits() {
        for (time, expected) in RFC_VECTORS {
            assert_eq!(truncated(RFC_SECRET, step_at(time)) % 100_000_000, expected, "t={time}");
        }
    }

    #[test]
    fn rfc6238_sha1_vectors_six_digits() {
        for (time, expected) in RFC_VECTORS {
            assert_eq!(code_at(RFC_SECRET, time), expected % 1_000_000, "t={time}");
        }
        assert_eq!(format_code(code_at(RFC_SECRET, 1_111_111_109)), "081804");
        assert_eq!(format_code(code_at(RFC_SECRET, 59)), "287082");
    }

    #[test]
    fn rfc4226_hotp_vectors() {
        // RFC 4226 appendix D: HOTP values for counters 0..=9 with the same secret.
        let expected = [755_224, 287_082, 359_152, 969_429, 338_314, 254_676, 287_922, 162_583, 399_871, 520_489];
        for (counter, value) in (0u64..).zip(expected) {
            assert_eq!(code_at_step(RFC_SECRET, counter), value, "counter={counter}");
        }
    }

    #[test]
    fn format_code_pads() {
        assert_eq!(format_code(0), "000000");
        assert_eq!(format_code(42), "000042");
        assert_eq!(format_code(999_999), "999999");
    }

    #[test]
    fn base32_of_rfc_secret() {
        let secret = TotpSecret::from_bytes(RFC_SECRET);
        assert_eq!(secret.to_base32().as_str(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }

    #[test]
    fn base32_rfc4648_vectors_unpadded() {
        for (input, expected) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32(input.as_bytes()).as_str(), expected, "input={input:?}");
        }
    }

    #[test]
    fn generated_secrets_are_20_random_bytes() {
        let a = TotpSecret::generate().expect("rng");
        let b = TotpSecret::generate().expect("rng");
        assert_eq!(a.as_bytes().len(), SECRET_LEN);
        assert_ne!(a, b);
        assert_eq!(a.to_base32().len(), 32);
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let secret = TotpSecret::from_bytes(RFC_SECRET);
        let shown = format!("{secret:?} {secret:#?}");
        assert!(!shown.contains("1234"), "{shown}");
        assert!(!shown.contains("GEZDG"), "{shown}");
        assert!(!shown.contains("49"), "{shown}"); // b'1' as a decimal byte
    }

    #[test]
    fn otpauth_uri_shape_and_encoding() {
        let secret = TotpSecret::from_bytes(RFC_SECRET);
        assert_eq!(
            otpauth_uri(&secret, "arcana", "alice").as_str(),
            "otpauth://totp/arcana:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
             &issuer=arcana&algorithm=SHA1&digits=6&period=30"
        );
        assert_eq!(
            otpauth_uri(&secret, "Tarot Bot", "@bob:1&x=é").as_str(),
            "otpauth://totp/Tarot%20Bot:%40bob%3A1%26x%3D%C3%A9?secret=\
             GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Tarot%20Bot&algorithm=SHA1&digits=6&period=30"
        );
        assert_eq!(percent_encode("Az09-._~ /?"), "Az09-._~%20%2F%3F");
    }

    #[test]
    fn verify_accepts_current_code_and_returns_its_step() {
        let now = 1_111_111_111;
        let code = format_code(code_at(RFC_SECRET, now));
        assert_eq!(verify(RFC_SECRET, &code, now, None, 1), Ok(step_at(now)));
    }

    #[test]
    fn verify_ignores_spaces() {
        let now = 59;
        assert_eq!(code_at(RFC_SECRET, now), 287_082);
        for typed in ["287082", "287 082", " 2 8 7 0 8 2 ", "287\t082\n", "287\u{a0}082"] {
            assert_eq!(verify(RFC_SECRET, typed, now, None, 1), Ok(1), "{typed:?}");
        }
    }

    #[test]
    fn verify_refuses_malformed_input() {
        for typed in [
            "",
            "     ",
            "28708",
            "2870822",
            "28708a",
            "287-082",
            "２８７０８２",
            "+287082",
            "-287082",
            "287082\0",
            "0x1234",
        ] {
            assert_eq!(verify(RFC_SECRET, typed, 59, None, 1), Err(TotpError::Malformed), "{typed:?}");
        }
    }

    #[test]
    fn verify_refuses_a_wrong_code() {
        let now = 1_234_567_890;
        let right = code_at(RFC_SECRET, now);
        let wrong = format_code((right + 1) % MODULUS);
        assert_eq!(verify(RFC_SECRET, &wrong, now, None, 1), Err(TotpError::Invalid));
        // A different secret's code is not this secret's.
        let other = format_code(code_at(b"another secret entirely", now));
        if other != format_code(right) {
            assert_eq!(verify(RFC_SECRET, &other, now, None, 1), Err(TotpError::Invalid));
        }
    }

    #[test]
    fn verify_accepts_one_step_of_skew_either_way_but_not_two() {
        let now = 2_000_000_000;
        let step = step_at(now);
        let previous = format_code(code_at_step(RFC_SECRET, step - 1));
        let next = format_code(code_at_step(RFC_SECRET, step + 1));
        let too_old = format_code(code_at_step(RFC_SECRET, step - 2));
        let too_new = format_code(code_at_step(RFC_SECRET, step + 2));
        assert_eq!(verify(RFC_SECRET, &previous, now, None, 1), Ok(step - 1));
        assert_eq!(verify(RFC_SECRET, &next, now, None, 1), Ok(step + 1));
        assert_eq!(verify(RFC_SECRET, &too_old, now, None, 1), Err(TotpError::Invalid));
        assert_eq!(verify(RFC_SECRET, &too_new, now, None, 1), Err(TotpError::Invalid));
        // Without skew only the current step counts.
        assert_eq!(verify(RFC_SECRET, &previous, now, None, 0), Err(TotpError::Invalid));
    }

    #[test]
    fn verify_refuses_replay_within_the_window() {
        let now = 1_111_111_111;
        let code = format_code(code_at(RFC_SECRET, now));
        let step = verify(RFC_SECRET, &code, now, None, 1).expect("first use");
        // Same code, same step, later in the same window or within the skew after it.
        assert_eq!(verify(RFC_SECRET, &code, now, Some(step), 1), Err(TotpError::Replayed));
        assert_eq!(verify(RFC_SECRET, &code, now + STEP_SECS, Some(step), 1), Err(TotpError::Replayed));
        // An older step's code is refused as a replay too, once a newer step was used.
        let previous = format_code(code_at_step(RFC_SECRET, step - 1));
        assert_eq!(verify(RFC_SECRET, &previous, now, Some(step), 1), Err(TotpError::Replayed));
        // The next step's code is fresh.
        let next = format_code(code_at_step(RFC_SECRET, step + 1));
        assert_eq!(verify(RFC_SECRET, &next, now, Some(step), 1), Ok(step + 1));
        // Far past the window, the old code is simply invalid.
        assert_eq!(verify(RFC_SECRET, &code, now + 10 * STEP_SECS, Some(step), 1), Err(TotpError::Invalid));
    }

    #[test]
    fn verify_at_the_edges_of_time() {
        let code = format_code(code_at(RFC_SECRET, 0));
        assert_eq!(verify(RFC_SECRET, &code, 0, None, 1), Ok(0));
        assert!(verify(RFC_SECRET, "000000", u64::MAX, Some(u64::MAX), u64::MAX).is_err());
        let last = format_code(code_at(RFC_SECRET, u64::MAX));
        assert_eq!(verify(RFC_SECRET, &last, u64::MAX, None, 1), Ok(step_at(u64::MAX)));
    }

    proptest! {
        #[test]
        fn verify_never_panics(
            secret in proptest::collection::vec(any::<u8>(), 0..80),
            input in any::<String>(),
            now in any::<u64>(),
            last in proptest::option::of(any::<u64>()),
            skew in any::<u64>(),
        ) {
            let _ = verify(&secret, &input, now, last, skew);
        }

        #[test]
        fn verify_accepts_what_code_at_produces(
            secret in proptest::collection::vec(any::<u8>(), 1..64),
            now in 0u64..40_000_000_000,
        ) {
            let code = format_code(code_at(&secret, now));
            prop_assert_eq!(verify(&secret, &code, now, None, 1), Ok(step_at(now)));
            prop_assert_eq!(
                verify(&secret, &code, now, Some(step_at(now)), 1),
                Err(TotpError::Replayed)
            );
        }

        #[test]
        fn base32_length_and_alphabet(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let encoded = base32(&bytes);
            prop_assert_eq!(encoded.len(), (bytes.len() * 8).div_ceil(5));
            prop_assert!(encoded.bytes().all(|b| BASE32_ALPHABET.contains(&b)));
        }
    }
}
