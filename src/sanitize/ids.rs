//! Ids as text and numbers: Telegram's user ids as arcana keys them, and arcana's own random
//! ids (sessions, readings) in hex.

use teloxide::types::UserId;

/// A user's id as a signed integer (the store's keys and the sentinel's buckets). Telegram
/// guarantees ids fit in 52 bits; a forged one that does not fit in an `i64` becomes
/// `i64::MAX`, which no real user has, so it is one (blockable) stranger rather than a crash.
#[must_use]
pub fn user_id(id: UserId) -> i64 {
    i64::try_from(id.0).unwrap_or(i64::MAX)
}

/// Fills `out` from exactly `2 × out.len()` hex digits of either case; false, with `out` in an
/// unspecified state, for anything else. For text a person may have typed or copied (the master
/// key file); what arcana or Telegram wrote is read with [`parse_lower_hex`].
#[must_use]
pub fn parse_hex(text: &str, out: &mut [u8]) -> bool {
    if text.len() != out.len() * 2 || !text.is_ascii() {
        return false;
    }
    let digit = |b: u8| char::from(b).to_digit(16).and_then(|d| u8::try_from(d).ok());
    for (slot, pair) in out.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
        let (Some(hi), Some(lo)) = (digit(pair[0]), digit(pair[1])) else {
            return false;
        };
        *slot = hi << 4 | lo;
    }
    true
}

/// Fills `out` from exactly `2 × out.len()` **lower-case** hex digits; false for anything else,
/// upper-case digits included. The canonical form: what [`hex_id`] writes, and what Telegram's
/// check of `initData` and login data compares (the lower-case hex string of the HMAC), so a
/// hash in another spelling is not the one Telegram signed. The inverse of [`hex_id`].
#[must_use]
pub fn parse_lower_hex(text: &str, out: &mut [u8]) -> bool {
    !text.bytes().any(|b| b.is_ascii_uppercase()) && parse_hex(text, out)
}

/// Lower-case hex of `bytes` (for random ids; never for key material, which this leaves in
/// unwiped memory).
#[must_use]
pub fn hex_id(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_ids_pass_and_forged_ones_fold_to_one() {
        assert_eq!(user_id(UserId(42)), 42);
        assert_eq!(user_id(UserId((1 << 52) - 1)), (1 << 52) - 1);
        assert_eq!(user_id(UserId(u64::MAX)), i64::MAX);
        assert_eq!(hex_id(&[0, 15, 255]), "000fff");
    }

    #[test]
    fn hex_reads_back_and_only_the_lenient_parser_takes_upper_case() {
        let mut out = [0u8; 3];
        assert!(parse_lower_hex(&hex_id(&[0, 171, 255]), &mut out));
        assert_eq!(out, [0, 171, 255]);
        assert!(!parse_lower_hex("00ABff", &mut out), "upper-case is not the canonical spelling");
        assert!(parse_hex("00ABff", &mut out), "a person may type the master key either way");
        assert_eq!(out, [0, 171, 255]);
        for bad in ["", "00abf", "00abfff", "00abfg", "+0abff", "00ab\u{e9}"] {
            assert!(!parse_lower_hex(bad, &mut out) && !parse_hex(bad, &mut out), "{bad:?}");
        }
    }
}
