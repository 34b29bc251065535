//! The user's authenticator app, computed independently of the bot: RFC 4648 base32 decoding and
//! RFC 6238 TOTP codes (HMAC-SHA1 over the big-endian 30-second step, dynamic truncation, six
//! digits), so the end-to-end tests can enrol in and pass two-factor checks.

use ring::hmac;

use super::updates::unix_now;

/// Length of one TOTP time step in seconds.
pub const STEP_SECS: u64 = 30;

/// Decodes RFC 4648 base32 (either case, padding optional); `None` on a character outside the
/// alphabet.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0_u32, 0_u32);
    for c in text.trim_end_matches('=').bytes() {
        let value = ALPHABET.iter().position(|&a| a == c.to_ascii_uppercase())?;
        buffer = ((buffer << 5) | u32::try_from(value).ok()?) & 0xffff;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xff).ok()?);
        }
    }
    Some(out)
}

/// The TOTP step of the current wall-clock time.
pub fn current_step() -> u64 {
    u64::try_from(unix_now()).unwrap_or_default() / STEP_SECS
}

/// The six-digit code (zero-padded) of `step` for `secret`.
pub fn code_at_step(secret: &[u8], step: u64) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let tag = hmac::sign(&key, &step.to_be_bytes());
    let digest = tag.as_ref();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let binary =
        u32::from_be_bytes([digest[offset] & 0x7f, digest[offset + 1], digest[offset + 2], digest[offset + 3]]);
    format!("{:06}", binary % 1_000_000)
}

/// The code of the current step.
pub fn current_code(secret: &[u8]) -> String {
    code_at_step(secret, current_step())
}
