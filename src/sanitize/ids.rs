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

/// Fills `out` from exactly `2 × out.len()` hex digits (either case); false, with `out` in an
/// unspecified state, for anything else. The inverse of [`hex_id`].
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
}
