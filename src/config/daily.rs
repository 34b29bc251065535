//! `[daily]`: the card of the day (`/daily`) — whether the bot offers and sends it at all.

use std::path::PathBuf;

use serde::Deserialize;

/// `[daily]`: the card of the day.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct DailyConfig {
    /// Whether `/daily` takes subscriptions and the morning cards are sent (on by default).
    /// Turned off, no card is sent and `/daily` says the operator turned it off; the users'
    /// choices are kept for when it is turned on again.
    pub enabled: bool,
    /// A file holding the time (Unix milliseconds) the card of the day's schedule reads instead
    /// of the system clock: never read from the file, set only from `ARCANA_TEST_CLOCK`, which
    /// only debug builds honour (the end-to-end tests drive a day with it).
    #[serde(skip)]
    pub test_clock: Option<PathBuf>,
}

impl Default for DailyConfig {
    fn default() -> Self {
        DailyConfig { enabled: true, test_clock: None }
    }
}
