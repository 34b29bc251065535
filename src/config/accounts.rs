//! `[accounts]` and `[tiers.NAME]`: registration, sessions, two-factor step-up, and what each
//! subscription tier may use.

use std::{collections::BTreeMap, num::NonZeroU32, time::Duration};

use serde::Deserialize;

use super::{LimitRule, duration::within};

/// Registration, sessions and two-factor settings.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct AccountsConfig {
    /// Until a user agrees to the privacy notice, only `/start`, `/help` and `/privacy` work.
    pub require_registration: bool,
    /// The privacy notice's version; raising it asks everyone again.
    pub notice_version: NonZeroU32,
    /// A session unused this long ends (1 min to 30 days).
    #[serde(deserialize_with = "within::<60_000, 2_592_000_000, _>")]
    pub session_idle: Duration,
    /// A session ends this long after it started, used or not (1 min to 365 days).
    #[serde(deserialize_with = "within::<60_000, 31_536_000_000, _>")]
    pub session_lifetime: Duration,
    /// Sessions an account may hold at once; the oldest ends when a new one exceeds it.
    pub max_sessions: NonZeroU32,
    /// How long a fresh two-factor code elevates a session for sensitive actions (10 s to 1 day).
    #[serde(deserialize_with = "within::<10_000, 86_400_000, _>")]
    pub step_up_for: Duration,
    /// The tier of a new account.
    pub default_tier: String,
    /// How long a message showing a secret (2FA key and QR code, backup codes, an export) stays
    /// in the chat before the bot deletes it (10 s to 1 day).
    #[serde(deserialize_with = "within::<10_000, 86_400_000, _>")]
    pub secret_message_lifetime: Duration,
    /// A user who blocked the bot is deleted this long after, unless they come back (10 s to 10
    /// years).
    #[serde(deserialize_with = "within::<10_000, 315_576_000_000, _>")]
    pub retention_after_block: Duration,
    /// A user who has not used the bot this long is deleted (10 s to 10 years).
    #[serde(deserialize_with = "within::<10_000, 315_576_000_000, _>")]
    pub inactive_retention: Duration,
    /// Two-factor code attempts.
    pub two_factor: TwoFactorConfig,
}

impl Default for AccountsConfig {
    fn default() -> Self {
        AccountsConfig {
            require_registration: true,
            notice_version: NonZeroU32::MIN,
            session_idle: Duration::from_mins(30),
            session_lifetime: Duration::from_hours(24 * 7),
            max_sessions: NonZeroU32::new(3).unwrap_or(NonZeroU32::MIN),
            step_up_for: Duration::from_mins(10),
            default_tier: String::from("free"),
            secret_message_lifetime: Duration::from_mins(10),
            retention_after_block: Duration::from_hours(24 * 30),
            inactive_retention: Duration::from_hours(24 * 730),
            two_factor: TwoFactorConfig::default(),
        }
    }
}

/// `[accounts.two_factor]`: limits on wrong codes.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct TwoFactorConfig {
    /// Wrong codes within `failure_window` before a lockout.
    pub max_failures: NonZeroU32,
    /// The window wrong codes are counted in (10 s to 1 day).
    #[serde(deserialize_with = "within::<10_000, 86_400_000, _>")]
    pub failure_window: Duration,
    /// The first lockout; each further one doubles, up to a day (10 s to 1 day).
    #[serde(deserialize_with = "within::<10_000, 86_400_000, _>")]
    pub lockout: Duration,
    /// Wrong codes per minute across all accounts that raise an alert.
    pub alert_per_minute: NonZeroU32,
}

impl Default for TwoFactorConfig {
    fn default() -> Self {
        TwoFactorConfig {
            max_failures: NonZeroU32::new(5).unwrap_or(NonZeroU32::MIN),
            failure_window: Duration::from_mins(5),
            lockout: Duration::from_mins(5),
            alert_per_minute: NonZeroU32::new(5).unwrap_or(NonZeroU32::MIN),
        }
    }
}

/// `[tiers.NAME]`: what a subscription tier may use.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct TierConfig {
    /// Commands (without the slash) this tier may use; `start`, `help`, `privacy`, `export`,
    /// `delete_me` and `verify` always work.
    pub commands: Vec<String>,
    /// Per-command limits for this tier, on top of the sentinel's.
    #[serde(default)]
    pub limits: BTreeMap<String, LimitRule>,
    /// Readings a day included in the tier (reset at midnight in `readings.reset_time_zone`): a
    /// number or `"unlimited"`. Left out: the built-in value for `free` (3) and `premium` (30),
    /// no limit for other tiers.
    #[serde(default)]
    pub daily_readings: Option<DailyReadings>,
    /// Spreads the daily allowance covers (their keys: `one`, `three`, `celtic_cross`, `love`,
    /// `career`, `decision`, `yes_no`). Left out: the
    /// built-in list for `free` (one, three), all spreads otherwise. Other spreads can still be
    /// paid for with bought credits.
    #[serde(default, deserialize_with = "spreads")]
    pub spreads: Option<Vec<String>>,
}

/// A tier's daily reading allowance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DailyReadings {
    /// At most this many a day.
    Limit(u32),
    /// No daily limit.
    Unlimited,
}

impl<'de> Deserialize<'de> for DailyReadings {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Count(u32),
            Word(String),
        }
        match Raw::deserialize(deserializer) {
            Ok(Raw::Count(n)) => Ok(DailyReadings::Limit(n)),
            Ok(Raw::Word(w)) if w == "unlimited" => Ok(DailyReadings::Unlimited),
            _ => Err(D::Error::custom("expected a number of readings or \"unlimited\"")),
        }
    }
}

impl TierConfig {
    /// The daily allowance; `None` when there is no limit.
    #[must_use]
    pub fn daily_limit(&self) -> Option<u32> {
        match self.daily_readings {
            Some(DailyReadings::Limit(n)) => Some(n),
            Some(DailyReadings::Unlimited) | None => None,
        }
    }

    /// Fills what `free` and `premium` leave out from the built-in tiers.
    pub(crate) fn fill_builtin(&mut self, name: &str) {
        if let Some(builtin) = default_tiers().remove(name) {
            self.daily_readings = self.daily_readings.or(builtin.daily_readings);
            if self.spreads.is_none() {
                self.spreads = builtin.spreads;
            }
        }
    }

    /// Whether the daily allowance of this tier covers spread `key`.
    #[must_use]
    pub fn covers_spread(&self, key: &str) -> bool {
        self.spreads.as_ref().is_none_or(|list| list.iter().any(|s| s == key))
    }
}

fn spreads<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Vec<String>>, D::Error> {
    use serde::de::Error as _;
    let words = Vec::<String>::deserialize(deserializer)?;
    words
        .iter()
        .map(|w| {
            crate::tarot::Spread::parse(w).map(|s| s.key().to_owned()).ok_or_else(|| {
                let keys: Vec<&str> = crate::tarot::Spread::ALL.iter().map(|s| s.key()).collect();
                D::Error::custom(format!("unknown spread {w:?} ({})", keys.join(", ")))
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// The default tiers: `free` (3 one- or three-card readings a day) and `premium` (30 a day, every
/// spread), both with every command a tier may list (see [`crate::command::tier_commands`]).
#[must_use]
pub fn default_tiers() -> BTreeMap<String, TierConfig> {
    let commands: Vec<String> = crate::command::tier_commands().map(str::to_owned).collect();
    let free = TierConfig {
        commands: commands.clone(),
        limits: BTreeMap::new(),
        daily_readings: Some(DailyReadings::Limit(3)),
        spreads: Some(vec![String::from("one"), String::from("three")]),
    };
    let premium =
        TierConfig { commands, limits: BTreeMap::new(), daily_readings: Some(DailyReadings::Limit(30)), spreads: None };
    BTreeMap::from([(String::from("free"), free), (String::from("premium"), premium)])
}
