//! The jobs: what the bot does on its own, beside the updates — alerts to the admins,
//! broadcasts, scheduled backups, retention, deleting secret messages when due, the audit
//! writer, saving and serving the metrics. Started together once the bot is connected
//! ([`tasks::AppTasks`]) and joined after the drain; handlers hand them work (a secret message
//! to delete later), never the other way round.

mod alerts;
pub(super) mod audit_writer;
pub(super) mod backups;
mod broadcast;
mod metric_totals;
mod metrics_server;
mod retention;
pub(super) mod secret_messages;
pub(super) mod tasks;
