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
    /// The Telegram client, once the bot has one (for refunds from the control socket).
    pub telegram: std::sync::OnceLock<crate::bot::Sender>,
    /// The update pipeline's gauges.
    pub pipeline: super::PipelineStats,
    /// Scheduled backups so far.
    pub backups: std::sync::Arc<super::BackupStats>,
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
            data: &self.data,
            online: true,
        }
    }
}
