//! Registration with consent: the privacy notice with an "I agree" button whose callback data is
//! signed for the user and chat, and the handling of that button. A newcomer in a group is not
//! shown the notice there: the group gets one line with a deep link
//! (`https://t.me/<bot>?start=privacy`) that opens the private chat, where `/start privacy`
//! shows the notice.

use teloxide::types::{ChatId, InlineKeyboardButton, InlineKeyboardMarkup, MessageId};

use crate::{i18n, locale::Locale, sanitize::CallbackData};

use crate::bot::{
    app::App,
    send::{send_html, send_html_reply, send_html_with},
};

pub(crate) const ACTION: &str = "consent";

/// The `/start` payload of the group pointer's deep link: show the privacy notice.
pub(crate) const START_PAYLOAD: &str = "privacy";

/// A newcomer in a group (`chat`, asking in message `asked`): one line, as a reply, pointing to
/// the private chat, where the deep link's `/start privacy` shows the notice. Falls back to the
/// notice itself if the bot has no username to link to.
pub(crate) async fn point_to_private(app: &App, user: i64, chat: ChatId, asked: MessageId, locale: Locale) {
    if app.username.is_empty() {
        return send_notice(app, user, chat, false, locale).await;
    }
    let link = teloxide::utils::html::escape(&format!("https://t.me/{}?start={START_PAYLOAD}", app.username));
    let text = i18n::format(locale, "group.privacy_pointer", &[("link", &link)]);
    send_html_reply(&app.sender, chat, &text, None, Some(asked)).await;
}

/// Sends the privacy notice in `locale`, with the signed "I agree" button unless `registered`.
pub(crate) async fn send_notice(app: &App, user: i64, chat: ChatId, registered: bool, locale: Locale) {
    let config = app.services.accounts.config();
    let notice = i18n::format(
        locale,
        "privacy",
        &[
            ("after_block", &i18n::duration(locale, config.retention_after_block)),
            ("inactive", &i18n::duration(locale, config.inactive_retention)),
        ],
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
    let keyboard =
        InlineKeyboardMarkup::new([[InlineKeyboardButton::callback(i18n::text(locale, "agree_button"), data)]]);
    let prompt = i18n::text(locale, "agree_prompt");
    send_html_with(&app.sender, chat, &format!("{notice}{prompt}"), Some(keyboard)).await;
}

/// Handles a press of a verified consent button (version in its first argument): registers the
/// user. Returns the callback answer's text (in `locale`) and whether to send the welcome.
pub(crate) fn on_agree(app: &App, user: i64, data: &CallbackData, locale: Locale) -> (Option<&'static str>, bool) {
    let version = data.arg(0).and_then(|v| v.parse::<u32>().ok()).unwrap_or(0);
    match app.services.accounts.agree(user, version) {
        Ok(true) => (Some(i18n::text(locale, "consent_thanks")), true),
        Ok(false) => (Some(i18n::text(locale, "consent_notice_changed")), false),
        Err(e) => {
            tracing::error!(error = %e, "cannot record consent");
            (Some(i18n::text(locale, "try_again_plain")), false)
        }
    }
}

/// Sends the welcome after registration, in `locale`.
pub(crate) async fn welcome(app: &App, chat: ChatId, locale: Locale) {
    send_html(&app.sender, chat, i18n::text(locale, "welcome")).await;
}
