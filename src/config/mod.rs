//! Configuration: the typed settings read from `DIR/arcana.toml`.
//!
//! Parsing happens once, at the edge, into types that make invalid settings unrepresentable
//! (bounded durations, validated URLs, non-zero sizes). Errors name the offending key in one line.

mod accounts;
mod backup;
mod bytes;
mod daily;
mod duration;
mod http;
mod key_path;
mod model;
mod operations;
mod parse;
mod readings;
mod sentinel;
mod template;

pub use accounts::{AccountsConfig, DailyReadings, TierConfig, TwoFactorConfig, default_tiers};
pub use backup::BackupConfig;
pub use daily::DailyConfig;
pub use http::HttpConfig;
pub use model::{BotConfig, Config, LogConfig, LogFormat, LogLevel, StoreConfig, TelegramConfig};
pub use operations::{AlertsConfig, AuditConfig, MetricsConfig};
pub use parse::ConfigError;
pub(crate) use parse::one_line;
pub use readings::{PaymentsConfig, ReadingsConfig, resolve_time_zone};
pub use sentinel::{LimitRule, LimitScope, PenaltyConfig, SentinelConfig};
pub use template::default_config_toml;
