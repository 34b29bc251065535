//! The jobs: what the bot does on its own, beside the updates — alerts to the admins,
//! broadcasts, the card of the day, scheduled backups, retention, deleting secret messages when due, the audit
//! writer, saving and serving the metrics. The audit writer (a thread) and the backups start with
//! the bot, before it connects; the rest start together once it is connected ([`tasks::spawn`]).
//! Every task is on the run's one task tracker, which `run` waits for after the drain. Handlers
//! hand jobs work (a secret message to delete later); jobs never call handlers.

mod alerts;
pub(super) mod audit_writer;
pub(super) mod backups;
mod broadcast;
pub(super) mod daily;
pub(super) mod metric_totals;
mod metrics_server;
mod retention;
pub(super) mod secret_messages;
pub(super) mod tasks;
