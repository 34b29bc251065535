//! Small filesystem helpers for writing files and directories safely: a sibling path for
//! staging, a no-follow existence check, and syncing a directory after a rename.

use std::{
    ffi::OsString,
    fs::File,
    io,
    path::{Path, PathBuf},
};

/// `path` with `suffix` appended to its file name (`db` → `db.restoring`); `None` if `path` has no
/// file name.
#[must_use]
pub(crate) fn sibling(path: &Path, suffix: &str) -> Option<PathBuf> {
    let mut name = OsString::from(path.file_name()?);
    name.push(suffix);
    Some(path.with_file_name(name))
}

/// Whether anything (a file, directory or dangling symlink) is at `path`.
pub(crate) fn occupied(path: &Path) -> io::Result<bool> {
    match std::fs::symlink_metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Syncs the directory holding `path`, making a rename of `path` durable. On error, returns the
/// directory with the error.
pub(crate) fn sync_parent(path: &Path) -> Result<(), (PathBuf, io::Error)> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    File::open(parent).and_then(|dir| dir.sync_all()).map_err(|e| (parent.to_path_buf(), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siblings_and_occupancy() {
        assert_eq!(sibling(Path::new("/a/db"), ".restoring"), Some(PathBuf::from("/a/db.restoring")));
        assert_eq!(sibling(Path::new("/"), ".x"), None);
        let tmp = crate::layout::private_tempdir();
        assert!(occupied(tmp.path()).expect("stat"));
        assert!(!occupied(&tmp.path().join("nothing")).expect("stat"));
        sync_parent(&tmp.path().join("file")).expect("sync");
    }
}
