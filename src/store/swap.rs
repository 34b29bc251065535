//! The swap of a rewritten store into place, on disk, and its recovery after a kill (see
//! [`super::rebuild`] for the steps): the sibling paths `P.next`, `P.ready`, `P.old` and the lock
//! file `P.lock`. Apart from the rewrite, which needs an open [`super::Store`], so that opening a
//! store can run [`recover`] first without the two files importing each other.

use std::{
    fs::File,
    path::{Path, PathBuf},
};

use rustix::fs::{FlockOperation, flock};

use super::StoreError;

/// The sibling paths of the store at `P`.
pub(super) struct Paths {
    pub(super) store: PathBuf,
    pub(super) next: PathBuf,
    pub(super) ready: PathBuf,
    pub(super) old: PathBuf,
    pub(super) lock: PathBuf,
}

impl Paths {
    pub(super) fn of(path: &Path) -> Option<Paths> {
        let sibling = |suffix| crate::fsutil::sibling(path, suffix);
        Some(Paths {
            store: path.to_path_buf(),
            next: sibling(".next")?,
            ready: sibling(".ready")?,
            old: sibling(".old")?,
            lock: sibling(".lock")?,
        })
    }
}

/// Step 3 and 4, on a closed store. On a failure the old store is put back and the rewrite
/// removed.
pub(super) fn swap(paths: &Paths) -> Result<(), StoreError> {
    if let Err(e) = rename(&paths.store, &paths.old) {
        let _ = std::fs::remove_dir_all(&paths.ready);
        return Err(e);
    }
    if let Err(e) = rename(&paths.ready, &paths.store) {
        rename(&paths.old, &paths.store)?;
        let _ = std::fs::remove_dir_all(&paths.ready);
        return Err(e);
    }
    remove_dir(&paths.old)
}

/// Finishes or undoes a rewrite of the store at `path` that a kill interrupted (see the module
/// docs); does nothing while another process is rewriting it.
pub(super) fn recover(path: &Path) -> Result<(), StoreError> {
    let Some(paths) = Paths::of(path) else { return Ok(()) };
    let occupied = |p: &Path| crate::fsutil::occupied(p).map_err(|e| io_error(p, &e.to_string()));
    if !(occupied(&paths.next)? || occupied(&paths.ready)? || occupied(&paths.old)?) {
        return Ok(());
    }
    let _lock = match lock(&paths.lock, FlockOperation::NonBlockingLockExclusive) {
        Ok(lock) => lock,
        // Another process is rewriting it right now; it finishes its own swap.
        Err(StoreError::Io { reason, .. }) if reason.contains("busy") => return Ok(()),
        Err(e) => return Err(e),
    };
    remove_dir(&paths.next)?;
    if occupied(&paths.ready)? {
        tracing::warn!(store = %path.display(), "finishing a rewrite of the store that was interrupted");
        if occupied(&paths.store)? {
            remove_dir(&paths.old)?;
            rename(&paths.store, &paths.old)?;
        }
        rename(&paths.ready, &paths.store)?;
    } else if occupied(&paths.old)? && !occupied(&paths.store)? {
        rename(&paths.old, &paths.store)?;
    }
    remove_dir(&paths.old)
}

/// Takes `operation` (an exclusive lock) on the lock file `path`, creating it (mode 0600).
pub(super) fn lock(path: &Path, operation: FlockOperation) -> Result<File, StoreError> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .map_err(|e| io_error(path, &e.to_string()))?;
    match flock(&file, operation) {
        Ok(()) => Ok(file),
        Err(e) if e == rustix::io::Errno::WOULDBLOCK => Err(io_error(path, "busy")),
        Err(e) => Err(io_error(path, &e.to_string())),
    }
}

/// Syncs every file and directory under `dir`, and `dir` itself: the rewrite's names and
/// contents are on the disk before it is renamed into place.
pub(super) fn sync_tree(dir: &Path) -> Result<(), StoreError> {
    let entries = std::fs::read_dir(dir).map_err(|e| io_error(dir, &e.to_string()))?;
    for entry in entries {
        let path = entry.map_err(|e| io_error(dir, &e.to_string()))?.path();
        if path.is_dir() {
            sync_tree(&path)?;
        } else {
            File::open(&path).and_then(|f| f.sync_all()).map_err(|e| io_error(&path, &e.to_string()))?;
        }
    }
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| io_error(dir, &e.to_string()))
}

/// Renames `from` to `to` and syncs their directory.
pub(super) fn rename(from: &Path, to: &Path) -> Result<(), StoreError> {
    std::fs::rename(from, to).map_err(|e| io_error(from, &e.to_string()))?;
    crate::fsutil::sync_parent(to).map_err(|(dir, e)| io_error(&dir, &e.to_string()))
}

/// Removes the directory `path` and what it holds, if it is there.
pub(super) fn remove_dir(path: &Path) -> Result<(), StoreError> {
    match std::fs::remove_dir_all(path) {
        Ok(()) => crate::fsutil::sync_parent(path).map_err(|(dir, e)| io_error(&dir, &e.to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_error(path, &e.to_string())),
    }
}

pub(super) fn io_error(path: &Path, reason: &str) -> StoreError {
    StoreError::Rewrite { path: path.to_path_buf(), reason: reason.to_owned() }
}
