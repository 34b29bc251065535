//! A tiny base64url codec (RFC 4648 §5, no padding) for callback MACs.
//!
//! Decoding is strict and canonical: only the 64 alphabet characters, no padding, no
//! whitespace, a length that is not 1 modulo 4, and unused trailing bits equal to zero — so
//! every byte string has exactly one encoding and every accepted encoding has exactly one
//! decoding.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Encodes `bytes` as base64url without padding.
#[must_use]
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    let mut push = |sextet: u8| out.push(char::from(ALPHABET[usize::from(sextet & 0x3f)]));
    for chunk in bytes.chunks(3) {
        let a = chunk[0];
        let b = chunk.get(1).copied().unwrap_or(0);
        let c = chunk.get(2).copied().unwrap_or(0);
        push(a >> 2);
        push(((a & 0x03) << 4) | (b >> 4));
        if chunk.len() > 1 {
            push(((b & 0x0f) << 2) | (c >> 6));
        }
        if chunk.len() > 2 {
            push(c);
        }
    }
    out
}

/// Decodes unpadded base64url, or `None` if `text` is not a canonical encoding.
#[must_use]
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if bytes.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3 + 2);
    for chunk in bytes.chunks(4) {
        let mut v = [0u8; 4];
        for (slot, &c) in v.iter_mut().zip(chunk) {
            *slot = sextet(c)?;
        }
        out.push((v[0] << 2) | (v[1] >> 4));
        match chunk.len() {
            2 if v[1] & 0x0f != 0 => return None,
            3 if v[2] & 0x03 != 0 => return None,
            _ => {}
        }
        if chunk.len() > 2 {
            out.push((v[1] << 4) | (v[2] >> 2));
        }
        if chunk.len() > 3 {
            out.push((v[2] << 6) | v[3]);
        }
    }
    Some(out)
}

/// The value of one base64url character.
const fn sextet(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rfc4648_vectors() {
        let vectors: [(&[u8], &str); 7] = [
            (b"", ""),
            (b"f", "Zg"),
            (b"fo", "Zm8"),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg"),
            (b"fooba", "Zm9vYmE"),
            (b"foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(encode(plain), encoded);
            assert_eq!(decode(encoded).as_deref(), Some(plain));
        }
    }

    #[test]
    fn url_safe_alphabet() {
        assert_eq!(encode(&[0xfb, 0xff, 0xbf]), "-_-_");
        assert_eq!(decode("-_-_"), Some(vec![0xfb, 0xff, 0xbf]));
    }

    #[test]
    fn rejects_non_canonical_and_foreign_input() {
        for bad in ["Z", "Zh", "Zm9", "Zm+v", "Zm/v", "Zm9v=", "Zg==", " Zg", "Zm9vY", "é"] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
        assert_eq!(decode("Zm8"), Some(b"fo".to_vec()));
    }

    proptest! {
        #[test]
        fn round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let text = encode(&bytes);
            prop_assert_eq!(text.len(), (bytes.len() * 4).div_ceil(3));
            prop_assert_eq!(decode(&text), Some(bytes));
        }

        #[test]
        fn decode_is_canonical(text in any::<String>()) {
            if let Some(bytes) = decode(&text) {
                prop_assert_eq!(encode(&bytes), text);
            }
        }

        #[test]
        fn decode_is_canonical_on_alphabet(text in "[A-Za-z0-9_-]{0,24}") {
            if let Some(bytes) = decode(&text) {
                prop_assert_eq!(encode(&bytes), text);
            }
        }
    }
}
