//! Inline-button presses: the data is verified (signed for this user in this chat) before
//! anything else, then routed by action. Every press is answered so the client's spinner stops;
//! a forged button, or one made for someone else, changes nothing.

use teloxide::{
    payloads::AnswerCallbackQuerySetters,
    prelude::Requester,
    types::{CallbackQuery, ChatId},
};

use crate::{accounts::Decision, audit_tap::Event, i18n, locale::Locale};

use crate::bot::{app::App, send::Redacted};

use super::{card, consent, daily, deletion, hints, history, language, payments, pressed::Pressed};
use crate::bot::jobs::daily::{OFF as DAILY_OFF, SPREAD as DAILY_SPREAD};

/// Handles button press `update_id`.
pub(crate) async fn on_callback(app: &App, query: &CallbackQuery, update_id: u32) {
    let user = crate::sanitize::user_id(query.from.id);
    let chat = query.message.as_ref().map_or(0, |m| m.chat().id.0);
    let pressed = Pressed {
        user,
        chat: ChatId(chat),
        message: query.message.as_ref().map(teloxide::types::MaybeInaccessibleMessage::id),
        order: i64::from(update_id),
    };
    let verified = query.data.as_deref().map(|data| app.signer.verify(user, chat, data));
    let locale = app.locale(user, query.from.language_code.as_deref());
    let mut answer_text: Option<&'static str> = None;
    let mut welcome = false;
    match verified {
        // No new registrations while lockdown is on (a notice sent before it still has its button).
        Some(Ok(data)) if data.action() == consent::ACTION && registration_locked(app, user) => {
            answer_text = Some(i18n::text(locale, "lockdown_button"));
        }
        Some(Ok(data)) if data.action() == payments::BUY && payments::purchases_locked(app, user) => {
            answer_text = Some(i18n::text(locale, "purchases_locked_plain"));
        }
        // Deletion's buttons judge themselves: a stale one answers why, whoever presses it now.
        Some(Ok(data)) if deletion::is_button(data.action()) => {
            let verdict = deletion::judge(app, user, &data);
            answer(app, query, deletion::answer_text(verdict, locale)).await;
            return Box::pin(deletion::act(app, pressed, &data, verdict, locale)).await;
        }
        Some(Ok(data)) if data.action() == consent::ACTION => {
            (answer_text, welcome) = consent::on_agree(app, user, &data, locale);
            if welcome {
                // The profile, with the locale of Telegram's language, is stored from the moment
                // of consent (nothing is stored before it).
                if let Err(e) = app.services.profiles.remember(&query.from) {
                    tracing::error!(error = %e, "cannot store a profile");
                }
                app.make_durable().await;
            }
        }
        Some(Ok(data)) => {
            let command = match data.action() {
                history::PAGE | history::VIEW => "history",
                payments::BUY => "buy",
                hints::DRAW | DAILY_SPREAD => "draw",
                card::SHOW => "card",
                daily::ZONE | daily::HOUR | daily::CHANGE | DAILY_OFF => "daily",
                language::LANGUAGE | language::UPRIGHT => "language",
                _ => "",
            };
            if command.is_empty() {
                answer_text = Some(i18n::text(locale, "button_gone"));
            } else if let Some(refusal) = refused(app, user, command, locale) {
                answer_text = Some(refusal);
            } else if data.action() == hints::DRAW {
                let Some((asked, to)) = hints::question_of(query, user, &data) else {
                    return answer(app, query, Some(i18n::text(locale, "hint.question_gone"))).await;
                };
                answer(app, query, None).await;
                return Box::pin(hints::draw(app, pressed, asked, to, locale)).await;
            } else if matches!(data.action(), language::LANGUAGE | language::UPRIGHT) {
                // The answer says what changed, in the language now in force.
                let said = language::on_press(app, pressed, &query.from, &data).await;
                answer(app, query, Some(said)).await;
                return;
            } else {
                answer(app, query, None).await;
                match data.action() {
                    history::PAGE => history::on_page(app, pressed, &data, locale).await,
                    history::VIEW => history::on_view(app, pressed, &data, locale).await,
                    card::SHOW => card::on_press(app, pressed, &data, locale).await,
                    daily::ZONE | daily::HOUR | daily::CHANGE | DAILY_OFF | DAILY_SPREAD => {
                        Box::pin(daily::on_press(app, pressed, &data, locale)).await;
                    }
                    _ => payments::on_buy_button(app, pressed, &data, locale).await,
                }
                return;
            }
        }
        Some(Err(e)) => {
            tracing::warn!(target: "arcana::audit", event = Event::ForgedCallback.name(), user, error = %e,
                "button data refused");
            answer_text = Some(i18n::text(locale, "button_not_yours"));
        }
        None => {}
    }
    answer(app, query, answer_text).await;
    if welcome {
        consent::welcome(app, ChatId(chat), locale).await;
    }
}

async fn answer(app: &App, query: &CallbackQuery, text: Option<&str>) {
    let mut request = app.sender.bot().answer_callback_query(query.id.clone());
    if let Some(text) = text {
        request = request.text(text);
    }
    if let Err(e) = request.await {
        tracing::debug!(error = %Redacted(&e), "cannot answer a callback query");
    }
}

/// Whether a press of the consent button by `user` is refused: lockdown is on, they are not an
/// admin and not registered yet.
fn registration_locked(app: &App, user: i64) -> bool {
    let services = &app.services;
    services.lockdown.is_on()
        && !services.sentinel.is_admin(user)
        && !services.accounts.get(user).is_ok_and(|account| services.accounts.is_member(&account))
}

/// Whether `user` may no longer use `command` (a button outlives the rights it was sent under).
fn refused(app: &App, user: i64, command: &str, locale: Locale) -> Option<&'static str> {
    let accounts = &app.services.accounts;
    let account = match accounts.get(user) {
        Ok(account) => account,
        Err(e) => {
            tracing::error!(error = %e, "cannot read an account");
            return Some(i18n::text(locale, "try_again_plain"));
        }
    };
    match accounts.authorize(user, &account, app.services.sentinel.is_admin(user), command) {
        Decision::Allowed => None,
        Decision::NeedsConsent => Some(i18n::text(locale, "button_start_first")),
        _ => Some(i18n::text(locale, "button_not_in_plan")),
    }
}
