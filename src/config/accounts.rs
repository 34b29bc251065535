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
    /// Commands (without the slash) this tier may use; `start`, `help` and `privacy` always work.
    pub commands: Vec<String>,
    /// Per-command limits for this tier, on top of the sentinel's.
    #[serde(default)]
    pub limits: BTreeMap<String, LimitRule>,
}

/// The commands every registered user has by default.
pub const BASIC_COMMANDS: [&str; 9] =
    ["start", "help", "privacy", "sessions", "logout_all", "2fa", "verify", "export", "delete_me"];

/// The default tiers: `free` and `premium`, both with the basic commands.
#[must_use]
pub fn default_tiers() -> BTreeMap<String, TierConfig> {
    let basic =
        TierConfig { commands: BASIC_COMMANDS.iter().map(|c| (*c).to_owned()).collect(), limits: BTreeMap::new() };
    BTreeMap::from([(String::from("free"), basic.clone()), (String::from("premium"), basic)])
}
