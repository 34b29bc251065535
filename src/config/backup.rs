//! `[backup]`: backups the running bot takes on a schedule.
//!
//! On by default, once a day, the newest seven kept in `DIR/backups`: a hobbyist's SD card
//! fails without warning, and a backup nobody remembered to schedule is the one that is
//! missing. Seven daily files bound both the disk used and how long a deleted user stays
//! readable in old backups (a week); copy them off the machine to survive losing it.

use std::{num::NonZeroU32, path::PathBuf, time::Duration};

use serde::{Deserialize, Deserializer, de::Error as _};

/// The shortest schedule (tests and torture runs use seconds; a real bot days).
const MIN_EVERY: Duration = Duration::from_secs(1);
/// The longest schedule: a year.
const MAX_EVERY: Duration = Duration::from_hours(366 * 24);

/// `[backup]`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct BackupConfig {
    /// How often the running bot takes a backup (`"off"` for never).
    #[serde(deserialize_with = "every")]
    pub every: Option<Duration>,
    /// Where backups go; a relative path is inside the data directory.
    pub dir: PathBuf,
    /// How many of the newest scheduled backups are kept (older ones are deleted).
    pub keep: NonZeroU32,
}

impl Default for BackupConfig {
    fn default() -> Self {
        BackupConfig {
            every: Some(Duration::from_hours(24)),
            dir: PathBuf::from("backups"),
            keep: NonZeroU32::new(7).unwrap_or(NonZeroU32::MIN),
        }
    }
}

fn every<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Duration>, D::Error> {
    let text = String::deserialize(deserializer)?;
    if text.trim() == "off" {
        return Ok(None);
    }
    let value = humantime::parse_duration(text.trim())
        .map_err(|e| D::Error::custom(format!("invalid duration {text:?} ({e}); use e.g. \"1d\", or \"off\"")))?;
    if !(MIN_EVERY..=MAX_EVERY).contains(&value) {
        return Err(D::Error::custom(format!("{text:?} is out of range (1s to 366d, or \"off\")")));
    }
    Ok(Some(value))
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use std::{path::Path, time::Duration};

    fn parse(text: &str) -> Result<Config, String> {
        Config::from_toml_str(text, Path::new("arcana.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn daily_by_default_off_on_request_and_bounded() {
        let c = parse("").expect("defaults");
        assert_eq!(c.backup.every, Some(Duration::from_hours(24)));
        assert_eq!(c.backup.keep.get(), 7);
        assert_eq!(parse("[backup]\nevery = \"off\"").expect("off").backup.every, None);
        assert_eq!(parse("[backup]\nevery = \"6h\"").expect("6h").backup.every, Some(Duration::from_hours(6)));
        for bad in ["every = \"0s\"", "every = \"sometimes\"", "keep = 0", "every = 5"] {
            let e = parse(&format!("[backup]\n{bad}")).expect_err(bad);
            assert!(e.contains("key `backup.") && !e.contains('\n'), "{e}");
        }
    }
}
