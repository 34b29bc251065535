//! Rewriting a store into a fresh one and swapping it in. sled appends: a removed or replaced
//! record's old bytes stay in the store's log segments until sled happens to reuse them. A store
//! rewritten from its live records holds nothing of what was removed — what crypto-shredding
//! needs of the key store, where a destroyed data key must leave the disk.
//!
//! The swap, for the store at `P`:
//!
//! 1. `P.next` ← a new sled holding every live record of `P`: flushed, closed, its files synced;
//! 2. rename `P.next` → `P.ready`: the rewrite is complete;
//! 3. `P` is closed (every handle gone); rename `P` → `P.old`, then `P.ready` → `P`;
//! 4. `P.old` is removed, and `P` is opened again.
//!
//! A kill at any moment leaves a whole store: [`recover`](super::swap::recover), run before every open, removes a
//! `P.next` (an unfinished rewrite), finishes a swap whose `P.ready` exists (it holds everything
//! `P` holds: the caller writes nothing to `P` from the copy on), and removes a leftover `P.old`.
//! A rewrite that fails before the swap removes its `P.ready`, so recovery never swaps in a copy
//! the store has since moved past. An exclusive lock on the file `P.lock` is held through a
//! rewrite and by recovery, so two processes never step on each other's swap.
//!
//! What this cannot reach: the blocks the old files occupied, once unlinked, stay on the device
//! until the file system reuses them (on flash, the controller's wear levelling decides).

use std::{fs::File, path::Path, time::Duration};

use rustix::fs::{FlockOperation, flock};

use super::{
    Store, StoreError,
    db::sled_config,
    swap::{Paths, io_error, lock, remove_dir, rename, swap, sync_tree},
};

/// Entries copied under one watchdog guard.
const ENTRIES_PER_GUARD: usize = 1024;
/// How often a closed store's lock is probed while sled lets go of its files.
const RELEASE_PROBE: Duration = Duration::from_millis(5);

/// How a rewrite ended.
#[derive(Debug)]
pub enum Rebuilt {
    /// The rewritten store is in place and open.
    Done(Store),
    /// A step failed; the store at the path (the old one, whole) is open again.
    Failed {
        /// What failed.
        error: StoreError,
        /// The store now at the path.
        store: Store,
    },
}

impl Store {
    /// Rewrites this store from its live records, leaving out the trees named in `leave_out`,
    /// and swaps the rewrite in (see the module docs). This must be the last handle on the store
    /// ([`Store::is_only_handle`]), and nothing may write to it meanwhile. `Err` only when no
    /// store could be opened at the path afterwards.
    pub fn rebuild(self, leave_out: &[&str]) -> Result<Rebuilt, StoreError> {
        let Some(paths) = Paths::of(&self.path) else {
            return Ok(Rebuilt::Failed {
                error: io_error(&self.path, "the path does not name a directory"),
                store: self,
            });
        };
        if !self.is_only_handle() {
            return Ok(Rebuilt::Failed {
                error: io_error(&paths.store, "the store is still in use elsewhere in this process"),
                store: self,
            });
        }
        let _lock = match lock(&paths.lock, FlockOperation::LockExclusive) {
            Ok(lock) => lock,
            Err(error) => return Ok(Rebuilt::Failed { error, store: self }),
        };
        if let Err(error) = self.write_ready(&paths, leave_out) {
            let _ = std::fs::remove_dir_all(&paths.next);
            let _ = std::fs::remove_dir_all(&paths.ready);
            return Ok(Rebuilt::Failed { error, store: self });
        }
        let (config, watchdog) = (self.config.clone(), self.watchdog.clone());
        // From here on the old store is closed: every outcome opens whatever whole store is at
        // the path.
        drop(self);
        wait_released(&paths.store.join("db"), &watchdog)?;
        let swapped = swap(&paths);
        let store = Store::open_releasing(&paths.store, &config, &watchdog)?;
        Ok(match swapped {
            Ok(()) => Rebuilt::Done(store),
            Err(error) => Rebuilt::Failed { error, store },
        })
    }

    /// Steps 1 and 2: the rewrite at `P.next`, complete and durable, renamed to `P.ready`.
    fn write_ready(&self, paths: &Paths, leave_out: &[&str]) -> Result<(), StoreError> {
        for stale in [&paths.next, &paths.ready, &paths.old] {
            remove_dir(stale)?;
        }
        let db = {
            let _watch = self.watchdog.guard("rebuild_open");
            sled_config(&paths.next, &self.config).create_new(true).open()?
        };
        for name in self.db.tree_names() {
            if leave_out.iter().any(|left| left.as_bytes() == name.as_ref()) {
                continue;
            }
            let (from, to) = (open_tree(&self.db, &name)?, open_tree(&db, &name)?);
            let mut entries = from.iter();
            loop {
                let _watch = self.watchdog.guard("rebuild_copy");
                let mut copied = 0;
                for entry in entries.by_ref().take(ENTRIES_PER_GUARD) {
                    let (key, value) = entry?;
                    to.insert(key, value)?;
                    copied += 1;
                }
                if copied < ENTRIES_PER_GUARD {
                    break;
                }
            }
        }
        {
            let _watch = self.watchdog.guard("rebuild_flush");
            db.flush()?;
        }
        drop(db);
        wait_released(&paths.next.join("db"), &self.watchdog)?;
        sync_tree(&paths.next)?;
        rename(&paths.next, &paths.ready)
    }

    /// Whether this is the only handle on the store: no clone of it and no typed tree from it
    /// is alive.
    #[must_use]
    pub fn is_only_handle(&self) -> bool {
        std::sync::Arc::strong_count(&self.handles) == 1
    }
}

/// Waits until sled has closed the store whose lock file is `db` (its last handle is dropped;
/// its threads let go of the files a moment later). A store that never lets go is a hang: the
/// watchdog aborts the process, and [`recover`](super::swap::recover) sorts the directories out at the next start.
fn wait_released(db: &Path, watchdog: &super::Watchdog) -> Result<(), StoreError> {
    let _watch = watchdog.guard("rebuild_close");
    let file = File::open(db).map_err(|e| io_error(db, &e.to_string()))?;
    loop {
        match flock(&file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => return Ok(()),
            Err(e) if e == rustix::io::Errno::WOULDBLOCK => std::thread::sleep(RELEASE_PROBE),
            Err(e) => return Err(io_error(db, &e.to_string())),
        }
    }
}

/// The tree `name` of `db`; the default tree is the `Db` itself.
fn open_tree(db: &sled::Db, name: &[u8]) -> Result<sled::Tree, StoreError> {
    if name == super::snapshot::DEFAULT_TREE {
        let default: &sled::Tree = db;
        Ok(default.clone())
    } else {
        Ok(db.open_tree(name)?)
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use super::*;
    use crate::store::Record;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Secret(Vec<u8>);
    impl Record for Secret {
        const TREE: &'static str = "secrets";
        const VERSION: u8 = 1;
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Flag;
    impl Record for Flag {
        const TREE: &'static str = "flags";
        const VERSION: u8 = 1;
    }

    fn bytes_under(dir: &Path) -> Vec<u8> {
        let mut all = Vec::new();
        for entry in std::fs::read_dir(dir).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                all.extend(bytes_under(&path));
            } else {
                all.extend(std::fs::read(&path).expect("read"));
            }
        }
        all
    }

    fn holds(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    const GONE: &[u8] = b"removed-secret-4b1d8e";
    const KEPT: &[u8] = b"kept-secret-77a0c3";

    /// A store at `DIR/keys` with a removed record whose bytes sled still holds, and a kept one.
    fn store_with_a_removed_record(dir: &Path) -> Store {
        let store = Store::open_temporary(&dir.join("keys")).expect("open");
        let secrets = store.tree::<Secret>().expect("tree");
        secrets.insert(b"gone", &Secret(GONE.to_vec())).expect("insert");
        secrets.insert(b"kept", &Secret(KEPT.to_vec())).expect("insert");
        store.tree::<Flag>().expect("tree").insert(b"f", &Flag).expect("insert");
        store.flush_blocking().expect("flush");
        secrets.remove(b"gone").expect("remove");
        store.flush_blocking().expect("flush");
        store
    }

    #[test]
    fn a_rewrite_keeps_the_live_records_and_none_of_the_removed_bytes() {
        let tmp = crate::layout::private_tempdir();
        let store = store_with_a_removed_record(tmp.path());
        assert!(holds(&bytes_under(&tmp.path().join("keys")), GONE), "sled keeps a removed record's bytes");
        let Ok(Rebuilt::Done(store)) = store.rebuild(&[Flag::TREE]) else { panic!("the rewrite failed") };
        let on_disk = bytes_under(&tmp.path().join("keys"));
        assert!(!holds(&on_disk, GONE), "the removed record's bytes are gone");
        assert!(holds(&on_disk, KEPT));
        let secrets = store.tree::<Secret>().expect("tree");
        assert_eq!(secrets.get(b"kept").expect("get"), Some(Secret(KEPT.to_vec())));
        assert_eq!(store.tree::<Flag>().expect("tree").get(b"f").expect("get"), None, "left out");
        for left in ["keys.next", "keys.ready", "keys.old"] {
            assert!(!tmp.path().join(left).exists(), "{left} left behind");
        }
        // Written through, and reopened from disk.
        secrets.insert(b"later", &Secret(b"x".to_vec())).expect("insert");
        store.flush_blocking().expect("flush");
        drop(secrets);
        drop(store);
        let store = Store::open_temporary(&tmp.path().join("keys")).expect("reopen");
        assert!(store.tree::<Secret>().expect("tree").get(b"later").expect("get").is_some());
    }

    #[test]
    fn a_store_with_another_handle_alive_is_not_rewritten() {
        let tmp = crate::layout::private_tempdir();
        let store = store_with_a_removed_record(tmp.path());
        let tree = store.tree::<Secret>().expect("tree");
        let Ok(Rebuilt::Failed { store, .. }) = store.rebuild(&[]) else { panic!("rewritten under a live handle") };
        drop(tree);
        assert!(store.is_only_handle());
        assert_eq!(store.tree::<Secret>().expect("tree").get(b"kept").expect("get"), Some(Secret(KEPT.to_vec())));
    }

    /// Copies the directory `from` to `to`.
    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for entry in std::fs::read_dir(from).expect("read_dir") {
            let path = entry.expect("entry").path();
            let target = to.join(path.file_name().expect("name"));
            if path.is_dir() {
                copy_dir(&path, &target);
            } else {
                std::fs::copy(&path, &target).expect("copy");
            }
        }
    }

    /// What a kill left (directories copied, under which names), and whether the rewrite wins.
    type Case<'a> = (&'a str, &'a [(&'a Path, &'a str)], bool);

    /// Every state a kill can leave: the store opens whole, with the right contents.
    #[test]
    fn a_rewrite_killed_at_any_step_leaves_a_whole_store() {
        let tmp = crate::layout::private_tempdir();
        let original = store_with_a_removed_record(tmp.path());
        let Ok(Rebuilt::Done(rewritten)) = original.rebuild(&[]) else { panic!("the rewrite failed") };
        drop(rewritten);
        // A copy of the old layout (with the removed bytes) and of the rewrite.
        let fixtures = crate::layout::private_tempdir();
        let old = store_with_a_removed_record(fixtures.path());
        drop(old);
        let (old, new) = (fixtures.path().join("keys"), tmp.path().join("keys"));
        let cases: [Case<'_>; 5] = [
            ("killed while copying", &[(&old, "keys"), (&new, "keys.next")], false),
            ("killed with the rewrite ready", &[(&old, "keys"), (&new, "keys.ready")], true),
            ("killed between the renames", &[(&old, "keys.old"), (&new, "keys.ready")], true),
            ("killed before removing the old store", &[(&old, "keys.old"), (&new, "keys")], true),
            ("killed in the middle of an undo", &[(&old, "keys.old")], false),
        ];
        for (what, layout, rewritten) in cases {
            let dir = crate::layout::private_tempdir();
            for (from, name) in layout {
                copy_dir(from, &dir.path().join(name));
            }
            let store = Store::open_temporary(&dir.path().join("keys")).expect(what);
            let kept = store.tree::<Secret>().expect("tree").get(b"kept").expect("get");
            assert_eq!(kept, Some(Secret(KEPT.to_vec())), "{what}: every record there");
            drop(store);
            let left: Vec<String> = std::fs::read_dir(dir.path())
                .expect("read_dir")
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .filter(|name| name != "keys" && name != "keys.lock")
                .collect();
            assert!(left.is_empty(), "{what}: {left:?} left behind");
            let on_disk = bytes_under(&dir.path().join("keys"));
            assert_eq!(!holds(&on_disk, GONE), rewritten, "{what}: the rewrite is in place");
        }
    }
}
