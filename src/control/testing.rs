//! Test support: the services an offline admin command opens, over a temporary vault, and the
//! [`Admin`] view of them.

use std::{sync::Arc, time::Duration};

use crate::{
    accounts::{Accounts, Profiles},
    audit::AuditTrail,
    clock::Clock,
    config::{AccountsConfig, default_tiers},
    readings::History,
    sentinel::{Blocklist, KEY_LABEL},
    vault::testing::TempVault,
};

use super::{Admin, Lockdown};

/// Everything an [`Admin`] borrows, opened on `t`'s stores as the offline CLI opens them.
pub(crate) struct OfflineServices {
    pub(crate) accounts: Accounts,
    pub(crate) blocklist: Blocklist,
    pub(crate) profiles: Profiles,
    pub(crate) history: History,
    pub(crate) audit: AuditTrail,
    pub(crate) lockdown: Lockdown,
}

impl OfflineServices {
    /// The services with accounts under `config` and `clock` (default tiers, a day of readings).
    pub(crate) fn open(t: &TempVault, config: AccountsConfig, clock: Arc<dyn Clock>) -> OfflineServices {
        OfflineServices {
            accounts: Accounts::new(&t.data, Arc::clone(&t.vault), config, default_tiers(), clock).expect("accounts"),
            blocklist: Blocklist::load(&t.data, &t.vault.subkey(KEY_LABEL)).expect("blocklist"),
            profiles: Profiles::new(&t.data, Arc::clone(&t.vault)).expect("profiles"),
            history: History::new(&t.data, Arc::clone(&t.vault), Duration::from_hours(24)).expect("history"),
            audit: AuditTrail::open(&t.data, &t.vault).expect("audit"),
            lockdown: Lockdown::load(&t.data).expect("lockdown"),
        }
    }

    /// The offline admin view (no running bot, no sentinel).
    pub(crate) fn admin<'a>(&'a self, t: &'a TempVault) -> Admin<'a> {
        Admin {
            blocklist: &self.blocklist,
            vault: &t.vault,
            profiles: &self.profiles,
            accounts: &self.accounts,
            history: &self.history,
            audit: &self.audit,
            data: &t.data,
            online: false,
            sentinel: None,
            lockdown: &self.lockdown,
            inbox: None,
        }
    }
}
