//! `[sentinel]`: rate limits, debouncing and penalties.
//!
//! ```toml
//! [sentinel]
//! debounce = "2s"
//! exempt_admins = true
//! default = { limit = 20, per = "1m", scope = "user" }
//! [sentinel.commands]
//! draw = { limit = 2, per = "60s" }
//! [sentinel.callbacks]
//! page = { limit = 30, per = "1m", scope = "user_in_chat" }
//! [sentinel.penalty]
//! strikes = 10
//! strike_window = "1m"
//! base = "1m"
//! cap = "1h"
//! decay_after = "1h"
//! ```

use std::{collections::BTreeMap, num::NonZeroU32, time::Duration};

use serde::{Deserialize, Deserializer, de::Error as _};

use super::duration::within;

/// The sentinel's settings.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct SentinelConfig {
    /// Identical events from one user to one bucket within this window are dropped (0 s disables).
    #[serde(deserialize_with = "within::<0, 3_600_000, _>")]
    pub debounce: Duration,
    /// Whether admins skip rate limits.
    pub exempt_admins: bool,
    /// The limit for everything without a limit of its own.
    pub default: LimitRule,
    /// Per-command limits, by command name without the slash; each is its own bucket.
    #[serde(deserialize_with = "named_rules")]
    pub commands: BTreeMap<String, LimitRule>,
    /// Per-callback-action limits, by action name; each is its own bucket.
    #[serde(deserialize_with = "named_rules")]
    pub callbacks: BTreeMap<String, LimitRule>,
    /// Escalating mutes for repeat offenders.
    pub penalty: PenaltyConfig,
}

impl Default for SentinelConfig {
    fn default() -> Self {
        SentinelConfig {
            debounce: Duration::from_secs(2),
            exempt_admins: true,
            default: LimitRule::default(),
            commands: BTreeMap::new(),
            callbacks: BTreeMap::new(),
            penalty: PenaltyConfig::default(),
        }
    }
}

/// "At most `limit` accepted events in any window of length `per`", counted per `scope`.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LimitRule {
    /// Events accepted per window.
    pub limit: NonZeroU32,
    /// The window (1 s to 1 day).
    #[serde(deserialize_with = "within::<1_000, 86_400_000, _>")]
    pub per: Duration,
    /// What one bucket counts.
    #[serde(default)]
    pub scope: LimitScope,
}

impl Default for LimitRule {
    fn default() -> Self {
        LimitRule {
            limit: NonZeroU32::new(20).unwrap_or(NonZeroU32::MIN),
            per: Duration::from_mins(1),
            scope: LimitScope::User,
        }
    }
}

/// Whose events share a bucket.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Hash, Default)]
#[serde(rename_all = "snake_case")]
pub enum LimitScope {
    /// One bucket per user, across chats (the default).
    #[default]
    User,
    /// One bucket per user in each chat.
    UserInChat,
    /// One bucket per chat, shared by its members.
    Chat,
    /// One bucket for everyone.
    Global,
}

/// `[sentinel.penalty]`: a user who keeps hitting limits is muted for a growing time.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct PenaltyConfig {
    /// Denials within `strike_window` that earn a mute.
    pub strikes: NonZeroU32,
    /// The window strikes are counted in (1 s to 1 day).
    #[serde(deserialize_with = "within::<1_000, 86_400_000, _>")]
    pub strike_window: Duration,
    /// The first mute; each further one doubles (1 s to 1 day).
    #[serde(deserialize_with = "within::<1_000, 86_400_000, _>")]
    pub base: Duration,
    /// The longest mute (1 s to 30 days).
    #[serde(deserialize_with = "within::<1_000, 2_592_000_000, _>")]
    pub cap: Duration,
    /// Each quiet period this long lowers the next mute one step (1 s to 30 days).
    #[serde(deserialize_with = "within::<1_000, 2_592_000_000, _>")]
    pub decay_after: Duration,
}

impl Default for PenaltyConfig {
    fn default() -> Self {
        PenaltyConfig {
            strikes: NonZeroU32::new(10).unwrap_or(NonZeroU32::MIN),
            strike_window: Duration::from_mins(1),
            base: Duration::from_mins(1),
            cap: Duration::from_hours(1),
            decay_after: Duration::from_hours(1),
        }
    }
}

/// A map of limit rules whose keys must be command or action names (`[a-z0-9_]{1,32}`).
fn named_rules<'de, D: Deserializer<'de>>(deserializer: D) -> Result<BTreeMap<String, LimitRule>, D::Error> {
    let rules = BTreeMap::<String, LimitRule>::deserialize(deserializer)?;
    if let Some(bad) = rules.keys().find(|name| {
        !(1..=32).contains(&name.len())
            || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    }) {
        return Err(D::Error::custom(format!("invalid name {bad:?}: use lower-case letters, digits and '_'")));
    }
    Ok(rules)
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use std::path::Path;

    use super::*;

    fn parse(text: &str) -> Result<Config, crate::config::ConfigError> {
        Config::from_toml_str(text, Path::new("arcana.toml"))
    }

    #[test]
    fn per_command_and_callback_rules_parse() {
        let c = parse(
            "[sentinel]\ndebounce = \"5s\"\n[sentinel.commands]\ndraw = { limit = 2, per = \"60s\" }\n\
             [sentinel.callbacks]\npage = { limit = 3, per = \"10s\", scope = \"user_in_chat\" }",
        )
        .expect("parses");
        assert_eq!(c.sentinel.debounce, Duration::from_secs(5));
        let draw = c.sentinel.commands["draw"];
        assert_eq!((draw.limit.get(), draw.per, draw.scope), (2, Duration::from_mins(1), LimitScope::User));
        assert_eq!(c.sentinel.callbacks["page"].scope, LimitScope::UserInChat);
    }

    #[test]
    fn bad_rules_name_their_key() {
        let e = parse("[sentinel.commands]\ndraw = { limit = 0, per = \"1m\" }").expect_err("zero").to_string();
        assert!(e.contains("sentinel.commands"), "{e}");
        let e = parse("[sentinel.commands]\nDraw = { limit = 1, per = \"1m\" }").expect_err("name").to_string();
        assert!(e.contains("sentinel.commands") && e.contains("Draw"), "{e}");
        let e =
            parse("[sentinel.default]\nlimit = 1\nper = \"1m\"\nscope = \"planet\"").expect_err("scope").to_string();
        assert!(e.contains("sentinel.default.scope"), "{e}");
        let e = parse("[sentinel.penalty]\nbase = \"soon\"").expect_err("duration").to_string();
        assert!(e.contains("sentinel.penalty.base"), "{e}");
    }
}
