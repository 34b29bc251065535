//! The domain services over one store and vault — profiles, accounts, readings, billing —
//! built in one place for the running bot, the offline CLI and restores, so each is wired the
//! same way everywhere.

use std::sync::Arc;

use crate::{
    accounts::{Accounts, AccountsError, Profiles},
    billing::{Billing, BillingError},
    clock::Clock,
    config::Config,
    readings::{History, Readings, ResetZone},
    store::Store,
    vault::{Vault, VaultError},
};

/// Why the domain services could not be built.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The vault or store failed.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// Accounts could not be set up.
    #[error(transparent)]
    Accounts(#[from] AccountsError),
    /// Billing could not be set up.
    #[error(transparent)]
    Billing(#[from] BillingError),
    /// `readings.reset_time_zone` names no zone this build knows.
    #[error("readings.reset_time_zone: {0}")]
    TimeZone(String),
}

/// Profiles, accounts, readings and billing over one store.
pub struct Domain {
    /// Sealed profiles.
    pub profiles: Profiles,
    /// Accounts: consent, tiers, sessions, two-factor.
    pub accounts: Accounts,
    /// Allowances, draws and reading history.
    pub readings: Readings,
    /// Invoices, payments and refunds.
    pub billing: Billing,
}

impl std::fmt::Debug for Domain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Domain").finish_non_exhaustive()
    }
}

impl Domain {
    /// The services over `data`, sealed with `vault`, as `config` sets them up.
    pub fn open(
        data: &Store,
        vault: &Arc<Vault>,
        config: &Config,
        clock: Arc<dyn Clock>,
    ) -> Result<Domain, DomainError> {
        let zone = crate::config::resolve_time_zone(&config.readings.reset_time_zone)
            .map(|tz| ResetZone::new(tz, &config.readings.reset_time_zone))
            .map_err(DomainError::TimeZone)?;
        let history = History::new(data, Arc::clone(vault), config.readings.retention)?;
        Ok(Domain {
            profiles: Profiles::new(data, Arc::clone(vault))?,
            accounts: Accounts::new(data, Arc::clone(vault), config.accounts.clone(), config.tiers.clone(), clock)?,
            readings: Readings::new(history, zone, config.tiers.clone()),
            billing: Billing::new(data, Arc::clone(vault), config.payments.clone())?,
        })
    }
}
