//! Scheduled backups in one directory: each file named by the moment it was taken
//! (`arcana-20261130T211818.123Z.backup`, so names sort by age), the newest `keep` kept.

use std::{
    path::{Path, PathBuf},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use crate::{store::Store, vault::Vault};

use super::{BackupError, BackupSummary, take_to, write::io_error};

const PREFIX: &str = "arcana-";
const SUFFIX: &str = ".backup";

/// A directory of scheduled backups.
#[derive(Debug, Clone)]
pub struct Rotation {
    dir: PathBuf,
    keep: usize,
}

/// What one scheduled backup did.
#[derive(Debug, Clone)]
pub struct Taken {
    /// The new file.
    pub path: PathBuf,
    /// Its size and contents.
    pub summary: BackupSummary,
    /// Older backups deleted to keep `keep`.
    pub pruned: usize,
}

impl Rotation {
    /// Backups in `dir`, the newest `keep` (at least one) kept.
    #[must_use]
    pub fn new(dir: PathBuf, keep: usize) -> Rotation {
        Rotation { dir, keep: keep.max(1) }
    }

    /// When the newest backup here was taken (Unix ms), if there is one.
    pub fn newest_ms(&self) -> Result<Option<u64>, BackupError> {
        Ok(self.list()?.last().map(|(ms, _)| *ms))
    }

    /// Takes a backup of `data` and `vault` stamped `now_ms`, then deletes the oldest beyond
    /// `keep`. Creates the directory (mode 0700) if needed.
    pub fn take(&self, data: &Store, vault: &Vault, now_ms: u64) -> Result<Taken, BackupError> {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.dir)
            .map_err(|e| io_error(&self.dir, &e))?;
        let path = self.dir.join(file_name(now_ms));
        let summary = take_to(data, vault, now_ms, &path)?;
        let pruned = self.prune(&path)?;
        Ok(Taken { path, summary, pruned })
    }

    /// Deletes the oldest backups beyond `keep` (never `just_written`, whatever its name says
    /// after the clock went back), and temporary files left by interrupted ones.
    fn prune(&self, just_written: &Path) -> Result<usize, BackupError> {
        let mut backups = self.list()?;
        backups.retain(|(_, path)| path != just_written);
        let excess = (backups.len() + 1).saturating_sub(self.keep);
        for (_, path) in &backups[..excess.min(backups.len())] {
            std::fs::remove_file(path).map_err(|e| io_error(path, &e))?;
        }
        for entry in std::fs::read_dir(&self.dir).map_err(|e| io_error(&self.dir, &e))?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(PREFIX) && name.ends_with(".backup.tmp") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        if excess > 0 {
            crate::fsutil::sync_parent(&self.dir.join("x")).map_err(|(dir, e)| io_error(&dir, &e))?;
        }
        Ok(excess)
    }

    /// The backups here, oldest first, with the time in their names.
    fn list(&self) -> Result<Vec<(u64, PathBuf)>, BackupError> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_error(&self.dir, &e)),
        };
        let mut out: Vec<(u64, PathBuf)> = entries
            .flatten()
            .filter_map(|entry| taken_ms(&entry.file_name().to_string_lossy()).map(|ms| (ms, entry.path())))
            .collect();
        out.sort();
        Ok(out)
    }

    /// The directory.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// `arcana-YYYYMMDDTHHMMSS.mmmZ.backup` for a backup taken at `ms`.
fn file_name(ms: u64) -> String {
    let stamp = humantime::format_rfc3339_millis(UNIX_EPOCH + Duration::from_millis(ms)).to_string();
    format!("{PREFIX}{}{SUFFIX}", stamp.replace(['-', ':'], ""))
}

/// The time in a name made by [`file_name`].
fn taken_ms(name: &str) -> Option<u64> {
    let stamp = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    if stamp.len() != 20 || !stamp.is_ascii() {
        return None;
    }
    let rfc3339 = format!(
        "{}-{}-{}T{}:{}:{}",
        &stamp[0..4],
        &stamp[4..6],
        &stamp[6..8],
        &stamp[9..11],
        &stamp[11..13],
        &stamp[13..]
    );
    let at = humantime::parse_rfc3339(&rfc3339).ok()?;
    at.duration_since(SystemTime::UNIX_EPOCH).ok().and_then(|d| u64::try_from(d.as_millis()).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::testing::temp_vault;

    #[test]
    fn names_sort_by_time_and_parse_back() {
        let ms = 1_795_987_098_123;
        let name = file_name(ms);
        assert_eq!(name, "arcana-20261129T211818.123Z.backup");
        assert_eq!(taken_ms(&name), Some(ms));
        assert!(file_name(ms) < file_name(ms + 1) && file_name(ms + 1) < file_name(ms + 86_400_000));
        for other in ["arcana-x.backup", "notes.txt", "arcana-20261130T211818.123Z.backup.tmp"] {
            assert_eq!(taken_ms(other), None, "{other}");
        }
    }

    #[test]
    fn the_newest_are_kept_and_strangers_left_alone() {
        let t = temp_vault();
        let dir = t.tmp.path().join("backups");
        let rotation = Rotation::new(dir.clone(), 2);
        assert_eq!(rotation.newest_ms().expect("empty"), None);
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("mine.txt"), "keep me").expect("write");
        std::fs::write(dir.join(format!("{}.tmp", file_name(5))), "left by a kill").expect("write");
        for ms in [1_000, 2_000, 3_000] {
            let taken = rotation.take(&t.data, &t.vault, ms).expect("take");
            assert!(taken.summary.bytes > 0);
        }
        let mut names: Vec<String> =
            std::fs::read_dir(&dir).expect("dir").flatten().map(|e| e.file_name().to_string_lossy().into()).collect();
        names.sort();
        assert_eq!(names, [file_name(2_000), file_name(3_000), String::from("mine.txt")]);
        assert_eq!(rotation.newest_ms().expect("newest"), Some(3_000));

        // The clock went back: the new file sorts oldest but is never the one pruned.
        let taken = rotation.take(&t.data, &t.vault, 500).expect("take");
        assert!(taken.path.exists(), "the backup just written is kept");
        assert_eq!(taken.pruned, 1);
    }
}
