//! Sending the operator's broadcast (the job and its rules are in `control::broadcast`): one
//! message at a time, in order of user id, each through the fair send scheduler as background
//! work — it goes only when no reply or notice that could go is waiting, and never takes the
//! bucket's last token — so a broadcast never holds up normal replies and stays within Telegram's
//! limits. Before each message the recipient is marked in flight and flushed; after Telegram
//! acknowledges it the cursor moves past them (at most once: see `control::broadcast`). The job
//! is resumed after a restart.

use std::{sync::Arc, time::Duration};

use teloxide::{
    RequestError,
    payloads::SendMessageSetters,
    prelude::Requester,
    types::{ChatId, ParseMode},
};
use tokio_util::sync::CancellationToken;

use crate::{
    accounts::AccountsError,
    audit_tap::Event,
    control::broadcast::{self, BroadcastJob},
    store::StoreError,
};

/// Why a broadcast step failed (it is tried again a second later).
#[derive(Debug, thiserror::Error)]
enum StepError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The accounts could not be listed.
    #[error(transparent)]
    Accounts(#[from] AccountsError),
}

use crate::bot::{
    app::App,
    send::{Redacted, background_slot, no_preview},
};

/// How often an idle bot looks for a new broadcast.
const IDLE_CHECK: Duration = Duration::from_secs(1);
/// User ids read at once.
const BATCH: usize = 200;
/// Attempts of one message answered 429 (Telegram did not send it, so trying again is safe).
const ATTEMPTS: u32 = 5;

/// Runs broadcasts until `shutdown`.
pub(crate) async fn run(app: Arc<App>, shutdown: CancellationToken) {
    loop {
        match broadcast::job(&app.services.data) {
            Ok(Some(job)) if job.is_active() => {
                if let Err(e) = drive(&app, job, &shutdown).await {
                    tracing::error!(error = %e, "broadcast step failed; retrying");
                    if idle(&shutdown).await {
                        return;
                    }
                }
            }
            Ok(_) => {
                if idle(&shutdown).await {
                    return;
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot read the broadcast job");
                if idle(&shutdown).await {
                    return;
                }
            }
        }
        if shutdown.is_cancelled() {
            return;
        }
    }
}

/// Waits [`IDLE_CHECK`]; true if shutting down.
async fn idle(shutdown: &CancellationToken) -> bool {
    tokio::select! {
        () = shutdown.cancelled() => true,
        () = tokio::time::sleep(IDLE_CHECK) => false,
    }
}

/// Sends the rest of `job` (until it ends, is cancelled, or shutdown).
async fn drive(app: &App, job: BroadcastJob, shutdown: &CancellationToken) -> Result<(), StepError> {
    let data = &app.services.data;
    let id = job.started_ms;
    if let Some(user) = job.in_flight {
        // Killed while this message was in flight: it may have been delivered. Never again.
        update(app, id, |j| {
            j.uncertain += 1;
            j.cursor = j.cursor.max(Some(user));
            j.in_flight = None;
        })?;
        data.flush().await?;
        tracing::warn!(target: "arcana::audit", event = Event::BroadcastUncertain.name(), user,
            "a broadcast message was in flight at a restart; it is not sent again");
    }
    let html = teloxide::utils::html::escape(&job.text);
    loop {
        let Some(current) = broadcast::job(data)?.filter(|j| j.is_active() && j.started_ms == id) else {
            return Ok(());
        };
        let batch = next_users(app, current.cursor)?;
        if batch.is_empty() {
            return Ok(finish(app, id).await?);
        }
        for user in batch {
            if shutdown.is_cancelled() {
                return Ok(data.flush().await?);
            }
            if !broadcast::job(data)?.is_some_and(|j| j.is_active() && j.started_ms == id) {
                return Ok(());
            }
            if !recipient(app, user) {
                update(app, id, |j| {
                    j.cursor = Some(user);
                    j.skipped += 1;
                })?;
                continue;
            }
            let granted = tokio::select! {
                () = shutdown.cancelled() => false,
                granted = background_slot(&app.sender, ChatId(user)) => granted,
            };
            if !granted {
                return Ok(data.flush().await?);
            }
            update(app, id, |j| j.in_flight = Some(user))?;
            data.flush().await?;
            let delivered = send(app, user, &html).await;
            update(app, id, |j| {
                j.cursor = Some(user);
                j.in_flight = None;
                if delivered {
                    j.sent += 1;
                } else {
                    j.failed += 1;
                }
            })?;
        }
    }
}

/// Changes job `id` (a job cancelled and replaced by a new one meanwhile is left alone).
fn update(app: &App, id: u64, change: impl FnOnce(&mut BroadcastJob)) -> Result<(), StoreError> {
    broadcast::update_job(&app.services.data, |j| {
        if j.started_ms == id {
            change(j);
        }
    })?;
    Ok(())
}

/// Up to [`BATCH`] user ids after `cursor`, ascending.
fn next_users(app: &App, cursor: Option<i64>) -> Result<Vec<i64>, AccountsError> {
    let mut ids = app.services.accounts.ids()?;
    ids.sort_unstable();
    let start = cursor.map_or(0, |after| ids.partition_point(|&id| id <= after));
    Ok(ids.into_iter().skip(start).take(BATCH).collect())
}

/// Whether `user` gets the broadcast now (an unreadable account does not).
fn recipient(app: &App, user: i64) -> bool {
    let services = &app.services;
    let now = services.sentinel.clock().unix_ms();
    broadcast::is_recipient(&services.accounts, services.sentinel.blocklist(), user, now).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "cannot read an account for the broadcast; passed over");
        false
    })
}

/// Sends one message (it already holds a slot); true if Telegram acknowledged it. Only a 429 is
/// tried again (Telegram did not send); a network error may have delivered it, so never.
async fn send(app: &App, user: i64, html: &str) -> bool {
    let chat = ChatId(user);
    for attempt in 1..=ATTEMPTS {
        let request =
            app.sender.bot().send_message(chat, html).parse_mode(ParseMode::Html).link_preview_options(no_preview());
        match request.await {
            Ok(_) => return true,
            Err(RequestError::RetryAfter(wait)) if attempt < ATTEMPTS => {
                app.sender.pause_chat(chat, wait.duration());
                if !background_slot(&app.sender, chat).await {
                    return false;
                }
            }
            Err(e) => {
                tracing::warn!(chat = user, error = %Redacted(&e), "broadcast message not sent");
                return false;
            }
        }
    }
    false
}

/// Marks job `id` finished, flushed, and audits it.
async fn finish(app: &App, id: u64) -> Result<(), StoreError> {
    let now = app.services.sentinel.clock().unix_ms();
    let job = broadcast::update_job(&app.services.data, |j| {
        if j.is_active() && j.started_ms == id {
            j.ended_ms = Some(now);
        }
    })?;
    app.services.data.flush().await?;
    if let Some(job) = job.filter(|j| j.started_ms == id) {
        tracing::warn!(target: "arcana::audit", event = Event::BroadcastFinished.name(),
            sent = job.sent, total = job.total,
            skipped = job.skipped, failed = job.failed, uncertain = job.uncertain, "a broadcast finished");
    }
    Ok(())
}
