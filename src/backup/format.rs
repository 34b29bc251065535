//! # The backup file format, version 1
//!
//! A backup is a header followed by the sealed chunks of one plaintext stream. Integers are
//! big-endian.
//!
//! ```text
//! header   magic "ARCANABK" (8) | version u8 = 1 | file id (8 random bytes)
//!          | chunk size u32 (1 to 1 MiB) | plaintext length u64                     = 29 bytes
//! chunks   chunk 0 | chunk 1 | … | chunk n-1, with n = max(1, ⌈plaintext length / chunk size⌉)
//! chunk i  AES-256-GCM(key, nonce_i, aad_i, plaintext[i·chunk size ..][.. chunk size]) | tag (16)
//! nonce_i  file id (8) | i as u32 (4)
//! aad_i    the 29 header bytes | i as u32 | is-last u8 (1 for chunk n-1, else 0)
//! ```
//!
//! Every chunk but the last holds exactly `chunk size` plaintext bytes; the last holds the rest
//! (possibly none), so the header alone fixes where each chunk starts and how long the file is.
//! What each part protects against:
//!
//! - the header is in every chunk's associated data: changing any header byte (the lengths
//!   included) fails authentication;
//! - the chunk index is in the nonce and the associated data: reordered, duplicated or dropped
//!   chunks fail;
//! - the is-last flag and the plaintext length: a file cut after a whole chunk is recognised as
//!   truncated instead of ending cleanly early;
//! - the random file id (in the nonce and the associated data): a chunk spliced in from another
//!   backup under the same key fails, and nonces never repeat under one key (8 random bytes per
//!   file, fewer than 2³² chunks per file);
//! - the key itself: a backup made with another master key fails on its first chunk.
//!
//! The plaintext stream encodes a [`Snapshot`]:
//!
//! ```text
//! plaintext  tree count u32 | tree × tree count | trailer
//! tree       name length u32 | name | entry count u64 | entry × entry count
//! entry      key length u32 | key | value length u32 | value
//! trailer    total entry count u64 (the sum of the entry counts)
//! ```
//!
//! A reader rejects a stream that ends early, has bytes after the trailer, a trailer that does
//! not match, or a tree name that appears twice.

use std::collections::HashSet;

use ring::aead;
use zeroize::Zeroizing;

use crate::store::Snapshot;

use super::BackupError;

/// The first eight bytes of every backup.
pub const MAGIC: [u8; 8] = *b"ARCANABK";
/// The format version this build writes and reads.
pub const VERSION: u8 = 1;
/// Header length in bytes.
pub const HEADER_LEN: usize = 29;
/// Length of the authentication tag closing every chunk.
pub const TAG_LEN: usize = 16;
/// Plaintext bytes per chunk written by [`write`](super::write).
pub const DEFAULT_CHUNK_SIZE: u32 = 64 * 1024;
/// The largest chunk size a reader accepts (and a writer uses).
pub const MAX_CHUNK_SIZE: u32 = 1024 * 1024;

/// Associated-data length: header, chunk index, is-last flag.
const AAD_LEN: usize = HEADER_LEN + 4 + 1;

/// The parsed header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    /// Random per file: half of every nonce.
    pub(crate) file_id: [u8; 8],
    /// Plaintext bytes per chunk (the last may hold fewer).
    pub(crate) chunk_size: u32,
    /// Total plaintext bytes.
    pub(crate) plaintext_len: u64,
}

impl Header {
    /// The header's bytes, as written and as authenticated.
    pub(crate) fn to_bytes(self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        out[..8].copy_from_slice(&MAGIC);
        out[8] = VERSION;
        out[9..17].copy_from_slice(&self.file_id);
        out[17..21].copy_from_slice(&self.chunk_size.to_be_bytes());
        out[21..].copy_from_slice(&self.plaintext_len.to_be_bytes());
        out
    }

    /// Parses the header at the start of `data`. Nothing is authenticated yet: the caller must
    /// open the chunks before trusting any of it.
    pub(crate) fn parse(data: &[u8]) -> Result<Header, BackupError> {
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
        if version != VERSION {
            return Err(BackupError::UnsupportedVersion(version));
        }
        let Some(header) = data.get(..HEADER_LEN) else { return Err(BackupError::Truncated) };
        let mut file_id = [0u8; 8];
        file_id.copy_from_slice(&header[9..17]);
        let mut chunk_size = [0u8; 4];
        chunk_size.copy_from_slice(&header[17..21]);
        let mut plaintext_len = [0u8; 8];
        plaintext_len.copy_from_slice(&header[21..]);
        let header = Header {
            file_id,
            chunk_size: u32::from_be_bytes(chunk_size),
            plaintext_len: u64::from_be_bytes(plaintext_len),
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

/// The AES-256-GCM key for `key`.
pub(crate) fn aead_key(key: &[u8; 32]) -> Result<aead::LessSafeKey, BackupError> {
    let key = aead::UnboundKey::new(&aead::AES_256_GCM, key).map_err(|_| BackupError::Crypto)?;
    Ok(aead::LessSafeKey::new(key))
}

/// Encodes `snapshot` as the plaintext stream (wiped when dropped).
pub(crate) fn encode(snapshot: &Snapshot) -> Result<Zeroizing<Vec<u8>>, BackupError> {
    let mut len = 4 + 8;
    for (name, entries) in &snapshot.trees {
        len += 4 + name.len() + 8;
        len += entries.iter().map(|(key, value)| 8 + key.len() + value.len()).sum::<usize>();
    }
    let mut out = Zeroizing::new(Vec::with_capacity(len));
    let mut total: u64 = 0;
    out.extend_from_slice(&len_u32(snapshot.trees.len())?.to_be_bytes());
    for (name, entries) in &snapshot.trees {
        put_bytes(&mut out, name)?;
        let count = u64::try_from(entries.len()).map_err(|_| BackupError::TooLarge)?;
        out.extend_from_slice(&count.to_be_bytes());
        for (key, value) in entries {
            put_bytes(&mut out, key)?;
            put_bytes(&mut out, value)?;
        }
        total = total.checked_add(count).ok_or(BackupError::TooLarge)?;
    }
    out.extend_from_slice(&total.to_be_bytes());
    Ok(out)
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
pub(crate) fn decode(bytes: &[u8]) -> Result<Snapshot, BackupError> {
    let mut input = Input(bytes);
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
    if !input.0.is_empty() {
        return Err(BackupError::Malformed("bytes follow the trailer"));
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
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> Snapshot {
        Snapshot {
            trees: vec![
                (b"__sled__default".to_vec(), Vec::new()),
                (b"notes".to_vec(), vec![(b"".to_vec(), b"".to_vec()), (b"a".to_vec(), vec![7; 300])]),
            ],
        }
    }

    #[test]
    fn header_round_trips_and_is_29_bytes() {
        let header = Header { file_id: *b"\x01\x02\x03\x04\x05\x06\x07\x08", chunk_size: 16, plaintext_len: 33 };
        let bytes = header.to_bytes();
        assert_eq!(&bytes[..8], b"ARCANABK");
        assert_eq!(Header::parse(&bytes).expect("parse"), header);
        assert_eq!(header.chunk_count(), Some(3));
        assert_eq!([0, 1, 2].map(|i| header.chunk_plaintext_len(i)), [16, 16, 1]);
        assert_eq!(header.sealed_body_len(), Some(33 + 3 * 16));
    }

    #[test]
    fn an_empty_stream_is_one_empty_chunk_and_counts_are_bounded() {
        let empty = Header { file_id: [0; 8], chunk_size: 1, plaintext_len: 0 };
        assert_eq!(empty.chunk_count(), Some(1));
        assert_eq!(empty.chunk_plaintext_len(0), 0);
        let most = Header { file_id: [0; 8], chunk_size: 1, plaintext_len: u64::from(u32::MAX) };
        assert_eq!(most.chunk_count(), Some(u32::MAX));
        assert_eq!(Header { plaintext_len: 1 << 32, ..most }.chunk_count(), None);
        assert_eq!(Header { plaintext_len: u64::MAX, chunk_size: MAX_CHUNK_SIZE, ..most }.sealed_body_len(), None);
    }

    #[test]
    fn header_errors_name_the_problem() {
        let good = Header { file_id: [9; 8], chunk_size: 16, plaintext_len: 12 }.to_bytes();
        assert!(matches!(Header::parse(b""), Err(BackupError::NotABackup)));
        assert!(matches!(Header::parse(b"ARCA"), Err(BackupError::Truncated)));
        assert!(matches!(Header::parse(b"PK\x03\x04 not a backup at all"), Err(BackupError::NotABackup)));
        assert!(matches!(Header::parse(&good[..8]), Err(BackupError::Truncated)));
        assert!(matches!(Header::parse(&good[..20]), Err(BackupError::Truncated)));
        let mut v2 = good;
        v2[8] = 2;
        assert!(matches!(Header::parse(&v2), Err(BackupError::UnsupportedVersion(2))));
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
        let empty = Snapshot::default();
        assert_eq!(encode(&empty).expect("encode").as_slice(), [0u8; 12]);
        assert_eq!(decode(&[0u8; 12]).expect("decode"), empty);
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
        let twice = Snapshot { trees: vec![(b"t".to_vec(), Vec::new()), (b"t".to_vec(), Vec::new())] };
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

    proptest! {
        #[test]
        fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = decode(&bytes);
        }

        #[test]
        fn any_snapshot_round_trips(snapshot in snapshots()) {
            prop_assert_eq!(decode(&encode(&snapshot).expect("encode")).expect("decode"), snapshot);
        }
    }
}
