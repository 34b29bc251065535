//! The wallet inside each (sealed) account record: bought credits, a premium period, and the
//! payments that paid for them. Because it lives in the account record, crediting a payment and
//! remembering its charge id are one write — a redelivered payment can never credit twice, and a
//! crash can never leave one half-applied.

use serde::{Deserialize, Serialize};

/// Credits, premium and payments of one user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wallet {
    /// Readings bought and not yet used.
    pub credits: u32,
    /// Premium, if bought.
    pub premium: Option<Premium>,
    /// Every payment received, refunded ones included.
    pub payments: Vec<Payment>,
}

/// A premium period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Premium {
    /// The tier it grants.
    pub tier: String,
    /// Until when (Unix ms).
    pub until_ms: u64,
}

/// What a payment bought.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Purchase {
    /// This many reading credits.
    Credits(u32),
    /// Premium for this many milliseconds.
    PremiumMs(u64),
    /// Nothing arcana could identify (an invoice payload that did not verify); kept so an admin
    /// can refund it.
    Unrecognised,
}

impl Purchase {
    /// In words, for exports and the accounting record: "10 credits", "premium for 720 hours".
    #[must_use]
    pub fn describe(self) -> String {
        match self {
            Purchase::Credits(n) => format!("{n} credits"),
            Purchase::PremiumMs(ms) => format!("premium for {} hours", ms / 3_600_000),
            Purchase::Unrecognised => String::from("unrecognised"),
        }
    }
}

/// One successful payment, as Telegram reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// Telegram's charge id (what a refund needs).
    pub charge_id: String,
    /// Stars paid.
    pub stars: u32,
    /// What it bought.
    pub purchase: Purchase,
    /// When it arrived (Unix ms).
    pub at_ms: u64,
    /// When it was refunded (Unix ms), if it was.
    pub refunded_ms: Option<u64>,
}

impl Wallet {
    /// The premium tier in force at `now_ms`, if any.
    #[must_use]
    pub fn premium_tier(&self, now_ms: u64) -> Option<&str> {
        self.premium.as_ref().filter(|p| p.until_ms > now_ms).map(|p| p.tier.as_str())
    }

    /// The payment with `charge_id`, if received.
    #[must_use]
    pub fn payment(&self, charge_id: &str) -> Option<&Payment> {
        self.payments.iter().find(|p| p.charge_id == charge_id)
    }

    /// Applies `payment` unless its charge id was seen before; returns whether it was new.
    pub fn apply(&mut self, payment: Payment, premium_tier: &str) -> bool {
        if self.payment(&payment.charge_id).is_some() {
            return false;
        }
        match payment.purchase {
            Purchase::Credits(n) => self.credits = self.credits.saturating_add(n),
            Purchase::PremiumMs(ms) => {
                let from = self.premium.as_ref().map_or(payment.at_ms, |p| p.until_ms.max(payment.at_ms));
                self.premium = Some(Premium { tier: premium_tier.to_owned(), until_ms: from.saturating_add(ms) });
            }
            Purchase::Unrecognised => {}
        }
        self.payments.push(payment);
        true
    }

    /// Reverses payment `charge_id` at `now_ms`: its credits are taken back (as many as are
    /// left) or its premium time is removed. Returns the payment, or why not.
    pub fn reverse(&mut self, charge_id: &str, now_ms: u64) -> Result<Payment, ReverseError> {
        let payment = self.payments.iter_mut().find(|p| p.charge_id == charge_id).ok_or(ReverseError::NotFound)?;
        if payment.refunded_ms.is_some() {
            return Err(ReverseError::AlreadyRefunded);
        }
        payment.refunded_ms = Some(now_ms);
        let payment = payment.clone();
        match payment.purchase {
            Purchase::Credits(n) => self.credits = self.credits.saturating_sub(n),
            Purchase::PremiumMs(ms) => {
                if let Some(premium) = &mut self.premium {
                    premium.until_ms = premium.until_ms.saturating_sub(ms);
                    if premium.until_ms <= now_ms {
                        self.premium = None;
                    }
                }
            }
            Purchase::Unrecognised => {}
        }
        Ok(payment)
    }
}

/// Why a payment could not be reversed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReverseError {
    /// No payment with that charge id.
    #[error("no such payment")]
    NotFound,
    /// Refunded before.
    #[error("the payment was already refunded")]
    AlreadyRefunded,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paid(charge: &str, purchase: Purchase, at_ms: u64) -> Payment {
        Payment { charge_id: charge.to_owned(), stars: 50, purchase, at_ms, refunded_ms: None }
    }

    #[test]
    fn a_charge_credits_once() {
        let mut w = Wallet::default();
        assert!(w.apply(paid("c1", Purchase::Credits(10), 1), "premium"));
        assert!(!w.apply(paid("c1", Purchase::Credits(10), 2), "premium"));
        assert_eq!((w.credits, w.payments.len()), (10, 1));
    }

    #[test]
    fn a_refund_reverses_credits_once() {
        let mut w = Wallet::default();
        w.apply(paid("c1", Purchase::Credits(10), 1), "premium");
        w.apply(paid("c2", Purchase::Credits(10), 2), "premium");
        w.credits -= 3;
        assert_eq!(w.reverse("c1", 5).map(|p| p.refunded_ms), Ok(Some(5)));
        assert_eq!(w.credits, 7);
        assert_eq!(w.reverse("c1", 6), Err(ReverseError::AlreadyRefunded));
        assert_eq!(w.reverse("zz", 6), Err(ReverseError::NotFound));
        w.credits = 2;
        w.reverse("c2", 7).expect("refund");
        assert_eq!(w.credits, 0);
    }

    #[test]
    fn premium_periods_add_up_and_refunds_shorten_them() {
        let day = 86_400_000;
        let mut w = Wallet::default();
        w.apply(paid("p1", Purchase::PremiumMs(30 * day), 1_000), "premium");
        w.apply(paid("p2", Purchase::PremiumMs(30 * day), 2_000), "premium");
        assert_eq!(w.premium.as_ref().map(|p| p.until_ms), Some(1_000 + 60 * day));
        assert_eq!(w.premium_tier(1_000 + 60 * day - 1), Some("premium"));
        assert_eq!(w.premium_tier(1_000 + 60 * day), None);
        w.reverse("p2", 3_000).expect("refund");
        assert_eq!(w.premium.as_ref().map(|p| p.until_ms), Some(1_000 + 30 * day));
        w.reverse("p1", 3_000).expect("refund");
        assert_eq!(w.premium, None);
    }
}
