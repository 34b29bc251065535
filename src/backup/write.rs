//! Writing backups: seal both stores' snapshots chunk by chunk under a fresh random file key,
//! wrapped under the KEK, then publish the file atomically (a private temporary file beside the
//! target, fsynced, renamed, directory fsynced). Never overwrites.

use std::{
    fs::OpenOptions,
    io::Write,
    path::{Path, PathBuf},
};

use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

use super::{
    BackupError,
    format::{self, Contents, DEFAULT_CHUNK_SIZE, HEADER_LEN, Header, KeyBlock, MAX_CHUNK_SIZE},
};

/// Wraps a backup's file key under the KEK.
pub trait KeySealer {
    /// The key block holding `file_key` wrapped with `context` (which binds it to one file).
    fn key_block(&self, file_key: &[u8; 32], context: &[u8]) -> Result<KeyBlock, BackupError>;
}

/// What [`write()`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupSummary {
    /// Trees in the backup.
    pub trees: usize,
    /// Entries over all trees.
    pub entries: usize,
    /// Size of the backup file in bytes.
    pub bytes: u64,
}

/// Seals `contents` under a fresh file key, wrapped by `sealer`, into a new file at `path`.
///
/// Refuses if `path` exists. Writes `<path>.tmp` (mode 0600, refused too if it exists, e.g. left
/// by an interrupted backup), fsyncs it, renames it to `path` and fsyncs the directory, so `path`
/// never holds a partial backup.
pub fn write(contents: &Contents, sealer: &dyn KeySealer, path: &Path) -> Result<BackupSummary, BackupError> {
    Writer::default().write(contents, sealer, path)
}

/// A backup writer; tests use small chunks to exercise many of them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Writer {
    chunk_size: u32,
}

impl Default for Writer {
    fn default() -> Self {
        Writer { chunk_size: DEFAULT_CHUNK_SIZE }
    }
}

impl Writer {
    /// A writer sealing `chunk_size` plaintext bytes per chunk (clamped to 1 byte – 1 MiB).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn with_chunk_size(chunk_size: u32) -> Writer {
        Writer { chunk_size: chunk_size.clamp(1, MAX_CHUNK_SIZE) }
    }

    /// The backup of `contents` under a fresh file key wrapped by `sealer`, in memory.
    pub(crate) fn seal(self, contents: &Contents, sealer: &dyn KeySealer) -> Result<Vec<u8>, BackupError> {
        let mut file_key = Zeroizing::new([0u8; 32]);
        SystemRandom::new().fill(&mut *file_key).map_err(|_| BackupError::Crypto)?;
        self.seal_under(contents, &file_key, |context| sealer.key_block(&file_key, context))
    }

    /// The backup of `contents` under `file_key`, with the key block `key_block` makes for the
    /// file's wrapping context.
    pub(crate) fn seal_under(
        self,
        contents: &Contents,
        file_key: &[u8; 32],
        key_block: impl FnOnce(&[u8]) -> Result<KeyBlock, BackupError>,
    ) -> Result<Vec<u8>, BackupError> {
        let plaintext = format::encode(contents)?;
        let mut file_id = [0u8; 8];
        SystemRandom::new().fill(&mut file_id).map_err(|_| BackupError::Crypto)?;
        let plaintext_len = u64::try_from(plaintext.len()).map_err(|_| BackupError::TooLarge)?;
        let context = [b"arcana/backup-file-key".as_slice(), &file_id].concat();
        let header = Header { file_id, chunk_size: self.chunk_size, plaintext_len, key_block: key_block(&context)? };
        debug_assert_eq!(header.key_context(), context);
        let count = header.chunk_count().ok_or(BackupError::TooLarge)?;
        let sealed_len = header.sealed_body_len().and_then(|n| usize::try_from(n).ok()).ok_or(BackupError::TooLarge)?;
        let key = format::aead_key(file_key)?;

        let mut out = Vec::with_capacity(HEADER_LEN + sealed_len);
        out.extend_from_slice(&header.to_bytes());
        let mut chunks = plaintext.chunks(usize::try_from(self.chunk_size).map_err(|_| BackupError::TooLarge)?);
        for index in 0..count {
            // An empty stream is one empty chunk.
            let chunk = chunks.next().unwrap_or_default();
            let start = out.len();
            out.extend_from_slice(chunk);
            let tag = key
                .seal_in_place_separate_tag(header.nonce(index), header.aad(index), &mut out[start..])
                .map_err(|_| BackupError::Crypto)?;
            out.extend_from_slice(tag.as_ref());
        }
        debug_assert_eq!(out.len(), HEADER_LEN + sealed_len);
        debug_assert!(chunks.next().is_none());
        Ok(out)
    }

    /// Seals `contents` into a new file at `path`; see [`write`].
    pub(crate) fn write(
        self,
        contents: &Contents,
        sealer: &dyn KeySealer,
        path: &Path,
    ) -> Result<BackupSummary, BackupError> {
        refuse_existing(path)?;
        let tmp = tmp_path(path)?;
        refuse_existing(&tmp)?;
        let file_bytes = self.seal(contents, sealer)?;
        let published = write_new(&tmp, &file_bytes).and_then(|()| {
            // Re-checked just before the rename, which would replace a file created meanwhile.
            refuse_existing(path)?;
            std::fs::rename(&tmp, path).map_err(|e| io_error(path, &e))
        });
        if let Err(e) = published {
            // `tmp` did not exist before this call: it is ours to remove.
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        sync_parent(path)?;
        Ok(BackupSummary {
            trees: contents.data.tree_count() + contents.keys.tree_count(),
            entries: contents.data.entry_count() + contents.keys.entry_count(),
            bytes: u64::try_from(file_bytes.len()).unwrap_or(u64::MAX),
        })
    }
}

/// Creates `path` (which must not exist) readable by its owner only, writes `bytes`, fsyncs.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), BackupError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => BackupError::Exists(path.to_path_buf()),
        _ => io_error(path, &e),
    })?;
    file.write_all(bytes).and_then(|()| file.sync_all()).map_err(|e| io_error(path, &e))
}

/// `<path>.tmp`, beside `path`.
fn tmp_path(path: &Path) -> Result<PathBuf, BackupError> {
    crate::fsutil::sibling(path, ".tmp")
        .ok_or_else(|| BackupError::Io { path: path.to_path_buf(), reason: "the path does not name a file".into() })
}

fn refuse_existing(path: &Path) -> Result<(), BackupError> {
    match crate::fsutil::occupied(path) {
        Ok(false) => Ok(()),
        Ok(true) => Err(BackupError::Exists(path.to_path_buf())),
        Err(e) => Err(io_error(path, &e)),
    }
}

/// Makes the rename of `path` durable.
fn sync_parent(path: &Path) -> Result<(), BackupError> {
    crate::fsutil::sync_parent(path).map_err(|(dir, e)| io_error(&dir, &e))
}

pub(super) fn io_error(path: &Path, e: &std::io::Error) -> BackupError {
    BackupError::Io { path: path.to_path_buf(), reason: e.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        backup::{
            format::tests::{ToyKek, key_block},
            read,
        },
        store::Snapshot,
    };

    const KEY: [u8; 32] = [0x42; 32];

    fn sample() -> Contents {
        Contents {
            data: Snapshot {
                trees: vec![
                    (b"empty".to_vec(), Vec::new()),
                    (b"notes".to_vec(), vec![(b"k1".to_vec(), b"v1".to_vec()), (b"k2".to_vec(), vec![1; 1000])]),
                ],
            },
            keys: Snapshot { trees: vec![(b"vault_meta".to_vec(), vec![(b"meta".to_vec(), b"m".to_vec())])] },
        }
    }

    fn fixed(writer: Writer, contents: &Contents) -> Vec<u8> {
        writer.seal_under(contents, &KEY, |_| Ok(key_block())).expect("seal")
    }

    #[test]
    fn writes_a_private_file_that_reads_back() {
        let tmp = crate::layout::private_tempdir();
        let path = tmp.path().join("arcana.backup");
        let snapshot = sample();
        let summary = write(&snapshot, &ToyKek, &path).expect("write");
        let len = std::fs::metadata(&path).expect("metadata").len();
        assert_eq!(summary, BackupSummary { trees: 3, entries: 3, bytes: len });
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("metadata").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(!tmp.path().join("arcana.backup.tmp").exists(), "temporary file renamed away");
        assert_eq!(read(&path, &ToyKek).expect("read"), snapshot);
    }

    #[test]
    fn refuses_to_overwrite_the_backup_or_a_leftover_temporary_file() {
        let tmp = crate::layout::private_tempdir();
        let path = tmp.path().join("b");
        std::fs::write(&path, b"precious").expect("write");
        let err = write(&sample(), &ToyKek, &path).expect_err("refused");
        assert!(matches!(&err, BackupError::Exists(p) if *p == path));
        assert_eq!(err.to_string(), format!("{} already exists; refusing to overwrite it", path.display()));
        assert_eq!(std::fs::read(&path).expect("read"), b"precious");

        let fresh = tmp.path().join("c");
        std::fs::write(tmp.path().join("c.tmp"), b"leftover").expect("write");
        let err = write(&sample(), &ToyKek, &fresh).expect_err("refused");
        assert!(matches!(&err, BackupError::Exists(p) if p.ends_with("c.tmp")));
        assert!(!fresh.exists());
        assert_eq!(std::fs::read(tmp.path().join("c.tmp")).expect("read"), b"leftover");
    }

    #[test]
    fn a_missing_directory_is_an_io_error_naming_the_path() {
        let tmp = crate::layout::private_tempdir();
        let path = tmp.path().join("missing").join("b");
        let err = write(&sample(), &ToyKek, &path).expect_err("no directory");
        assert!(matches!(err, BackupError::Io { .. }));
        assert!(err.to_string().contains("b.tmp"), "{err}");
        assert!(!err.to_string().contains('\n'));
    }

    #[test]
    fn every_backup_has_its_own_file_id() {
        let a = fixed(Writer::default(), &sample());
        let b = fixed(Writer::default(), &sample());
        assert_eq!(a.len(), b.len());
        assert_eq!(a[..9], b[..9]);
        assert_ne!(a[9..17], b[9..17]);
        assert_ne!(a[HEADER_LEN..], b[HEADER_LEN..]);
    }

    #[test]
    fn chunk_sizes_are_clamped() {
        assert_eq!(Writer::with_chunk_size(0).chunk_size, 1);
        assert_eq!(Writer::with_chunk_size(u32::MAX).chunk_size, MAX_CHUNK_SIZE);
    }
}
