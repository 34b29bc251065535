//! Refunding a Telegram Stars payment, for `/refund` in Telegram and `arcana refund` on the
//! control socket: find the payer by charge id, refuse a refund made before, ask Telegram
//! (`refundStarPayment`), and only then take back what the payment bought (flushed), then tell
//! the user (in their language; the admin's and the control socket's replies are English, as
//! the operator's other words are).

use std::sync::Arc;

use teloxide::{
    ApiError, RequestError,
    prelude::Requester,
    types::{ChatId, TelegramTransactionId, UserId},
    utils::html::escape,
};

use crate::{billing::Purchase, control::Services, i18n, locale::Locale};

use crate::bot::send::{Redacted, Sender, send_html};

/// A refund made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refunded {
    /// The payer.
    pub owner: i64,
    /// Stars returned.
    pub stars: u32,
    /// What was taken back, e.g. "10 credits taken back".
    pub taken_back: String,
}

impl Refunded {
    /// The line for the admin.
    pub(crate) fn summary(&self) -> String {
        i18n::format(
            Locale::En,
            "refunded_summary",
            &[("stars", &self.stars.to_string()), ("owner", &self.owner.to_string()), ("taken_back", &self.taken_back)],
        )
    }
}

/// Why a refund was not made (plain messages; nothing internal).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum RefundError {
    /// No charge id given, or an implausible one.
    #[error("{}", i18n::text(Locale::En, "refund_usage"))]
    Usage,
    /// arcana recorded no such payment.
    #[error("{}", i18n::text(Locale::En, "refund_not_found"))]
    NotFound,
    /// A user was named who did not make the payment.
    #[error("{}", i18n::text(Locale::En, "refund_other_user"))]
    OtherUser,
    /// Refunded before.
    #[error("{}", i18n::text(Locale::En, "refund_already"))]
    AlreadyRefunded,
    /// Telegram refused; nothing changed.
    #[error("{}", i18n::format(Locale::En, "refund_refused", &[("reason", .0)]))]
    Telegram(String),
    /// Telegram refunded, but arcana could not record it.
    #[error("{}", i18n::text(Locale::En, "refund_not_reversed"))]
    NotReversed,
    /// The store failed before anything happened.
    #[error("{}", i18n::text(Locale::En, "refund_store"))]
    Store,
}

/// The control socket's view of the Telegram side: the send queue and refunds.
pub(crate) struct ControlPort(pub(crate) Sender);

impl crate::control::Telegram for ControlPort {
    fn queued(&self) -> usize {
        self.0.queued()
    }

    fn figures(&self) -> Vec<String> {
        crate::bot::metrics::get().map(crate::bot::metrics::Metrics::status_lines).unwrap_or_default()
    }

    fn refund<'a>(
        &'a self,
        services: &'a Arc<Services>,
        user: Option<&'a str>,
        charge_id: &'a str,
    ) -> crate::control::RefundFuture<'a> {
        Box::pin(async move {
            refund(&self.0, services, user, charge_id)
                .await
                .map(|refunded| (refunded.summary(), refunded.owner))
                .map_err(|e| e.to_string())
        })
    }
}

/// Refunds payment `charge` (of `named_user`, when given: a numeric id or `@username`).
pub(crate) async fn refund(
    sender: &Sender,
    services: &Arc<Services>,
    named_user: Option<&str>,
    charge: &str,
) -> Result<Refunded, RefundError> {
    if charge.is_empty() || charge.len() > 256 || charge.contains(char::is_whitespace) {
        return Err(RefundError::Usage);
    }
    let owner = services
        .billing
        .owner(charge)
        .map_err(|e| {
            tracing::error!(error = %e, "cannot look up a charge");
            RefundError::Store
        })?
        .ok_or(RefundError::NotFound)?;
    if let Some(named) = named_user
        && named.trim_start_matches('@').parse::<i64>().ok() != Some(owner)
        && services.profiles.find_by_username(named).ok().flatten() != Some(owner)
    {
        return Err(RefundError::OtherUser);
    }
    let payment = services.billing.payment(&services.accounts, owner, charge).map_err(|e| {
        tracing::error!(error = %e, "cannot read a payment");
        RefundError::Store
    })?;
    match payment {
        None => return Err(RefundError::NotFound),
        Some(p) if p.refunded_ms.is_some() => return Err(RefundError::AlreadyRefunded),
        Some(_) => {}
    }
    let owner_id = UserId(u64::try_from(owner).unwrap_or_default());
    match sender.bot().refund_star_payment(owner_id, TelegramTransactionId(charge.to_owned())).await {
        Ok(_) => {}
        Err(RequestError::Api(ApiError::Unknown(text))) if text.contains("CHARGE_ALREADY_REFUNDED") => {
            tracing::warn!("Telegram says the charge was already refunded; reversing it here too");
        }
        Err(e) => {
            tracing::warn!(error = %Redacted(&e), "refundStarPayment failed");
            return Err(RefundError::Telegram(match &e {
                RequestError::Api(_) => Redacted(&e).to_string(),
                _ => i18n::text(Locale::En, "telegram_unreachable").to_owned(),
            }));
        }
    }
    let task_services = Arc::clone(services);
    let charge_owned = charge.to_owned();
    let reversed = tokio::task::spawn_blocking(move || {
        let now = task_services.accounts.now();
        task_services.billing.reverse(&task_services.accounts, owner, &charge_owned, now)
    })
    .await;
    let payment = match reversed {
        Ok(Ok(payment)) => payment,
        Ok(Err(e)) => {
            tracing::error!(error = %e, "refunded by Telegram but not reversed here");
            return Err(RefundError::NotReversed);
        }
        Err(e) => {
            tracing::error!(error = %e, "refund task failed");
            return Err(RefundError::NotReversed);
        }
    };
    let taken_back = |locale| match payment.purchase {
        Purchase::Credits(n) => i18n::plural(locale, "credits_taken_back", u64::from(n), &[]),
        Purchase::PremiumMs(_) => i18n::text(locale, "premium_removed").to_owned(),
        Purchase::Unrecognised => i18n::text(locale, "nothing_taken_back").to_owned(),
    };
    let refunded = Refunded { owner, stars: payment.stars, taken_back: taken_back(Locale::En) };
    let locale = payer_locale(services, owner);
    let to_payer = i18n::format(
        locale,
        "refunded_to_payer",
        &[("stars", &refunded.stars.to_string()), ("taken_back_html", &escape(&taken_back(locale)))],
    );
    send_html(sender, ChatId(owner), &to_payer).await;
    Ok(refunded)
}

/// The language the payer reads: their profile's, else English.
fn payer_locale(services: &Services, owner: i64) -> Locale {
    services.profiles.get(owner).ok().flatten().and_then(|p| p.locale).unwrap_or_default()
}
