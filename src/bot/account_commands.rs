//! The account commands: `/sessions`, `/logout_all`, `/2fa`, `/verify`, `/export`, `/delete_me`.

use std::{sync::Arc, time::Duration};

use teloxide::{
    payloads::{SendDocumentSetters, SendPhotoSetters},
    prelude::Requester,
    types::{ChatId, InputFile, User},
    utils::html::escape,
};

use crate::{
    accounts::{TwoFactorError, qr, totp},
    billing::Purchase,
    clock::rfc3339,
    control::{self, Request},
};

use super::{
    app::App,
    send::{reply_slot, send_html},
    texts::{
        self, CODE_INVALID, CODE_REPLAYED, DELETED, EXPORT_CAPTION, SESSION_CURRENT, SESSIONS_ENDED, TRY_AGAIN,
        TWO_FACTOR_ALREADY_ON, TWO_FACTOR_ENROL_FIRST, TWO_FACTOR_NOT_ON, TWO_FACTOR_OFF, TWO_FACTOR_QR_CAPTION,
        TWO_FACTOR_WAS_OFF, VERIFY_NOT_ON, human_wait,
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
        // A replay after a crash must find the code used and these backup codes in force.
        app.make_durable().await;
        let text = match confirmed {
            Ok(codes) => {
                let list: Vec<String> = codes.iter().map(|c| texts::backup_code(c.as_str())).collect();
                texts::two_factor_on(&list.join("\n"))
            }
            Err(TwoFactorError::NotEnrolled) => TWO_FACTOR_ENROL_FIRST.to_owned(),
            Err(e) => code_error(&e),
        };
        return send_html(&app.sender, chat, &text).await;
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
                    let sent = if reply_slot(&app.sender, chat).await {
                        app.sender.bot().send_photo(chat, photo).caption(TWO_FACTOR_QR_CAPTION).await.map(|_| ())
                    } else {
                        Ok(())
                    };
                    if let Err(e) = sent {
                        tracing::warn!(error = %e, "cannot send the QR code");
                    }
                }
                Err(e) => tracing::error!(error = %e, "cannot draw the QR code"),
            }
            let text = texts::two_factor_key(&escape(&uri));
            send_html(&app.sender, chat, &text).await;
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot start 2FA enrolment");
            send_html(&app.sender, chat, TRY_AGAIN).await;
        }
    }
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
/// JSON file when it is long (a long reading history).
pub(crate) async fn export(app: &App, user: i64, chat: ChatId) {
    let services = &app.services;
    let now = services.accounts.now();
    let (profile, account, readings) =
        match (services.profiles.get(user), services.accounts.get(user), services.readings.history.all(user, now)) {
            (Ok(profile), Ok(account), Ok(readings)) => (profile, account, readings),
            (Err(e), _, _) => return failed(app, chat, &e.to_string()).await,
            (_, Err(e), _) => return failed(app, chat, &e.to_string()).await,
            (_, _, Err(e)) => return failed(app, chat, &e.to_string()).await,
        };
    let data = serde_json::json!({
        "telegram_id": user,
        "profile": profile,
        "consent": account.consent.map(|c| serde_json::json!({"notice_version": c.version, "at": rfc3339(c.at_ms)})),
        "tier": services.accounts.tier(&account),
        "two_factor": account.two_factor_on(),
        "sessions": account.sessions.iter().map(|s| serde_json::json!({
            "started": rfc3339(s.created_ms), "last_active": rfc3339(s.last_seen_ms)
        })).collect::<Vec<_>>(),
        "credits": account.wallet.credits,
        "premium_until": account.wallet.premium.as_ref().map(|p| rfc3339(p.until_ms)),
        "payments": account.wallet.payments.iter().map(|p| serde_json::json!({
            "charge_id": p.charge_id, "stars": p.stars, "bought": purchase_name(p.purchase),
            "at": rfc3339(p.at_ms), "refunded": p.refunded_ms.map(rfc3339),
        })).collect::<Vec<_>>(),
        "readings": readings.iter().map(|r| serde_json::json!({
            "at": rfc3339(r.at_ms), "spread": r.spread, "question": r.question,
            "cards": r.cards.iter().map(|&(id, reversed)| {
                let name = crate::tarot::card(id).map_or("?", |c| c.name);
                if reversed { format!("{name} (reversed)") } else { name.to_owned() }
            }).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    let pretty = serde_json::to_string_pretty(&data).unwrap_or_default();
    if pretty.len() <= EXPORT_INLINE_MAX {
        return send_html(&app.sender, chat, &texts::export_inline(&escape(&pretty))).await;
    }
    let file = InputFile::memory(pretty.into_bytes()).file_name("arcana-export.json");
    if !reply_slot(&app.sender, chat).await {
        return;
    }
    if let Err(e) = app.sender.bot().send_document(chat, file).caption(EXPORT_CAPTION).await {
        tracing::warn!(error = %e, "cannot send the export");
        send_html(&app.sender, chat, TRY_AGAIN).await;
    }
}

fn purchase_name(purchase: Purchase) -> String {
    match purchase {
        Purchase::Credits(n) => format!("{n} credits"),
        Purchase::PremiumMs(ms) => format!("premium for {} hours", ms / 3_600_000),
        Purchase::Unrecognised => String::from("unrecognised"),
    }
}

/// `/delete_me`: crypto-shreds the user's data.
pub(crate) async fn delete_me(app: &App, user: i64, chat: ChatId) {
    let services = Arc::clone(&app.services);
    let now = services.sentinel.clock().unix_ms();
    let outcome =
        tokio::task::spawn_blocking(move || control::execute(&services.admin(), &Request::DeleteUser { user }, now))
            .await;
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
