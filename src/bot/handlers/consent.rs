//! Registration with consent: the privacy notice with an "I agree" button whose callback data is
//! signed for the user and chat, and the handling of that button.

use teloxide::types::{ChatId, InlineKeyboardButton, InlineKeyboardMarkup};

use crate::sanitize::CallbackData;

use crate::bot::{
    app::App,
    send::{send_html, send_html_with},
    texts::{self, AGREE_BUTTON, AGREE_PROMPT, CONSENT_NOTICE_CHANGED, CONSENT_THANKS, TRY_AGAIN_PLAIN, WELCOME},
};

pub(crate) const ACTION: &str = "consent";

/// Sends the privacy notice, with the signed "I agree" button unless `registered`.
pub(crate) async fn send_notice(app: &App, user: i64, chat: ChatId, registered: bool) {
    let config = app.services.accounts.config();
    let notice = texts::privacy(
        &texts::human_period(config.retention_after_block),
        &texts::human_period(config.inactive_retention),
    );
    if registered {
        send_html(&app.sender, chat, &notice).await;
        return;
    }
    let version = app.services.accounts.config().notice_version.get();
    let button = CallbackData::new(ACTION, [version.to_string()]).and_then(|data| app.signer.sign(user, chat.0, &data));
    let Ok(data) = button else {
        tracing::error!("cannot build the consent button");
        return;
    };
    let keyboard = InlineKeyboardMarkup::new([[InlineKeyboardButton::callback(AGREE_BUTTON, data)]]);
    send_html_with(&app.sender, chat, &format!("{notice}{AGREE_PROMPT}"), Some(keyboard)).await;
}

/// Handles a press of a verified consent button (version in its first argument): registers the
/// user. Returns the callback answer's text and whether to send the welcome.
pub(crate) fn on_agree(app: &App, user: i64, data: &CallbackData) -> (Option<&'static str>, bool) {
    let version = data.arg(0).and_then(|v| v.parse::<u32>().ok()).unwrap_or(0);
    match app.services.accounts.agree(user, version) {
        Ok(true) => (Some(CONSENT_THANKS), true),
        Ok(false) => (Some(CONSENT_NOTICE_CHANGED), false),
        Err(e) => {
            tracing::error!(error = %e, "cannot record consent");
            (Some(TRY_AGAIN_PLAIN), false)
        }
    }
}

/// Sends the welcome after registration.
pub(crate) async fn welcome(app: &App, chat: ChatId) {
    send_html(&app.sender, chat, WELCOME).await;
}
