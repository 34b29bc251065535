//! The envelope: AES-256-GCM with a fresh random nonce and a header naming the key.
//!
//! ```text
//! [format u8 = 1][key kind u8][key id u32 BE][nonce 12][ciphertext][tag 16]
//! ```
//! The associated data is the 6-byte header followed by the caller's context (for records: the
//! tree name, a zero byte, and the record key), so a ciphertext copied onto another record, or
//! given a forged key id, fails to open.

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use zeroize::Zeroizing;

use super::{VaultError, nonce::NonceSource};

/// The envelope format version.
pub const FORMAT: u8 = 1;
/// Bytes before the ciphertext.
pub const HEADER_LEN: usize = 6 + NONCE_LEN;
/// Bytes added to the plaintext.
pub const OVERHEAD: usize = HEADER_LEN + 16;

/// What kind of key sealed an envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// The key-encryption key (wraps generation keys and the root secret).
    Kek = 1,
    /// A generation key (wraps data keys).
    Generation = 2,
    /// A subject's data key (seals that subject's records).
    Data = 3,
    /// A service key derived from the root secret for one purpose (seals the bot's own working
    /// state, such as the update inbox, that belongs to no single subject).
    Service = 4,
}

impl KeyKind {
    fn from_byte(b: u8) -> Option<KeyKind> {
        match b {
            1 => Some(KeyKind::Kek),
            2 => Some(KeyKind::Generation),
            3 => Some(KeyKind::Data),
            4 => Some(KeyKind::Service),
            _ => None,
        }
    }
}

/// The key an envelope names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyRef {
    /// Kind of key.
    pub kind: KeyKind,
    /// Its id within the kind.
    pub id: u32,
}

/// An AES-256-GCM key.
pub(crate) fn aead_key(bytes: &[u8; 32]) -> Result<LessSafeKey, VaultError> {
    UnboundKey::new(&AES_256_GCM, bytes).map(LessSafeKey::new).map_err(|_| VaultError::Crypto("bad key length"))
}

fn aad(header: &[u8], context: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut aad = Zeroizing::new(Vec::with_capacity(6 + context.len()));
    aad.extend_from_slice(&header[..6]);
    aad.extend_from_slice(context);
    aad
}

/// Seals `plaintext` under `key` (named by `key_ref`), binding `context`.
pub(crate) fn seal(
    key: &LessSafeKey,
    key_ref: KeyRef,
    context: &[u8],
    plaintext: &[u8],
    nonces: &NonceSource,
) -> Result<Vec<u8>, VaultError> {
    let nonce = nonces.next()?;
    let mut out = Vec::with_capacity(OVERHEAD + plaintext.len());
    out.push(FORMAT);
    out.push(key_ref.kind as u8);
    out.extend_from_slice(&key_ref.id.to_be_bytes());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(plaintext);
    let aad = aad(&out, context);
    let (_, body) = out.split_at_mut(HEADER_LEN);
    let tag = key
        .seal_in_place_separate_tag(Nonce::assume_unique_for_key(nonce), Aad::from(aad.as_slice()), body)
        .map_err(|_| VaultError::Crypto("seal failed"))?;
    out.extend_from_slice(tag.as_ref());
    Ok(out)
}

/// Reads the key an envelope names, checking the format.
#[must_use]
pub fn key_ref(sealed: &[u8]) -> Option<KeyRef> {
    if sealed.len() < OVERHEAD || sealed[0] != FORMAT {
        return None;
    }
    let kind = KeyKind::from_byte(sealed[1])?;
    let id = u32::from_be_bytes(sealed[2..6].try_into().ok()?);
    Some(KeyRef { kind, id })
}

/// Opens an envelope sealed under `key` with `context`; `what` names it in errors.
pub(crate) fn open(
    key: &LessSafeKey,
    sealed: &[u8],
    context: &[u8],
    what: &str,
) -> Result<Zeroizing<Vec<u8>>, VaultError> {
    let failed = |reason| VaultError::Open { tree: what.to_owned(), reason };
    key_ref(sealed).ok_or_else(|| failed("not a sealed value"))?;
    let nonce: [u8; NONCE_LEN] = sealed[6..HEADER_LEN].try_into().map_err(|_| failed("truncated"))?;
    let aad = aad(sealed, context);
    let mut body = Zeroizing::new(sealed[HEADER_LEN..].to_vec());
    let plain_len = key
        .open_in_place(Nonce::assume_unique_for_key(nonce), Aad::from(aad.as_slice()), &mut body)
        .map_err(|_| failed("authentication failed"))?
        .len();
    body.truncate(plain_len);
    Ok(body)
}

/// The context binding a record to its place: tree name, a zero byte, the record key.
#[must_use]
pub fn record_context(tree: &str, key: &[u8]) -> Vec<u8> {
    let mut context = Vec::with_capacity(tree.len() + 1 + key.len());
    context.extend_from_slice(tree.as_bytes());
    context.push(0);
    context.extend_from_slice(key);
    context
}

#[cfg(test)]
mod tests {
    use super::*;

    const REF: KeyRef = KeyRef { kind: KeyKind::Data, id: 7 };

    fn key(b: u8) -> LessSafeKey {
        aead_key(&[b; 32]).expect("key")
    }

    #[test]
    fn round_trip_and_header() {
        let nonces = NonceSource::new();
        let sealed = seal(&key(1), REF, b"ctx", b"hello", &nonces).expect("seal");
        assert_eq!(sealed.len(), 5 + OVERHEAD);
        assert_eq!(key_ref(&sealed), Some(REF));
        assert_eq!(&*open(&key(1), &sealed, b"ctx", "t").expect("open"), b"hello");
    }

    #[test]
    fn every_single_byte_flip_fails() {
        let nonces = NonceSource::new();
        let sealed = seal(&key(1), REF, b"ctx", &[42; 200], &nonces).expect("seal");
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x01;
            assert!(open(&key(1), &bad, b"ctx", "t").is_err(), "byte {i}");
        }
    }

    #[test]
    fn other_context_key_or_forged_key_id_fails() {
        let nonces = NonceSource::new();
        let sealed = seal(&key(1), REF, b"profiles\0user-a", b"x", &nonces).expect("seal");
        assert!(open(&key(1), &sealed, b"profiles\0user-b", "t").is_err(), "moved to another record");
        assert!(open(&key(2), &sealed, b"profiles\0user-a", "t").is_err(), "another key");
        let mut forged = sealed.clone();
        forged[5] = 8;
        assert!(open(&key(1), &forged, b"profiles\0user-a", "t").is_err(), "forged key id");
        assert!(open(&key(1), &sealed[..10], b"", "t").is_err(), "truncated");
    }

    #[test]
    fn nonces_are_fresh() {
        let nonces = NonceSource::new();
        let a = seal(&key(1), REF, b"", b"same", &nonces).expect("seal");
        let b = seal(&key(1), REF, b"", b"same", &nonces).expect("seal");
        assert_ne!(a, b);
    }
}
