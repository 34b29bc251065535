//! The calendar the daily allowance follows: which day a moment falls on, and when the next
//! midnight comes, in the configured time zone.

use jiff::{Timestamp, civil::Date, tz::TimeZone};

/// Days and midnights in one time zone.
#[derive(Debug, Clone)]
pub struct ResetZone {
    zone: TimeZone,
    label: String,
}

impl ResetZone {
    /// The zone `tz`, shown to users as `label` (e.g. `UTC`, `Europe/Berlin`).
    #[must_use]
    pub fn new(zone: TimeZone, label: &str) -> ResetZone {
        ResetZone { zone, label: label.trim().to_owned() }
    }

    /// UTC.
    #[must_use]
    pub fn utc() -> ResetZone {
        ResetZone::new(TimeZone::UTC, "UTC")
    }

    /// The zone's name as configured.
    #[must_use]
    pub fn label(&self) -> &str {
        &self.label
    }

    fn date_of(&self, unix_ms: u64) -> Date {
        let ts = Timestamp::from_millisecond(i64::try_from(unix_ms).unwrap_or(i64::MAX)).unwrap_or(Timestamp::MAX);
        ts.to_zoned_datetime(self.zone.clone()).date()
    }

    /// The local day `unix_ms` falls on, as days since 1970-01-01 (a counter, not a date).
    #[must_use]
    pub fn day_of(&self, unix_ms: u64) -> i32 {
        let date = self.date_of(unix_ms);
        date.since(Date::constant(1970, 1, 1)).map_or(0, |span| span.get_days())
    }

    /// The next local midnight after `unix_ms`, in Unix ms. On a day whose midnight does not
    /// exist (a DST jump at 00:00), the first moment of that day.
    #[must_use]
    pub fn next_midnight_ms(&self, unix_ms: u64) -> u64 {
        let tomorrow = self.date_of(unix_ms).tomorrow().unwrap_or(Date::MAX);
        tomorrow
            .to_zoned_datetime(self.zone.clone())
            .map_or(u64::MAX, |z| u64::try_from(z.timestamp().as_millisecond()).unwrap_or(0))
    }

    /// `unix_ms` as local `YYYY-MM-DD HH:MM`.
    #[must_use]
    pub fn local_minute(&self, unix_ms: u64) -> String {
        let ts = Timestamp::from_millisecond(i64::try_from(unix_ms).unwrap_or(i64::MAX)).unwrap_or(Timestamp::MAX);
        ts.to_zoned_datetime(self.zone.clone()).strftime("%Y-%m-%d %H:%M").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::resolve_time_zone;

    /// 2026-11-23T22:30:00Z.
    const LATE_EVENING_UTC: u64 = 1_795_473_000_000;

    #[test]
    fn utc_days_and_midnights() {
        let utc = ResetZone::utc();
        assert_eq!(utc.local_minute(LATE_EVENING_UTC), "2026-11-23 22:30");
        assert_eq!(utc.next_midnight_ms(LATE_EVENING_UTC), LATE_EVENING_UTC + 90 * 60_000);
        assert_eq!(utc.day_of(LATE_EVENING_UTC) + 1, utc.day_of(LATE_EVENING_UTC + 90 * 60_000));
        assert_eq!(utc.day_of(LATE_EVENING_UTC), utc.day_of(LATE_EVENING_UTC + 90 * 60_000 - 1));
        assert_eq!(utc.day_of(0), 0);
    }

    #[test]
    fn a_zone_east_of_utc_is_already_tomorrow() {
        let berlin = ResetZone::new(resolve_time_zone("Europe/Berlin").expect("zone"), "Europe/Berlin");
        // 23:30 in Berlin (UTC+1 in November): midnight is 30 minutes away.
        assert_eq!(berlin.local_minute(LATE_EVENING_UTC), "2026-11-23 23:30");
        assert_eq!(berlin.next_midnight_ms(LATE_EVENING_UTC), LATE_EVENING_UTC + 30 * 60_000);
        let tokyo = ResetZone::new(resolve_time_zone("+09:00").expect("offset"), "+09:00");
        assert_eq!(tokyo.day_of(LATE_EVENING_UTC), ResetZone::utc().day_of(LATE_EVENING_UTC) + 1);
    }
}
