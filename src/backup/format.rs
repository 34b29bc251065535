//! # The backup file format, version 2
//!
//! A backup is self-contained: the data store *and* the key store, sealed under a random file
//! key that is itself wrapped under the key-encryption key (the master key file, or the
//! passphrase through PBKDF2 with the parameters recorded here). `master.key` (or the passphrase)
//! and the file are all a restore needs. Integers are big-endian.
//!
//! ```text
//! header     magic "ARCANABK" (8) | version u8 = 2 | file id (8 random bytes)
//!            | chunk size u32 (1 to 1 MiB) | plaintext length u64                    = 29 bytes
//! key block  created unix ms u64 | KEK source u8 (1 file, 2 passphrase) | KDF salt (16)
//!            | KDF iterations u32 | wrapped file key (66: a vault envelope of 32 bytes,
//!            sealed under the KEK with context "arcana/backup-file-key" | file id)       = 95 bytes
//! chunks     chunk 0 | chunk 1 | … | chunk n-1, with n = max(1, ⌈plaintext length / chunk size⌉)
//! chunk i    AES-256-GCM(file key, nonce_i, aad_i, plaintext[i·chunk size ..][.. chunk size]) | tag (16)
//! nonce_i    file id (8) | i as u32 (4)
//! aad_i      the 124 header and key block bytes | i as u32 | is-last u8 (1 for chunk n-1, else 0)
//! ```
//!
//! Every chunk but the last holds exactly `chunk size` plaintext bytes; the last holds the rest
//! (possibly none), so the header alone fixes where each chunk starts and how long the file is.
//! What each part protects against:
//!
//! - the header and key block are in every chunk's associated data: changing any of their bytes
//!   (the lengths and KDF parameters included) fails authentication;
//! - the chunk index is in the nonce and the associated data: reordered, duplicated or dropped
//!   chunks fail;
//! - the is-last flag and the plaintext length: a file cut after a whole chunk is recognised as
//!   truncated instead of ending cleanly early;
//! - the random file id (in the nonce, the associated data and the file key's wrapping): a chunk
//!   or key block spliced in from another backup fails, and nonces never repeat under one key;
//! - the KEK: a backup made under another master key or passphrase fails to unwrap its file key.
//!
//! The plaintext stream holds two store snapshots, the data store then the key store (whose key
//! material stays wrapped under the KEK, as on disk):
//!
//! ```text
//! plaintext  snapshot (data store) | snapshot (key store)
//! snapshot   tree count u32 | tree × tree count | trailer
//! tree       name length u32 | name | entry count u64 | entry × entry count
//! entry      key length u32 | key | value length u32 | value
//! trailer    total entry count u64 (the sum of the entry counts)
//! ```
//!
//! A reader rejects a stream that ends early, has bytes after the second trailer, a trailer
//! that does not match, or a tree name that appears twice in one snapshot. Version 1 files
//! (data store only) are refused with a message saying so.

use std::collections::HashSet;

use ring::aead;
use zeroize::Zeroizing;

use crate::{store::Snapshot, vault::KekSource};

use super::BackupError;

/// The first eight bytes of every backup.
pub const MAGIC: [u8; 8] = *b"ARCANABK";
/// The format version this build writes and reads.
pub const VERSION: u8 = 2;
/// Length of the fixed part of the header (magic to plaintext length).
const FIXED_LEN: usize = 29;
/// Length of a wrapped file key: a vault envelope of 32 bytes.
pub const WRAPPED_KEY_LEN: usize = 32 + crate::vault::envelope::OVERHEAD;
/// Length of the key block.
const KEY_BLOCK_LEN: usize = 8 + 1 + 16 + 4 + WRAPPED_KEY_LEN;
/// Header length in bytes, key block included.
pub const HEADER_LEN: usize = FIXED_LEN + KEY_BLOCK_LEN;
/// Length of the authentication tag closing every chunk.
pub const TAG_LEN: usize = 16;
/// Plaintext bytes per chunk written by [`write`](super::write).
pub const DEFAULT_CHUNK_SIZE: u32 = 64 * 1024;
/// The largest chunk size a reader accepts (and a writer uses).
pub const MAX_CHUNK_SIZE: u32 = 1024 * 1024;

/// Associated-data length: header, chunk index, is-last flag.
const AAD_LEN: usize = HEADER_LEN + 4 + 1;

/// What a backup holds: both stores.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contents {
    /// The data store (`DIR/db`).
    pub data: Snapshot,
    /// The key store (`DIR/keys`).
    pub keys: Snapshot,
}

/// How a backup's file key is recovered from the KEK alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyBlock {
    /// When the backup was taken (Unix ms).
    pub created_ms: u64,
    /// Master key file or passphrase.
    pub kek_source: KekSource,
    /// PBKDF2 salt (passphrase KEKs).
    pub kdf_salt: [u8; 16],
    /// PBKDF2 iterations (passphrase KEKs).
    pub kdf_iterations: u32,
    /// The file key sealed under the KEK.
    pub wrapped_key: [u8; WRAPPED_KEY_LEN],
}

/// The parsed header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Random per file: half of every nonce.
    pub file_id: [u8; 8],
    /// Plaintext bytes per chunk (the last may hold fewer).
    pub chunk_size: u32,
    /// Total plaintext bytes.
    pub plaintext_len: u64,
    /// The wrapped file key and what unwraps it.
    pub key_block: KeyBlock,
}

impl Header {
    /// The header's bytes, as written and as authenticated.
    pub(crate) fn to_bytes(self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        out[..8].copy_from_slice(&MAGIC);
        out[8] = VERSION;
        out[9..17].copy_from_slice(&self.file_id);
        out[17..21].copy_from_slice(&self.chunk_size.to_be_bytes());
        out[21..29].copy_from_slice(&self.plaintext_len.to_be_bytes());
        let block = &self.key_block;
        out[29..37].copy_from_slice(&block.created_ms.to_be_bytes());
        out[37] = match block.kek_source {
            KekSource::File => 1,
            KekSource::Passphrase => 2,
        };
        out[38..54].copy_from_slice(&block.kdf_salt);
        out[54..58].copy_from_slice(&block.kdf_iterations.to_be_bytes());
        out[58..].copy_from_slice(&block.wrapped_key);
        out
    }

    /// Parses the header at the start of `data`. Nothing is authenticated yet: the caller must
    /// open the chunks before trusting any of it.
    pub fn parse(data: &[u8]) -> Result<Header, BackupError> {
        let Some(magic) = data.get(..MAGIC.len()) else {
            return Err(if !data.is_empty() && MAGIC.starts_with(data) {
                BackupError::Truncated
            } else {
                BackupError::NotABackup
            });
        };
        if magic != MAGIC {
            return Err(BackupError::NotABackup);
        }
        let Some(&version) = data.get(8) else { return Err(BackupError::Truncated) };
        if version == 1 {
            return Err(BackupError::VersionOne);
        }
        if version != VERSION {
            return Err(BackupError::UnsupportedVersion(version));
        }
        let Some(header) = data.get(..HEADER_LEN) else { return Err(BackupError::Truncated) };
        let field = |range: std::ops::Range<usize>| header.get(range).ok_or(BackupError::Truncated);
        let kek_source = match header[37] {
            1 => KekSource::File,
            2 => KekSource::Passphrase,
            _ => return Err(BackupError::Corrupt),
        };
        let header = Header {
            file_id: array(field(9..17)?)?,
            chunk_size: u32::from_be_bytes(array(field(17..21)?)?),
            plaintext_len: u64::from_be_bytes(array(field(21..29)?)?),
            key_block: KeyBlock {
                created_ms: u64::from_be_bytes(array(field(29..37)?)?),
                kek_source,
                kdf_salt: array(field(38..54)?)?,
                kdf_iterations: u32::from_be_bytes(array(field(54..58)?)?),
                wrapped_key: array(field(58..HEADER_LEN)?)?,
            },
        };
        // No writer makes these: the header was altered.
        if header.chunk_size == 0 || header.chunk_size > MAX_CHUNK_SIZE || header.chunk_count().is_none() {
            return Err(BackupError::Corrupt);
        }
        Ok(header)
    }

    /// Number of chunks, if it fits the 32-bit chunk counter.
    pub(crate) fn chunk_count(self) -> Option<u32> {
        if self.chunk_size == 0 {
            return None;
        }
        u32::try_from(self.plaintext_len.div_ceil(u64::from(self.chunk_size)).max(1)).ok()
    }

    /// Plaintext bytes in chunk `index` (which must be below [`Header::chunk_count`]).
    pub(crate) fn chunk_plaintext_len(self, index: u32) -> u64 {
        let start = u64::from(index) * u64::from(self.chunk_size);
        self.plaintext_len.saturating_sub(start).min(u64::from(self.chunk_size))
    }

    /// Length of everything after the header, if it fits a `u64`.
    pub(crate) fn sealed_body_len(self) -> Option<u64> {
        let tags = u64::from(self.chunk_count()?).checked_mul(TAG_LEN as u64)?;
        self.plaintext_len.checked_add(tags)
    }

    /// The context the file key is wrapped with: bound to this file.
    #[must_use]
    pub fn key_context(&self) -> Vec<u8> {
        [b"arcana/backup-file-key".as_slice(), &self.file_id].concat()
    }

    /// The nonce of chunk `index`.
    pub(crate) fn nonce(self, index: u32) -> aead::Nonce {
        let mut nonce = [0u8; aead::NONCE_LEN];
        nonce[..8].copy_from_slice(&self.file_id);
        nonce[8..].copy_from_slice(&index.to_be_bytes());
        aead::Nonce::assume_unique_for_key(nonce)
    }

    /// The associated data of chunk `index`.
    pub(crate) fn aad(self, index: u32) -> aead::Aad<[u8; AAD_LEN]> {
        let mut aad = [0u8; AAD_LEN];
        aad[..HEADER_LEN].copy_from_slice(&self.to_bytes());
        aad[HEADER_LEN..HEADER_LEN + 4].copy_from_slice(&index.to_be_bytes());
        aad[HEADER_LEN + 4] = u8::from(self.chunk_count() == index.checked_add(1));
        aead::Aad::from(aad)
    }
}

/// A fixed-size copy of `bytes` (whose length the caller has checked).
fn array<const N: usize>(bytes: &[u8]) -> Result<[u8; N], BackupError> {
    bytes.try_into().map_err(|_| BackupError::Truncated)
}

/// The AES-256-GCM key for `key`.
pub(crate) fn aead_key(key: &[u8; 32]) -> Result<aead::LessSafeKey, BackupError> {
    let key = aead::UnboundKey::new(&aead::AES_256_GCM, key).map_err(|_| BackupError::Crypto)?;
    Ok(aead::LessSafeKey::new(key))
}

/// Encodes `contents` as the plaintext stream (wiped when dropped).
pub(crate) fn encode(contents: &Contents) -> Result<Zeroizing<Vec<u8>>, BackupError> {
    let mut out = Zeroizing::new(Vec::with_capacity(encoded_len(&contents.data) + encoded_len(&contents.keys)));
    encode_snapshot(&contents.data, &mut out)?;
    encode_snapshot(&contents.keys, &mut out)?;
    Ok(out)
}

fn encoded_len(snapshot: &Snapshot) -> usize {
    let mut len = 4 + 8;
    for (name, entries) in &snapshot.trees {
        len += 4 + name.len() + 8;
        len += entries.iter().map(|(key, value)| 8 + key.len() + value.len()).sum::<usize>();
    }
    len
}

fn encode_snapshot(snapshot: &Snapshot, out: &mut Vec<u8>) -> Result<(), BackupError> {
    let mut total: u64 = 0;
    out.extend_from_slice(&len_u32(snapshot.trees.len())?.to_be_bytes());
    for (name, entries) in &snapshot.trees {
        put_bytes(out, name)?;
        let count = u64::try_from(entries.len()).map_err(|_| BackupError::TooLarge)?;
        out.extend_from_slice(&count.to_be_bytes());
        for (key, value) in entries {
            put_bytes(out, key)?;
            put_bytes(out, value)?;
        }
        total = total.checked_add(count).ok_or(BackupError::TooLarge)?;
    }
    out.extend_from_slice(&total.to_be_bytes());
    Ok(())
}

fn len_u32(len: usize) -> Result<u32, BackupError> {
    u32::try_from(len).map_err(|_| BackupError::TooLarge)
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) -> Result<(), BackupError> {
    out.extend_from_slice(&len_u32(bytes.len())?.to_be_bytes());
    out.extend_from_slice(bytes);
    Ok(())
}

/// The smallest encoded tree (empty name, no entries) and entry (empty key and value).
const MIN_TREE_LEN: usize = 4 + 8;
const MIN_ENTRY_LEN: usize = 4 + 4;

/// Decodes the plaintext stream.
pub(crate) fn decode(bytes: &[u8]) -> Result<Contents, BackupError> {
    let mut input = Input(bytes);
    let data = decode_snapshot(&mut input)?;
    let keys = decode_snapshot(&mut input)?;
    if !input.0.is_empty() {
        return Err(BackupError::Malformed("bytes follow the trailer"));
    }
    Ok(Contents { data, keys })
}

fn decode_snapshot(input: &mut Input<'_>) -> Result<Snapshot, BackupError> {
    let tree_count = input.u32()?;
    let mut trees = Vec::with_capacity(capacity(u64::from(tree_count), input.0.len() / MIN_TREE_LEN));
    let mut names = HashSet::new();
    let mut total: u64 = 0;
    for _ in 0..tree_count {
        let name = input.prefixed()?;
        if !names.insert(name) {
            return Err(BackupError::Malformed("a tree appears twice"));
        }
        let count = input.u64()?;
        let mut entries = Vec::with_capacity(capacity(count, input.0.len() / MIN_ENTRY_LEN));
        for _ in 0..count {
            let key = input.prefixed()?.to_vec();
            let value = input.prefixed()?.to_vec();
            entries.push((key, value));
        }
        total = total.checked_add(count).ok_or(BackupError::Malformed("too many entries"))?;
        trees.push((name.to_vec(), entries));
    }
    if input.u64()? != total {
        return Err(BackupError::Malformed("the trailer does not match the entries"));
    }
    Ok(Snapshot { trees })
}

/// A preallocation for `count` items, never more than the input could hold.
fn capacity(count: u64, at_most: usize) -> usize {
    usize::try_from(count).map_or(at_most, |count| count.min(at_most))
}

/// The unread rest of the plaintext stream.
struct Input<'a>(&'a [u8]);

impl<'a> Input<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], BackupError> {
        if n > self.0.len() {
            return Err(BackupError::Malformed("the contents end inside a field"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], BackupError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u32(&mut self) -> Result<u32, BackupError> {
        self.array().map(u32::from_be_bytes)
    }

    fn u64(&mut self) -> Result<u64, BackupError> {
        self.array().map(u64::from_be_bytes)
    }

    fn prefixed(&mut self) -> Result<&'a [u8], BackupError> {
        let len = usize::try_from(self.u32()?).map_err(|_| BackupError::Malformed("a length does not fit"))?;
        self.take(len)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> Contents {
        Contents {
            data: Snapshot {
                trees: vec![
                    (b"__sled__default".to_vec(), Vec::new()),
                    (b"notes".to_vec(), vec![(b"".to_vec(), b"".to_vec()), (b"a".to_vec(), vec![7; 300])]),
                ],
            },
            keys: Snapshot { trees: vec![(b"vault_meta".to_vec(), vec![(b"meta".to_vec(), vec![1, 2, 3])])] },
        }
    }

    pub(crate) fn key_block() -> KeyBlock {
        KeyBlock {
            created_ms: 1_790_000_000_000,
            kek_source: KekSource::Passphrase,
            kdf_salt: [5; 16],
            kdf_iterations: 600_000,
            wrapped_key: [6; WRAPPED_KEY_LEN],
        }
    }

    /// A toy KEK for tests: the "wrapped" key is the file key `XOR`ed with a constant.
    pub(crate) struct ToyKek;

    impl crate::backup::KeySealer for ToyKek {
        fn key_block(&self, file_key: &[u8; 32], _context: &[u8]) -> Result<KeyBlock, BackupError> {
            let mut block = key_block();
            for (i, b) in file_key.iter().enumerate() {
                block.wrapped_key[i] = b ^ 0x5a;
            }
            Ok(block)
        }
    }

    impl crate::backup::KeyOpener for ToyKek {
        fn file_key(&self, header: &Header) -> Result<Zeroizing<[u8; 32]>, BackupError> {
            let mut key = Zeroizing::new([0u8; 32]);
            for (i, b) in key.iter_mut().enumerate() {
                *b = header.key_block.wrapped_key[i] ^ 0x5a;
            }
            Ok(key)
        }
    }

    fn header(file_id: [u8; 8], chunk_size: u32, plaintext_len: u64) -> Header {
        Header { file_id, chunk_size, plaintext_len, key_block: key_block() }
    }

    #[test]
    fn header_round_trips_and_is_124_bytes() {
        let header = header(*b"\x01\x02\x03\x04\x05\x06\x07\x08", 16, 33);
        let bytes = header.to_bytes();
        assert_eq!(bytes.len(), 124);
        assert_eq!(&bytes[..8], b"ARCANABK");
        assert_eq!(bytes[37], 2, "passphrase");
        assert_eq!(bytes[54..58], 600_000u32.to_be_bytes());
        assert_eq!(Header::parse(&bytes).expect("parse"), header);
        assert_eq!(header.chunk_count(), Some(3));
        assert_eq!([0, 1, 2].map(|i| header.chunk_plaintext_len(i)), [16, 16, 1]);
        assert_eq!(header.sealed_body_len(), Some(33 + 3 * 16));
    }

    #[test]
    fn an_empty_stream_is_one_empty_chunk_and_counts_are_bounded() {
        let empty = header([0; 8], 1, 0);
        assert_eq!(empty.chunk_count(), Some(1));
        assert_eq!(empty.chunk_plaintext_len(0), 0);
        let most = header([0; 8], 1, u64::from(u32::MAX));
        assert_eq!(most.chunk_count(), Some(u32::MAX));
        assert_eq!(Header { plaintext_len: 1 << 32, ..most }.chunk_count(), None);
        assert_eq!(Header { plaintext_len: u64::MAX, chunk_size: MAX_CHUNK_SIZE, ..most }.sealed_body_len(), None);
    }

    #[test]
    fn header_errors_name_the_problem() {
        let good = header([9; 8], 16, 12).to_bytes();
        assert!(matches!(Header::parse(b""), Err(BackupError::NotABackup)));
        assert!(matches!(Header::parse(b"ARCA"), Err(BackupError::Truncated)));
        assert!(matches!(Header::parse(b"PK\x03\x04 not a backup at all"), Err(BackupError::NotABackup)));
        assert!(matches!(Header::parse(&good[..8]), Err(BackupError::Truncated)));
        assert!(matches!(Header::parse(&good[..20]), Err(BackupError::Truncated)));
        let mut v3 = good;
        v3[8] = 3;
        assert!(matches!(Header::parse(&v3), Err(BackupError::UnsupportedVersion(3))));
        let mut v1 = good;
        v1[8] = 1;
        assert!(matches!(Header::parse(&v1), Err(BackupError::VersionOne)));
        let mut unknown_source = good;
        unknown_source[37] = 3;
        assert!(matches!(Header::parse(&unknown_source), Err(BackupError::Corrupt)));
        for chunk_size in [0, MAX_CHUNK_SIZE + 1] {
            let mut bad = good;
            bad[17..21].copy_from_slice(&u32::to_be_bytes(chunk_size));
            assert!(matches!(Header::parse(&bad), Err(BackupError::Corrupt)));
        }
    }

    #[test]
    fn the_stream_round_trips() {
        let snapshot = sample();
        assert_eq!(decode(&encode(&snapshot).expect("encode")).expect("decode"), snapshot);
        let empty = Contents::default();
        assert_eq!(encode(&empty).expect("encode").as_slice(), [0u8; 24]);
        assert_eq!(decode(&[0u8; 24]).expect("decode"), empty);
    }

    #[test]
    fn leftover_missing_or_inconsistent_contents_are_malformed() {
        let good = encode(&sample()).expect("encode");
        let mut longer = good.to_vec();
        longer.push(0);
        assert!(matches!(decode(&longer), Err(BackupError::Malformed("bytes follow the trailer"))));
        for cut in 0..good.len() {
            assert!(matches!(decode(&good[..cut]), Err(BackupError::Malformed(_))), "cut at {cut}");
        }
        let mut wrong_total = good.to_vec();
        let at = wrong_total.len() - 1;
        wrong_total[at] ^= 1;
        assert!(matches!(decode(&wrong_total), Err(BackupError::Malformed("the trailer does not match the entries"))));
        let twice = Contents {
            data: Snapshot { trees: vec![(b"t".to_vec(), Vec::new()), (b"t".to_vec(), Vec::new())] },
            keys: Snapshot::default(),
        };
        let encoded = encode(&twice).expect("encode");
        assert!(matches!(decode(&encoded), Err(BackupError::Malformed("a tree appears twice"))));
        // A huge declared count does not preallocate: it runs out of input.
        let mut huge = vec![0, 0, 0, 1, 0, 0, 0, 0];
        huge.extend_from_slice(&u64::MAX.to_be_bytes());
        assert!(matches!(decode(&huge), Err(BackupError::Malformed(_))));
    }

    fn snapshots() -> impl Strategy<Value = Snapshot> {
        let bytes = || proptest::collection::vec(any::<u8>(), 0..24);
        let entries = proptest::collection::vec((bytes(), bytes()), 0..6);
        proptest::collection::btree_map(bytes(), entries, 0..5)
            .prop_map(|trees| Snapshot { trees: trees.into_iter().collect() })
    }

    fn contents() -> impl Strategy<Value = Contents> {
        (snapshots(), snapshots()).prop_map(|(data, keys)| Contents { data, keys })
    }

    proptest! {
        #[test]
        fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = decode(&bytes);
        }

        #[test]
        fn any_contents_round_trip(snapshot in contents()) {
            prop_assert_eq!(decode(&encode(&snapshot).expect("encode")).expect("decode"), snapshot);
        }
    }
}
