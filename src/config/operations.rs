//! `[audit]`, `[alerts]` and `[metrics]`: the operator's console — how long the audit trail is
//! kept, when the admins are alerted in Telegram, and the opt-in metrics listener.

use std::{net::SocketAddr, num::NonZeroU32, time::Duration};

use serde::Deserialize;

use super::duration::within;

/// `[audit]`: the persisted, MAC-chained audit trail.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct AuditConfig {
    /// Entries older than this are dropped (the rest stays verifiable) (1 day to 10 years).
    #[serde(deserialize_with = "within::<86_400_000, 315_576_000_000, _>")]
    pub retention: Duration,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig { retention: Duration::from_hours(24 * 180) }
    }
}

/// `[alerts]`: security alerts sent to the admins in Telegram, aggregated and rate-limited.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct AlertsConfig {
    /// Also send alerts to this chat (a group of the operators), beside each admin's private chat.
    pub chat: Option<i64>,
    /// After an alert of a kind, more of that kind within this window are counted into the next
    /// one instead of sent (10 s to 1 day).
    #[serde(deserialize_with = "within::<10_000, 86_400_000, _>")]
    pub quiet_for: Duration,
    /// Limited or penalised updates per minute that mean a flood.
    pub flood_per_minute: NonZeroU32,
    /// New users per minute that mean a flood of accounts.
    pub new_users_per_minute: NonZeroU32,
    /// Users blocking the bot per hour that mean a coordinated block.
    pub bot_blocked_per_hour: NonZeroU32,
    /// Forged or tampered buttons per minute.
    pub forged_per_minute: NonZeroU32,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        let n = |v: u32| NonZeroU32::new(v).unwrap_or(NonZeroU32::MIN);
        AlertsConfig {
            chat: None,
            quiet_for: Duration::from_mins(10),
            flood_per_minute: n(600),
            new_users_per_minute: n(60),
            bot_blocked_per_hour: n(20),
            forged_per_minute: n(10),
        }
    }
}

/// `[metrics]`: the Prometheus listener.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// Where to serve `/metrics` and `/healthz` (e.g. `127.0.0.1:9464`); off when unset.
    pub listen: Option<SocketAddr>,
}
