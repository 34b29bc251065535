//! base64url (RFC 4648 §5, no padding) for callback MACs, done by the `base64` crate.
//!
//! Decoding is strict and canonical: only the 64 alphabet characters, no padding, no
//! whitespace, a length that is not 1 modulo 4, and unused trailing bits equal to zero — so
//! every byte string has exactly one encoding and every accepted encoding has exactly one
//! decoding. [`ENGINE`] spells each of these out in its configuration rather than leaning on
//! the crate's defaults: the URL-safe alphabet (anything else, whitespace included, is an
//! invalid byte), no padding written, padding refused, trailing bits refused; the crate itself
//! rejects a length of 1 modulo 4.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Unpadded base64url that decodes only canonical encodings.
const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(false),
);

/// Encodes `bytes` as base64url without padding.
#[must_use]
pub(crate) fn encode(bytes: &[u8]) -> String {
    ENGINE.encode(bytes)
}

/// Decodes unpadded base64url, or `None` if `text` is not a canonical encoding.
#[must_use]
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    ENGINE.decode(text).ok()
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
        for bad in [
            "Z", "Zh", "Zm9", "Zm+v", "Zm/v", "Zm9v=", "Zg==", " Zg", "Zm9vY", "é", "Zg\n", "Zm\r\n9v", "Zm9v\t",
            "Zm9v Zg", "Zg=", "=Zg", "Zm9vYm=y", "Zm9v\0",
        ] {
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
