//! Humantime durations (`"60s"`, `"5m"`, `"1h 30m"`) for serde, with bounds checked at parse time.

use std::time::Duration;

use serde::{Deserialize, Deserializer, de::Error as _};

/// Deserialises a humantime string into a [`Duration`] within `MIN_MS..=MAX_MS` milliseconds.
pub(super) fn within<'de, const MIN_MS: u64, const MAX_MS: u64, D>(deserializer: D) -> Result<Duration, D::Error>
where
    D: Deserializer<'de>,
{
    let text = String::deserialize(deserializer)?;
    checked(&text, MIN_MS, MAX_MS).map_err(D::Error::custom)
}

/// `text` as a duration within `min_ms..=max_ms`, or what is wrong (one copy of this code, not
/// one per pair of bounds).
fn checked(text: &str, min_ms: u64, max_ms: u64) -> Result<Duration, String> {
    let value = humantime::parse_duration(text.trim())
        .map_err(|e| format!("invalid duration {text:?} ({e}); use e.g. \"30s\" or \"5m\""))?;
    let (min, max) = (Duration::from_millis(min_ms), Duration::from_millis(max_ms));
    if value < min || value > max {
        return Err(format!(
            "duration {text:?} is out of range ({} to {})",
            humantime::format_duration(min),
            humantime::format_duration(max)
        ));
    }
    Ok(value)
}
