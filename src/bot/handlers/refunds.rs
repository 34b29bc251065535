//! Refunding a Telegram Stars payment, for `/refund` in Telegram and `arcana refund` on the
//! control socket: find the payer by charge id, refuse a refund made before, ask Telegram
//! (`refundStarPayment`), and only then take back what the payment bought (flushed), then tell
//! the user.

use std::sync::Arc;

use teloxide::{
    ApiError, RequestError,
    prelude::Requester,
    types::{ChatId, TelegramTransactionId, UserId},
    utils::html::escape,
};

use crate::{billing::Purchase, control::Services};

use crate::bot::{
    send::{Redacted, Sender, send_html},
    texts::{self, NOTHING_TAKEN_BACK, PREMIUM_REMOVED, TELEGRAM_UNREACHABLE},
};

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
        texts::refunded_summary(self.stars, self.owner, &self.taken_back)
    }
}

/// Why a refund was not made (plain messages; nothing internal).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum RefundError {
    /// No charge id given, or an implausible one.
    #[error("{}", texts::REFUND_USAGE)]
    Usage,
    /// arcana recorded no such payment.
    #[error("{}", texts::REFUND_NOT_FOUND)]
    NotFound,
    /// A user was named who did not make the payment.
    #[error("{}", texts::REFUND_OTHER_USER)]
    OtherUser,
    /// Refunded before.
    #[error("{}", texts::REFUND_ALREADY)]
    AlreadyRefunded,
    /// Telegram refused; nothing changed.
    #[error("{}", texts::refund_refused(.0))]
    Telegram(String),
    /// Telegram refunded, but arcana could not record it.
    #[error("{}", texts::REFUND_NOT_REVERSED)]
    NotReversed,
    /// The store failed before anything happened.
    #[error("{}", texts::REFUND_STORE)]
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
                _ => TELEGRAM_UNREACHABLE.to_owned(),
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
    let taken_back = match payment.purchase {
        Purchase::Credits(n) => texts::credits_taken_back(n),
        Purchase::PremiumMs(_) => PREMIUM_REMOVED.to_owned(),
        Purchase::Unrecognised => NOTHING_TAKEN_BACK.to_owned(),
    };
    let refunded = Refunded { owner, stars: payment.stars, taken_back };
    send_html(sender, ChatId(owner), &texts::refunded_to_payer(refunded.stars, &escape(&refunded.taken_back))).await;
    Ok(refunded)
}
