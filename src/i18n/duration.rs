//! Durations as people say them, in a locale. [`duration`] reads a configured period in words,
//! in its largest fitting unit ("90 seconds", "10 minutes", "36 hours", "90 days", "2 years"):
//! with each language's plural forms ("1 day", "21 день", "90 días"). [`wait`] reads a wait
//! short and rounded up ("7 s", "2 min", "5 h"), and from two days on as a [`duration`] of
//! whole days ("3 days", never "72 h").

use std::time::Duration;

use crate::locale::Locale;

use super::lookup::{format, plural};

/// The plural texts [`duration`] uses, smallest unit first.
pub(super) const DURATION_KEYS: [&str; 5] =
    ["duration.seconds", "duration.minutes", "duration.hours", "duration.days", "duration.years"];

/// The texts [`wait`] uses below two days.
pub(super) const WAIT_KEYS: [&str; 3] = ["wait.seconds", "wait.minutes", "wait.hours"];

const MINUTE: u64 = 60;
const HOUR: u64 = 3_600;
const DAY: u64 = 86_400;

/// A configured period in words: seconds below 2 minutes, minutes below 2 hours, hours below 2
/// days, then days, or years when the days are a whole number of 365-day years. Each unit is
/// whole (rounded down): periods are configured in round numbers.
#[must_use]
pub fn duration(locale: Locale, period: Duration) -> String {
    let secs = period.as_secs();
    let days = secs / DAY;
    let (key, n) = match secs {
        0..120 => (DURATION_KEYS[0], secs),
        120..7_200 => (DURATION_KEYS[1], secs / MINUTE),
        7_200..172_800 => (DURATION_KEYS[2], secs / HOUR),
        _ if days.is_multiple_of(365) => (DURATION_KEYS[4], days / 365),
        _ => (DURATION_KEYS[3], days),
    };
    plural(locale, key, n, &[])
}

/// A wait, rounded up to at least a second: seconds below a minute, minutes below an hour, hours
/// below two days (short: "7 s", "2 min", "5 h"), then whole days in words.
#[must_use]
pub fn wait(locale: Locale, wait: Duration) -> String {
    let secs = u64::try_from(wait.as_millis().div_ceil(1_000)).unwrap_or(u64::MAX).max(1);
    let (key, n) = match secs {
        0..60 => (WAIT_KEYS[0], secs),
        60..HOUR => (WAIT_KEYS[1], secs.div_ceil(MINUTE)),
        HOUR..172_800 => (WAIT_KEYS[2], secs.div_ceil(HOUR)),
        _ => return duration(locale, Duration::from_secs(secs.div_ceil(DAY).saturating_mul(DAY))),
    };
    format(locale, key, &[("n", &n.to_string())])
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn english_periods_read_as_before_with_singulars() {
        let en = |d| duration(Locale::En, d);
        // `human_period`'s units and rounding, unchanged.
        assert_eq!(en(secs(10)), "10 seconds");
        assert_eq!(en(secs(90)), "90 seconds");
        assert_eq!(en(secs(600)), "10 minutes");
        assert_eq!(en(secs(5_400)), "90 minutes");
        assert_eq!(en(secs(7_199)), "119 minutes");
        assert_eq!(en(secs(7_200)), "2 hours");
        assert_eq!(en(secs(36 * HOUR)), "36 hours");
        assert_eq!(en(secs(2 * DAY)), "2 days");
        assert_eq!(en(secs(30 * DAY)), "30 days");
        assert_eq!(en(secs(90 * DAY)), "90 days");
        assert_eq!(en(secs(730 * DAY)), "2 years");
        assert_eq!(en(secs(3_650 * DAY)), "10 years");
        assert_eq!(en(secs(400 * DAY)), "400 days");
        // Where `human_period` said "1 seconds" and "1 years".
        assert_eq!(en(secs(1)), "1 second");
        assert_eq!(en(secs(365 * DAY)), "1 year");
        assert_eq!(en(Duration::ZERO), "0 seconds");
    }

    #[test]
    fn russian_periods_take_three_forms() {
        let ru = |d| duration(Locale::Ru, d);
        assert_eq!(ru(secs(1)), "1 секунду", "the accusative: «через 1 секунду»");
        assert_eq!(ru(secs(10)), "10 секунд");
        assert_eq!(ru(secs(22)), "22 секунды");
        assert_eq!(ru(secs(600)), "10 минут");
        assert_eq!(ru(secs(21 * MINUTE)), "21 минуту");
        assert_eq!(ru(secs(3 * HOUR)), "3 часа");
        assert_eq!(ru(secs(24 * HOUR)), "24 часа");
        assert_eq!(ru(secs(30 * DAY)), "30 дней");
        assert_eq!(ru(secs(90 * DAY)), "90 дней");
        assert_eq!(ru(secs(365 * DAY)), "1 год");
        assert_eq!(ru(secs(730 * DAY)), "2 года");
        assert_eq!(ru(secs(3_650 * DAY)), "10 лет");
    }

    #[test]
    fn spanish_periods_take_two_forms() {
        let es = |d| duration(Locale::Es, d);
        assert_eq!(es(secs(1)), "1 segundo");
        assert_eq!(es(secs(10)), "10 segundos");
        assert_eq!(es(secs(600)), "10 minutos");
        assert_eq!(es(secs(36 * HOUR)), "36 horas");
        assert_eq!(es(secs(90 * DAY)), "90 días");
        assert_eq!(es(secs(365 * DAY)), "1 año");
        assert_eq!(es(secs(730 * DAY)), "2 años");
    }

    #[test]
    fn waits_are_rounded_up_like_human_wait() {
        let en = |d| wait(Locale::En, d);
        assert_eq!(en(Duration::from_millis(6_001)), "7 s");
        assert_eq!(en(Duration::from_millis(10)), "1 s");
        assert_eq!(en(Duration::ZERO), "1 s");
        assert_eq!(en(secs(59)), "59 s");
        assert_eq!(en(secs(60)), "1 min");
        assert_eq!(en(secs(61)), "2 min");
        assert_eq!(en(secs(HOUR)), "1 h");
        assert_eq!(en(secs(5 * HOUR - 1)), "5 h");
        assert_eq!(en(secs(48 * HOUR - 1)), "48 h");
    }

    #[test]
    fn long_waits_read_in_days() {
        assert_eq!(wait(Locale::En, secs(48 * HOUR)), "2 days");
        assert_eq!(wait(Locale::En, secs(48 * HOUR + 1)), "3 days");
        assert_eq!(wait(Locale::En, secs(90 * DAY)), "90 days", "not 2160 h");
        assert_eq!(wait(Locale::Ru, secs(90 * DAY)), "90 дней");
        assert_eq!(wait(Locale::Es, secs(90 * DAY)), "90 días");
        assert!(wait(Locale::En, Duration::MAX).ends_with(" days"), "saturates, never panics");
    }

    #[test]
    fn russian_and_spanish_waits_are_short() {
        assert_eq!(wait(Locale::Ru, Duration::from_millis(6_001)), "7 сек");
        assert_eq!(wait(Locale::Ru, secs(61)), "2 мин");
        assert_eq!(wait(Locale::Ru, secs(HOUR)), "1 ч");
        assert_eq!(wait(Locale::Es, Duration::from_millis(6_001)), "7 s");
        assert_eq!(wait(Locale::Es, secs(61)), "2 min");
        assert_eq!(wait(Locale::Es, secs(HOUR)), "1 h");
    }
}
