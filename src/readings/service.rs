//! `Readings`: a `/draw` from start to finish — the allowance or a credit is spent in the same
//! account write that checks it, the cards are drawn from the system CSPRNG, and the reading is
//! sealed into history.

use std::collections::BTreeMap;

use ring::rand::SystemRandom;

use crate::{
    accounts::{Account, Accounts, AccountsError},
    config::{DailyReadings, TierConfig},
    tarot::{DrawError, DrawOptions, DrawRequest, Reading},
    vault::VaultError,
};

use super::{
    History, ResetZone,
    allowance::{self, Coverage, Refusal},
};

/// Why a reading could not be given.
#[derive(Debug, thiserror::Error)]
pub enum ReadingsError {
    /// The account could not be read or written.
    #[error(transparent)]
    Accounts(#[from] AccountsError),
    /// History could not be read or written.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// The random generator failed.
    #[error(transparent)]
    Draw(#[from] DrawError),
}

/// The result of a `/draw`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DrawOutcome {
    /// The reading, and what paid for it.
    Drawn {
        /// The cards.
        reading: Reading,
        /// Allowance, credit or unlimited.
        coverage: Coverage,
    },
    /// Refused; the allowance resets at `resets_at_ms`.
    Refused {
        /// Why.
        refusal: Refusal,
        /// The next local midnight (Unix ms).
        resets_at_ms: u64,
    },
}

/// Where a user stands today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// The tier in force.
    pub tier: String,
    /// Readings a day the tier includes (`None`: no limit).
    pub allowance: Option<u32>,
    /// Readings used today.
    pub used: u32,
    /// Spreads the allowance covers (`None`: all).
    pub spreads: Option<Vec<String>>,
    /// Bought credits.
    pub credits: u32,
    /// Premium until (Unix ms), if in force.
    pub premium_until_ms: Option<u64>,
    /// The next reset (Unix ms).
    pub resets_at_ms: u64,
}

/// Readings: allowances, draws, history.
pub struct Readings {
    /// Sealed reading history.
    pub history: History,
    zone: ResetZone,
    tiers: BTreeMap<String, TierConfig>,
    rng: SystemRandom,
}

impl std::fmt::Debug for Readings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Readings").field("zone", &self.zone.label()).finish_non_exhaustive()
    }
}

/// The tier of admins: no daily limit, every spread.
fn unlimited() -> TierConfig {
    TierConfig { daily_readings: Some(DailyReadings::Unlimited), spreads: None, ..TierConfig::default() }
}

impl Readings {
    /// Readings over `history`, resetting allowances at midnight in `zone`.
    #[must_use]
    pub fn new(history: History, zone: ResetZone, tiers: BTreeMap<String, TierConfig>) -> Readings {
        Readings { history, zone, tiers, rng: SystemRandom::new() }
    }

    /// The reset calendar.
    #[must_use]
    pub fn zone(&self) -> &ResetZone {
        &self.zone
    }

    fn tier_of(&self, accounts: &Accounts, account: &Account, is_admin: bool) -> (String, TierConfig) {
        let name = accounts.tier(account);
        if is_admin {
            return (name, unlimited());
        }
        // A tier missing from the config allows nothing beyond bought credits.
        let tier = self
            .tiers
            .get(&name)
            .cloned()
            .unwrap_or(TierConfig { daily_readings: Some(DailyReadings::Limit(0)), ..unlimited() });
        (name, tier)
    }

    /// Draws a reading for `user` if their allowance or credits cover it, and stores it.
    pub fn draw(
        &self,
        accounts: &Accounts,
        user: i64,
        is_admin: bool,
        request: &DrawRequest,
    ) -> Result<DrawOutcome, ReadingsError> {
        self.draw_with_options(accounts, user, is_admin, request, DrawOptions::default())
    }

    /// [`Readings::draw`], with the cards drawn as `options` say (e.g. the user's choice of no
    /// reversed cards).
    pub fn draw_with_options(
        &self,
        accounts: &Accounts,
        user: i64,
        is_admin: bool,
        request: &DrawRequest,
        options: DrawOptions,
    ) -> Result<DrawOutcome, ReadingsError> {
        let now = accounts.now();
        let today = self.zone.day_of(now);
        let spent = accounts.update(user, |account| {
            let (_, tier) = self.tier_of(accounts, account, is_admin);
            allowance::spend(&tier, request.spread, today, &mut account.usage, &mut account.wallet.credits)
        })?;
        let coverage = match spent {
            Ok(coverage) => coverage,
            Err(refusal) => {
                return Ok(DrawOutcome::Refused { refusal, resets_at_ms: self.zone.next_midnight_ms(now) });
            }
        };
        let reading = Reading::draw_with_options(request.spread, request.question.as_deref(), options, &self.rng)?;
        if let Err(e) = self.history.append(user, &reading.to_stored(now)) {
            // The reading is still given; only its history entry is lost.
            tracing::error!(error = %e, "cannot store a reading in history");
        }
        Ok(DrawOutcome::Drawn { reading, coverage })
    }

    /// Where `user` stands today.
    pub fn standing(&self, accounts: &Accounts, user: i64, is_admin: bool) -> Result<Standing, ReadingsError> {
        let now = accounts.now();
        let account = accounts.get(user)?;
        let (name, tier) = self.tier_of(accounts, &account, is_admin);
        Ok(Standing {
            tier: name,
            allowance: tier.daily_limit(),
            used: account.usage.used_on(self.zone.day_of(now)),
            spreads: tier.spreads,
            credits: account.wallet.credits,
            premium_until_ms: account.wallet.premium.as_ref().filter(|p| p.until_ms > now).map(|p| p.until_ms),
            resets_at_ms: self.zone.next_midnight_ms(now),
        })
    }
}
