//! The daily allowance: which of a tier's readings a new one uses, or a bought credit, or why it
//! is refused. Pure logic over the account's usage counter and credit balance.

use crate::{config::TierConfig, tarot::Spread};

pub use crate::accounts::Usage;

/// What paid for a reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// The tier's daily allowance; `left` readings remain today.
    Allowance {
        /// Readings left today after this one.
        left: u32,
    },
    /// The tier has no daily limit.
    Unlimited,
    /// A bought credit; `left` credits remain.
    Credit {
        /// Credits left after this one.
        left: u32,
    },
}

/// Why a reading was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Today's allowance is used up and there are no credits.
    DailyLimitReached {
        /// The tier's daily allowance.
        allowance: u32,
    },
    /// The tier's allowance does not cover this spread and there are no credits.
    SpreadNotIncluded,
}

/// Decides what pays for a `spread` reading on `today` and records it in `usage` or `credits`.
/// The allowance is used first, then credits; nothing changes when the reading is refused.
pub fn spend(
    tier: &TierConfig,
    spread: Spread,
    today: i32,
    usage: &mut Usage,
    credits: &mut u32,
) -> Result<Coverage, Refusal> {
    let covered = tier.covers_spread(spread.key());
    let used = usage.used_on(today);
    if covered {
        match tier.daily_limit() {
            None => {
                *usage = Usage { day: today, count: used.saturating_add(1) };
                return Ok(Coverage::Unlimited);
            }
            Some(allowance) if used < allowance => {
                *usage = Usage { day: today, count: used + 1 };
                return Ok(Coverage::Allowance { left: allowance - used - 1 });
            }
            Some(_) => {}
        }
    }
    if *credits > 0 {
        *credits -= 1;
        return Ok(Coverage::Credit { left: *credits });
    }
    Err(match tier.daily_limit() {
        Some(allowance) if covered => Refusal::DailyLimitReached { allowance },
        _ => Refusal::SpreadNotIncluded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn free() -> TierConfig {
        crate::config::default_tiers()["free"].clone()
    }

    #[test]
    fn three_a_day_then_refused_until_the_next_day() {
        let (tier, mut usage, mut credits) = (free(), Usage::default(), 0);
        for left in [2, 1, 0] {
            assert_eq!(spend(&tier, Spread::Three, 100, &mut usage, &mut credits), Ok(Coverage::Allowance { left }));
        }
        assert_eq!(
            spend(&tier, Spread::One, 100, &mut usage, &mut credits),
            Err(Refusal::DailyLimitReached { allowance: 3 })
        );
        assert_eq!(usage, Usage { day: 100, count: 3 });
        assert_eq!(spend(&tier, Spread::One, 101, &mut usage, &mut credits), Ok(Coverage::Allowance { left: 2 }));
    }

    #[test]
    fn credits_pay_beyond_the_allowance_and_for_other_spreads() {
        let (tier, mut usage, mut credits) = (free(), Usage { day: 7, count: 3 }, 2);
        assert_eq!(spend(&tier, Spread::One, 7, &mut usage, &mut credits), Ok(Coverage::Credit { left: 1 }));
        assert_eq!(spend(&tier, Spread::CelticCross, 8, &mut usage, &mut credits), Ok(Coverage::Credit { left: 0 }));
        // The new day's allowance was not touched by the Celtic Cross.
        assert_eq!(usage.used_on(8), 0);
        assert_eq!(spend(&tier, Spread::CelticCross, 8, &mut usage, &mut credits), Err(Refusal::SpreadNotIncluded));
    }

    #[test]
    fn premium_covers_every_spread() {
        let premium = crate::config::default_tiers()["premium"].clone();
        let (mut usage, mut credits) = (Usage::default(), 0);
        for _ in 0..4 {
            assert!(matches!(
                spend(&premium, Spread::CelticCross, 1, &mut usage, &mut credits),
                Ok(Coverage::Allowance { .. })
            ));
        }
        let unlimited = TierConfig { daily_readings: Some(crate::config::DailyReadings::Unlimited), ..premium };
        assert_eq!(spend(&unlimited, Spread::One, 1, &mut usage, &mut credits), Ok(Coverage::Unlimited));
    }
}
