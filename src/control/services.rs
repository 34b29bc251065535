//! The long-lived parts a running bot shares between its handlers and the control socket.

use std::sync::Arc;

use crate::{
    accounts::{Accounts, Profiles},
    billing::Billing,
    readings::Readings,
    sentinel::Sentinel,
    store::Store,
    vault::Vault,
};

use super::Admin;

/// Shared services of a running bot.
pub struct Services {
    /// The security layer.
    pub sentinel: Arc<Sentinel>,
    /// The vault.
    pub vault: Arc<Vault>,
    /// Sealed profiles.
    pub profiles: Profiles,
    /// Accounts: consent, tiers, sessions, two-factor.
    pub accounts: Accounts,
    /// Allowances, draws and reading history.
    pub readings: Readings,
    /// Invoices, payments and refunds.
    pub billing: Billing,
    /// The data store.
    pub data: Store,
    /// The Telegram side, once the bot is connected (for refunds and the send queue).
    pub telegram: std::sync::OnceLock<Arc<dyn Telegram>>,
    /// The update pipeline's gauges.
    pub pipeline: super::PipelineStats,
    /// Scheduled backups so far.
    pub backups: std::sync::Arc<super::BackupStats>,
    /// The audit trail.
    pub audit: Arc<crate::audit::AuditTrail>,
    /// The lockdown switch.
    pub lockdown: super::Lockdown,
    /// The inbox (a deletion removes the user's waiting updates, staged or written).
    pub(crate) inbox: Arc<crate::inbox::Inbox>,
}

/// A refund in progress: the operator's line and the payer's id, or a plain message.
pub type RefundFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<(String, i64), String>> + Send + 'a>>;

/// What the control socket needs from the Telegram side, which sits above it (the bot
/// implements this; control never imports the bot).
pub trait Telegram: Send + Sync {
    /// Messages waiting for a send slot.
    fn queued(&self) -> usize;

    /// The running bot's totals and gauges as `name<TAB>value` lines (for `arcana status`).
    fn figures(&self) -> Vec<String>;

    /// Refunds payment `charge_id` (checked against `user`, a numeric id or `@username`, when
    /// given) through Telegram and takes back what it bought: the line for the operator and the
    /// payer's id, or a plain message saying why not.
    fn refund<'a>(&'a self, services: &'a Arc<Services>, user: Option<&'a str>, charge_id: &'a str)
    -> RefundFuture<'a>;
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services").finish_non_exhaustive()
    }
}

impl Services {
    /// The admin view of these services (the bot is running).
    #[must_use]
    pub fn admin(&self) -> Admin<'_> {
        Admin {
            blocklist: self.sentinel.blocklist(),
            vault: &self.vault,
            profiles: &self.profiles,
            accounts: &self.accounts,
            history: &self.readings.history,
            audit: &self.audit,
            data: &self.data,
            online: true,
            sentinel: Some(&self.sentinel),
            lockdown: &self.lockdown,
            inbox: Some(&self.inbox),
        }
    }
}
