//! Messages that show a secret (two-factor key and QR code, backup codes, an export) are
//! scheduled for deletion before they are sent ([`reserve`], flushed; the message id is filled
//! in by [`settle`]), and [`run_deleter`] deletes them when due — after
//! `accounts.secret_message_lifetime`, or at once when enrolment is confirmed or the user is
//! deleted. The schedule is persisted (`accounts::SecretMessages`), so a restart deletes what
//! was due while the bot was down. A reservation never filled in (a kill during the send, an
//! answer lost) means a secret may be in the chat under an id arcana cannot know: the user is
//! told to delete it, once.

use std::{sync::Arc, time::Duration};

use teloxide::{
    ApiError, RequestError,
    prelude::Requester,
    types::{ChatId, MessageId},
};
use tokio_util::sync::CancellationToken;

use crate::{
    accounts::{Orphan, Reservation, SecretKind},
    audit_tap::Event,
    i18n,
};

use crate::bot::{
    app::App,
    send::{Redacted, send_html},
};

/// How often due deletions are looked for.
const TICK: Duration = Duration::from_secs(1);
/// Deletions made per tick at most (each is one request to Telegram).
const PER_TICK: usize = 50;
/// Telegram lets a bot delete its messages for 48 hours; a deletion failing past that is dropped.
const GIVE_UP_AFTER_MS: u64 = 48 * 3_600_000;

/// How a send of a secret message ended.
pub(crate) enum Sent {
    /// Delivered, as this message.
    Yes(MessageId),
    /// Certainly not delivered (no slot, or Telegram refused it).
    No,
    /// Perhaps delivered, id unknown (a network failure, an answer that did not parse).
    Unknown,
}

/// Reserves the deletion of a message showing a secret of `kind`, about to be sent to `chat`,
/// after the configured lifetime — durable before it returns, so that a kill during the send
/// leaves a trace ([`run_deleter`] then tells the user). `None` (logged) if it cannot be
/// reserved: then the secret must not be sent.
pub(crate) async fn reserve(app: &App, chat: ChatId, kind: SecretKind) -> Option<Reservation> {
    let accounts = &app.services.accounts;
    let lifetime = u64::try_from(accounts.config().secret_message_lifetime.as_millis()).unwrap_or(u64::MAX);
    let now = accounts.now();
    match accounts.secret_messages().reserve(chat.0, kind, now.saturating_add(lifetime), now) {
        Ok(reservation) => {
            app.make_durable().await;
            Some(reservation)
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot schedule a secret message's deletion; not sending it");
            None
        }
    }
}

/// Records how the reserved send ended: the message id filled in (durable), the reservation
/// dropped, or kept as lost (the user is told to delete the message themselves).
pub(crate) async fn settle(app: &App, reservation: &Reservation, sent: Sent) {
    let messages = app.services.accounts.secret_messages();
    let outcome = match sent {
        Sent::Yes(message) => messages.sent(reservation, message.0),
        Sent::No => messages.not_sent(reservation),
        Sent::Unknown => messages.lost(reservation),
    };
    match outcome {
        Ok(()) => app.make_durable().await,
        Err(e) => tracing::error!(error = %e, "cannot record a secret message's send"),
    }
}

/// How a send's error counts: Telegram answering with an error means nothing was sent.
pub(crate) fn failed(error: &RequestError) -> Sent {
    match error {
        RequestError::Api(_) | RequestError::RetryAfter(_) | RequestError::MigrateToChatId(_) => Sent::No,
        _ => Sent::Unknown,
    }
}

/// The configured lifetime of a secret message, as the user is told it in `locale`.
pub(crate) fn lifetime_text(app: &App, locale: crate::locale::Locale) -> String {
    crate::i18n::duration(locale, app.services.accounts.config().secret_message_lifetime)
}

/// Deletes due secret messages until `shutdown`.
pub(crate) async fn run_deleter(app: Arc<App>, shutdown: CancellationToken) {
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(TICK) => {}
        }
        let now = app.services.accounts.now();
        let messages = app.services.accounts.secret_messages();
        report_orphans(&app, now).await;
        let due = match messages.due(now, PER_TICK) {
            Ok(due) => due,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the secret messages to delete");
                continue;
            }
        };
        for ((chat, message), due_ms) in due {
            let outcome = app.sender.bot().delete_message(ChatId(chat), MessageId(message)).await;
            // Gone already (the user deleted it, blocked the bot, left) counts as done.
            let finished = match outcome {
                Ok(_)
                | Err(RequestError::Api(
                    ApiError::MessageToDeleteNotFound
                    | ApiError::MessageCantBeDeleted
                    | ApiError::BotBlocked
                    | ApiError::ChatNotFound
                    | ApiError::UserDeactivated,
                )) => true,
                Err(RequestError::RetryAfter(_)) => {
                    // Telegram asks to slow down: the rest waits for the next tick.
                    break;
                }
                Err(e) => {
                    tracing::warn!(error = %Redacted(&e), "cannot delete a secret message yet; will retry");
                    false
                }
            };
            let stale = now.saturating_sub(due_ms) > GIVE_UP_AFTER_MS;
            if (finished || stale)
                && let Err(e) = messages.done((chat, message))
            {
                tracing::error!(error = %e, "cannot forget a deleted secret message");
            }
        }
    }
}

/// Tells the users whose secret messages may be in their chat under an id arcana cannot know
/// (a reservation never filled in: see [`reserve`]), once, and forgets those reservations.
async fn report_orphans(app: &App, now: u64) {
    let messages = app.services.accounts.secret_messages();
    // No send runs longer than a handler may.
    let stale_after = u64::try_from(app.config.bot.handler_timeout.as_millis()).unwrap_or(u64::MAX);
    let orphans = match messages.orphans(now, stale_after, PER_TICK) {
        Ok(orphans) => orphans,
        Err(e) => {
            tracing::error!(error = %e, "cannot read the secret messages sent without an id");
            return;
        }
    };
    for orphan in orphans {
        warn_user(app, &orphan).await;
        if let Err(e) = messages.forget_orphan(&orphan) {
            tracing::error!(error = %e, "cannot forget a secret message sent without an id");
        }
    }
}

async fn warn_user(app: &App, orphan: &Orphan) {
    // Secret messages go to private chats only: the chat is the user.
    let locale = app.locale(orphan.chat, None);
    let what = i18n::text(
        locale,
        match orphan.kind {
            SecretKind::TwoFactorKey => "secret_what_two_factor_key",
            SecretKind::BackupCodes => "secret_what_backup_codes",
            SecretKind::Export => "secret_what_export",
        },
    );
    tracing::warn!(target: "arcana::audit", event = Event::SecretMessageLost.name(), chat = orphan.chat,
        "a message showing a secret may be in a chat under an unknown id; the user was told to delete it");
    send_html(&app.sender, ChatId(orphan.chat), &i18n::format(locale, "secret_left_behind", &[("what", what)])).await;
}
