//! Registration with consent: the privacy notice with an "I agree" button whose callback data is
//! signed for the user and chat, and the handling of that button.

use teloxide::{
    payloads::AnswerCallbackQuerySetters,
    prelude::Requester,
    types::{CallbackQuery, ChatId, InlineKeyboardButton, InlineKeyboardMarkup},
};

use crate::sentinel::sanitize::CallbackData;

use super::{
    app::App,
    reply::{send_html, send_html_with},
    texts::{AGREE_BUTTON, AGREE_PROMPT, PRIVACY, WELCOME},
};

const ACTION: &str = "consent";

/// Sends the privacy notice, with the signed "I agree" button unless `registered`.
pub(crate) async fn send_notice(app: &App, user: i64, chat: ChatId, registered: bool) {
    if registered {
        send_html(&app.sender, chat, PRIVACY).await;
        return;
    }
    let version = app.services.accounts.config().notice_version.get();
    let button = CallbackData::new(ACTION, [version.to_string()]).and_then(|data| app.signer.sign(user, chat.0, &data));
    let Ok(data) = button else {
        tracing::error!("cannot build the consent button");
        return;
    };
    let keyboard = InlineKeyboardMarkup::new([[InlineKeyboardButton::callback(AGREE_BUTTON, data)]]);
    send_html_with(&app.sender, chat, &format!("{PRIVACY}{AGREE_PROMPT}"), Some(keyboard)).await;
}

/// Handles a button press: a valid consent button registers the user; anything else (forged,
/// another user's, unknown) is only answered so the spinner stops.
pub(crate) async fn on_callback(app: &App, query: CallbackQuery) {
    let user = i64::try_from(query.from.id.0).unwrap_or(i64::MAX);
    let chat = query.message.as_ref().map_or(0, |m| m.chat().id.0);
    let verified = query.data.as_deref().map(|data| app.signer.verify(user, chat, data));
    let mut answer = app.sender.answer_callback_query(query.id.clone());
    let mut welcome = false;
    match verified {
        Some(Ok(data)) if data.action() == ACTION => {
            let version = data.arg(0).and_then(|v| v.parse::<u32>().ok()).unwrap_or(0);
            match app.services.accounts.agree(user, version) {
                Ok(true) => {
                    answer = answer.text("Thank you!");
                    welcome = true;
                }
                Ok(false) => answer = answer.text("This notice has changed; send /start to see the current one."),
                Err(e) => tracing::error!(error = %e, "cannot record consent"),
            }
        }
        Some(Err(e)) => {
            tracing::warn!(target: "arcana::audit", event = "forged_callback", user, error = %e, "button data refused");
        }
        _ => {}
    }
    if let Err(e) = answer.await {
        tracing::debug!(error = %e, "cannot answer a callback query");
    }
    if welcome {
        send_html(&app.sender, ChatId(chat), WELCOME).await;
    }
}
