//! Two-factor step-up: TOTP enrolment confirmed by a first code, backup codes shown once and kept
//! as keyed hashes, fresh codes that elevate the current session for sensitive actions, replay
//! refusal, and wrong-code limits with escalating lockouts and a cross-account alert.

use crate::{audit_tap::Event, clock::duration_ms as ms};

use super::{
    Accounts, AccountsError,
    account::{Account, Failures, TwoFactor},
    backup_codes::{self, BackupCode},
    sessions,
    totp::{self, TotpError, TotpSecret},
};

/// Why a code was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum TwoFactorError {
    /// Two-factor authentication is not set up (or not being set up).
    #[error("two-factor authentication is not set up")]
    NotEnrolled,
    /// Too many wrong codes.
    #[error("too many wrong codes")]
    Locked {
        /// Milliseconds until codes are accepted again.
        retry_after_ms: u64,
    },
    /// Not a valid code.
    #[error("the code is not valid")]
    Invalid,
    /// A code already used.
    #[error("the code was already used")]
    Replayed,
    /// The account could not be read or stored.
    #[error(transparent)]
    Accounts(#[from] AccountsError),
}

const DAY_MS: u64 = 86_400_000;

impl Accounts {
    /// Starts (or restarts) enrolment: a fresh secret, stored unconfirmed. Refused if 2FA is on.
    pub fn begin_two_factor(&self, user: i64) -> Result<Option<TotpSecret>, AccountsError> {
        let secret = TotpSecret::generate().map_err(|_| AccountsError::Randomness)?;
        self.update(user, |a| {
            if a.two_factor_on() {
                return None;
            }
            a.two_factor = Some(TwoFactor {
                secret: secret.as_bytes().to_vec(),
                confirmed: false,
                last_step: None,
                backup_codes: Vec::new(),
            });
            Some(secret)
        })
    }

    /// Confirms enrolment with a first code; returns the backup codes to show once. All sessions
    /// end (a two-factor change is a security event).
    pub fn confirm_two_factor(&self, user: i64, code: &str) -> Result<Vec<BackupCode>, TwoFactorError> {
        let codes = backup_codes::generate(backup_codes::DEFAULT_COUNT).map_err(|_| AccountsError::Randomness)?;
        let hashes = self.backup_hasher.hash_all(&codes);
        let now = self.now();
        self.checked(user, |account| {
            let two_factor = account.two_factor.as_mut().filter(|t| !t.confirmed).ok_or(TwoFactorError::NotEnrolled)?;
            let step = totp::verify(&two_factor.secret, code, now / 1000, two_factor.last_step, 1).map_err(map_totp)?;
            two_factor.last_step = Some(step);
            two_factor.confirmed = true;
            two_factor.backup_codes = hashes;
            account.sessions.clear();
            Ok(())
        })?;
        tracing::warn!(target: "arcana::audit", event = Event::TwoFactorEnabled.name(), user,
            "two-factor authentication enabled; sessions ended");
        Ok(codes)
    }

    /// Checks a fresh TOTP code or a backup code and elevates the current session.
    pub fn step_up(&self, user: i64, input: &str) -> Result<(), TwoFactorError> {
        let (now, policy) = (self.now(), self.policy());
        let until = now.saturating_add(ms(self.config.step_up_for));
        let id = super::service_session_id()?;
        self.redeem_code(user, input, |account| {
            let index = sessions::touch(&mut account.sessions, now, policy, || id);
            account.sessions[index].elevated_until_ms = until;
        })?;
        tracing::info!(target: "arcana::audit", event = Event::TwoFactorStepUp.name(), user,
            "session elevated by a fresh code");
        Ok(())
    }

    /// Checks (and uses up) a fresh TOTP code or a backup code for one action, elevating no
    /// session: the web side asks for a code with each sensitive request, and a code typed there
    /// must not unlock the Telegram chat.
    pub fn confirm_with_code(&self, user: i64, input: &str) -> Result<(), TwoFactorError> {
        self.redeem_code(user, input, |_| {})?;
        tracing::info!(target: "arcana::audit", event = Event::TwoFactorStepUp.name(), user, via = "web",
            "a fresh code confirmed one web action");
        Ok(())
    }

    fn redeem_code(
        &self,
        user: i64,
        input: &str,
        then: impl FnOnce(&mut super::Account),
    ) -> Result<(), TwoFactorError> {
        let now = self.now();
        let hasher = &self.backup_hasher;
        self.checked(user, |account| {
            let two_factor = account.two_factor.as_mut().filter(|t| t.confirmed).ok_or(TwoFactorError::NotEnrolled)?;
            match totp::verify(&two_factor.secret, input, now / 1000, two_factor.last_step, 1) {
                Ok(step) => two_factor.last_step = Some(step),
                Err(TotpError::Malformed) if hasher.redeem(&mut two_factor.backup_codes, input) => {}
                Err(e) => return Err(map_totp(e)),
            }
            then(account);
            Ok(())
        })
    }

    /// Whether `account`'s current session is elevated now.
    #[must_use]
    pub fn is_elevated(&self, account: &Account) -> bool {
        let now = self.now();
        account.sessions.iter().any(|s| s.is_live(now, self.policy()) && s.elevated_until_ms > now)
    }

    /// Turns two-factor authentication off; all sessions end.
    pub fn disable_two_factor(&self, user: i64) -> Result<bool, AccountsError> {
        let was_on = self.update(user, |a| {
            let on = a.two_factor_on();
            a.two_factor = None;
            a.sessions.clear();
            on
        })?;
        tracing::warn!(target: "arcana::audit", event = Event::TwoFactorDisabled.name(), user,
            "two-factor authentication disabled; sessions ended");
        Ok(was_on)
    }

    /// Runs a code check under the wrong-code limits: refused while locked out; a failure is
    /// counted (and may lock the account), audited, and may raise the cross-account alert.
    fn checked(
        &self,
        user: i64,
        check: impl FnOnce(&mut Account) -> Result<(), TwoFactorError>,
    ) -> Result<(), TwoFactorError> {
        let now = self.now();
        let limits = self.config.two_factor;
        let outcome = self.update(user, |account| {
            if account.failures.locked_until_ms > now {
                return Err(TwoFactorError::Locked { retry_after_ms: account.failures.locked_until_ms - now });
            }
            let result = check(account);
            let failures = &mut account.failures;
            match &result {
                Ok(()) => failures.count = 0,
                Err(TwoFactorError::Invalid | TwoFactorError::Replayed) => {
                    if now.saturating_sub(failures.window_start_ms) >= ms(limits.failure_window) || failures.count == 0
                    {
                        *failures = Failures { window_start_ms: now, count: 0, ..*failures };
                    }
                    failures.count += 1;
                    if failures.count >= limits.max_failures.get() {
                        let factor = 1u64 << failures.lockouts.min(16);
                        failures.locked_until_ms = now + ms(limits.lockout).saturating_mul(factor).min(DAY_MS);
                        failures.lockouts += 1;
                        failures.count = 0;
                        tracing::warn!(target: "arcana::audit", event = Event::TwoFactorLockout.name(),
                            user, lockouts = failures.lockouts, "two-factor codes locked out");
                    }
                }
                Err(_) => {}
            }
            result
        })?;
        if matches!(outcome, Err(TwoFactorError::Invalid | TwoFactorError::Replayed)) {
            tracing::warn!(target: "arcana::audit", event = Event::TwoFactorFailure.name(), user,
                "wrong two-factor code");
            self.count_failure(now);
        }
        outcome
    }

    /// Counts a wrong code across all accounts; more than `alert_per_minute` in a minute raises
    /// an alert event.
    fn count_failure(&self, now: u64) {
        let mut recent = self.recent_failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        recent.push_back(now);
        while recent.front().is_some_and(|&t| t + 60_000 <= now) {
            recent.pop_front();
        }
        if recent.len() > usize::try_from(self.config.two_factor.alert_per_minute.get()).unwrap_or(usize::MAX) {
            tracing::error!(target: "arcana::audit", event = Event::TwoFactorAlarm.name(),
                failures_last_minute = recent.len(),
                "ALERT: many wrong two-factor codes across accounts");
        }
    }
}

fn map_totp(e: TotpError) -> TwoFactorError {
    match e {
        TotpError::Replayed => TwoFactorError::Replayed,
        TotpError::Malformed | TotpError::Invalid => TwoFactorError::Invalid,
    }
}
