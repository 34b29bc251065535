//! Consistent in-memory copies of the whole store, and new stores built from them.
//!
//! sled 0.34.7 has no snapshots. [`Store::snapshot`] holds the write gate exclusively while it
//! copies every tree (the default tree and the expiry index included), so no mutation runs during
//! the copy and the trees agree with one another. [`Store::restore_snapshot`] never touches an
//! existing store: it builds the new one beside the target and renames it into place.

use std::path::{Path, PathBuf};

use crate::config::StoreConfig;

use super::{Store, StoreError, Watchdog, db::sled_config};

/// sled's name for the default tree, which `Db::tree_names` lists like any other.
pub(super) const DEFAULT_TREE: &[u8] = b"__sled__default";

/// Entries copied or restored under one watchdog guard, so a big tree is not one long operation.
const ENTRIES_PER_GUARD: usize = 1024;

/// A consistent copy of every tree in a store, taken by [`Store::snapshot`].
///
/// `Debug` prints counts only: keys and values are user data.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Every tree as `(tree name, entries)`, trees sorted by name and entries by key (sled's
    /// order); values are the raw stored bytes (record header included).
    #[expect(clippy::type_complexity, reason = "plain nested vectors are the whole point: no store types leak out")]
    pub trees: Vec<(Vec<u8>, Vec<(Vec<u8>, Vec<u8>)>)>,
}

impl Snapshot {
    /// Number of trees.
    #[must_use]
    pub fn tree_count(&self) -> usize {
        self.trees.len()
    }

    /// Number of entries over all trees.
    #[must_use]
    pub fn entry_count(&self) -> usize {
        self.trees.iter().map(|(_, entries)| entries.len()).sum()
    }
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot").field("trees", &self.tree_count()).field("entries", &self.entry_count()).finish()
    }
}

impl Store {
    /// Copies every tree into memory while no mutation runs, so the copy is consistent across
    /// trees even while other threads write (they wait until the copy is done: a pause that
    /// grows with the store, measured in the README's benchmark table).
    ///
    /// The watchdog guards each batch of 1,024 entries, not the whole copy: a
    /// big store on a slow card takes long, but no single step hangs.
    pub fn snapshot(&self) -> Result<Snapshot, StoreError> {
        let frozen = {
            let _watch = self.watchdog.guard("snapshot_freeze");
            self.gate.freeze()
        };
        let mut names = self.db.tree_names();
        names.sort();
        names.dedup();
        let mut trees = Vec::with_capacity(names.len());
        for name in names {
            let tree = {
                let _watch = self.watchdog.guard("snapshot_open_tree");
                open_tree(&self.db, &name)?
            };
            let mut entries = Vec::new();
            let mut iter = tree.iter();
            loop {
                let _watch = self.watchdog.guard("snapshot_copy");
                let before = entries.len();
                for entry in iter.by_ref().take(ENTRIES_PER_GUARD) {
                    let (key, value) = entry?;
                    entries.push((key.to_vec(), value.to_vec()));
                }
                if entries.len() - before < ENTRIES_PER_GUARD {
                    break;
                }
            }
            trees.push((name.to_vec(), entries));
        }
        drop(frozen);
        Ok(Snapshot { trees })
    }

    /// Builds a new store at `path` holding exactly `snapshot`, and opens it.
    ///
    /// Refuses if `path` exists. The store is built in the sibling directory `<path>.restoring`
    /// (refused too if it exists, e.g. left by an interrupted restore), flushed, closed and
    /// renamed to `path`, so `path` never holds a partial store.
    pub fn restore_snapshot(path: &Path, config: &StoreConfig, snapshot: &Snapshot) -> Result<Store, StoreError> {
        refuse_existing(path)?;
        let staging = staging_path(path)?;
        refuse_existing(&staging)?;
        let watchdog = Watchdog::aborting(config.watchdog_timeout, super::db::abort_marker(path))
            .map_err(|e| StoreError::Task(e.to_string()))?;
        let built = build(&staging, config, &watchdog, snapshot).and_then(|()| refuse_existing(path));
        if let Err(e) = built {
            // The staging directory did not exist before this call: it is ours to remove.
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
        if let Err(e) = std::fs::rename(&staging, path) {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(io_error(path, &e));
        }
        sync_parent(path)?;
        Store::open_releasing(path, config, &watchdog)
    }

    /// Opens a store this process has just closed. sled releases its file lock only when its
    /// background flusher notices the last handle is gone, so a reopen right after a close can
    /// find the lock still held for a moment: retry for up to five seconds.
    pub(crate) fn open_releasing(path: &Path, config: &StoreConfig, watchdog: &Watchdog) -> Result<Store, StoreError> {
        let mut attempts = 0;
        loop {
            match Store::open_with(path, config, watchdog.clone()) {
                Err(e) if e.is_lock_held() && attempts < 50 => {
                    attempts += 1;
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                other => return other,
            }
        }
    }
}

/// Writes `snapshot` into a new sled database at `staging`, flushes it and closes it.
fn build(staging: &Path, config: &StoreConfig, watchdog: &Watchdog, snapshot: &Snapshot) -> Result<(), StoreError> {
    let db = {
        let _watch = watchdog.guard("restore_open");
        sled_config(staging, config).create_new(true).open()?
    };
    for (name, entries) in &snapshot.trees {
        let tree = open_tree(&db, name)?;
        for batch in entries.chunks(ENTRIES_PER_GUARD) {
            let _watch = watchdog.guard("restore_insert");
            for (key, value) in batch {
                tree.insert(key.as_slice(), value.as_slice())?;
            }
        }
    }
    {
        let _watch = watchdog.guard("restore_flush");
        db.flush()?;
    }
    // Dropping the last handle stops sled's flusher thread and releases the file lock.
    drop(db);
    Ok(())
}

/// The tree called `name`; the default tree is reached through the `Db` itself, not by name.
fn open_tree(db: &sled::Db, name: &[u8]) -> Result<sled::Tree, StoreError> {
    if name == DEFAULT_TREE {
        let default: &sled::Tree = db;
        Ok(default.clone())
    } else {
        Ok(db.open_tree(name)?)
    }
}

/// `<path>.restoring`, beside `path`.
fn staging_path(path: &Path) -> Result<PathBuf, StoreError> {
    crate::fsutil::sibling(path, ".restoring")
        .ok_or_else(|| StoreError::Io { path: path.to_path_buf(), reason: "the path does not name a file".into() })
}

fn refuse_existing(path: &Path) -> Result<(), StoreError> {
    match crate::fsutil::occupied(path) {
        Ok(false) => Ok(()),
        Ok(true) => Err(StoreError::Exists(path.to_path_buf())),
        Err(e) => Err(io_error(path, &e)),
    }
}

/// Makes the rename of `path` durable.
fn sync_parent(path: &Path) -> Result<(), StoreError> {
    crate::fsutil::sync_parent(path).map_err(|(dir, e)| io_error(&dir, &e))
}

fn io_error(path: &Path, e: &std::io::Error) -> StoreError {
    StoreError::Io { path: path.to_path_buf(), reason: e.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Record;
    use serde::{Deserialize, Serialize};
    use std::{
        sync::{
            Arc,
            atomic::{AtomicBool, AtomicU64, Ordering},
        },
        time::{Duration, SystemTime},
    };

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Left(u64);
    impl Record for Left {
        const TREE: &'static str = "left";
        const VERSION: u8 = 1;
    }

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Right(u64);
    impl Record for Right {
        const TREE: &'static str = "right";
        const VERSION: u8 = 1;
    }

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Blob(Vec<u8>);
    impl Record for Blob {
        const TREE: &'static str = "blobs";
        const VERSION: u8 = 2;
    }

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Nothing;
    impl Record for Nothing {
        const TREE: &'static str = "empty";
        const VERSION: u8 = 1;
    }

    fn entries<'a>(snapshot: &'a Snapshot, tree: &str) -> &'a [(Vec<u8>, Vec<u8>)] {
        snapshot
            .trees
            .iter()
            .find(|(name, _)| name == tree.as_bytes())
            .map(|(_, entries)| entries.as_slice())
            .expect("tree in snapshot")
    }

    fn counters(entries: &[(Vec<u8>, Vec<u8>)]) -> Vec<u64> {
        entries.iter().map(|(key, _)| u64::from_be_bytes(key.as_slice().try_into().expect("u64 key"))).collect()
    }

    /// Runs `write(counter)` for 1, 2, 3, … on another thread and checks 40 snapshots taken
    /// meanwhile with `check`.
    fn snapshots_during(store: &Store, write: impl Fn(u64) + Send + 'static, check: impl Fn(&Snapshot) -> u64) {
        let stop = Arc::new(AtomicBool::new(false));
        let written = Arc::new(AtomicU64::new(0));
        let writer = {
            let (stop, written) = (Arc::clone(&stop), Arc::clone(&written));
            std::thread::spawn(move || {
                let mut counter = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    counter += 1;
                    write(counter);
                    written.store(counter, Ordering::Relaxed);
                }
            })
        };
        let mut last_seen = 0;
        for _ in 0..40 {
            while written.load(Ordering::Relaxed) <= last_seen {
                std::thread::yield_now();
            }
            let highest = check(&store.snapshot().expect("snapshot"));
            assert!(highest >= last_seen, "snapshots move forward");
            last_seen = highest;
        }
        stop.store(true, Ordering::Relaxed);
        writer.join().expect("writer");
    }

    #[test]
    fn a_snapshot_is_consistent_across_trees_while_another_thread_writes() {
        let tmp = crate::layout::private_tempdir();
        let store = Store::open_temporary(tmp.path()).expect("open");
        let left = store.tree::<Left>().expect("tree");
        let right = store.tree::<Right>().expect("tree");
        // Each iteration writes the same counter to both trees, left first. The trees are copied
        // left first too: without the gate, `right` would run ahead of `left` in the copy.
        let write = move |counter: u64| {
            left.insert(&counter.to_be_bytes(), &Left(counter)).expect("insert left");
            right.insert(&counter.to_be_bytes(), &Right(counter)).expect("insert right");
        };
        snapshots_during(&store, write, |snapshot| {
            let (l, r) = (counters(entries(snapshot, "left")), counters(entries(snapshot, "right")));
            let highest = l.last().copied().unwrap_or(0);
            // Two inserts are two mutations: a snapshot may fall between the pair, never elsewhere.
            if l.len() == r.len() {
                assert_eq!(l, r, "both trees hold the same counters");
            } else {
                assert_eq!(l.len(), r.len() + 1, "left is at most the one pending write ahead");
                assert_eq!(l[..r.len()], r[..], "both trees hold the same earlier counters");
            }
            highest
        });
    }

    #[test]
    fn a_write_spanning_two_trees_is_seen_whole_or_not_at_all() {
        let tmp = crate::layout::private_tempdir();
        let store = Store::open_temporary(tmp.path()).expect("open");
        let left = store.tree::<Left>().expect("tree");
        let far = SystemTime::now() + Duration::from_hours(1);
        // `insert_expiring` writes the record and its expiry-index entry under one gate guard.
        let write = move |counter: u64| {
            left.insert_expiring(&counter.to_be_bytes(), &Left(counter), far).expect("insert");
        };
        snapshots_during(&store, write, |snapshot| {
            let records = counters(entries(snapshot, "left"));
            let indexed = entries(snapshot, "__expiry").len();
            assert_eq!(records.len(), indexed, "every record has its index entry and no more");
            assert_eq!(records.len(), usize::try_from(records.last().copied().unwrap_or(0)).expect("usize"));
            records.last().copied().unwrap_or(0)
        });
    }

    fn populated() -> (tempfile::TempDir, Store) {
        let tmp = crate::layout::private_tempdir();
        let store = Store::open_temporary(&tmp.path().join("db")).expect("open");
        let left = store.tree::<Left>().expect("tree");
        for i in 0..300u64 {
            left.insert(&i.to_be_bytes(), &Left(i * 7)).expect("insert");
        }
        let blobs = store.tree::<Blob>().expect("tree");
        blobs.insert(b"big", &Blob(vec![0xA5; 200_000])).expect("insert");
        blobs.insert(b"", &Blob(Vec::new())).expect("insert");
        let later = SystemTime::now() + Duration::from_hours(1);
        blobs.insert_expiring(b"expiring", &Blob(b"soon".to_vec()), later).expect("insert");
        store.tree::<Nothing>().expect("empty tree");
        (tmp, store)
    }

    #[test]
    fn restore_round_trips_every_tree_and_value() {
        let (tmp, store) = populated();
        let snapshot = store.snapshot().expect("snapshot");
        let names: Vec<&[u8]> = snapshot.trees.iter().map(|(name, _)| name.as_slice()).collect();
        for expected in [DEFAULT_TREE, b"__expiry", b"blobs", b"empty", b"left"] {
            assert!(names.contains(&expected), "snapshot lists {:?}", String::from_utf8_lossy(expected));
        }
        assert_eq!(entries(&snapshot, "__expiry").len(), 1);
        assert!(entries(&snapshot, "empty").is_empty());

        let target = tmp.path().join("restored");
        let restored = Store::restore_snapshot(&target, &StoreConfig::default(), &snapshot).expect("restore");
        assert_eq!(restored.snapshot().expect("snapshot"), snapshot);
        assert_eq!(restored.tree::<Left>().expect("tree").get(&299u64.to_be_bytes()).expect("get"), Some(Left(2093)));
        let blobs = restored.tree::<Blob>().expect("tree");
        assert_eq!(blobs.get(b"big").expect("get"), Some(Blob(vec![0xA5; 200_000])));
        assert_eq!(blobs.get(b"expiring").expect("get"), Some(Blob(b"soon".to_vec())));
        assert!(!tmp.path().join("restored.restoring").exists(), "staging directory renamed away");
        drop((blobs, restored));

        // The restored store is an ordinary store: it reopens with the same content.
        let reopened = Store::open_temporary(&target).expect("reopen");
        assert_eq!(reopened.snapshot().expect("snapshot"), snapshot);
    }

    #[test]
    fn restore_refuses_an_existing_target_or_staging_directory() {
        let (tmp, store) = populated();
        let snapshot = store.snapshot().expect("snapshot");
        let config = StoreConfig::default();

        let existing = tmp.path().join("db");
        let err = Store::restore_snapshot(&existing, &config, &snapshot).expect_err("refused");
        assert!(matches!(&err, StoreError::Exists(p) if *p == existing), "{err}");
        assert!(err.to_string().contains("already exists"));

        let file = tmp.path().join("a-file");
        std::fs::write(&file, b"keep me").expect("write");
        assert!(matches!(Store::restore_snapshot(&file, &config, &snapshot), Err(StoreError::Exists(_))));
        assert_eq!(std::fs::read(&file).expect("read"), b"keep me");

        std::fs::create_dir(tmp.path().join("fresh.restoring")).expect("mkdir");
        let err = Store::restore_snapshot(&tmp.path().join("fresh"), &config, &snapshot).expect_err("refused");
        assert!(matches!(&err, StoreError::Exists(p) if p.ends_with("fresh.restoring")), "{err}");
        assert!(!tmp.path().join("fresh").exists());
    }

    #[test]
    fn debug_prints_counts_not_contents() {
        let snapshot = Snapshot {
            trees: vec![(b"secrets".to_vec(), vec![(b"user-42".to_vec(), b"the tower, reversed".to_vec())])],
        };
        let shown = format!("{snapshot:?}");
        assert_eq!(shown, "Snapshot { trees: 1, entries: 1 }");
    }
}
