//! The account commands: `/sessions`, `/logout_all`, `/2fa`, `/verify`, `/export`, `/delete_me`.

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
    control,
};

use crate::bot::{
    app::App,
    jobs::secret_messages::{self, Sent, lifetime_text},
    send::{Redacted, reply_slot, send_html, send_html_id},
    texts::{
        self, CODE_INVALID, CODE_REPLAYED, DELETED, SESSION_CURRENT, SESSIONS_ENDED, TRY_AGAIN, TWO_FACTOR_ALREADY_ON,
        TWO_FACTOR_ENROL_FIRST, TWO_FACTOR_NOT_ON, TWO_FACTOR_OFF, TWO_FACTOR_QR_CAPTION, TWO_FACTOR_WAS_OFF,
        VERIFY_NOT_ON, human_wait,
    },
};

/// `/sessions`: the live sessions, the current one marked.
pub(crate) async fn sessions(app: &App, user: i64, chat: ChatId, current: &str) {
    let text = match app.services.accounts.sessions(user) {
        Ok(list) => {
            let mut text = texts::sessions_heading(list.len());
            for s in &list {
                let marker = if s.id == current { SESSION_CURRENT } else { "" };
                text.push_str(&texts::session_line(
                    &s.id[..8.min(s.id.len())],
                    &rfc3339(s.created_ms),
                    &rfc3339(s.last_seen_ms),
                    marker,
                ));
            }
            text
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot list sessions");
            TRY_AGAIN.to_owned()
        }
    };
    send_html(&app.sender, chat, &text).await;
}

/// `/logout_all`: ends every session.
pub(crate) async fn logout_all(app: &App, user: i64, chat: ChatId) {
    let text = match app.services.accounts.end_sessions(user, "logout_all") {
        Ok(_) => {
            app.make_durable().await;
            SESSIONS_ENDED
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot end sessions");
            TRY_AGAIN
        }
    };
    send_html(&app.sender, chat, text).await;
}

/// `/2fa`, `/2fa CODE`, `/2fa off`.
pub(crate) async fn two_factor(app: &App, from: &User, chat: ChatId, args: &str) {
    let user = crate::sanitize::user_id(from.id);
    let accounts = &app.services.accounts;
    let args = args.trim();
    if args.eq_ignore_ascii_case("off") {
        let text = match accounts.disable_two_factor(user) {
            Ok(true) => {
                app.make_durable().await;
                TWO_FACTOR_OFF
            }
            Ok(false) => TWO_FACTOR_WAS_OFF,
            Err(e) => {
                tracing::error!(error = %e, "cannot disable 2FA");
                TRY_AGAIN
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
                let list: Vec<String> = codes.iter().map(|c| texts::backup_code(c.as_str())).collect();
                let text = texts::two_factor_on(&list.join("\n"), &lifetime_text(app));
                send_secret(app, chat, &text, SecretKind::BackupCodes).await;
            }
            Err(TwoFactorError::NotEnrolled) => send_html(&app.sender, chat, TWO_FACTOR_ENROL_FIRST).await,
            Err(e) => send_html(&app.sender, chat, &code_error(&e)).await,
        }
        return;
    }
    match accounts.begin_two_factor(user) {
        Ok(None) => {
            send_html(&app.sender, chat, TWO_FACTOR_ALREADY_ON).await;
        }
        Ok(Some(secret)) => {
            let account = from.username.clone().unwrap_or_else(|| user.to_string());
            let uri = totp::otpauth_uri(&secret, "arcana", &account);
            match qr::otpauth_png(&uri) {
                Ok(png) => {
                    let photo = InputFile::memory(png).file_name("arcana-2fa.png");
                    if let Some(reservation) = secret_messages::reserve(app, chat, SecretKind::TwoFactorKey).await {
                        let sent = if reply_slot(&app.sender, chat).await {
                            match app.sender.bot().send_photo(chat, photo).caption(TWO_FACTOR_QR_CAPTION).await {
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
            let text = texts::two_factor_key(&escape(&uri), &lifetime_text(app));
            send_secret(app, chat, &text, SecretKind::TwoFactorKey).await;
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot start 2FA enrolment");
            send_html(&app.sender, chat, TRY_AGAIN).await;
        }
    }
}

/// Schedules the deletion of a message showing a secret (durably), sends it, and fills in its
/// id; if the deletion cannot be scheduled, the secret is not sent.
async fn send_secret(app: &App, chat: ChatId, html: &str, kind: SecretKind) {
    let Some(reservation) = secret_messages::reserve(app, chat, kind).await else {
        return send_html(&app.sender, chat, TRY_AGAIN).await;
    };
    // No id: not sent for sure only if no request went out, which `send_html_id` does not say.
    let sent = send_html_id(&app.sender, chat, html).await.map_or(Sent::Unknown, Sent::Yes);
    secret_messages::settle(app, &reservation, sent).await;
}

/// `/verify CODE`: a fresh TOTP code or a backup code elevates the session.
pub(crate) async fn verify(app: &App, user: i64, chat: ChatId, args: &str) {
    let accounts = &app.services.accounts;
    let verified = accounts.step_up(user, args.trim());
    // The code is used (a backup code for good), or a failure counts toward a lockout.
    app.make_durable().await;
    let text = match verified {
        Ok(()) => texts::verified_for(&human_wait(accounts.config().step_up_for)),
        Err(TwoFactorError::NotEnrolled) => VERIFY_NOT_ON.to_owned(),
        Err(e) => code_error(&e),
    };
    send_html(&app.sender, chat, &text).await;
}

fn code_error(e: &TwoFactorError) -> String {
    match e {
        TwoFactorError::Invalid => CODE_INVALID.to_owned(),
        TwoFactorError::Replayed => CODE_REPLAYED.to_owned(),
        TwoFactorError::Locked { retry_after_ms } => {
            texts::code_locked(&human_wait(Duration::from_millis(*retry_after_ms)))
        }
        TwoFactorError::NotEnrolled => TWO_FACTOR_NOT_ON.to_owned(),
        TwoFactorError::Accounts(err) => {
            tracing::error!(error = %err, "two-factor check failed");
            TRY_AGAIN.to_owned()
        }
    }
}

/// Exports longer than this go out as a JSON file instead of a message.
const EXPORT_INLINE_MAX: usize = 3_500;

/// `/export`: everything arcana stores about the user, without secrets — as a message, or as a
/// JSON file when it is long (a long reading history); deleted from the chat after the secret
/// message lifetime either way.
pub(crate) async fn export(app: &App, user: i64, chat: ChatId) {
    let services = Arc::clone(&app.services);
    let now = services.accounts.now();
    let built = tokio::task::spawn_blocking(move || control::user_data(&services.admin(), user, now)).await;
    let data = match built {
        Ok(Ok(data)) => data,
        Ok(Err(e)) => return failed(app, chat, &e.to_string()).await,
        Err(e) => return failed(app, chat, &e.to_string()).await,
    };
    tracing::info!(target: "arcana::audit", event = Event::Export.name(), user, "a user exported their data");
    let pretty = serde_json::to_string_pretty(&data).unwrap_or_default();
    let lifetime = lifetime_text(app);
    if pretty.len() <= EXPORT_INLINE_MAX {
        return send_secret(app, chat, &texts::export_inline(&escape(&pretty), &lifetime), SecretKind::Export).await;
    }
    let file = InputFile::memory(pretty.into_bytes()).file_name("arcana-export.json");
    let Some(reservation) = secret_messages::reserve(app, chat, SecretKind::Export).await else {
        return send_html(&app.sender, chat, TRY_AGAIN).await;
    };
    if !reply_slot(&app.sender, chat).await {
        return secret_messages::settle(app, &reservation, Sent::No).await;
    }
    match app.sender.bot().send_document(chat, file).caption(texts::export_caption(&lifetime)).await {
        Ok(sent) => secret_messages::settle(app, &reservation, Sent::Yes(sent.id)).await,
        Err(e) => {
            tracing::warn!(error = %Redacted(&e), "cannot send the export");
            secret_messages::settle(app, &reservation, secret_messages::failed(&e)).await;
            send_html(&app.sender, chat, TRY_AGAIN).await;
        }
    }
}

/// `/delete_me`: crypto-shreds the user's data (and their other updates waiting in the inbox;
/// this one, `update_id`, its lane removes when it is done).
pub(crate) async fn delete_me(app: &App, user: i64, chat: ChatId, update_id: i64) {
    let services = Arc::clone(&app.services);
    let now = services.sentinel.clock().unix_ms();
    let outcome =
        tokio::task::spawn_blocking(move || control::delete_user(&services.admin(), user, Some(update_id), now)).await;
    match outcome {
        Ok(Ok(_)) => {
            send_html(&app.sender, chat, DELETED).await;
        }
        Ok(Err(e)) => failed(app, chat, &e.to_string()).await,
        Err(e) => failed(app, chat, &e.to_string()).await,
    }
}

async fn failed(app: &App, chat: ChatId, error: &str) {
    tracing::error!(error, "account command failed");
    send_html(&app.sender, chat, TRY_AGAIN).await;
}
