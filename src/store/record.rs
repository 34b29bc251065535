//! Record encoding: a format-version byte, an expiry stamp, then the rmp-serde (msgpack) body.
//!
//! ```text
//! [version: u8][expires_at: u64 big-endian unix milliseconds, 0 = never][msgpack body]
//! ```

use serde::{Serialize, de::DeserializeOwned};

use super::StoreError;

/// Header length in bytes.
pub(super) const HEADER_LEN: usize = 9;

/// A type stored in its own tree.
pub trait Record: Serialize + DeserializeOwned {
    /// The sled tree holding records of this type.
    const TREE: &'static str;
    /// The format version written with each record; bump it when the layout changes.
    const VERSION: u8;
}

/// Encodes `value` with its header.
pub(super) fn encode<R: Record>(value: &R, expires_at_ms: u64) -> Result<Vec<u8>, StoreError> {
    let mut out = Vec::with_capacity(64);
    out.push(R::VERSION);
    out.extend_from_slice(&expires_at_ms.to_be_bytes());
    rmp_serde::encode::write_named(&mut out, value)
        .map_err(|e| StoreError::Encode { tree: R::TREE, reason: e.to_string() })?;
    Ok(out)
}

/// Reads the expiry stamp of an encoded record (0 = never expires).
pub(super) fn expires_at_ms(bytes: &[u8]) -> Option<u64> {
    let stamp: [u8; 8] = bytes.get(1..HEADER_LEN)?.try_into().ok()?;
    Some(u64::from_be_bytes(stamp))
}

/// Whether an encoded record has expired at `now_ms`.
pub(super) fn is_expired(bytes: &[u8], now_ms: u64) -> bool {
    matches!(expires_at_ms(bytes), Some(at) if at != 0 && at <= now_ms)
}

/// Decodes a record, checking its version.
pub(super) fn decode<R: Record>(bytes: &[u8]) -> Result<R, StoreError> {
    let Some(&version) = bytes.first() else {
        return Err(StoreError::Decode { tree: R::TREE, reason: "empty value".into() });
    };
    if version != R::VERSION {
        return Err(StoreError::Version { tree: R::TREE, found: version, expected: R::VERSION });
    }
    let body = bytes
        .get(HEADER_LEN..)
        .ok_or_else(|| StoreError::Decode { tree: R::TREE, reason: "truncated header".into() })?;
    rmp_serde::from_slice(body).map_err(|e| StoreError::Decode { tree: R::TREE, reason: e.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Sample {
        name: String,
        count: u32,
    }
    impl Record for Sample {
        const TREE: &'static str = "sample";
        const VERSION: u8 = 3;
    }

    #[test]
    fn round_trips_with_header() {
        let s = Sample { name: "x".into(), count: 7 };
        let bytes = encode(&s, 42).expect("encode");
        assert_eq!(bytes[0], 3);
        assert_eq!(expires_at_ms(&bytes), Some(42));
        assert_eq!(decode::<Sample>(&bytes).expect("decode"), s);
    }

    #[test]
    fn wrong_version_and_garbage_are_errors_not_panics() {
        let mut bytes = encode(&Sample { name: "x".into(), count: 1 }, 0).expect("encode");
        bytes[0] = 9;
        assert!(matches!(decode::<Sample>(&bytes), Err(StoreError::Version { found: 9, .. })));
        for garbage in [&[][..], &[3][..], &[3, 0, 0][..], &[3, 0, 0, 0, 0, 0, 0, 0, 0, 0xc1][..]] {
            assert!(decode::<Sample>(garbage).is_err());
        }
    }

    #[test]
    fn expiry_is_read_from_the_header() {
        let bytes = encode(&Sample { name: "x".into(), count: 1 }, 100).expect("encode");
        assert!(!is_expired(&bytes, 99));
        assert!(is_expired(&bytes, 100));
        let forever = encode(&Sample { name: "x".into(), count: 1 }, 0).expect("encode");
        assert!(!is_expired(&forever, u64::MAX));
    }
}
