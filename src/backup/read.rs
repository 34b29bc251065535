//! Reading backups: parse the header, recover the file key, check the length the header implies,
//! open every chunk in order, decode the stream. Nothing is returned unless every chunk
//! authenticates.

use std::path::Path;

use ring::aead::LessSafeKey;
use zeroize::Zeroizing;

use super::{
    BackupError,
    format::{self, Contents, HEADER_LEN, Header, TAG_LEN},
    write::io_error,
};

/// Recovers a backup's file key from its header.
pub trait KeyOpener {
    /// The file key of the backup with `header`; [`BackupError::WrongKey`] if it does not open.
    fn file_key(&self, header: &Header) -> Result<Zeroizing<[u8; 32]>, BackupError>;
}

/// A file key given as is (tests and fuzzing): the key block is not consulted.
impl KeyOpener for [u8; 32] {
    fn file_key(&self, _header: &Header) -> Result<Zeroizing<[u8; 32]>, BackupError> {
        Ok(Zeroizing::new(*self))
    }
}

/// Reads the backup at `path`, its file key recovered by `opener`.
pub fn read(path: &Path, opener: &dyn KeyOpener) -> Result<Contents, BackupError> {
    let data = std::fs::read(path).map_err(|e| io_error(path, &e))?;
    read_bytes_with(&data, opener)
}

/// Opens a backup held in memory under a given file key. Never panics, whatever `data` holds.
pub fn read_bytes(data: &[u8], key: &[u8; 32]) -> Result<Contents, BackupError> {
    read_bytes_with(data, key)
}

/// Opens a backup held in memory, its file key recovered by `opener`. Never panics.
pub fn read_bytes_with(data: &[u8], opener: &dyn KeyOpener) -> Result<Contents, BackupError> {
    let header = Header::parse(data)?;
    let count = header.chunk_count().ok_or(BackupError::Corrupt)?;
    let expected = header.sealed_body_len().ok_or(BackupError::Corrupt)?;
    let body = data.get(HEADER_LEN..).ok_or(BackupError::Truncated)?;
    let body_len = u64::try_from(body.len()).map_err(|_| BackupError::Corrupt)?;
    if body_len > expected {
        return Err(BackupError::Corrupt);
    }
    let key = format::aead_key(&*opener.file_key(&header)?)?;
    if body_len < expected {
        // Short: truncated if the header is genuine, which the first chunk (when whole) shows.
        let mut scratch = Zeroizing::new(Vec::new());
        return match body.get(..sealed_len(header, 0)?) {
            Some(sealed) if open_chunk(&key, header, 0, sealed, &mut scratch).is_err() => Err(BackupError::Corrupt),
            _ => Err(BackupError::Truncated),
        };
    }

    // `body_len == expected`, so these lengths are bounded by the input. Room for one tag more
    // than the plaintext: the buffer never reallocates, leaving no unwiped copy behind.
    let capacity = usize::try_from(header.plaintext_len).map_err(|_| BackupError::Corrupt)?.saturating_add(TAG_LEN);
    let mut plaintext = Zeroizing::new(Vec::with_capacity(capacity));
    let mut rest = body;
    for index in 0..count {
        let len = sealed_len(header, index)?;
        let (Some(sealed), Some(tail)) = (rest.get(..len), rest.get(len..)) else {
            return Err(BackupError::Corrupt);
        };
        rest = tail;
        open_chunk(&key, header, index, sealed, &mut plaintext)?;
    }
    if !rest.is_empty() {
        return Err(BackupError::Corrupt);
    }
    format::decode(&plaintext)
}

/// Sealed length of chunk `index`: its plaintext and tag.
fn sealed_len(header: Header, index: u32) -> Result<usize, BackupError> {
    usize::try_from(header.chunk_plaintext_len(index))
        .ok()
        .and_then(|n| n.checked_add(TAG_LEN))
        .ok_or(BackupError::Corrupt)
}

/// Authenticates and decrypts chunk `index`, appending its plaintext to `out`.
fn open_chunk(
    key: &LessSafeKey,
    header: Header,
    index: u32,
    sealed: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), BackupError> {
    let start = out.len();
    out.extend_from_slice(sealed);
    let opened = key.open_in_place(header.nonce(index), header.aad(index), &mut out[start..]).map(|p| p.len());
    if let Ok(len) = opened {
        out.truncate(start + len);
        Ok(())
    } else {
        out.truncate(start);
        Err(BackupError::Corrupt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        backup::{format::tests::key_block, write::Writer},
        store::Snapshot,
    };
    use proptest::prelude::*;

    const KEY: [u8; 32] = [7; 32];
    /// The key of the `backup_read` fuzz target (keep in sync with `fuzz/fuzz_targets/backup_read.rs`).
    const FUZZ_KEY: [u8; 32] = *b"arcana fuzz backup key, public!!";
    const CHUNK: u32 = 16;

    fn keys() -> Snapshot {
        Snapshot { trees: vec![(b"vault_data_keys".to_vec(), vec![(b"\0\0\0\0\0\0\0\x01".to_vec(), vec![9; 80])])] }
    }

    fn small() -> Contents {
        let data = Snapshot {
            trees: vec![
                (b"__sled__default".to_vec(), Vec::new()),
                (b"blocks".to_vec(), vec![(b"user:1".to_vec(), b"spam".to_vec()), (b"user:2".to_vec(), Vec::new())]),
                (b"empty".to_vec(), Vec::new()),
                (b"readings".to_vec(), vec![(b"r".to_vec(), b"the tower, the star, the moon".to_vec())]),
            ],
        };
        Contents { data, keys: keys() }
    }

    fn large() -> Contents {
        let big: Vec<u8> = (0..200_000u32).map(|i| u8::try_from(i % 251).expect("byte")).collect();
        let data = Snapshot {
            trees: vec![
                (b"big".to_vec(), vec![(b"a".to_vec(), big.clone()), (b"b".to_vec(), big[..70_000].to_vec())]),
                (b"nothing".to_vec(), Vec::new()),
            ],
        };
        Contents { data, keys: keys() }
    }

    /// Sealed under the file key `key`, with a placeholder key block.
    fn seal_fixed(writer: Writer, contents: &Contents, key: &[u8; 32]) -> Vec<u8> {
        writer.seal_under(contents, key, |_| Ok(key_block())).expect("seal")
    }

    fn tiny_chunks(contents: &Contents, key: &[u8; 32]) -> Vec<u8> {
        seal_fixed(Writer::with_chunk_size(CHUNK), contents, key)
    }

    /// The byte ranges of the chunks of a backup made with [`tiny_chunks`].
    fn chunks(sealed: &[u8]) -> Vec<std::ops::Range<usize>> {
        let full = usize::try_from(CHUNK).expect("usize") + TAG_LEN;
        let mut out = Vec::new();
        let mut start = HEADER_LEN;
        while start < sealed.len() {
            let end = (start + full).min(sealed.len());
            out.push(start..end);
            start = end;
        }
        out
    }

    fn assert_rejected(bytes: &[u8], what: &str) -> BackupError {
        match read_bytes(bytes, &KEY) {
            Ok(_) => panic!("{what}: accepted"),
            Err(e) => e,
        }
    }

    #[test]
    fn round_trips_empty_small_and_multi_chunk_snapshots() {
        let odd = Contents { data: Snapshot { trees: vec![(Vec::new(), Vec::new())] }, keys: Snapshot::default() };
        for snapshot in [Contents::default(), odd, small(), large()] {
            let sealed = seal_fixed(Writer::default(), &snapshot, &KEY);
            assert_eq!(read_bytes(&sealed, &KEY).expect("read"), snapshot);
            let sealed = tiny_chunks(&snapshot, &KEY);
            assert_eq!(read_bytes(&sealed, &KEY).expect("read"), snapshot);
        }
        let sealed = seal_fixed(Writer::default(), &large(), &KEY);
        let header = Header::parse(&sealed).expect("header");
        assert!(header.chunk_count().expect("count") >= 4, "large values span several chunks");
    }

    #[test]
    fn the_file_has_the_documented_layout() {
        let snapshot = small();
        let plaintext = format::encode(&snapshot).expect("encode");
        let sealed = tiny_chunks(&snapshot, &KEY);
        assert_eq!(&sealed[..9], b"ARCANABK\x02");
        assert_eq!(sealed[17..21], CHUNK.to_be_bytes());
        assert_eq!(sealed[21..29], u64::try_from(plaintext.len()).expect("u64").to_be_bytes());
        let count = plaintext.len().div_ceil(16);
        assert_eq!(sealed.len(), HEADER_LEN + plaintext.len() + count * TAG_LEN);
        assert_eq!(chunks(&sealed).len(), count);
    }

    #[test]
    fn every_truncation_is_reported_as_such() {
        let sealed = tiny_chunks(&small(), &KEY);
        assert!(chunks(&sealed).len() > 5);
        for len in 0..sealed.len() {
            let err = assert_rejected(&sealed[..len], &format!("cut at {len}"));
            if len == 0 {
                assert!(matches!(err, BackupError::NotABackup));
            } else {
                assert!(matches!(err, BackupError::Truncated), "cut at {len}: {err}");
            }
        }
    }

    #[test]
    fn a_truncated_backup_with_a_rewritten_length_fails_authentication() {
        let sealed = tiny_chunks(&small(), &KEY);
        let ranges = chunks(&sealed);
        // Drop the last chunk and claim a plaintext that ends where the next-to-last chunk ends.
        let mut cut = sealed[..ranges[ranges.len() - 2].end].to_vec();
        let count = u64::try_from(ranges.len() - 1).expect("u64");
        cut[21..29].copy_from_slice(&(count * u64::from(CHUNK)).to_be_bytes());
        assert!(matches!(assert_rejected(&cut, "shortened"), BackupError::Corrupt));
    }

    #[test]
    fn flipping_any_byte_is_detected() {
        let sealed = tiny_chunks(&small(), &KEY);
        for at in 0..sealed.len() {
            for mask in [0x01, 0x80, 0xff] {
                let mut bad = sealed.clone();
                bad[at] ^= mask;
                assert_rejected(&bad, &format!("byte {at} ^ {mask:#x}"));
            }
        }
    }

    #[test]
    fn flipping_sampled_bytes_of_a_large_backup_is_detected() {
        let sealed = seal_fixed(Writer::default(), &large(), &KEY);
        let positions = (0..sealed.len()).step_by(997).chain(0..HEADER_LEN).chain(sealed.len() - 40..sealed.len());
        for at in positions {
            let mut bad = sealed.clone();
            bad[at] ^= 0x20;
            let err = assert_rejected(&bad, &format!("byte {at}"));
            if at >= HEADER_LEN {
                assert!(matches!(err, BackupError::Corrupt), "byte {at}: {err}");
            }
        }
    }

    #[test]
    fn a_wrong_key_is_corrupt() {
        for sealed in [tiny_chunks(&small(), &KEY), seal_fixed(Writer::default(), &large(), &KEY)] {
            let mut other = KEY;
            other[31] ^= 1;
            assert!(matches!(read_bytes(&sealed, &other), Err(BackupError::Corrupt)));
            assert!(matches!(read_bytes(&sealed[..sealed.len() - 1], &other), Err(BackupError::Corrupt)));
        }
    }

    #[test]
    fn reordered_duplicated_or_dropped_chunks_are_detected() {
        let sealed = tiny_chunks(&small(), &KEY);
        let ranges = chunks(&sealed);
        let piece = |i: usize| &sealed[ranges[i].clone()];

        let mut swapped = sealed[..HEADER_LEN].to_vec();
        for i in [0, 2, 1].into_iter().chain(3..ranges.len()) {
            swapped.extend_from_slice(piece(i));
        }
        assert_eq!(swapped.len(), sealed.len());
        assert!(matches!(assert_rejected(&swapped, "swapped"), BackupError::Corrupt));

        let mut duplicated = sealed[..ranges[2].end].to_vec();
        duplicated.extend_from_slice(piece(2));
        duplicated.extend_from_slice(&sealed[ranges[3].start..]);
        assert_rejected(&duplicated, "duplicated");

        let mut dropped = sealed[..ranges[1].end].to_vec();
        dropped.extend_from_slice(&sealed[ranges[3].start..]);
        assert_rejected(&dropped, "dropped");

        let mut appended = sealed.clone();
        appended.extend_from_slice(piece(ranges.len() - 1));
        assert!(matches!(assert_rejected(&appended, "appended"), BackupError::Corrupt));
    }

    #[test]
    fn chunks_spliced_from_another_backup_are_detected() {
        // Same snapshot, same key, same chunk size: only the file id differs.
        let a = tiny_chunks(&small(), &KEY);
        let b = tiny_chunks(&small(), &KEY);
        assert_eq!(a.len(), b.len());
        let ranges = chunks(&a);
        for i in 0..ranges.len() {
            let mut spliced = a.clone();
            spliced[ranges[i].clone()].copy_from_slice(&b[ranges[i].clone()]);
            assert!(matches!(assert_rejected(&spliced, &format!("chunk {i}")), BackupError::Corrupt));
        }
        let mut header_swapped = a.clone();
        header_swapped[..HEADER_LEN].copy_from_slice(&b[..HEADER_LEN]);
        assert!(matches!(assert_rejected(&header_swapped, "header"), BackupError::Corrupt));
    }

    #[test]
    fn errors_are_one_line_and_reveal_nothing() {
        let sealed = tiny_chunks(&small(), &KEY);
        let mut wrong_version = sealed.clone();
        wrong_version[8] = 9;
        let errors = [
            read_bytes(b"hello", &KEY),
            read_bytes(&wrong_version, &KEY),
            read_bytes(&sealed[..40], &KEY),
            read_bytes(&sealed, &[0; 32]),
        ];
        let messages: Vec<String> = errors.into_iter().map(|r| r.expect_err("rejected").to_string()).collect();
        assert_eq!(
            messages,
            [
                "not an arcana backup",
                "backup format version 9 is not supported by this build",
                "backup is truncated",
                "backup failed its integrity check: tampered, corrupted, or made with another master key",
            ]
        );
    }

    #[test]
    fn reading_a_missing_file_is_an_io_error_naming_it() {
        let tmp = crate::layout::private_tempdir();
        let path = tmp.path().join("nope.backup");
        let err = read(&path, &KEY as &dyn KeyOpener).expect_err("missing");
        assert!(matches!(&err, BackupError::Io { path: p, .. } if *p == path));
        assert!(err.to_string().contains("nope.backup"));
    }

    fn seed_dir() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/backup_read")
    }

    /// Regenerates the fuzz seeds: `cargo test --lib backup::read -- --ignored`.
    #[test]
    #[ignore = "writes fuzz/seeds/backup_read; run once when the format changes"]
    fn generate_fuzz_seeds() {
        let dir = seed_dir();
        std::fs::create_dir_all(&dir).expect("mkdir");
        let multi = seal_fixed(Writer::with_chunk_size(32), &small(), &FUZZ_KEY);
        let single = seal_fixed(Writer::default(), &small(), &FUZZ_KEY);
        std::fs::write(dir.join("valid_multi_chunk"), &multi).expect("write");
        std::fs::write(dir.join("valid_one_chunk"), &single).expect("write");
        std::fs::write(dir.join("truncated"), &multi[..multi.len() - 20]).expect("write");
    }

    #[test]
    fn the_fuzz_seeds_are_current() {
        let dir = seed_dir();
        for valid in ["valid_multi_chunk", "valid_one_chunk"] {
            let bytes = std::fs::read(dir.join(valid)).expect("seed present");
            assert_eq!(read_bytes(&bytes, &FUZZ_KEY).expect(valid), small());
        }
        let truncated = std::fs::read(dir.join("truncated")).expect("seed present");
        assert!(matches!(read_bytes(&truncated, &FUZZ_KEY), Err(BackupError::Truncated)));
    }

    proptest! {
        #[test]
        fn read_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            prop_assert!(read_bytes(&bytes, &KEY).is_err());
        }

        #[test]
        fn read_bytes_never_panics_behind_a_plausible_header(
            chunk_size in prop_oneof![Just(0u32), 1u32..64, Just(u32::MAX)],
            plaintext_len in prop_oneof![0u64..256, Just(u64::MAX), Just(u64::MAX / 16)],
            tail in proptest::collection::vec(any::<u8>(), 0..512),
        ) {
            let header = Header { file_id: [1; 8], chunk_size, plaintext_len, key_block: key_block() };
            let mut bytes = header.to_bytes().to_vec();
            bytes.extend_from_slice(&tail);
            prop_assert!(read_bytes(&bytes, &KEY).is_err());
        }

        #[test]
        fn any_single_change_to_a_backup_is_rejected(at in any::<prop::sample::Index>(), mask in 1u8..=255) {
            let mut sealed = tiny_chunks(&small(), &KEY);
            let at = at.index(sealed.len());
            sealed[at] ^= mask;
            prop_assert!(read_bytes(&sealed, &KEY).is_err());
        }
    }
}
