//! The inbox's file: an append-only log of sealed updates, their removals and the polling
//! position, with the index of what is live kept in memory and the bodies left on disk.
//!
//! Why not a sled tree (issue 27, SD cards and slow boards): the inbox is a queue — an update is
//! written once, read once, removed once. In sled every admitted update became a tree node held
//! in memory (a flood's 20,000 admitted updates kept about 5 MiB resident, past the page cache's
//! bound) and a batch insert cost more CPU than the rest of ingestion (a profile of the flood
//! burst: sled's insert and its I/O threads took a third of the bot's CPU). Here a batch is one
//! `write` at the end of the file and one `fdatasync`; the index is an id → (offset, length) map.
//! Hand-written: no small crate offers a crash-safe keyed log with removal and compaction, and
//! this is about 300 lines.
//!
//! ```text
//! record:  len: u32 LE | crc32 of the rest: u32 LE | kind: u8 | id: i64 LE | payload
//! kinds:   1 = an update (payload: its sealed JSON), 2 = its removal, 3 = the position (id)
//! ```
//! `len` counts `kind`, `id` and the payload. Opening reads every record in order; the first one
//! that is short, too long or fails its checksum ends the log, and the file is cut there: what a
//! kill interrupted was never acknowledged (a batch is synced before the offset that confirms it
//! is sent). Removed records stay in the file until a compaction rewrites it with only the live
//! ones (`COMPACT_AT`), into a new file renamed over the old one — and at once after a user's
//! deletion, so their sealed updates leave the file.

use std::{
    collections::BTreeMap,
    fs::{File, OpenOptions},
    io::{self, BufReader, BufWriter, Read, Write},
    os::unix::fs::{FileExt, OpenOptionsExt},
    path::{Path, PathBuf},
    sync::{Arc, Mutex, MutexGuard, PoisonError},
};

const UPDATE: u8 = 1;
const REMOVAL: u8 = 2;
const POSITION: u8 = 3;
/// `len` and `crc`.
const HEADER: usize = 8;
/// `kind` and `id`.
const FIXED: usize = 9;
/// Where a record's payload starts, from its first byte.
const PAYLOAD_AT: u64 = (HEADER + FIXED) as u64;
/// Larger records are corruption: an update's JSON is far smaller.
const MAX_RECORD: usize = 1 << 24;
/// The log is rewritten with only its live records once it is this much larger than them.
const COMPACT_AT: u64 = 1 << 20;

/// Why the log failed.
#[derive(Debug, thiserror::Error)]
#[error("inbox log {path}: {source}")]
pub struct LogError {
    path: PathBuf,
    source: io::Error,
}

/// One record to append.
pub(crate) enum Entry<'a> {
    /// An update and its sealed JSON.
    Update(i64, &'a [u8]),
    /// The removal of an update.
    Removal(i64),
    /// The next update id to ask Telegram for.
    Position(i64),
}

impl Entry<'_> {
    /// Its kind, id and payload as the record holds them.
    fn parts(&self) -> (u8, i64, &[u8]) {
        match self {
            Entry::Update(id, sealed) => (UPDATE, *id, sealed),
            Entry::Removal(id) => (REMOVAL, *id, &[]),
            Entry::Position(next) => (POSITION, *next, &[]),
        }
    }
}

/// Where a live update's payload is.
#[derive(Debug, Clone, Copy)]
struct Place {
    offset: u64,
    len: u32,
}

/// What is live, and the file to read it from.
struct Index {
    file: Arc<File>,
    updates: BTreeMap<i64, Place>,
    position: Option<i64>,
    /// Bytes of the live update records (headers included).
    live: u64,
}

/// The open log. Appends are serialised (one write and one sync at a time); reads take only the
/// index's lock, never across a sync.
pub(crate) struct InboxLog {
    path: PathBuf,
    /// The end of the file, where the next record goes; held through a write and its sync.
    end: Mutex<u64>,
    index: Mutex<Index>,
}

impl InboxLog {
    /// Opens (or creates, mode 0600) the log at `path`, reading what it holds; a torn or corrupt
    /// tail is cut off.
    pub(crate) fn open(path: &Path) -> Result<InboxLog, LogError> {
        let fail = |source| LogError { path: path.to_path_buf(), source };
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path)
            .map_err(fail)?;
        let file = Arc::new(file);
        let (index, valid_end) = read_all(&file).map_err(fail)?;
        let length = file.metadata().map_err(fail)?.len();
        if valid_end < length {
            tracing::warn!(path = %path.display(), dropped_bytes = length - valid_end,
                "the inbox log ended in an unfinished record (a kill during a write); cut there");
            file.set_len(valid_end).map_err(fail)?;
            file.sync_all().map_err(fail)?;
        }
        Ok(InboxLog { path: path.to_path_buf(), end: Mutex::new(valid_end), index: Mutex::new(index) })
    }

    fn index(&self) -> MutexGuard<'_, Index> {
        // Every statement leaves the index consistent.
        self.index.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn fail(&self, source: io::Error) -> LogError {
        LogError { path: self.path.clone(), source }
    }

    /// Appends `entries` as one write; with `durable`, synced before returning. Then the index
    /// shows them.
    pub(crate) fn append(&self, entries: &[Entry<'_>], durable: bool) -> Result<(), LogError> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut end = self.end.lock().unwrap_or_else(PoisonError::into_inner);
        let mut buf = Vec::new();
        let mut placed = Vec::with_capacity(entries.len());
        for entry in entries {
            let start = buf.len();
            let (kind, id, payload) = entry.parts();
            encode(&mut buf, kind, id, payload);
            placed.push((*end + u64::try_from(start).unwrap_or(u64::MAX), buf.len() - start));
        }
        let file = Arc::clone(&self.index().file);
        let written = file.write_all_at(&buf, *end).and_then(|()| if durable { file.sync_data() } else { Ok(()) });
        if let Err(e) = written {
            // What part of the batch reached the file is not in the index; cut it, so that a
            // shorter batch written there next cannot leave some of it looking whole.
            let _ = file.set_len(*end);
            return Err(self.fail(e));
        }
        *end += u64::try_from(buf.len()).unwrap_or(u64::MAX);
        let mut index = self.index();
        for (entry, (offset, size)) in entries.iter().zip(placed) {
            let (kind, id, _) = entry.parts();
            apply(&mut index, kind, id, offset, size);
        }
        let compact = *end > COMPACT_AT && *end > 2 * index.live + COMPACT_AT;
        drop(index);
        if compact {
            self.compact_locked(&mut end)?;
        }
        Ok(())
    }

    /// Rewrites the log with only its live records (synced, renamed over the old file): what was
    /// removed leaves the file.
    pub(crate) fn compact(&self) -> Result<(), LogError> {
        let mut end = self.end.lock().unwrap_or_else(PoisonError::into_inner);
        self.compact_locked(&mut end)
    }

    /// The rewrite, with the append lock (`end`) held: nothing changes the index meanwhile, so
    /// it is read once and its lock is not held across the copy (readers go on); the records are
    /// streamed, not gathered in memory (a flood's live inbox is megabytes).
    fn compact_locked(&self, end: &mut u64) -> Result<(), LogError> {
        let next_path = crate::fsutil::sibling(&self.path, ".next").unwrap_or_else(|| self.path.with_extension("next"));
        let fail = |source| LogError { path: next_path.clone(), source };
        let (old, position, live) = {
            let index = self.index();
            let live: Vec<(i64, Place)> = index.updates.iter().map(|(&id, &place)| (id, place)).collect();
            (Arc::clone(&index.file), index.position, live)
        };
        let _ = std::fs::remove_file(&next_path);
        let file =
            OpenOptions::new().read(true).write(true).create_new(true).mode(0o600).open(&next_path).map_err(fail)?;
        let mut out = BufWriter::with_capacity(64 * 1024, &file);
        let mut written = 0u64;
        let mut record = Vec::new();
        let mut put = |record: &[u8]| -> io::Result<u64> {
            let at = written;
            out.write_all(record)?;
            written += u64::try_from(record.len()).unwrap_or(u64::MAX);
            Ok(at)
        };
        if let Some(position) = position {
            encode(&mut record, POSITION, position, &[]);
            put(&record).map_err(fail)?;
        }
        let mut moved = Vec::with_capacity(live.len());
        let mut sealed = Vec::new();
        for (id, place) in live {
            sealed.resize(usize::try_from(place.len).unwrap_or(0), 0);
            old.read_exact_at(&mut sealed, place.offset).map_err(|e| self.fail(e))?;
            record.clear();
            encode(&mut record, UPDATE, id, &sealed);
            moved.push((id, put(&record).map_err(fail)?));
        }
        out.flush().map_err(fail)?;
        drop(out);
        file.sync_all().map_err(fail)?;
        std::fs::rename(&next_path, &self.path).map_err(fail)?;
        crate::fsutil::sync_parent(&self.path).map_err(|(_, e)| self.fail(e))?;
        let mut index = self.index();
        for (id, start) in moved {
            if let Some(place) = index.updates.get_mut(&id) {
                place.offset = start + PAYLOAD_AT;
            }
        }
        index.file = Arc::new(file);
        *end = written;
        Ok(())
    }

    /// The sealed JSON of live update `id`.
    pub(crate) fn read(&self, id: i64) -> Result<Option<Vec<u8>>, LogError> {
        let (file, place) = {
            let index = self.index();
            let Some(place) = index.updates.get(&id).copied() else { return Ok(None) };
            (Arc::clone(&index.file), place)
        };
        let mut sealed = vec![0; usize::try_from(place.len).unwrap_or(0)];
        // A compaction since may have replaced the file: the old one, still open, holds it too.
        file.read_exact_at(&mut sealed, place.offset).map_err(|e| self.fail(e))?;
        Ok(Some(sealed))
    }

    /// Ids of the live updates, in order.
    pub(crate) fn ids(&self) -> Vec<i64> {
        self.index().updates.keys().copied().collect()
    }

    /// The position last written, if any.
    pub(crate) fn position(&self) -> Option<i64> {
        self.index().position
    }

    /// The log's size on disk, in bytes.
    #[cfg(test)]
    pub(crate) fn len(&self) -> u64 {
        *self.end.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Applies a record at `offset` (its header's) of `size` bytes to the index.
fn apply(index: &mut Index, kind: u8, id: i64, offset: u64, size: usize) {
    let size64 = u64::try_from(size).unwrap_or(u64::MAX);
    match kind {
        UPDATE => {
            let place =
                Place { offset: offset + PAYLOAD_AT, len: u32::try_from(size - HEADER - FIXED).unwrap_or(u32::MAX) };
            if index.updates.insert(id, place).is_none() {
                index.live += size64;
            }
        }
        REMOVAL => {
            if let Some(place) = index.updates.remove(&id) {
                index.live = index.live.saturating_sub(u64::from(place.len) + PAYLOAD_AT);
            }
        }
        _ => index.position = Some(id),
    }
}

/// Appends one record to `buf`.
fn encode(buf: &mut Vec<u8>, kind: u8, id: i64, payload: &[u8]) {
    let len = u32::try_from(FIXED + payload.len()).unwrap_or(u32::MAX);
    buf.extend_from_slice(&len.to_le_bytes());
    let crc_at = buf.len();
    buf.extend_from_slice(&[0; 4]);
    let body_at = buf.len();
    buf.push(kind);
    buf.extend_from_slice(&id.to_le_bytes());
    buf.extend_from_slice(payload);
    let crc = crc32fast::hash(&buf[body_at..]);
    buf[crc_at..body_at].copy_from_slice(&crc.to_le_bytes());
}

/// Reads every whole record of `file` from the start: the index they make, and where the last
/// one ends.
fn read_all(file: &Arc<File>) -> io::Result<(Index, u64)> {
    let mut index = Index { file: Arc::clone(file), updates: BTreeMap::new(), position: None, live: 0 };
    let mut reader = BufReader::with_capacity(64 * 1024, file.as_ref());
    let mut offset = 0u64;
    let mut body = Vec::new();
    loop {
        let mut header = [0u8; HEADER];
        if !read_whole(&mut reader, &mut header)? {
            break;
        }
        let len =
            usize::try_from(u32::from_le_bytes([header[0], header[1], header[2], header[3]])).unwrap_or(usize::MAX);
        let crc = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        if !(FIXED..=MAX_RECORD).contains(&len) {
            break;
        }
        body.resize(len, 0);
        if !read_whole(&mut reader, &mut body)? || crc32fast::hash(&body) != crc {
            break;
        }
        let kind = body[0];
        if !matches!(kind, UPDATE | REMOVAL | POSITION) {
            break;
        }
        let mut id = [0u8; 8];
        id.copy_from_slice(&body[1..FIXED]);
        apply(&mut index, kind, i64::from_le_bytes(id), offset, HEADER + len);
        offset += u64::try_from(HEADER + len).unwrap_or(u64::MAX);
    }
    Ok((index, offset))
}

/// Fills `buf`; false at a clean or torn end of the file.
fn read_whole(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<bool> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => return Ok(false),
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("inbox.log");
        (dir, path)
    }

    #[test]
    fn updates_removals_and_the_position_survive_a_reopen() {
        let (_dir, path) = temp();
        let log = InboxLog::open(&path).expect("open");
        assert_eq!((log.ids(), log.position()), (vec![], None));
        log.append(&[Entry::Update(7, b"seven"), Entry::Update(8, b"eight"), Entry::Position(9)], true)
            .expect("append");
        log.append(&[Entry::Removal(7)], false).expect("remove");
        assert_eq!(log.read(8).expect("read").as_deref(), Some(&b"eight"[..]));
        assert_eq!(log.read(7).expect("read"), None, "removed");
        drop(log);
        let again = InboxLog::open(&path).expect("reopen");
        assert_eq!(again.ids(), [8]);
        assert_eq!(again.position(), Some(9));
        assert_eq!(again.read(8).expect("read").as_deref(), Some(&b"eight"[..]));
        let mode = std::fs::metadata(&path).expect("meta").permissions();
        assert_eq!(std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777, 0o600);
    }

    #[test]
    fn a_torn_or_corrupt_tail_is_cut_and_writing_goes_on_after_it() {
        let (_dir, path) = temp();
        let log = InboxLog::open(&path).expect("open");
        log.append(&[Entry::Update(1, b"one"), Entry::Position(2)], true).expect("append");
        let whole = log.len();
        log.append(&[Entry::Update(2, b"two, cut short by a kill")], true).expect("append");
        drop(log);
        // A kill in the middle of the second write: half of it reached the disk.
        let file = OpenOptions::new().write(true).open(&path).expect("open");
        file.set_len(whole + 10).expect("cut");
        drop(file);
        let again = InboxLog::open(&path).expect("reopen");
        assert_eq!(again.ids(), [1]);
        assert_eq!(again.len(), whole, "the torn record is cut off");
        again.append(&[Entry::Update(3, b"three")], true).expect("append after the cut");
        drop(again);
        // A flipped bit in the last record: its checksum fails, so it ends the log.
        let mut bytes = std::fs::read(&path).expect("read");
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes).expect("write");
        let third = InboxLog::open(&path).expect("reopen");
        assert_eq!(third.ids(), [1]);
        assert_eq!(third.position(), Some(2));
    }

    #[test]
    fn compaction_keeps_the_live_records_and_drops_the_removed_bytes() {
        let (_dir, path) = temp();
        let log = InboxLog::open(&path).expect("open");
        let body = vec![b'x'; 4000];
        let secret = b"a removed update's secret".to_vec();
        log.append(&[Entry::Update(0, &secret)], true).expect("append");
        log.append(&[Entry::Removal(0)], true).expect("remove");
        // Past COMPACT_AT with little live: the append that crosses it compacts.
        for id in 1..400 {
            log.append(&[Entry::Update(id, &body), Entry::Position(id + 1)], false).expect("append");
            if id % 10 != 0 {
                log.append(&[Entry::Removal(id)], false).expect("remove");
            }
        }
        assert!(log.len() < COMPACT_AT, "compacted: {} bytes", log.len());
        let on_disk = std::fs::read(&path).expect("read");
        assert!(!on_disk.windows(secret.len()).any(|w| w == secret.as_slice()), "the removed update left the file");
        let live: Vec<i64> = (1..400).filter(|id| id % 10 == 0).collect();
        assert_eq!(log.ids(), live);
        assert_eq!(log.read(390).expect("read"), Some(body.clone()), "read from the new file");
        drop(log);
        let again = InboxLog::open(&path).expect("reopen");
        assert_eq!(again.ids(), live);
        assert_eq!(again.position(), Some(400));
        assert_eq!(again.read(10).expect("read"), Some(body));
    }
}
