//! What `/buy` sells and the invoice payload that carries the terms of a sale: product, amount,
//! price in Stars and the day the invoice was issued, signed for the buyer. Telegram returns the
//! payload in `pre_checkout_query` and `successful_payment`; a payload that does not verify for
//! the paying user, or whose price does not match what Telegram charged, is refused.

use crate::{
    config::PaymentsConfig,
    sanitize::{CallbackData, CallbackError, CallbackSigner},
};

use super::wallet::Purchase;

/// Telegram Stars' currency code.
pub const STARS: &str = "XTR";

/// Invoices older than this many days are refused at checkout.
pub const INVOICE_VALID_DAYS: u64 = 2;

/// Payloads are signed as if for chat 0, so they cannot be confused with button data.
const PAYLOAD_CHAT: i64 = 0;

const DAY_MS: u64 = 86_400_000;

/// The kinds of product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductKind {
    /// A pack of reading credits.
    Credits,
    /// A premium period.
    Premium,
}

impl ProductKind {
    /// Parses `credits` or `premium` (ASCII case ignored).
    #[must_use]
    pub fn parse(word: &str) -> Option<ProductKind> {
        match word.trim().to_ascii_lowercase().as_str() {
            "credits" | "credit" => Some(ProductKind::Credits),
            "premium" => Some(ProductKind::Premium),
            _ => None,
        }
    }

    /// The word used in payloads and buttons.
    #[must_use]
    pub const fn word(self) -> &'static str {
        match self {
            ProductKind::Credits => "credits",
            ProductKind::Premium => "premium",
        }
    }
}

/// The terms of one sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offer {
    /// What is sold.
    pub kind: ProductKind,
    /// Credits, or hours of premium.
    pub quantity: u32,
    /// Price in Stars.
    pub stars: u32,
}

impl Offer {
    /// The current offer of `kind` under `config`.
    #[must_use]
    pub fn current(kind: ProductKind, config: &PaymentsConfig) -> Offer {
        match kind {
            ProductKind::Credits => {
                Offer { kind, quantity: config.credit_pack_size.get(), stars: config.credit_pack_price.get() }
            }
            ProductKind::Premium => Offer {
                kind,
                quantity: u32::try_from(config.premium_period.as_secs() / 3600).unwrap_or(u32::MAX),
                stars: config.premium_price.get(),
            },
        }
    }

    /// What a payment for this offer buys.
    #[must_use]
    pub fn purchase(&self) -> Purchase {
        match self.kind {
            ProductKind::Credits => Purchase::Credits(self.quantity),
            ProductKind::Premium => Purchase::PremiumMs(u64::from(self.quantity) * 3_600_000),
        }
    }

    /// The invoice title (1–32 characters).
    #[must_use]
    pub fn title(&self) -> String {
        match self.kind {
            ProductKind::Credits => format!("{} readings", self.quantity),
            ProductKind::Premium => format!("Premium for {}", period(self.quantity)),
        }
    }

    /// The invoice description (1–255 characters).
    #[must_use]
    pub fn description(&self, premium_tier: &str) -> String {
        match self.kind {
            ProductKind::Credits => format!(
                "{} readings beyond your daily allowance, any spread, Celtic Cross included. Credits do not expire.",
                self.quantity
            ),
            ProductKind::Premium => {
                let mut tier: String = premium_tier.chars().take(40).collect();
                if tier.is_empty() {
                    tier.push_str("premium");
                }
                format!("The {tier} plan for {}: more readings a day and every spread.", period(self.quantity))
            }
        }
    }

    /// The signed invoice payload for `user`, issued at `now_ms`.
    pub fn payload(&self, signer: &CallbackSigner, user: i64, now_ms: u64) -> Result<String, CallbackError> {
        let data = CallbackData::new(
            self.kind.word(),
            [self.quantity.to_string(), self.stars.to_string(), (now_ms / DAY_MS).to_string()],
        )?;
        signer.sign(user, PAYLOAD_CHAT, &data)
    }
}

/// Why a checkout is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CheckoutError {
    /// The payload was not issued by this bot for this user.
    #[error("the invoice was not issued to this user")]
    Forged,
    /// Not Stars, or a different amount than the invoice said.
    #[error("the amount or currency does not match the invoice")]
    Mismatch,
    /// Issued too long ago.
    #[error("the invoice has expired")]
    Expired,
}

/// Verifies a payload returned by Telegram for `user`, who is charged `amount` in `currency`.
/// `now_ms` decides expiry; pass `None` to accept any age (for a payment already taken).
pub fn verify(
    signer: &CallbackSigner,
    user: i64,
    payload: &str,
    currency: &str,
    amount: u32,
    now_ms: Option<u64>,
) -> Result<Offer, CheckoutError> {
    let data = signer.verify(user, PAYLOAD_CHAT, payload).map_err(|_| CheckoutError::Forged)?;
    let kind = ProductKind::parse(data.action()).ok_or(CheckoutError::Forged)?;
    let number = |i: usize| data.arg(i).and_then(|v| v.parse::<u64>().ok()).ok_or(CheckoutError::Forged);
    let (quantity, stars, day) = (number(0)?, number(1)?, number(2)?);
    let offer = Offer {
        kind,
        quantity: u32::try_from(quantity).map_err(|_| CheckoutError::Forged)?,
        stars: u32::try_from(stars).map_err(|_| CheckoutError::Forged)?,
    };
    if currency != STARS || amount != offer.stars {
        return Err(CheckoutError::Mismatch);
    }
    if let Some(now) = now_ms
        && now / DAY_MS > day.saturating_add(INVOICE_VALID_DAYS)
    {
        return Err(CheckoutError::Expired);
    }
    Ok(offer)
}

fn period(hours: u32) -> String {
    if hours.is_multiple_of(24) { format!("{} days", hours / 24) } else { format!("{hours} hours") }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_795_473_000_000;

    fn signer() -> CallbackSigner {
        CallbackSigner::new(&[7; 32])
    }

    #[test]
    fn a_payload_verifies_for_its_user_and_price_only() {
        let config = PaymentsConfig::default();
        let offer = Offer::current(ProductKind::Credits, &config);
        let payload = offer.payload(&signer(), 42, NOW).expect("payload");
        assert!(payload.len() <= 128);
        assert_eq!(verify(&signer(), 42, &payload, STARS, 50, Some(NOW)), Ok(offer));
        assert_eq!(verify(&signer(), 43, &payload, STARS, 50, Some(NOW)), Err(CheckoutError::Forged));
        assert_eq!(verify(&signer(), 42, &payload, STARS, 1, Some(NOW)), Err(CheckoutError::Mismatch));
        assert_eq!(verify(&signer(), 42, &payload, "USD", 50, Some(NOW)), Err(CheckoutError::Mismatch));
        let later = NOW + (INVOICE_VALID_DAYS + 1) * DAY_MS;
        assert_eq!(verify(&signer(), 42, &payload, STARS, 50, Some(later)), Err(CheckoutError::Expired));
        assert_eq!(verify(&signer(), 42, &payload, STARS, 50, None), Ok(offer));
        let tampered = payload.replacen("credits:10", "credits:99", 1);
        assert_eq!(verify(&signer(), 42, &tampered, STARS, 50, Some(NOW)), Err(CheckoutError::Forged));
    }

    #[test]
    fn premium_offers_name_their_period() {
        let offer = Offer::current(ProductKind::Premium, &PaymentsConfig::default());
        assert_eq!((offer.quantity, offer.stars), (720, 250));
        assert_eq!(offer.title(), "Premium for 30 days");
        assert_eq!(offer.purchase(), Purchase::PremiumMs(30 * DAY_MS));
        assert!(offer.title().chars().count() <= 32);
        assert!(offer.description("premium").chars().count() <= 255);
    }
}
