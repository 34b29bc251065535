//! Alerts to the admins in Telegram when something needs a person — wrong two-factor codes, a
//! flood, a wave of new users, many users blocking the bot (seed 000: coordinated block
//! patterns), forged buttons, a failed backup, a refund, or a store-watchdog abort of the
//! previous run. What each alert counts, when it fires and what it says is one row of the
//! [`table`]; the [`aggregator`] decides when (aggregated and rate-limited); [`watch`] counts and
//! sends.

mod aggregator;
mod table;
mod watch;

pub(super) use watch::run;
