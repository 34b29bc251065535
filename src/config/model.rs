//! The configuration model: one struct per table of `arcana.toml`, defaults included.

use std::{num::NonZeroU32, path::PathBuf, time::Duration};

use serde::{Deserialize, Deserializer, de::Error as _};

use super::{bytes::bytes_within, duration::within};

/// The whole configuration file.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Telegram user ids with admin rights.
    pub admins: Vec<i64>,
    /// How to reach Telegram.
    pub telegram: TelegramConfig,
    /// The embedded store.
    pub store: StoreConfig,
    /// Update processing.
    pub bot: BotConfig,
    /// Rate limits, debouncing and penalties.
    pub sentinel: super::SentinelConfig,
    /// Registration, sessions and two-factor authentication.
    pub accounts: super::AccountsConfig,
    /// Subscription tiers by name.
    #[serde(default = "super::default_tiers")]
    pub tiers: std::collections::BTreeMap<String, super::TierConfig>,
    /// Reading history and the daily allowance reset.
    pub readings: super::ReadingsConfig,
    /// Products sold for Telegram Stars.
    pub payments: super::PaymentsConfig,
    /// The card of the day.
    pub daily: super::DailyConfig,
    /// Scheduled backups.
    pub backup: super::BackupConfig,
    /// The audit trail.
    pub audit: super::AuditConfig,
    /// Alerts to the admins.
    pub alerts: super::AlertsConfig,
    /// The metrics listener.
    pub metrics: super::MetricsConfig,
    /// The web side: Mini App, HTTP API, Telegram Login (off unless `http.listen` is set).
    pub http: super::HttpConfig,
    /// Logging.
    pub log: LogConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            admins: Vec::new(),
            telegram: TelegramConfig::default(),
            store: StoreConfig::default(),
            bot: BotConfig::default(),
            sentinel: super::SentinelConfig::default(),
            accounts: super::AccountsConfig::default(),
            tiers: super::default_tiers(),
            readings: super::ReadingsConfig::default(),
            payments: super::PaymentsConfig::default(),
            daily: super::DailyConfig::default(),
            backup: super::BackupConfig::default(),
            audit: super::AuditConfig::default(),
            alerts: super::AlertsConfig::default(),
            metrics: super::MetricsConfig::default(),
            http: super::HttpConfig::default(),
            log: LogConfig::default(),
        }
    }
}

/// `[telegram]`: the Bot API endpoint and long polling.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct TelegramConfig {
    /// Base URL of the Bot API (overridden by `ARCANA_TELEGRAM_API_URL`).
    #[serde(deserialize_with = "api_url")]
    pub api_url: url::Url,
    /// File holding the bot token, used when `BOT_TOKEN` is not set.
    pub token_file: Option<PathBuf>,
    /// How long one `getUpdates` long poll waits for updates (1 s to 50 s).
    #[serde(deserialize_with = "within::<1_000, 50_000, _>")]
    pub poll_timeout: Duration,
}

impl Default for TelegramConfig {
    fn default() -> Self {
        Self { api_url: default_api_url(), token_file: None, poll_timeout: Duration::from_secs(25) }
    }
}

fn default_api_url() -> url::Url {
    // A literal known to parse; `Url::parse` cannot fail on it.
    url::Url::parse("https://api.telegram.org").unwrap_or_else(|_| unreachable!())
}

/// Parses and checks an API base URL: `http` or `https`, with a host.
pub(crate) fn parse_api_url(text: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(text.trim()).map_err(|e| format!("invalid URL {text:?}: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() || url.host().is_none() {
        return Err(format!("invalid URL {text:?}: expected http(s)://host[:port][/path]"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("invalid URL {text:?}: no query or fragment allowed"));
    }
    Ok(url)
}

fn api_url<'de, D: Deserializer<'de>>(deserializer: D) -> Result<url::Url, D::Error> {
    let text = String::deserialize(deserializer)?;
    parse_api_url(&text).map_err(D::Error::custom)
}

/// `[store]`: the embedded sled database.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct StoreConfig {
    /// Page cache size in MiB (sled's default of 1 GiB is far too much for a Pi; at 16 MiB the
    /// flood bench no longer fits in `MemoryMax=32M`, at 4 MiB it does).
    pub cache_capacity_mib: NonZeroU32,
    /// How often sled flushes in the background (10 ms to 60 s).
    #[serde(deserialize_with = "within::<10, 60_000, _>")]
    pub flush_every: Duration,
    /// A store operation running longer than this aborts the process (1 s to 1 h).
    #[serde(deserialize_with = "within::<1_000, 3_600_000, _>")]
    pub watchdog_timeout: Duration,
}

impl StoreConfig {
    /// The cache capacity in bytes.
    #[must_use]
    pub fn cache_capacity_bytes(&self) -> u64 {
        u64::from(self.cache_capacity_mib.get()) * 1024 * 1024
    }
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            cache_capacity_mib: NonZeroU32::new(4).unwrap_or(NonZeroU32::MIN),
            flush_every: Duration::from_millis(500),
            watchdog_timeout: Duration::from_secs(30),
        }
    }
}

/// `[bot]`: how updates are processed.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct BotConfig {
    /// Handlers running at once (a handler waiting on Telegram's send limits does not count).
    pub max_in_flight: NonZeroU32,
    /// Admitted updates kept in the durable inbox until handled. When it is reached, updates from
    /// chats holding at least their share of the inbox are refused; polling pauses only an eighth
    /// beyond it (Telegram keeps updates for a day).
    pub inbox_capacity: NonZeroU32,
    /// Bytes (of the updates' JSON) the inbox holds, bounded like `inbox_capacity`: a flood of
    /// large updates cannot fill the disk (64 KiB to 64 GiB).
    #[serde(deserialize_with = "bytes_within::<65_536, 68_719_476_736, _>")]
    pub inbox_max_bytes: u64,
    /// Updates one chat may have waiting; beyond it the chat's updates are dropped (counted and
    /// audited), so no chat can hold the others.
    pub chat_backlog: NonZeroU32,
    /// On SIGINT/SIGTERM, how long in-flight updates may take to finish (0 s to 5 m).
    #[serde(deserialize_with = "within::<0, 300_000, _>")]
    pub shutdown_grace: Duration,
    /// A handler running longer than this is abandoned and logged (1 s to 10 m).
    #[serde(deserialize_with = "within::<1_000, 600_000, _>")]
    pub handler_timeout: Duration,
    /// Whether each finished update's removal from the inbox is synced before its chat's next
    /// update starts (`true`), or left to the inbox log's next synced write: fewer bytes
    /// written, but after a power cut the updates finished since the last sync run again (their
    /// users may get a reply twice; a kill loses nothing). Only updates written to the inbox
    /// have a removal (see `write_unfinished_after`).
    pub flush_removals: bool,
    /// How long a small batch of admitted updates may run, on a bot with nothing else in hand, before
    /// what is left of it is written to the inbox and the next poll confirms it (0 s to 30 s). An
    /// update finished by then is never written; a longer wait spares the disk more but delays
    /// the next poll by as much while a handler is slow.
    #[serde(deserialize_with = "within::<0, 30_000, _>")]
    pub write_unfinished_after: Duration,
}

impl Default for BotConfig {
    fn default() -> Self {
        Self {
            max_in_flight: NonZeroU32::new(256).unwrap_or(NonZeroU32::MIN),
            inbox_capacity: NonZeroU32::new(50_000).unwrap_or(NonZeroU32::MIN),
            inbox_max_bytes: 256 * 1024 * 1024,
            chat_backlog: NonZeroU32::new(50).unwrap_or(NonZeroU32::MIN),
            shutdown_grace: Duration::from_secs(10),
            handler_timeout: Duration::from_mins(1),
            flush_removals: true,
            write_unfinished_after: Duration::from_millis(250),
        }
    }
}

/// `[log]`: logging.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// The least severe level logged (`ARCANA_LOG` overrides it).
    pub level: LogLevel,
    /// Plain text lines, or one JSON object a line for log shippers.
    pub format: LogFormat,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// `LEVEL target: message key=value` (with a timestamp unless journald adds its own).
    #[default]
    Text,
    /// One JSON object a line (timestamp, level, target, fields).
    Json,
}

/// A log level name.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// Errors only.
    Error,
    /// Warnings and errors.
    Warn,
    /// The default.
    #[default]
    Info,
    /// Diagnostic detail.
    Debug,
    /// Everything.
    Trace,
}

impl LogLevel {
    /// The name as `tracing` filters spell it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }
}
