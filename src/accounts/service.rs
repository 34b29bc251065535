//! `Accounts`: loading and updating account records, consent, tiers, sessions.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex, PoisonError},
};

use crate::{
    audit_tap::Event,
    clock::{Clock, duration_ms as ms},
    config::{AccountsConfig, TierConfig},
    store::Store,
    vault::{SealedTree, Vault, VaultError},
};

use super::{
    account::{Account, Consent},
    backup_codes::BackupCodeHasher,
    sessions::{self, Session, SessionPolicy},
};

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    /// The vault or store failed.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// No such tier in the configuration.
    #[error("no tier named {0:?} in the config")]
    UnknownTier(String),
    /// The system random generator failed.
    #[error("the system random number generator failed")]
    Randomness,
}

/// The accounts of all users.
pub struct Accounts {
    pub(crate) tree: SealedTree<Account>,
    pub(crate) config: AccountsConfig,
    pub(crate) tiers: BTreeMap<String, TierConfig>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) backup_hasher: BackupCodeHasher,
    /// Serialises read-modify-write of account records.
    write: Mutex<()>,
    /// Wrong two-factor codes across all accounts in the last minute (Unix ms).
    pub(crate) recent_failures: Mutex<std::collections::VecDeque<u64>>,
    /// Per-tier command limits, by (user, command).
    pub(crate) tier_windows: Mutex<std::collections::HashMap<(i64, String), crate::sentinel::Window>>,
    /// Messages showing a secret, and when to delete them.
    secret_messages: super::SecretMessages,
}

impl std::fmt::Debug for Accounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accounts").finish_non_exhaustive()
    }
}

/// How often a session's "last used" time is written.
const TOUCH_EVERY_MS: u64 = 60_000;

fn key(user: i64) -> [u8; 8] {
    user.to_be_bytes()
}

impl Accounts {
    /// The accounts in `store`, sealed with `vault`.
    pub fn new(
        store: &Store,
        vault: Arc<Vault>,
        config: AccountsConfig,
        tiers: BTreeMap<String, TierConfig>,
        clock: Arc<dyn Clock>,
    ) -> Result<Accounts, AccountsError> {
        let backup_hasher = BackupCodeHasher::new(&vault.subkey("backup-codes/v1"));
        Ok(Accounts {
            tree: SealedTree::new(store, vault)?,
            config,
            tiers,
            clock,
            backup_hasher,
            write: Mutex::new(()),
            recent_failures: Mutex::new(std::collections::VecDeque::new()),
            tier_windows: Mutex::new(std::collections::HashMap::new()),
            secret_messages: super::SecretMessages::new(store).map_err(VaultError::from)?,
        })
    }

    /// Messages showing a secret, and when to delete them.
    #[must_use]
    pub fn secret_messages(&self) -> &super::SecretMessages {
        &self.secret_messages
    }

    /// The settings.
    #[must_use]
    pub fn config(&self) -> &AccountsConfig {
        &self.config
    }

    pub(crate) fn now(&self) -> u64 {
        self.clock.unix_ms()
    }

    pub(crate) fn policy(&self) -> SessionPolicy {
        SessionPolicy {
            idle_ms: ms(self.config.session_idle),
            lifetime_ms: ms(self.config.session_lifetime),
            max: usize::try_from(self.config.max_sessions.get()).unwrap_or(1),
        }
    }

    /// The account of `user` (a fresh one on the default tier if none is stored).
    pub fn get(&self, user: i64) -> Result<Account, AccountsError> {
        Ok(self.tree.get(user, &key(user))?.unwrap_or_else(|| self.fresh()))
    }

    fn fresh(&self) -> Account {
        Account { tier: self.config.default_tier.clone(), ..Account::default() }
    }

    /// Applies `change` to `user`'s account and stores it, unless nothing changed (a refused
    /// draw, a duplicate payment).
    pub fn update<R>(&self, user: i64, change: impl FnOnce(&mut Account) -> R) -> Result<R, AccountsError> {
        let _write = self.write.lock().unwrap_or_else(PoisonError::into_inner);
        let stored = self.tree.get(user, &key(user))?;
        let mut account = stored.clone().unwrap_or_else(|| self.fresh());
        let result = change(&mut account);
        if stored.as_ref() != Some(&account) {
            self.tree.put(user, &key(user), &account)?;
        }
        Ok(result)
    }

    /// Whether `account` has agreed to the current notice (or registration is not required).
    #[must_use]
    pub fn is_registered(&self, account: &Account) -> bool {
        !self.config.require_registration
            || account.consent.is_some_and(|c| c.version >= self.config.notice_version.get())
    }

    /// Whether `account` belongs to a registered user who has used the bot: what lockdown lets in
    /// and broadcasts reach. With registration required, everyone who agreed to the current
    /// notice; without it, everyone with any trace of use (a fresh, never stored account has
    /// none).
    #[must_use]
    pub fn is_member(&self, account: &Account) -> bool {
        self.is_registered(account) && account.last_active().is_some()
    }

    /// Records `user`'s agreement to notice `version`; false if it is not the current one.
    pub fn agree(&self, user: i64, version: u32) -> Result<bool, AccountsError> {
        if version != self.config.notice_version.get() {
            return Ok(false);
        }
        let now = self.now();
        self.update(user, |a| a.consent = Some(Consent { version, at_ms: now }))?;
        tracing::info!(target: "arcana::audit", event = Event::Consent.name(), user, version,
            "user agreed to the privacy notice");
        Ok(true)
    }

    /// The tier `account` is on now: a bought premium period while it lasts, else its own.
    pub fn tier(&self, account: &Account) -> String {
        if let Some(premium) = account.wallet.premium_tier(self.now())
            && self.tiers.contains_key(premium)
        {
            return premium.to_owned();
        }
        if account.tier.is_empty() { self.config.default_tier.clone() } else { account.tier.clone() }
    }

    /// Moves `user` to `tier`.
    pub fn set_tier(&self, user: i64, tier: &str) -> Result<(), AccountsError> {
        if !self.tiers.contains_key(tier) {
            return Err(AccountsError::UnknownTier(tier.to_owned()));
        }
        self.update(user, |a| tier.clone_into(&mut a.tier))?;
        tracing::warn!(target: "arcana::audit", event = Event::TierChange.name(), user, tier, "tier changed");
        Ok(())
    }

    /// Keeps `user`'s current session alive or opens a new one; returns it. `account` is the
    /// record the caller already read: when it shows a session used within the last minute,
    /// nothing is read or written again.
    pub fn touch_session(&self, user: i64, account: &Account) -> Result<Session, AccountsError> {
        let (now, policy) = (self.now(), self.policy());
        // Recording "last used" at most once a minute spares a sealed write on every update.
        let current = account.sessions.iter().filter(|s| s.is_live(now, policy)).max_by_key(|s| s.last_seen_ms);
        if let Some(session) = current.filter(|s| now.saturating_sub(s.last_seen_ms) < TOUCH_EVERY_MS) {
            return Ok(session.clone());
        }
        let id = new_session_id()?;
        self.update(user, |a| {
            a.last_active_ms = Some(now);
            let index = sessions::touch(&mut a.sessions, now, policy, || id);
            a.sessions[index].clone()
        })
    }

    /// Opens a new session (for API tokens to come); the oldest end beyond the limit.
    pub fn open_session(&self, user: i64) -> Result<Session, AccountsError> {
        let (now, policy) = (self.now(), self.policy());
        let id = new_session_id()?;
        self.update(user, |a| {
            sessions::open(&mut a.sessions, id.clone(), now, policy);
            a.sessions.iter().find(|s| s.id == id).cloned().unwrap_or_else(|| a.sessions[a.sessions.len() - 1].clone())
        })
    }

    /// `user`'s live sessions.
    pub fn sessions(&self, user: i64) -> Result<Vec<Session>, AccountsError> {
        let mut list = self.get(user)?.sessions;
        sessions::prune(&mut list, self.now(), self.policy());
        Ok(list)
    }

    /// Ends all of `user`'s sessions (a security event); returns how many were live.
    pub fn end_sessions(&self, user: i64, why: &'static str) -> Result<usize, AccountsError> {
        if self.tree.get(user, &key(user))?.is_none() {
            return Ok(0);
        }
        let (now, policy) = (self.now(), self.policy());
        let ended = self.update(user, |a| {
            sessions::prune(&mut a.sessions, now, policy);
            std::mem::take(&mut a.sessions).len()
        })?;
        tracing::warn!(target: "arcana::audit", event = Event::SessionsEnded.name(), user, ended, why,
            "all sessions ended");
        Ok(ended)
    }

    /// The ids of every stored account.
    pub fn ids(&self) -> Result<Vec<i64>, AccountsError> {
        Ok(self.tree.subject_ids()?)
    }

    /// Removes `user`'s account record. Waits for a change in progress, so that no update
    /// writes back an account read before the removal.
    pub fn remove(&self, user: i64) -> Result<bool, AccountsError> {
        let _write = self.write.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(self.tree.remove(&key(user))?)
    }

    /// Opens every account (after a restore); see [`SealedTree::verify_all`].
    pub fn verify_all(&self) -> Result<(usize, usize), AccountsError> {
        Ok(self.tree.verify_all(SealedTree::<Account>::subject_key)?)
    }
}

pub(crate) fn new_session_id() -> Result<String, AccountsError> {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 16];
    ring::rand::SystemRandom::new().fill(&mut bytes).map_err(|_| AccountsError::Randomness)?;
    Ok(crate::sanitize::hex_id(&bytes))
}
