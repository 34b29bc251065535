//! The account record: consent, tier, two-factor state and sessions — sealed as a whole under the
//! user's own data key (the TOTP secret and backup-code hashes included).

use serde::{Deserialize, Serialize};

use crate::vault::Sealed;

use super::sessions::Session;

/// What arcana keeps about an account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Agreement to the privacy notice.
    pub consent: Option<Consent>,
    /// Subscription tier (a `[tiers]` name); empty for the configured default.
    pub tier: String,
    /// Two-factor authentication, if enrolled or enrolling.
    pub two_factor: Option<TwoFactor>,
    /// Live sessions.
    pub sessions: Vec<Session>,
    /// Wrong two-factor codes and lockouts.
    pub failures: Failures,
    /// Bought credits, premium and payments.
    #[serde(default)]
    pub wallet: super::wallet::Wallet,
    /// Readings used today (the daily allowance).
    #[serde(default)]
    pub usage: super::usage::Usage,
    /// When the user last used the bot (Unix ms, written at most once a minute), for the
    /// inactivity retention.
    #[serde(default)]
    pub last_active_ms: Option<u64>,
    /// Telegram-signed sign-ins already exchanged for a web token, kept until they would be
    /// refused as stale anyway: the same payload again is a replay.
    #[serde(default)]
    pub web_sign_ins: Vec<UsedSignIn>,
}

/// One exchanged sign-in: the first 16 bytes of Telegram's hash, and until when (Unix seconds)
/// it is remembered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsedSignIn {
    /// What identifies the signed payload.
    pub signature: [u8; 16],
    /// Remembered until (Unix seconds).
    pub until_s: u64,
}

impl Account {
    /// When the user was last seen using the bot: the recorded time, else the latest session or
    /// consent (older records).
    #[must_use]
    pub fn last_active(&self) -> Option<u64> {
        let sessions = self.sessions.iter().map(|s| s.last_seen_ms).max();
        self.last_active_ms.or(sessions).or(self.consent.map(|c| c.at_ms))
    }
}

impl Sealed for Account {
    const TREE: &'static str = "accounts";
    const VERSION: u8 = 1;
}

/// When and to which notice version the user agreed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// Notice version.
    pub version: u32,
    /// When (Unix ms).
    pub at_ms: u64,
}

/// TOTP state.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactor {
    /// The TOTP secret.
    #[serde(with = "serde_bytes")]
    pub secret: Vec<u8>,
    /// Whether a first code confirmed the enrolment.
    pub confirmed: bool,
    /// The last time step a code was accepted for (replay protection).
    pub last_step: Option<u64>,
    /// Keyed hashes of unused backup codes.
    pub backup_codes: Vec<[u8; 32]>,
}

impl std::fmt::Debug for TwoFactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwoFactor")
            .field("confirmed", &self.confirmed)
            .field("backup_codes", &self.backup_codes.len())
            .finish_non_exhaustive()
    }
}

/// Wrong-code accounting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failures {
    /// Start of the current counting window (Unix ms).
    pub window_start_ms: u64,
    /// Wrong codes in it.
    pub count: u32,
    /// Lockouts so far (each doubles the next).
    pub lockouts: u32,
    /// Locked until (Unix ms).
    pub locked_until_ms: u64,
}

impl Account {
    /// Whether two-factor authentication is on.
    #[must_use]
    pub fn two_factor_on(&self) -> bool {
        self.two_factor.as_ref().is_some_and(|t| t.confirmed)
    }
}
