//! The account commands: `/sessions`, `/logout_all`, `/2fa`, `/verify`, `/export`, and the deletion
//! `/delete_me` confirms (`deletion` asks).

use std::{sync::Arc, time::Duration};

use teloxide::{
    payloads::{SendDocumentSetters, SendPhotoSetters},
    prelude::Requester,
    types::{ChatId, InputFile, User},
    utils::html::escape,
};

use crate::{
    accounts::{SecretKind, TwoFactorError, qr, totp},
    audit_tap::Event,
    clock::rfc3339,
    control, i18n,
    locale::Locale,
};

use crate::bot::{
    app::App,
    jobs::secret_messages::{self, Sent, lifetime_text},
    send::{Redacted, reply_slot, send_html, send_html_id},
};

/// `/sessions`: the live sessions, the current one marked.
pub(crate) async fn sessions(app: &App, user: i64, chat: ChatId, current: &str, locale: Locale) {
    let text = match app.services.accounts.sessions(user) {
        Ok(list) => {
            let mut text = i18n::format(locale, "sessions_heading", &[("count", &list.len().to_string())]);
            for s in &list {
                let marker = if s.id == current { i18n::text(locale, "session_current") } else { "" };
                text.push_str(&i18n::format(
                    locale,
                    "session_line",
                    &[
                        ("id", &s.id[..8.min(s.id.len())]),
                        ("started", &rfc3339(s.created_ms)),
                        ("last_active", &rfc3339(s.last_seen_ms)),
                        ("marker", marker),
                    ],
                ));
            }
            text
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot list sessions");
            i18n::text(locale, "try_again").to_owned()
        }
    };
    send_html(&app.sender, chat, &text).await;
}

/// `/logout_all`: ends every session.
pub(crate) async fn logout_all(app: &App, user: i64, chat: ChatId, locale: Locale) {
    let text = match app.services.accounts.end_sessions(user, "logout_all") {
        Ok(_) => {
            app.make_durable().await;
            i18n::text(locale, "sessions_ended")
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot end sessions");
            i18n::text(locale, "try_again")
        }
    };
    send_html(&app.sender, chat, text).await;
}

/// `/2fa`, `/2fa CODE`, `/2fa off`.
pub(crate) async fn two_factor(app: &App, from: &User, chat: ChatId, args: &str, locale: Locale) {
    let user = crate::sanitize::user_id(from.id);
    let accounts = &app.services.accounts;
    let args = args.trim();
    if args.eq_ignore_ascii_case("off") {
        let text = match accounts.disable_two_factor(user) {
            Ok(true) => {
                app.make_durable().await;
                i18n::text(locale, "two_factor_off")
            }
            Ok(false) => i18n::text(locale, "two_factor_was_off"),
            Err(e) => {
                tracing::error!(error = %e, "cannot disable 2FA");
                i18n::text(locale, "try_again")
            }
        };
        return send_html(&app.sender, chat, text).await;
    }
    if !args.is_empty() {
        let confirmed = accounts.confirm_two_factor(user, args);
        if confirmed.is_ok() {
            // The key has done its job: it leaves the chat now, not when its time runs out.
            if let Err(e) = accounts.secret_messages().expedite(chat.0, Some(SecretKind::TwoFactorKey), accounts.now())
            {
                tracing::error!(error = %e, "cannot schedule the two-factor key's deletion");
            }
        }
        // A replay after a crash must find the code used and these backup codes in force.
        app.make_durable().await;
        match confirmed {
            Ok(codes) => {
                let list: Vec<String> =
                    codes.iter().map(|c| i18n::format(locale, "backup_code", &[("code", c.as_str())])).collect();
                let codes_html = list.join("\n");
                let lifetime = lifetime_text(app, locale);
                let text =
                    i18n::format(locale, "two_factor_on", &[("codes_html", &codes_html), ("lifetime", &lifetime)]);
                send_secret(app, chat, &text, SecretKind::BackupCodes, locale).await;
            }
            Err(TwoFactorError::NotEnrolled) => {
                send_html(&app.sender, chat, i18n::text(locale, "two_factor_enrol_first")).await;
            }
            Err(e) => send_html(&app.sender, chat, &code_error(&e, locale)).await,
        }
        return;
    }
    match accounts.begin_two_factor(user) {
        Ok(None) => {
            send_html(&app.sender, chat, i18n::text(locale, "two_factor_already_on")).await;
        }
        Ok(Some(secret)) => {
            let account = from.username.clone().unwrap_or_else(|| user.to_string());
            let uri = totp::otpauth_uri(&secret, "arcana", &account);
            match qr::otpauth_png(&uri) {
                Ok(png) => {
                    let photo = InputFile::memory(png).file_name("arcana-2fa.png");
                    if let Some(reservation) = secret_messages::reserve(app, chat, SecretKind::TwoFactorKey).await {
                        let sent = if reply_slot(&app.sender, chat).await {
                            let caption = i18n::text(locale, "two_factor_qr_caption");
                            match app.sender.bot().send_photo(chat, photo).caption(caption).await {
                                Ok(sent) => Sent::Yes(sent.id),
                                Err(e) => {
                                    tracing::warn!(error = %Redacted(&e), "cannot send the QR code");
                                    secret_messages::failed(&e)
                                }
                            }
                        } else {
                            Sent::No
                        };
                        secret_messages::settle(app, &reservation, sent).await;
                    }
                }
                Err(e) => tracing::error!(error = %e, "cannot draw the QR code"),
            }
            let text = i18n::format(
                locale,
                "two_factor_key",
                &[("uri_html", &escape(&uri)), ("lifetime", &lifetime_text(app, locale))],
            );
            send_secret(app, chat, &text, SecretKind::TwoFactorKey, locale).await;
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot start 2FA enrolment");
            send_html(&app.sender, chat, i18n::text(locale, "try_again")).await;
        }
    }
}

/// Schedules the deletion of a message showing a secret (durably), sends it, and fills in its
/// id; if the deletion cannot be scheduled, the secret is not sent.
async fn send_secret(app: &App, chat: ChatId, html: &str, kind: SecretKind, locale: Locale) {
    let Some(reservation) = secret_messages::reserve(app, chat, kind).await else {
        return send_html(&app.sender, chat, i18n::text(locale, "try_again")).await;
    };
    // No id: not sent for sure only if no request went out, which `send_html_id` does not say.
    let sent = send_html_id(&app.sender, chat, html).await.map_or(Sent::Unknown, Sent::Yes);
    secret_messages::settle(app, &reservation, sent).await;
}

/// `/verify CODE`: a fresh TOTP code or a backup code elevates the session.
pub(crate) async fn verify(app: &App, user: i64, chat: ChatId, args: &str, locale: Locale) {
    let accounts = &app.services.accounts;
    let verified = accounts.step_up(user, args.trim());
    // The code is used (a backup code for good), or a failure counts toward a lockout.
    app.make_durable().await;
    let text = match verified {
        Ok(()) => i18n::format(locale, "verified_for", &[("wait", &i18n::wait(locale, accounts.config().step_up_for))]),
        Err(TwoFactorError::NotEnrolled) => i18n::text(locale, "verify_not_on").to_owned(),
        Err(e) => code_error(&e, locale),
    };
    send_html(&app.sender, chat, &text).await;
}

fn code_error(e: &TwoFactorError, locale: Locale) -> String {
    match e {
        TwoFactorError::Invalid => i18n::text(locale, "code_invalid").to_owned(),
        TwoFactorError::Replayed => i18n::text(locale, "code_replayed").to_owned(),
        TwoFactorError::Locked { retry_after_ms } => {
            let wait = i18n::wait(locale, Duration::from_millis(*retry_after_ms));
            i18n::format(locale, "code_locked", &[("wait", &wait)])
        }
        TwoFactorError::NotEnrolled => i18n::text(locale, "two_factor_not_on").to_owned(),
        TwoFactorError::Accounts(err) => {
            tracing::error!(error = %err, "two-factor check failed");
            i18n::text(locale, "try_again").to_owned()
        }
    }
}

/// Exports longer than this go out as a JSON file instead of a message.
const EXPORT_INLINE_MAX: usize = 3_500;

/// `/export`: everything arcana stores about the user, without secrets — as a message, or as a
/// JSON file when it is long (a long reading history); deleted from the chat after the secret
/// message lifetime either way.
pub(crate) async fn export(app: &App, user: i64, chat: ChatId, locale: Locale) {
    let services = Arc::clone(&app.services);
    let now = services.accounts.now();
    let built = tokio::task::spawn_blocking(move || control::user_data(&services.admin(), user, now)).await;
    let data = match built {
        Ok(Ok(data)) => data,
        Ok(Err(e)) => return failed(app, chat, &e.to_string(), locale).await,
        Err(e) => return failed(app, chat, &e.to_string(), locale).await,
    };
    tracing::info!(target: "arcana::audit", event = Event::Export.name(), user, "a user exported their data");
    let pretty = serde_json::to_string_pretty(&data).unwrap_or_default();
    let lifetime = lifetime_text(app, locale);
    if pretty.len() <= EXPORT_INLINE_MAX {
        let text = i18n::format(locale, "export_inline", &[("json_html", &escape(&pretty)), ("lifetime", &lifetime)]);
        return send_secret(app, chat, &text, SecretKind::Export, locale).await;
    }
    let file = InputFile::memory(pretty.into_bytes()).file_name("arcana-export.json");
    let Some(reservation) = secret_messages::reserve(app, chat, SecretKind::Export).await else {
        return send_html(&app.sender, chat, i18n::text(locale, "try_again")).await;
    };
    if !reply_slot(&app.sender, chat).await {
        return secret_messages::settle(app, &reservation, Sent::No).await;
    }
    let caption = i18n::format(locale, "export_caption", &[("lifetime", &lifetime)]);
    match app.sender.bot().send_document(chat, file).caption(caption).await {
        Ok(sent) => secret_messages::settle(app, &reservation, Sent::Yes(sent.id)).await,
        Err(e) => {
            tracing::warn!(error = %Redacted(&e), "cannot send the export");
            secret_messages::settle(app, &reservation, secret_messages::failed(&e)).await;
            send_html(&app.sender, chat, i18n::text(locale, "try_again")).await;
        }
    }
}

/// The deletion `/delete_me` asks for, once confirmed (see `deletion`): crypto-shreds the
/// user's data and their other updates waiting in the inbox (this one, `update_id`, its lane
/// removes when it is done). Returns whether it was done; a failure is logged.
pub(crate) async fn delete_everything(app: &App, user: i64, update_id: i64) -> bool {
    let services = Arc::clone(&app.services);
    let now = services.sentinel.clock().unix_ms();
    let outcome =
        tokio::task::spawn_blocking(move || control::delete_user(&services.admin(), user, Some(update_id), now)).await;
    match outcome {
        Ok(Ok(_)) => true,
        Ok(Err(e)) => {
            tracing::error!(error = %e, "account command failed");
            false
        }
        Err(e) => {
            tracing::error!(error = %e, "account command failed");
            false
        }
    }
}

async fn failed(app: &App, chat: ChatId, error: &str, locale: Locale) {
    tracing::error!(error, "account command failed");
    send_html(&app.sender, chat, i18n::text(locale, "try_again")).await;
}
