//! Authorisation of commands: registration, role (admin) and tier, checked on every call. Who
//! may use what is in the command table ([`crate::command`]).

use crate::command::{Access, Command};

use super::{Accounts, account::Account};

/// The outcome of an authorisation check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead.
    Allowed,
    /// The user must agree to the privacy notice first.
    NeedsConsent,
    /// Admins only.
    AdminOnly,
    /// The user's tier does not include the command; `Some(tier)` names one that does.
    NeedsTier(Option<String>),
    /// The tier's own limit for this command is reached.
    TierLimited {
        /// Milliseconds until it is allowed again.
        retry_after_ms: u64,
    },
}

impl Accounts {
    /// Decides whether `user` (with `account`, admin or not) may run `command`. A per-tier limit,
    /// if any, counts this use when allowed.
    pub fn authorize(&self, user: i64, account: &Account, is_admin: bool, command: &str) -> Decision {
        let access = Command::parse(command).map(|c| c.spec().access);
        if access == Some(Access::Always) {
            return Decision::Allowed;
        }
        if !self.is_registered(account) {
            return Decision::NeedsConsent;
        }
        if access == Some(Access::Admin) {
            return if is_admin { Decision::Allowed } else { Decision::AdminOnly };
        }
        if is_admin || access == Some(Access::Right) {
            return Decision::Allowed;
        }
        let tier_name = self.tier(account);
        let Some(tier) = self.tiers.get(&tier_name) else {
            return Decision::NeedsTier(None);
        };
        if !tier.commands.iter().any(|c| c == command) {
            let other =
                self.tiers.iter().find(|(_, t)| t.commands.iter().any(|c| c == command)).map(|(n, _)| n.clone());
            return Decision::NeedsTier(other);
        }
        if let Some(rule) = tier.limits.get(command) {
            let per_ms = u64::try_from(rule.per.as_millis()).unwrap_or(u64::MAX);
            let now = self.clock.mono_ms();
            let mut windows = self.tier_windows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let admission = windows.entry((user, command.to_owned())).or_default().admit(now, rule.limit.get(), per_ms);
            if let crate::sentinel::Admission::Denied { retry_after_ms, .. } = admission {
                return Decision::TierLimited { retry_after_ms };
            }
        }
        Decision::Allowed
    }
}

impl Accounts {
    /// Forgets per-tier limit windows that no longer hold anything back; returns how many. The
    /// bot runs this with the sentinel's sweep, so the map stays bounded by recent users.
    pub fn sweep_tier_windows(&self) -> usize {
        let now = self.clock.mono_ms();
        let mut windows = self.tier_windows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let before = windows.len();
        windows.retain(|_, window| !window.is_idle(now));
        before - windows.len()
    }

    /// Empties the per-tier limit windows of `user` (`None`: of everyone); returns how many.
    pub fn reset_tier_windows(&self, user: Option<i64>) -> usize {
        let mut windows = self.tier_windows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let before = windows.len();
        windows.retain(|(owner, _), _| user.is_some_and(|u| u != *owner));
        before - windows.len()
    }
}
