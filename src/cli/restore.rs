//! `arcana restore FILE` and `arcana backup --verify FILE`.
//!
//! A backup holds both stores, so `master.key` (or the passphrase) and the file are all a new
//! machine needs. Both commands rebuild the stores from the file in a private scratch
//! directory, open the vault with the given key and open every sealed record (profiles,
//! accounts, readings). Records of users deleted before the backup was taken cannot be opened
//! (their data keys were already destroyed): they are dropped and counted, never restored
//! readable. `restore` then commits the scratch directory into place in one rename (see
//! `layout::staging`); `--verify` removes it.

use crate::audit::AuditTrail;
use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use crate::{
    Error,
    audit_tap::Event,
    backup,
    clock::{Clock, SystemClock},
    config::Config,
    control::Domain,
    layout::{DataDir, Interrupted},
    store::Store,
    vault::{KekInput, Vault},
};

use super::{
    Env,
    settings::{kek_input, load_config},
};

/// What rebuilding a backup found.
struct Report {
    /// Users with an account or a profile.
    users: usize,
    /// Records in both stores.
    records: usize,
    /// Sealed records that opened.
    verified: usize,
    /// Records of deleted users that did not open (dropped).
    shredded: usize,
    /// When the backup was taken, as RFC 3339.
    taken: String,
}

impl Report {
    /// "(taken …): N users, N records; N sealed records open; N records of users deleted
    /// before it was taken are unreadable".
    fn summary(&self) -> String {
        format!(
            "(taken {}): {} users, {} records; {} sealed records open; {} records of users deleted before it was taken are unreadable",
            self.taken, self.users, self.records, self.verified, self.shredded
        )
    }
}

/// Restores `file` into `dir`, which must hold no store.
pub fn restore(dir: &DataDir, env: &Env, file: &Path) -> Result<(), Error> {
    if dir.root().exists() && dir.finish_restore()? == Interrupted::Completed {
        println!(
            "completed a restore into {} that was interrupted after it was verified; {} was not read again",
            dir.root().display(),
            file.display()
        );
        return Ok(());
    }
    for store in [dir.db_path(), dir.keys_path()] {
        if store.exists() {
            return Err(Error::Control(format!(
                "{} already exists: restore into a data directory without db/ and keys/ (move them away; keep master.key)",
                store.display()
            )));
        }
    }
    dir.ensure_with(false)?;
    let config = load_config(dir, env)?;
    let input = kek_input(dir, env)?;
    let (header, contents) = read_once(file, &input)?;
    let staging = dir.new_restore_staging()?;
    let report = match rebuild(&staging, &config, &input, &contents, &header) {
        Ok(report) => report,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    dir.commit_restore()?;
    record_restore(dir, env, &config, file)?;
    println!("restored {} {} and were dropped", file.display(), report.summary());
    Ok(())
}

/// Audits the restore in the restored trail (whose head is first settled at its chain's end: see
/// [`AuditTrail::settle_after_restore`]).
fn record_restore(dir: &DataDir, env: &Env, config: &Config, file: &Path) -> Result<(), Error> {
    crate::logging::init_audit_only();
    let opened = super::settings::open_all(dir, env, config)?;
    let store_error = |source| Error::Store { path: dir.db_path(), source };
    let trail = AuditTrail::open(&opened.data, &opened.vault).map_err(store_error)?;
    let behind = trail.settle_after_restore().map_err(store_error)?;
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    tracing::warn!(target: "arcana::audit", event = Event::Restore.name(), file = %name, head_moved_back = behind,
        "a backup was restored into this data directory");
    trail.append(crate::audit_tap::take(usize::MAX, std::time::Duration::ZERO)).map_err(store_error)?;
    if let Err(problem) = trail.checkpoint().map_err(store_error)? {
        eprintln!("arcana: warning: the restored audit trail: {problem}");
    }
    opened.vault.flush_blocking()?;
    Ok(())
}

/// Checks `file` fully (every chunk, every sealed record) without restoring it.
pub fn verify(dir: &DataDir, env: &Env, file: &Path) -> Result<(), Error> {
    let config = load_config(dir, env)?;
    let input = kek_input(dir, env)?;
    let (header, contents) = read_once(file, &input)?;
    let scratch = scratch_dir()?;
    let checked = rebuild(&scratch, &config, &input, &contents, &header);
    let _ = std::fs::remove_dir_all(&scratch);
    let report = checked?;
    println!("{} is a good backup {}", file.display(), report.summary());
    Ok(())
}

/// Reads `file` once: its (authenticated) header and contents.
fn read_once(file: &Path, input: &KekInput) -> Result<(backup::Header, backup::Contents), Error> {
    let bytes = std::fs::read(file).map_err(|e| Error::Control(format!("{}: {e}", file.display())))?;
    let contents = backup::read_bytes_with(&bytes, input)?;
    Ok((backup::Header::parse(&bytes)?, contents))
}

/// A private, new directory under the system's temporary directory.
fn scratch_dir() -> Result<PathBuf, Error> {
    use std::os::unix::fs::DirBuilderExt;
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let path = std::env::temp_dir().join(format!("arcana-verify-{}-{nanos}", std::process::id()));
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&path)
        .map_err(|e| Error::Control(format!("{}: {e}", path.display())))?;
    Ok(path)
}

/// Builds both stores of `contents` in `into`, opens the vault and every sealed record, flushes.
fn rebuild(
    into: &Path,
    config: &Config,
    input: &KekInput,
    contents: &backup::Contents,
    header: &backup::Header,
) -> Result<Report, Error> {
    let store_error = |path: PathBuf| move |source| Error::Store { path, source };
    let keys_path = into.join("keys");
    let db_path = into.join("db");
    let keys = Store::restore_snapshot(&keys_path, &config.store, &contents.keys).map_err(store_error(keys_path))?;
    let data =
        Store::restore_snapshot(&db_path, &config.store, &contents.data).map_err(store_error(db_path.clone()))?;
    let vault = Arc::new(Vault::load(&data, keys, input, SystemClock::default().unix_ms())?);
    let (users, verified, shredded) = verify_sealed(&data, &vault, config)?;
    data.flush_blocking().map_err(store_error(db_path))?;
    vault.flush_blocking()?;
    let taken = crate::clock::rfc3339(header.key_block.created_ms);
    Ok(Report { users, records: contents.data.entry_count() + contents.keys.entry_count(), verified, shredded, taken })
}

/// Opens every sealed record (profiles, accounts, readings): counts the users and the records
/// that open, drops those whose key is destroyed, and fails on any other (tampered) record.
fn verify_sealed(data: &Store, vault: &Arc<Vault>, config: &Config) -> Result<(usize, usize, usize), Error> {
    let Domain { profiles, accounts, readings, .. } =
        Domain::open(data, vault, config, Arc::new(SystemClock::default()))?;
    let mut verified = 0;
    let mut shredded = 0;
    for (opened, dropped) in [profiles.verify_all()?, accounts.verify_all()?, readings.history.verify_all()?] {
        verified += opened;
        shredded += dropped;
    }
    let mut users: std::collections::BTreeSet<i64> = profiles.ids()?.into_iter().collect();
    users.extend(accounts.ids()?);
    Ok((users.len(), verified, shredded))
}
