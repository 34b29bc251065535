//! The store's format version: one big-endian `u32` under [`MARKER`] in sled's default tree,
//! checked each time a store (the data store `db/` or the key store `keys/`) is opened.
//!
//! - A new store is stamped with [`CURRENT`].
//! - An older store is migrated step by step, each step followed by a flush and the new stamp,
//!   so a kill mid-way resumes from the last finished step on the next start.
//! - A newer store is refused ([`StoreError::TooNew`]): this build does not know what changed,
//!   and writing to it could corrupt what a newer build wrote. The CLI maps that to one line and
//!   exit code 2.
//!
//! History: format 1 is every store written before the stamp existed (records carry their own
//! version byte, see `record.rs`); format 2 adds the stamp. The 1 → 2 step is the stamp itself:
//! nothing else changed, and `tests/fixtures/store-v1/` (written by a format-1 build) proves an
//! old data directory opens and is read through the bot after the upgrade.

use super::StoreError;

/// The key of the format stamp in sled's default tree.
pub const MARKER: &[u8] = b"arcana.store.format";

/// The format this build writes.
pub const CURRENT: u32 = 2;

/// Format of a store written before the stamp existed.
const UNSTAMPED: u32 = 1;

/// One migration: takes a store of format `from` to `from + 1`.
struct Step {
    from: u32,
    run: fn(&sled::Db) -> Result<(), StoreError>,
}

/// Every migration, in order; a new format adds one step here and raises [`CURRENT`].
const STEPS: &[Step] = &[Step { from: 1, run: |_| Ok(()) }];

/// What opening found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opened {
    /// A new store, stamped with [`CURRENT`].
    Created,
    /// Already at [`CURRENT`].
    Current,
    /// Migrated from format `from`.
    Migrated {
        /// The format found.
        from: u32,
    },
}

/// Checks `db`'s format, stamping a new store and migrating an older one.
pub fn check(db: &sled::Db) -> Result<Opened, StoreError> {
    let found = match read(db)? {
        Some(version) => version,
        None if !db.was_recovered() => {
            stamp(db, CURRENT)?;
            return Ok(Opened::Created);
        }
        None => UNSTAMPED,
    };
    if found > CURRENT {
        return Err(StoreError::TooNew { found, supported: CURRENT });
    }
    if found == CURRENT {
        return Ok(Opened::Current);
    }
    let mut version = found;
    for step in STEPS.iter().filter(|s| s.from >= found && s.from < CURRENT) {
        (step.run)(db)?;
        version = step.from + 1;
        stamp(db, version)?;
    }
    debug_assert_eq!(version, CURRENT, "STEPS must reach CURRENT");
    Ok(Opened::Migrated { from: found })
}

/// The stamped format, if any.
pub fn read(db: &sled::Db) -> Result<Option<u32>, StoreError> {
    let Some(raw) = db.get(MARKER)? else { return Ok(None) };
    let bytes: [u8; 4] = raw.as_ref().try_into().map_err(|_| StoreError::Decode {
        tree: "store format",
        reason: format!("the format stamp has {} bytes, not 4", raw.len()),
    })?;
    Ok(Some(u32::from_be_bytes(bytes)))
}

/// Writes `version` as the store's format and flushes it.
pub fn stamp(db: &sled::Db, version: u32) -> Result<(), StoreError> {
    db.insert(MARKER, &version.to_be_bytes())?;
    db.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(path: &std::path::Path) -> sled::Db {
        sled::Config::new().path(path).open().expect("open sled")
    }

    #[test]
    fn a_new_store_is_stamped_current() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = open(&dir.path().join("db"));
        assert_eq!(check(&db).expect("check"), Opened::Created);
        assert_eq!(read(&db).expect("read"), Some(CURRENT));
        assert_eq!(check(&db).expect("check"), Opened::Current);
    }

    #[test]
    fn an_unstamped_existing_store_is_format_one_and_migrated() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("db");
        {
            let db = open(&path);
            db.insert(b"k", b"v").expect("insert");
            db.flush().expect("flush");
        }
        let db = open(&path);
        assert!(db.was_recovered());
        assert_eq!(check(&db).expect("check"), Opened::Migrated { from: 1 });
        assert_eq!(read(&db).expect("read"), Some(CURRENT));
        assert_eq!(db.get(b"k").expect("get").as_deref(), Some(&b"v"[..]), "data kept");
    }

    #[test]
    fn a_newer_store_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = open(&dir.path().join("db"));
        stamp(&db, CURRENT + 1).expect("stamp");
        match check(&db) {
            Err(StoreError::TooNew { found, supported }) => assert_eq!((found, supported), (CURRENT + 1, CURRENT)),
            other => panic!("expected TooNew, got {other:?}"),
        }
        assert_eq!(read(&db).expect("read"), Some(CURRENT + 1), "never downgraded");
    }

    #[test]
    fn a_malformed_stamp_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = open(&dir.path().join("db"));
        db.insert(MARKER, b"xx").expect("insert");
        assert!(matches!(check(&db), Err(StoreError::Decode { .. })));
    }

    #[test]
    fn the_steps_reach_the_current_format() {
        let last = STEPS.iter().map(|s| s.from + 1).max().unwrap_or(UNSTAMPED);
        assert_eq!(last, CURRENT);
        for (i, step) in STEPS.iter().enumerate() {
            assert_eq!(step.from, UNSTAMPED + u32::try_from(i).expect("few steps"), "steps are consecutive");
        }
    }
}
