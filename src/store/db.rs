//! The store handle: opens sled once per process with a small cache, hands out typed trees,
//! flushes off the async runtime.

use std::{path::Path, sync::Arc, time::SystemTime};

use crate::config::StoreConfig;

use super::{Record, StoreError, TypedTree, Watchdog, expiry, flushes::Flushes, format, gate::Gate};

/// The process's one sled database.
#[derive(Clone)]
pub struct Store {
    pub(super) db: sled::Db,
    pub(super) watchdog: Watchdog,
    /// Held shared by every mutation, exclusively by [`Store::snapshot`].
    pub(super) gate: Gate,
    /// Where the store lives and how it was opened (a rewrite reopens it there).
    pub(super) path: Arc<Path>,
    pub(super) config: StoreConfig,
    /// One count per handle: every clone of the store and every typed tree from it.
    pub(super) handles: Arc<()>,
    /// Callers of [`Store::flush`], sharing one flush at a time.
    flushes: Arc<Flushes>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (or creates) the store at `path` with the configured cache and flush interval and an
    /// aborting watchdog.
    pub fn open(path: &Path, config: &StoreConfig) -> Result<Store, StoreError> {
        let watchdog = Watchdog::aborting(config.watchdog_timeout, abort_marker(path))
            .map_err(|e| StoreError::Task(e.to_string()))?;
        Store::open_with(path, config, watchdog)
    }

    /// Opens the store with a given watchdog.
    pub fn open_with(path: &Path, config: &StoreConfig, watchdog: Watchdog) -> Result<Store, StoreError> {
        // A rewrite a kill interrupted is finished (or undone) before sled opens the store.
        super::swap::recover(path)?;
        let db = {
            let _watch = watchdog.guard("open");
            sled_config(path, config).open()?
        };
        let opened = {
            let _watch = watchdog.guard("format_check");
            format::check(&db)?
        };
        if let format::Opened::Migrated { from } = opened {
            tracing::info!(path = %path.display(), from, to = format::CURRENT, "migrated the store to the current format");
        }
        Ok(Store {
            db,
            watchdog,
            gate: Gate::default(),
            path: Arc::from(path),
            config: config.clone(),
            handles: Arc::new(()),
            flushes: Arc::new(Flushes::default()),
        })
    }

    /// Opens a store with default settings and a non-aborting watchdog; for tests and tools.
    pub fn open_temporary(path: &Path) -> Result<Store, StoreError> {
        let watchdog = Watchdog::new(std::time::Duration::from_hours(1), Arc::new(|_, _| {}))
            .map_err(|e| StoreError::Task(e.to_string()))?;
        // Tests reopen stores they have just closed: wait for sled to release its lock.
        Store::open_releasing(path, &StoreConfig::default(), &watchdog)
    }

    /// The directory the store lives in.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The typed tree for records of type `R`.
    pub fn tree<R: Record>(&self) -> Result<TypedTree<R>, StoreError> {
        let _watch = self.watchdog.guard("open_tree");
        let tree = self.db.open_tree(R::TREE)?;
        let index = self.db.open_tree(expiry::INDEX_TREE)?;
        Ok(TypedTree::new(tree, index, self.watchdog.clone(), self.gate.clone(), Arc::clone(&self.handles)))
    }

    /// Makes every write so far durable. Runs `flush` on a blocking thread (sled's
    /// `flush_async` can deadlock when called concurrently), one at a time: callers that ask
    /// meanwhile share the next flush.
    pub async fn flush(&self) -> Result<(), StoreError> {
        let store = self.clone();
        self.flushes.flush(move || store.flush_blocking()).await
    }

    /// Flushes on the calling thread; never call this on the async runtime.
    pub fn flush_blocking(&self) -> Result<(), StoreError> {
        let _watch = self.watchdog.guard("flush");
        self.db.flush()?;
        Ok(())
    }

    /// Removes records whose expiry is at or before `now`; returns how many.
    /// The watchdog guards each removal, not the whole sweep (one after long downtime is big).
    pub fn sweep_expired(&self, now: SystemTime) -> Result<usize, StoreError> {
        expiry::sweep(&self.db, &self.gate, &self.watchdog, now)
    }

    /// Every tree's name (tests scan them for what must not be there).
    #[cfg(test)]
    pub(crate) fn tree_names(&self) -> Vec<String> {
        self.db.tree_names().iter().map(|n| String::from_utf8_lossy(n).into_owned()).collect()
    }

    /// The raw sled tree `name` (tests that tamper with stored bytes).
    #[cfg(test)]
    pub(crate) fn raw_tree(&self, name: &str) -> sled::Tree {
        self.db.open_tree(name).expect("tree")
    }

    /// Every raw entry of `tree` (tests).
    #[cfg(test)]
    pub(crate) fn raw_entries(&self, tree: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
        let tree = self.db.open_tree(tree).expect("tree");
        tree.iter().map(|e| e.expect("entry")).map(|(k, v)| (k.to_vec(), v.to_vec())).collect()
    }

    /// The watchdog guarding this store.
    #[must_use]
    pub fn watchdog(&self) -> &Watchdog {
        &self.watchdog
    }

    /// Approximate bytes used on disk.
    pub fn size_on_disk(&self) -> Result<u64, StoreError> {
        Ok(self.db.size_on_disk()?)
    }
}

/// The file the watchdog writes beside the store at `path` before aborting (`db.aborted`).
#[must_use]
pub fn abort_marker(path: &Path) -> std::path::PathBuf {
    crate::fsutil::sibling(path, ".aborted").unwrap_or_else(|| path.join("aborted"))
}

/// The sled settings for a store at `path`: a small cache, the configured background flush.
pub(super) fn sled_config(path: &Path, config: &StoreConfig) -> sled::Config {
    let flush_ms = u64::try_from(config.flush_every.as_millis()).unwrap_or(u64::MAX);
    sled::Config::new()
        .path(path)
        .cache_capacity(config.cache_capacity_bytes())
        .flush_every_ms(Some(flush_ms))
        .mode(sled::Mode::LowSpace)
}
