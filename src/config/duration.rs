//! Humantime durations (`"60s"`, `"5m"`, `"1h 30m"`) for serde, with bounds checked at parse time.

use std::time::Duration;

use serde::{Deserialize, Deserializer, de::Error as _};

/// Deserialises a humantime string into a [`Duration`] within `MIN_MS..=MAX_MS` milliseconds.
pub(super) fn within<'de, const MIN_MS: u64, const MAX_MS: u64, D>(deserializer: D) -> Result<Duration, D::Error>
where
    D: Deserializer<'de>,
{
    let text = String::deserialize(deserializer)?;
    let value = humantime::parse_duration(text.trim())
        .map_err(|e| D::Error::custom(format!("invalid duration {text:?} ({e}); use e.g. \"30s\" or \"5m\"")))?;
    let (min, max) = (Duration::from_millis(MIN_MS), Duration::from_millis(MAX_MS));
    if value < min || value > max {
        return Err(D::Error::custom(format!(
            "duration {text:?} is out of range ({} to {})",
            humantime::format_duration(min),
            humantime::format_duration(max)
        )));
    }
    Ok(value)
}
