//! The data directory: `DIR/arcana.toml` (config), `DIR/master.key` (0600), `DIR/db/` (sled),
//! `DIR/keys/` (the key store).
//!
//! arcana creates the layout on first start (or with `arcana init`) and afterwards only checks
//! it: it never overwrites or re-creates the master key of an existing store. Restores are
//! staged and committed in two steps (see [`DataDir::finish_restore`]).

mod staging;

pub use staging::Interrupted;

use std::{
    fs::{self, DirBuilder, OpenOptions},
    io::Write,
    os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt},
    path::{Path, PathBuf},
};

use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

use crate::config::default_config_toml;

/// Length of the master key in bytes.
pub const MASTER_KEY_LEN: usize = 32;

/// Problems with the data directory. All are operator errors (exit code 2) except I/O failures.
#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    /// `arcana init` found an existing key.
    #[error("{0} already exists; refusing to overwrite an existing master key")]
    KeyExists(PathBuf),
    /// The store exists but its key does not.
    #[error(
        "{key} is missing but the store {db} exists; restore the key file, or set ARCANA_PASSPHRASE if this store uses a passphrase (arcana never creates a new key for an existing store)"
    )]
    KeyMissing {
        /// Expected key path.
        key: PathBuf,
        /// The existing store.
        db: PathBuf,
    },
    /// The key file is readable or writable by group or others.
    #[error("{path} has mode {mode:04o}, readable by group or others; fix with: chmod 600 {path}")]
    KeyPermissions {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The data directory can be reached by group or others.
    #[error(
        "the data directory {path} has mode {mode:04o}: group or others can reach the stores in it; fix with: chmod 700 {path}"
    )]
    DirPermissions {
        /// The data directory.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The data directory belongs to another user.
    #[error(
        "the data directory {path} belongs to uid {owner}, but arcana runs as uid {uid}; run arcana as its owner, or fix with: chown -R {uid} {path}"
    )]
    DirOwner {
        /// The data directory.
        path: PathBuf,
        /// Its owner.
        owner: u32,
        /// The user arcana runs as.
        uid: u32,
    },
    /// The key file does not hold 64 hex digits.
    #[error("{0} is malformed: expected {len} hex digits", len = MASTER_KEY_LEN * 2)]
    KeyMalformed(PathBuf),
    /// A filesystem operation failed.
    #[error("{path}: {reason}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error, in words.
        reason: String,
    },
}

impl LayoutError {
    /// Exit code: 2 for operator-fixable problems, 1 for I/O failures.
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        match self {
            LayoutError::Io { .. } => 1,
            _ => 2,
        }
    }

    fn io(path: &Path, error: &std::io::Error) -> LayoutError {
        LayoutError::Io { path: path.to_path_buf(), reason: error.to_string() }
    }
}

/// A fresh temporary directory, mode 0700 (a data directory must be private; tempfile's default
/// follows the umask).
#[cfg(test)]
pub(crate) fn private_tempdir() -> tempfile::TempDir {
    tempfile::Builder::new().permissions(fs::Permissions::from_mode(0o700)).tempdir().expect("tempdir")
}

/// What was created.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Created {
    /// A default config was written.
    pub config: bool,
    /// A new master key was generated.
    pub key: bool,
}

impl Created {
    /// Whether anything was created.
    #[must_use]
    pub fn any(&self) -> bool {
        self.config || self.key
    }
}

/// The master key bytes, wiped from memory on drop.
pub struct MasterKey(Zeroizing<[u8; MASTER_KEY_LEN]>);

impl MasterKey {
    /// The key bytes.
    #[must_use]
    pub fn bytes(&self) -> &[u8; MASTER_KEY_LEN] {
        &self.0
    }
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey([redacted])")
    }
}

/// A data directory.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// The directory at `root` (nothing is touched yet).
    #[must_use]
    pub fn new(root: impl Into<PathBuf>) -> DataDir {
        DataDir { root: root.into() }
    }

    /// The directory itself.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `DIR/arcana.toml`.
    #[must_use]
    pub fn config_path(&self) -> PathBuf {
        self.root.join("arcana.toml")
    }

    /// `DIR/master.key`.
    #[must_use]
    pub fn key_path(&self) -> PathBuf {
        self.root.join("master.key")
    }

    /// `DIR/keys`: the key store.
    #[must_use]
    pub fn keys_path(&self) -> PathBuf {
        self.root.join("keys")
    }

    /// `DIR/db`.
    #[must_use]
    pub fn db_path(&self) -> PathBuf {
        self.root.join("db")
    }

    /// `arcana init`: create the layout; refuse if a key already exists.
    pub fn init(&self) -> Result<Created, LayoutError> {
        if self.key_path().exists() {
            return Err(LayoutError::KeyExists(self.key_path()));
        }
        self.ensure()
    }

    /// `DIR/master.key.new`: a new master key during a rotation.
    #[must_use]
    pub fn new_key_path(&self) -> PathBuf {
        self.root.join("master.key.new")
    }

    /// Writes a fresh master key to `master.key.new` (replacing a stale one from an interrupted
    /// rotation) and returns it.
    pub fn write_new_master_key(&self) -> Result<MasterKey, LayoutError> {
        let path = self.new_key_path();
        if path.exists() {
            fs::remove_file(&path).map_err(|e| LayoutError::io(&path, &e))?;
        }
        let key = generate_key()?;
        let hex = key_file_text(&key);
        write_new_file(&path, hex.as_bytes(), 0o600)?;
        Ok(MasterKey(key))
    }

    /// Makes `master.key.new` the master key (an atomic rename, then a directory sync).
    pub fn commit_new_master_key(&self) -> Result<(), LayoutError> {
        fs::rename(self.new_key_path(), self.key_path()).map_err(|e| LayoutError::io(&self.key_path(), &e))?;
        sync_dir(&self.root)
    }

    /// Creates what is missing (directory, default config, key for a new store) and checks the
    /// key of an existing one.
    pub fn ensure(&self) -> Result<Created, LayoutError> {
        self.ensure_with(true)
    }

    /// As [`DataDir::ensure`]; `create_key` is false when a passphrase replaces the key file.
    pub fn ensure_with(&self, create_key: bool) -> Result<Created, LayoutError> {
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.root)
            .map_err(|e| LayoutError::io(&self.root, &e))?;
        self.check_private()?;
        // A restore killed half way is finished (or undone) before anything looks at the stores.
        self.finish_restore()?;
        let mut created = Created::default();
        if !self.config_path().exists() {
            write_new_file(&self.config_path(), default_config_toml().as_bytes(), 0o600)?;
            created.config = true;
        }
        if create_key && !self.key_path().exists() {
            // A key store (or a data store) without its master key is never given a new key:
            // whatever the old key wrapped would be lost for good.
            for store in [self.db_path(), self.keys_path()] {
                if store.exists() {
                    return Err(LayoutError::KeyMissing { key: self.key_path(), db: store });
                }
            }
            let key = generate_key()?;
            let hex = key_file_text(&key);
            write_new_file(&self.key_path(), hex.as_bytes(), 0o600)?;
            created.key = true;
        }
        sync_dir(&self.root)?;
        Ok(created)
    }

    /// Checks that the data directory is private: owned by the user arcana runs as, with no
    /// permission for group or others. arcana creates it so; a directory made by hand or by a
    /// package may not be, and would expose the stores, the key and the control socket.
    pub fn check_private(&self) -> Result<(), LayoutError> {
        let meta = fs::metadata(&self.root).map_err(|e| LayoutError::io(&self.root, &e))?;
        let uid = rustix::process::geteuid().as_raw();
        if meta.uid() != uid {
            return Err(LayoutError::DirOwner { path: self.root.clone(), owner: meta.uid(), uid });
        }
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(LayoutError::DirPermissions { path: self.root.clone(), mode });
        }
        Ok(())
    }

    /// Checks that the key file exists and is private (no group or other permission bits).
    pub fn check_key_permissions(&self) -> Result<(), LayoutError> {
        let path = self.key_path();
        let meta = fs::metadata(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => LayoutError::KeyMissing { key: path.clone(), db: self.db_path() },
            _ => LayoutError::io(&path, &e),
        })?;
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(LayoutError::KeyPermissions { path, mode });
        }
        Ok(())
    }

    /// Reads the master key after checking its permissions.
    pub fn read_master_key(&self) -> Result<MasterKey, LayoutError> {
        self.check_key_permissions()?;
        let path = self.key_path();
        let text = Zeroizing::new(fs::read_to_string(&path).map_err(|e| LayoutError::io(&path, &e))?);
        let mut key = Zeroizing::new([0u8; MASTER_KEY_LEN]);
        if !from_hex(text.trim(), &mut key) {
            return Err(LayoutError::KeyMalformed(path));
        }
        Ok(MasterKey(key))
    }
}

fn generate_key() -> Result<Zeroizing<[u8; MASTER_KEY_LEN]>, LayoutError> {
    let mut key = Zeroizing::new([0u8; MASTER_KEY_LEN]);
    SystemRandom::new().fill(&mut *key).map_err(|_| LayoutError::Io {
        path: PathBuf::from("/dev/urandom"),
        reason: "the system random generator failed".into(),
    })?;
    Ok(key)
}

fn write_new_file(path: &Path, bytes: &[u8], mode: u32) -> Result<(), LayoutError> {
    let mut file =
        OpenOptions::new().write(true).create_new(true).mode(mode).open(path).map_err(|e| LayoutError::io(path, &e))?;
    file.write_all(bytes).and_then(|()| file.sync_all()).map_err(|e| LayoutError::io(path, &e))
}

fn sync_dir(dir: &Path) -> Result<(), LayoutError> {
    fs::File::open(dir).and_then(|d| d.sync_all()).map_err(|e| LayoutError::io(dir, &e))
}

/// The key file's text: lower-case hex and a newline, written straight into wiped memory (no
/// intermediate copy of the key is left behind).
fn key_file_text(key: &[u8; MASTER_KEY_LEN]) -> Zeroizing<String> {
    use std::fmt::Write as _;
    let mut text = Zeroizing::new(String::with_capacity(MASTER_KEY_LEN * 2 + 1));
    for b in key {
        let _ = write!(text, "{b:02x}");
    }
    text.push('\n');
    text
}

fn from_hex(text: &str, out: &mut [u8; MASTER_KEY_LEN]) -> bool {
    crate::sanitize::parse_hex(text, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_creates_a_private_key_and_refuses_to_overwrite_it() {
        let tmp = crate::layout::private_tempdir();
        let dir = DataDir::new(tmp.path().join("data"));
        let created = dir.init().expect("init");
        assert!(created.config && created.key);
        let mode = fs::metadata(dir.key_path()).expect("key").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let before = fs::read(dir.key_path()).expect("read");
        assert!(matches!(dir.init(), Err(LayoutError::KeyExists(_))));
        assert_eq!(fs::read(dir.key_path()).expect("read"), before);
        dir.read_master_key().expect("key reads back");
    }

    #[test]
    fn a_store_without_its_key_is_refused() {
        let tmp = crate::layout::private_tempdir();
        let dir = DataDir::new(tmp.path());
        fs::create_dir_all(dir.db_path()).expect("db dir");
        let e = dir.ensure().expect_err("must refuse");
        assert!(matches!(e, LayoutError::KeyMissing { .. }));
        assert!(!dir.key_path().exists());
    }

    #[test]
    fn a_key_store_without_its_key_is_refused() {
        let tmp = crate::layout::private_tempdir();
        let dir = DataDir::new(tmp.path());
        fs::create_dir_all(dir.keys_path()).expect("keys dir");
        let e = dir.ensure().expect_err("must refuse");
        assert!(matches!(e, LayoutError::KeyMissing { .. }), "{e}");
        assert!(e.to_string().contains("keys"), "{e}");
        assert!(!dir.key_path().exists(), "no new key for an existing key store");
    }

    #[test]
    fn a_readable_key_is_refused_with_a_fix() {
        let tmp = crate::layout::private_tempdir();
        let dir = DataDir::new(tmp.path());
        dir.ensure().expect("ensure");
        fs::set_permissions(dir.key_path(), fs::Permissions::from_mode(0o644)).expect("chmod");
        let e = dir.read_master_key().expect_err("must refuse").to_string();
        assert!(e.contains("chmod 600"), "{e}");
    }

    #[test]
    fn a_malformed_key_is_refused() {
        let tmp = crate::layout::private_tempdir();
        let dir = DataDir::new(tmp.path());
        dir.ensure().expect("ensure");
        fs::write(dir.key_path(), "zz").expect("write");
        assert!(matches!(dir.read_master_key(), Err(LayoutError::KeyMalformed(_))));
    }

    #[test]
    fn hex_round_trips() {
        let mut out = [0u8; MASTER_KEY_LEN];
        let bytes: [u8; MASTER_KEY_LEN] = std::array::from_fn(|i| u8::try_from(i * 7).expect("small"));
        assert!(from_hex(key_file_text(&bytes).trim(), &mut out));
        assert_eq!(out, bytes);
    }
}
