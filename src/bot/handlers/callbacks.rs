//! Inline-button presses: the data is verified (signed for this user in this chat) before
//! anything else, then routed by action. Every press is answered so the client's spinner stops;
//! a forged button, or one made for someone else, changes nothing.

use teloxide::{
    payloads::AnswerCallbackQuerySetters,
    prelude::Requester,
    types::{CallbackQuery, ChatId},
};

use crate::{accounts::Decision, audit_tap::Event};

use crate::bot::{
    app::App,
    send::Redacted,
    texts::{
        BUTTON_GONE, BUTTON_NOT_IN_PLAN, BUTTON_NOT_YOURS, BUTTON_START_FIRST, LOCKDOWN_BUTTON, PURCHASES_LOCKED_PLAIN,
        TRY_AGAIN_PLAIN,
    },
};

use super::{consent, history, payments, pressed::Pressed};

/// Handles button press `update_id`.
pub(crate) async fn on_callback(app: &App, query: CallbackQuery, update_id: u32) {
    let user = crate::sanitize::user_id(query.from.id);
    let chat = query.message.as_ref().map_or(0, |m| m.chat().id.0);
    let pressed = Pressed {
        user,
        chat: ChatId(chat),
        message: query.message.as_ref().map(teloxide::types::MaybeInaccessibleMessage::id),
        order: i64::from(update_id),
    };
    let verified = query.data.as_deref().map(|data| app.signer.verify(user, chat, data));
    let mut answer_text: Option<&'static str> = None;
    let mut welcome = false;
    match verified {
        // No new registrations while lockdown is on (a notice sent before it still has its button).
        Some(Ok(data)) if data.action() == consent::ACTION && registration_locked(app, user) => {
            answer_text = Some(LOCKDOWN_BUTTON);
        }
        Some(Ok(data)) if data.action() == payments::BUY && payments::purchases_locked(app, user) => {
            answer_text = Some(PURCHASES_LOCKED_PLAIN);
        }
        Some(Ok(data)) if data.action() == consent::ACTION => {
            (answer_text, welcome) = consent::on_agree(app, user, &data);
            if welcome {
                app.make_durable().await;
            }
        }
        Some(Ok(data)) => {
            let command = match data.action() {
                history::PAGE | history::VIEW => "history",
                payments::BUY => "buy",
                _ => "",
            };
            if command.is_empty() {
                answer_text = Some(BUTTON_GONE);
            } else if let Some(refusal) = refused(app, user, command) {
                answer_text = Some(refusal);
            } else {
                answer(app, &query, None).await;
                match data.action() {
                    history::PAGE => history::on_page(app, pressed, &data).await,
                    history::VIEW => history::on_view(app, pressed, &data).await,
                    _ => payments::on_buy_button(app, pressed, &data).await,
                }
                return;
            }
        }
        Some(Err(e)) => {
            tracing::warn!(target: "arcana::audit", event = Event::ForgedCallback.name(), user, error = %e,
                "button data refused");
            answer_text = Some(BUTTON_NOT_YOURS);
        }
        None => {}
    }
    answer(app, &query, answer_text).await;
    if welcome {
        consent::welcome(app, ChatId(chat)).await;
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
fn refused(app: &App, user: i64, command: &str) -> Option<&'static str> {
    let accounts = &app.services.accounts;
    let account = match accounts.get(user) {
        Ok(account) => account,
        Err(e) => {
            tracing::error!(error = %e, "cannot read an account");
            return Some(TRY_AGAIN_PLAIN);
        }
    };
    match accounts.authorize(user, &account, app.services.sentinel.is_admin(user), command) {
        Decision::Allowed => None,
        Decision::NeedsConsent => Some(BUTTON_START_FIRST),
        _ => Some(BUTTON_NOT_IN_PLAN),
    }
}
