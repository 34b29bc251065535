//! Messages that show a secret (two-factor key and QR code, backup codes, an export) are
//! scheduled for deletion as soon as they are sent, and [`run_deleter`] deletes them when due —
//! after `accounts.secret_message_lifetime`, or at once when enrolment is confirmed or the user is
//! deleted. The schedule is persisted (`accounts::SecretMessages`), so a restart deletes what
//! was due while the bot was down.

use std::{sync::Arc, time::Duration};

use teloxide::{
    ApiError, RequestError,
    prelude::Requester,
    types::{ChatId, MessageId},
};
use tokio_util::sync::CancellationToken;

use crate::accounts::SecretKind;

use crate::bot::{app::App, send::Redacted};

/// How often due deletions are looked for.
const TICK: Duration = Duration::from_secs(1);
/// Deletions made per tick at most (each is one request to Telegram).
const PER_TICK: usize = 50;
/// Telegram lets a bot delete its messages for 48 hours; a deletion failing past that is dropped.
const GIVE_UP_AFTER_MS: u64 = 48 * 3_600_000;

/// Schedules `message` in `chat`, which shows a secret of `kind`, for deletion after the
/// configured lifetime; durable before it returns (a kill right after must not leave it).
pub(crate) async fn keep_until_due(app: &App, chat: ChatId, message: MessageId, kind: SecretKind) {
    let accounts = &app.services.accounts;
    let lifetime = u64::try_from(accounts.config().secret_message_lifetime.as_millis()).unwrap_or(u64::MAX);
    let due = accounts.now().saturating_add(lifetime);
    match accounts.secret_messages().schedule((chat.0, message.0), kind, due) {
        Ok(()) => app.make_durable().await,
        Err(e) => tracing::error!(error = %e, "cannot schedule a secret message's deletion"),
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
