//! Telegram Stars in the chat: `/buy` and its buttons send invoices, `pre_checkout_query` is
//! checked and answered at once, `successful_payment` is credited exactly once (and flushed)
//! before the receipt, `/refund CHARGE_ID` (admins) refunds through Telegram and reverses the
//! credit (see [`super::refunds`]). A `refunded_payment` message reverses a refund made
//! elsewhere.

use std::sync::Arc;

use teloxide::{
    payloads::AnswerPreCheckoutQuerySetters,
    prelude::Requester,
    types::{ChatId, InlineKeyboardButton, InlineKeyboardMarkup, LabeledPrice, PreCheckoutQuery},
    utils::html::escape,
};

use crate::{
    audit_tap::Event,
    billing::{BillingError, CheckoutError, Offer, ProductKind, Purchase, Received, Recorded, ReverseError, STARS},
    clock::rfc3339,
    i18n,
    locale::Locale,
    sanitize::CallbackData,
};

use crate::bot::{
    app::App,
    send::{Redacted, reply_slot, send_html, send_html_with},
};

use super::pressed::Pressed;

/// Button action: send the invoice for a product.
pub(crate) const BUY: &str = "buy";

/// `/buy`, `/buy credits`, `/buy premium`.
pub(crate) async fn buy(app: &App, user: i64, chat: ChatId, args: &str, locale: Locale) {
    let billing = &app.services.billing;
    if !billing.config().enabled {
        return send_html(&app.sender, chat, i18n::text(locale, "purchases_disabled")).await;
    }
    if purchases_locked(app, user) {
        return send_html(&app.sender, chat, i18n::text(locale, "purchases_locked")).await;
    }
    if let Some(kind) = ProductKind::parse(args) {
        return send_invoice(app, user, chat, kind, locale).await;
    }
    if !args.trim().is_empty() {
        return send_html(&app.sender, chat, i18n::text(locale, "buy_usage")).await;
    }
    let config = billing.config();
    let credits = Offer::current(ProductKind::Credits, config);
    let premium = Offer::current(ProductKind::Premium, config);
    let text = i18n::format(
        locale,
        "buy_menu",
        &[
            ("credits_title_html", &escape(&credits.title())),
            ("credits_stars", &credits.stars.to_string()),
            ("credits_description_html", &escape(&credits.description(&config.premium_tier))),
            ("premium_title_html", &escape(&premium.title())),
            ("premium_stars", &premium.stars.to_string()),
            ("premium_description_html", &escape(&premium.description(&config.premium_tier))),
        ],
    );
    let buttons: Vec<InlineKeyboardButton> = [(ProductKind::Credits, &credits), (ProductKind::Premium, &premium)]
        .into_iter()
        .filter_map(|(kind, offer)| {
            let data = CallbackData::new(BUY, [kind.word()]).and_then(|d| app.signer.sign(user, chat.0, &d)).ok()?;
            let label =
                i18n::format(locale, "buy_button", &[("title", &offer.title()), ("stars", &offer.stars.to_string())]);
            Some(InlineKeyboardButton::callback(label, data))
        })
        .collect();
    let keyboard = buttons.into_iter().map(|b| vec![b]).collect::<Vec<_>>();
    send_html_with(&app.sender, chat, &text, Some(InlineKeyboardMarkup::new(keyboard))).await;
}

/// A "buy" button press: the invoice for its product.
pub(crate) async fn on_buy_button(app: &App, pressed: Pressed, data: &CallbackData, locale: Locale) {
    if !app.services.billing.config().enabled {
        return send_html(&app.sender, pressed.chat, i18n::text(locale, "purchases_disabled")).await;
    }
    if let Some(kind) = data.arg(0).and_then(ProductKind::parse) {
        send_invoice(app, pressed.user, pressed.chat, kind, locale).await;
    }
}

async fn send_invoice(app: &App, user: i64, chat: ChatId, kind: ProductKind, locale: Locale) {
    let invoice = match app.services.billing.invoice(kind, user, app.services.accounts.now()) {
        Ok(invoice) => invoice,
        Err(e) => {
            tracing::error!(error = %e, "cannot build an invoice");
            return send_html(&app.sender, chat, i18n::text(locale, "try_again")).await;
        }
    };
    let price = LabeledPrice::new(invoice.title.clone(), invoice.offer.stars);
    if !reply_slot(&app.sender, chat).await {
        return;
    }
    let request =
        app.sender.bot().send_invoice(chat, invoice.title, invoice.description, invoice.payload, STARS, [price]);
    if let Err(e) = request.await {
        tracing::warn!(error = %Redacted(&e), "cannot send an invoice");
        send_html(&app.sender, chat, i18n::text(locale, "try_again")).await;
    }
}

/// A `pre_checkout_query`: answered yes only for an invoice this bot issued to this user, at
/// its price in Stars, not expired, while purchases are on and the user is registered.
pub(crate) async fn on_pre_checkout(app: &App, query: &PreCheckoutQuery) {
    let user = crate::sanitize::user_id(query.from.id);
    let locale = app.locale(user, query.from.language_code.as_deref());
    let verdict = check(app, user, query, locale);
    let request = app.sender.bot().answer_pre_checkout_query(query.id.clone(), verdict.is_ok());
    let request = match verdict {
        Ok(()) => request,
        Err(message) => {
            tracing::info!(target: "arcana::audit", event = Event::CheckoutRefused.name(), user, reason = message,
                "checkout refused");
            request.error_message(message)
        }
    };
    if let Err(e) = request.await {
        tracing::warn!(error = %Redacted(&e), "cannot answer a pre-checkout query");
    }
}

/// Whether purchases are paused for `user`: lockdown is on and they are not an admin. (A payment
/// Telegram already made is still credited.)
pub(crate) fn purchases_locked(app: &App, user: i64) -> bool {
    app.services.lockdown.is_on() && !app.services.sentinel.is_admin(user)
}

fn check(app: &App, user: i64, query: &PreCheckoutQuery, locale: Locale) -> Result<(), &'static str> {
    let services = &app.services;
    if !services.billing.config().enabled {
        return Err(i18n::text(locale, "checkout_paused"));
    }
    if purchases_locked(app, user) {
        return Err(i18n::text(locale, "purchases_locked_plain"));
    }
    match services.accounts.get(user) {
        Ok(account) if services.accounts.is_registered(&account) => {}
        Ok(_) => return Err(i18n::text(locale, "checkout_start_first")),
        Err(e) => {
            tracing::error!(error = %e, "cannot read an account at checkout");
            return Err(i18n::text(locale, "checkout_failed"));
        }
    }
    let now = services.accounts.now();
    match services.billing.checkout(user, &query.invoice_payload, &query.currency, query.total_amount, now) {
        Ok(_) => Ok(()),
        Err(CheckoutError::Forged) => Err(i18n::text(locale, "checkout_forged")),
        Err(CheckoutError::Mismatch) => Err(i18n::text(locale, "checkout_mismatch")),
        Err(CheckoutError::Expired) => Err(i18n::text(locale, "checkout_expired")),
    }
}

/// A `successful_payment`: credited exactly once, flushed, then the receipt.
pub(crate) async fn on_successful_payment(
    app: &App,
    user: i64,
    chat: ChatId,
    payment: &teloxide::types::SuccessfulPayment,
    locale: Locale,
) {
    let services = Arc::clone(&app.services);
    let charge = payment.telegram_payment_charge_id.0.clone();
    let received = Received {
        charge_id: charge.clone(),
        payload: payment.invoice_payload.clone(),
        currency: payment.currency.clone(),
        amount: payment.total_amount,
    };
    let recorded = tokio::task::spawn_blocking(move || {
        let now = services.accounts.now();
        services.billing.record(&services.accounts, user, &received, now)
    })
    .await;
    let recorded = match recorded {
        Ok(Ok(recorded)) => recorded,
        Ok(Err(e)) => {
            tracing::error!(error = %e, "cannot record a payment");
            return send_html(&app.sender, chat, i18n::text(locale, "payment_not_recorded")).await;
        }
        Err(e) => {
            tracing::error!(error = %e, "payment task failed");
            return;
        }
    };
    let receipt = i18n::format(locale, "receipt", &[("charge_html", &escape(&charge))]);
    let text = match recorded {
        Recorded::Duplicate => return,
        Recorded::Credited(Purchase::Credits(n)) => {
            let credits = app.services.accounts.get(user).map_or(n, |a| a.wallet.credits);
            i18n::plural(
                locale,
                "paid_credits",
                u64::from(n),
                &[("credits", &credits.to_string()), ("receipt", &receipt)],
            )
        }
        Recorded::Credited(Purchase::PremiumMs(_)) => {
            let until = app.services.accounts.get(user).ok().and_then(|a| a.wallet.premium).map(|p| p.until_ms);
            let until = until.map(rfc3339).unwrap_or_default();
            i18n::format(locale, "paid_premium", &[("until", &until), ("receipt", &receipt)])
        }
        Recorded::Credited(Purchase::Unrecognised) => i18n::format(locale, "paid_unmatched", &[("receipt", &receipt)]),
    };
    send_html(&app.sender, chat, &text).await;
}

/// A `refunded_payment` message: reverses a refund made outside arcana (no-op if arcana made it).
pub(crate) async fn on_refunded_payment(app: &App, user: i64, charge_id: &str) {
    let services = Arc::clone(&app.services);
    let charge_id = charge_id.to_owned();
    let reversed = tokio::task::spawn_blocking(move || {
        let now = services.accounts.now();
        services.billing.reverse(&services.accounts, user, &charge_id, now)
    })
    .await;
    match reversed {
        Ok(Ok(_) | Err(BillingError::Reverse(ReverseError::AlreadyRefunded | ReverseError::NotFound))) => {}
        Ok(Err(e)) => tracing::error!(error = %e, "cannot reverse a refunded payment"),
        Err(e) => tracing::error!(error = %e, "refund task failed"),
    }
}

/// `/refund CHARGE_ID` or `/refund USER CHARGE_ID` (admins): see [`super::refunds`].
pub(crate) async fn refund(app: &App, admin: i64, chat: ChatId, args: &str) {
    let words: Vec<&str> = args.split_whitespace().collect();
    let (named_user, charge) = match words.as_slice() {
        [charge] => (None, *charge),
        [user, charge] => (Some(*user), *charge),
        _ => (None, ""),
    };
    let text = match super::refunds::refund(&app.sender, &app.services, named_user, charge).await {
        Ok(refunded) => {
            tracing::warn!(target: "arcana::audit", event = Event::RefundByAdmin.name(), admin, user = refunded.owner,
                "an admin refunded a payment");
            escape(&refunded.summary())
        }
        Err(e) => capitalised(&escape(&e.to_string())),
    };
    send_html(&app.sender, chat, &text).await;
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
