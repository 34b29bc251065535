//! `/delete_me` asks before it deletes: it shows what would be lost (the readings kept, unused
//! paid credits, premium days left) under two buttons, "Delete everything" and "Keep my data".
//! Only a press of the first deletes, through the same path as before
//! ([`accounts::delete_everything`]: `control`'s deletion and its audit event).
//!
//! # Why the confirming button cannot be replayed or kept
//!
//! Buttons are signed for the user and chat but carry no expiry or nonce (see
//! [`CallbackData`]), so this one carries both in its signed arguments:
//!
//! - **when it expires** (Unix seconds, `accounts.delete_confirm_for` after it was shown, 5
//!   minutes by default): a later press deletes nothing and says so;
//! - **which account it was shown to**: the time the user agreed to the privacy notice. A
//!   deletion removes that record, so the same button pressed again finds no account, and a
//!   user who came back and agreed again has a new time: either way it deletes nothing and
//!   says so. Nothing is stored per button, so nothing needs cleaning up.
//!
//! Two presses arriving at once (each press runs in its own lane) are told apart by an
//! in-memory claim per user: the second finds the deletion under way and is refused like a
//! replay. A blocked user keeps both buttons as they keep the command
//! ([`command::button_open_to_blocked`]).

use std::{
    collections::BTreeSet,
    sync::{Mutex, PoisonError},
    time::Duration,
};

use teloxide::types::{ChatId, InlineKeyboardButton, InlineKeyboardMarkup};

use crate::{command, i18n, locale::Locale, sanitize::CallbackData};

use crate::bot::{
    app::App,
    send::{send_html, send_html_with},
};

use super::{accounts, pressed::Pressed};

/// Button action: delete everything (arguments: expiry in Unix seconds, the consent stamp).
pub(crate) const CONFIRM: &str = command::DELETE_BUTTONS[0];
/// Button action: keep everything.
pub(crate) const CANCEL: &str = command::DELETE_BUTTONS[1];

const DAY_MS: u64 = 86_400_000;

/// Users whose confirmed deletion is running now.
static DELETING: Mutex<BTreeSet<i64>> = Mutex::new(BTreeSet::new());

/// Whether `action` is one of the confirmation's buttons.
pub(crate) fn is_button(action: &str) -> bool {
    command::DELETE_BUTTONS.contains(&action)
}

/// `/delete_me`: what would be lost, and the two buttons.
pub(crate) async fn ask(app: &App, user: i64, chat: ChatId, locale: Locale) {
    let services = &app.services;
    let now = services.accounts.now();
    let (account, readings) = match (services.accounts.get(user), services.readings.history.count(user, now)) {
        (Ok(account), Ok(readings)) => (account, readings),
        (Err(e), _) => return failed(app, chat, &e.to_string(), locale).await,
        (_, Err(e)) => return failed(app, chat, &e.to_string(), locale).await,
    };
    let lifetime = services.accounts.config().delete_confirm_for;
    let mut text = String::from(i18n::text(locale, "delete.heading"));
    text.push_str(&i18n::plural(locale, "delete.readings", u64::try_from(readings).unwrap_or(u64::MAX), &[]));
    let credits = account.wallet.credits;
    if credits > 0 {
        text.push_str(&i18n::plural(locale, "delete.credits", u64::from(credits), &[]));
    }
    if let Some(premium) = account.wallet.premium.as_ref().filter(|p| p.until_ms > now) {
        // Started days count: a premium ending in 30 hours has 2 days left.
        let days = (premium.until_ms - now).div_ceil(DAY_MS);
        text.push_str(&i18n::plural(locale, "delete.premium", days, &[]));
    }
    text.push_str(i18n::text(locale, "delete.account"));
    text.push_str(&i18n::format(locale, "delete.footer", &[("lifetime", &i18n::duration(locale, lifetime))]));
    let expires_s = now.saturating_add(millis(lifetime)).div_ceil(1_000);
    let stamp = stamp(&account);
    let confirm = CallbackData::new(CONFIRM, [expires_s.to_string(), stamp.to_string()]);
    let cancel = CallbackData::new(CANCEL, Vec::<String>::new());
    let signed = |data: Result<CallbackData, _>| data.and_then(|d| app.signer.sign(user, chat.0, &d));
    let (Ok(confirm), Ok(cancel)) = (signed(confirm), signed(cancel)) else {
        return failed(app, chat, "cannot build the deletion buttons", locale).await;
    };
    let keyboard = InlineKeyboardMarkup::new([[
        InlineKeyboardButton::callback(i18n::text(locale, "delete.confirm_button"), confirm),
        InlineKeyboardButton::callback(i18n::text(locale, "delete.cancel_button"), cancel),
    ]]);
    send_html_with(&app.sender, chat, &text, Some(keyboard)).await;
}

/// What a press of a verified confirmation button comes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Delete now.
    Delete,
    /// "Keep my data".
    Keep,
    /// Pressed after its expiry.
    Expired,
    /// Used already, or shown to an account that is gone.
    Stale,
}

/// Judges a press of `data` (verified for `user`) now.
pub(crate) fn judge(app: &App, user: i64, data: &CallbackData) -> Verdict {
    if data.action() == CANCEL {
        return Verdict::Keep;
    }
    let number = |index| data.arg(index).and_then(|v| v.parse::<u64>().ok());
    let (Some(expires_s), Some(stamp_then)) = (number(0), number(1)) else { return Verdict::Stale };
    if app.services.accounts.now() >= expires_s.saturating_mul(1_000) {
        return Verdict::Expired;
    }
    match app.services.accounts.get(user) {
        // A deleted account reads as an empty one.
        Ok(account) if account != crate::accounts::Account::default() && stamp(&account) == stamp_then => {
            Verdict::Delete
        }
        Ok(_) => Verdict::Stale,
        Err(e) => {
            tracing::error!(error = %e, "cannot read an account");
            Verdict::Stale
        }
    }
}

/// The answer to a press (plain; none when the deletion goes ahead).
pub(crate) fn answer_text(verdict: Verdict, locale: Locale) -> Option<&'static str> {
    match verdict {
        Verdict::Delete => None,
        Verdict::Keep => Some(i18n::text(locale, "delete.kept_plain")),
        Verdict::Expired => Some(i18n::text(locale, "delete.expired_plain")),
        Verdict::Stale => Some(i18n::text(locale, "delete.stale_plain")),
    }
}

/// Carries out a press judged `verdict`: deletes (judged again under the user's claim, so a
/// second press at the same time is stale), or says why not; the confirmation's message loses
/// its buttons either way.
pub(crate) async fn act(app: &App, pressed: Pressed, data: &CallbackData, verdict: Verdict, locale: Locale) {
    let text = match verdict {
        Verdict::Delete => match Claim::take(pressed.user) {
            Some(_claim) if judge(app, pressed.user, data) == Verdict::Delete => {
                tracing::info!(user = pressed.user, "deletion confirmed");
                let key = if accounts::delete_everything(app, pressed.user, pressed.order).await {
                    "deleted"
                } else {
                    "try_again"
                };
                i18n::text(locale, key)
            }
            _ => i18n::text(locale, "delete.stale"),
        },
        Verdict::Keep => i18n::text(locale, "delete.kept"),
        Verdict::Expired => i18n::text(locale, "delete.expired"),
        Verdict::Stale => i18n::text(locale, "delete.stale"),
    };
    pressed.edit(app, text, None).await;
}

/// Which account a confirmation was shown to: when it agreed to the privacy notice (0 if it
/// never had to).
fn stamp(account: &crate::accounts::Account) -> u64 {
    account.consent.map_or(0, |c| c.at_ms)
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

async fn failed(app: &App, chat: ChatId, error: &str, locale: Locale) {
    tracing::error!(error, "cannot ask to confirm a deletion");
    send_html(&app.sender, chat, i18n::text(locale, "try_again")).await;
}

/// A user's deletion under way; released when dropped.
struct Claim(i64);

impl Claim {
    /// Claims `user`'s deletion; `None` if another press holds it.
    fn take(user: i64) -> Option<Claim> {
        DELETING.lock().unwrap_or_else(PoisonError::into_inner).insert(user).then_some(Claim(user))
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        DELETING.lock().unwrap_or_else(PoisonError::into_inner).remove(&self.0);
    }
}
