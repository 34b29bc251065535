//! Restores land in two steps, so that a kill at any moment leaves either the old state or the
//! complete restore, never a mix: the stores are built, verified and flushed in
//! `DIR/restore.partial/`, which one rename turns into `DIR/restore.ready/` (the commit point);
//! then `keys/` and `db/` move into place and the directory goes. [`DataDir::finish_restore`]
//! runs before anything opens the stores: it removes a partial staging directory (the restore
//! never happened) and completes a ready one (it did).

use std::{
    fs::{self, DirBuilder},
    os::unix::fs::DirBuilderExt,
    path::PathBuf,
};

use super::{DataDir, LayoutError, sync_dir};

/// The stores a restore moves into place, key store first.
const STORES: [&str; 2] = ["keys", "db"];

/// What [`DataDir::finish_restore`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interrupted {
    /// No restore was interrupted.
    Nothing,
    /// A restore was killed before its commit point; its staging directory is gone and the data
    /// directory is as it was before.
    RolledBack,
    /// A restore was killed after its commit point; it is now complete.
    Completed,
}

impl DataDir {
    /// `DIR/restore.partial`: a restore being built.
    #[must_use]
    pub fn restore_staging_path(&self) -> PathBuf {
        self.root.join("restore.partial")
    }

    /// `DIR/restore.ready`: a committed restore whose stores are being moved into place.
    #[must_use]
    pub fn restore_ready_path(&self) -> PathBuf {
        self.root.join("restore.ready")
    }

    /// A fresh, private, empty `DIR/restore.partial` (a leftover one is removed first).
    pub fn new_restore_staging(&self) -> Result<PathBuf, LayoutError> {
        let staging = self.restore_staging_path();
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(|e| LayoutError::io(&staging, &e))?;
        }
        DirBuilder::new().recursive(true).mode(0o700).create(&staging).map_err(|e| LayoutError::io(&staging, &e))?;
        Ok(staging)
    }

    /// The commit point of a restore: `restore.partial` becomes `restore.ready` in one rename,
    /// made durable; then the stores move into place.
    pub fn commit_restore(&self) -> Result<(), LayoutError> {
        let (staging, ready) = (self.restore_staging_path(), self.restore_ready_path());
        sync_dir(&staging)?;
        fs::rename(&staging, &ready).map_err(|e| LayoutError::io(&ready, &e))?;
        sync_dir(&self.root)?;
        self.finish_restore().map(|_| ())
    }

    /// Rolls an interrupted restore back (not committed) or forward (committed).
    pub fn finish_restore(&self) -> Result<Interrupted, LayoutError> {
        let (staging, ready) = (self.restore_staging_path(), self.restore_ready_path());
        if ready.exists() {
            // Both targets are checked before either store moves: never a mismatched pair.
            for store in STORES {
                let (from, to) = (ready.join(store), self.root.join(store));
                if occupied(&from)? && occupied(&to)? {
                    return Err(LayoutError::Io {
                        path: to,
                        reason: format!(
                            "a committed restore in {} cannot move its {store}/ here: one exists; move it away",
                            ready.display()
                        ),
                    });
                }
            }
            for store in STORES {
                let (from, to) = (ready.join(store), self.root.join(store));
                if !occupied(&from)? {
                    continue;
                }
                fs::rename(&from, &to).map_err(|e| LayoutError::io(&to, &e))?;
                sync_dir(&self.root)?;
            }
            fs::remove_dir_all(&ready).map_err(|e| LayoutError::io(&ready, &e))?;
            sync_dir(&self.root)?;
            return Ok(Interrupted::Completed);
        }
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(|e| LayoutError::io(&staging, &e))?;
            sync_dir(&self.root)?;
            return Ok(Interrupted::RolledBack);
        }
        Ok(Interrupted::Nothing)
    }
}

/// Whether anything (a dangling symlink included) is at `path`.
fn occupied(path: &std::path::Path) -> Result<bool, LayoutError> {
    crate::fsutil::occupied(path).map_err(|e| LayoutError::io(path, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staged(dir: &DataDir) -> PathBuf {
        let staging = dir.new_restore_staging().expect("staging");
        for store in STORES {
            fs::create_dir(staging.join(store)).expect("mkdir");
            fs::write(staging.join(store).join("conf"), store).expect("write");
        }
        staging
    }

    #[test]
    fn a_partial_restore_is_rolled_back_and_a_committed_one_completed() {
        let tmp = crate::layout::private_tempdir();
        let dir = DataDir::new(tmp.path());
        assert_eq!(dir.finish_restore().expect("nothing"), Interrupted::Nothing);

        staged(&dir);
        assert_eq!(dir.finish_restore().expect("roll back"), Interrupted::RolledBack);
        assert!(!dir.restore_staging_path().exists() && !dir.db_path().exists() && !dir.keys_path().exists());

        // Killed after the commit rename, with the key store already moved.
        let staging = staged(&dir);
        fs::rename(&staging, dir.restore_ready_path()).expect("commit");
        fs::rename(dir.restore_ready_path().join("keys"), dir.keys_path()).expect("half moved");
        assert_eq!(dir.finish_restore().expect("roll forward"), Interrupted::Completed);
        assert_eq!(fs::read_to_string(dir.db_path().join("conf")).expect("db"), "db");
        assert_eq!(fs::read_to_string(dir.keys_path().join("conf")).expect("keys"), "keys");
        assert!(!dir.restore_ready_path().exists());
        assert_eq!(dir.finish_restore().expect("again"), Interrupted::Nothing);
    }

    #[test]
    fn commit_moves_both_stores_and_never_overwrites() {
        let tmp = crate::layout::private_tempdir();
        let dir = DataDir::new(tmp.path());
        staged(&dir);
        dir.commit_restore().expect("commit");
        assert!(dir.db_path().join("conf").exists() && dir.keys_path().join("conf").exists());

        let staging = staged(&dir);
        fs::rename(&staging, dir.restore_ready_path()).expect("commit");
        let err = dir.finish_restore().expect_err("an existing store is never replaced");
        assert!(err.to_string().contains("move it away"), "{err}");
        assert!(dir.restore_ready_path().join("db").exists());
    }
}
