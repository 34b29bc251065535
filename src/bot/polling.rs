//! The long-polling loop: fetch updates, dispatch each new one to its chat's queue, keep
//! going through network failures, 5xx, 429 and malformed responses, stop on shutdown.

use std::{sync::Arc, time::Duration};

use teloxide::{
    ApiError, Bot, RequestError,
    payloads::GetUpdatesSetters,
    prelude::Requester,
    types::{AllowedUpdate, Update},
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

use crate::sentinel::Inbound;

use super::{BotError, app::App, backoff::Backoff, chat_queue::ChatQueues, handlers, notice};

/// The update types arcana asks for. Whatever arrives — asked for or not — passes the same path.
fn allowed_updates() -> Vec<AllowedUpdate> {
    vec![
        AllowedUpdate::Message,
        AllowedUpdate::EditedMessage,
        AllowedUpdate::CallbackQuery,
        AllowedUpdate::InlineQuery,
        AllowedUpdate::MyChatMember,
        AllowedUpdate::PreCheckoutQuery,
    ]
}

/// One item of a `getUpdates` batch.
enum Incoming {
    Parsed(Box<Update>),
    /// An update whose id could be read but whose body could not: skipped, never retried.
    Unreadable(i64),
}

/// What one `getUpdates` round produced.
enum Fetched {
    Batch(Vec<Incoming>),
    Retry(Duration),
    Stop,
}

/// The polling loop's state.
struct Poller {
    app: Arc<App>,
    bot: Bot,
    shutdown: CancellationToken,
    permits: Arc<Semaphore>,
    queues: ChatQueues,
    backoff: Backoff,
    timeout_secs: u32,
}

/// Polls until `shutdown` is cancelled. Returns an error only for failures a restart would not
/// fix by itself (an invalid token).
pub(crate) async fn poll(app: Arc<App>, bot: Bot, shutdown: CancellationToken) -> Result<(), BotError> {
    let timeout_secs = u32::try_from(app.config.telegram.poll_timeout.as_secs()).unwrap_or(25);
    let permits = Arc::new(Semaphore::new(usize::try_from(app.config.bot.max_in_flight.get()).unwrap_or(256)));
    let mut poller = Poller {
        app,
        bot,
        shutdown,
        permits,
        queues: ChatQueues::default(),
        backoff: Backoff::new(Duration::from_millis(250), Duration::from_secs(30)),
        timeout_secs,
    };
    tracing::info!(offset = poller.app.request_offset(), "polling for updates");
    loop {
        match poller.fetch().await? {
            Fetched::Stop => return Ok(()),
            Fetched::Retry(delay) => {
                if !poller.pause(delay).await {
                    return Ok(());
                }
            }
            Fetched::Batch(batch) => {
                let total = batch.len();
                let Some(fresh) = poller.dispatch_batch(batch).await else { return Ok(()) };
                if total > 0 && fresh == 0 {
                    // Telegram re-sent only updates still being handled: wait for one to
                    // finish instead of asking again at once.
                    let finished = Arc::clone(&poller.app);
                    tokio::select! {
                        () = poller.shutdown.cancelled() => return Ok(()),
                        () = finished.finished.notified() => {}
                        () = tokio::time::sleep(Duration::from_secs(1)) => {}
                    }
                }
            }
        }
    }
}

impl Poller {
    /// One `getUpdates` call, classified.
    async fn fetch(&mut self) -> Result<Fetched, BotError> {
        let offset = i32::try_from(self.app.request_offset()).unwrap_or(i32::MAX);
        let request =
            self.bot.get_updates().offset(offset).timeout(self.timeout_secs).allowed_updates(allowed_updates());
        let result = tokio::select! {
            () = self.shutdown.cancelled() => return Ok(Fetched::Stop),
            r = request => r,
        };
        match result {
            Ok(updates) => {
                self.backoff.reset();
                Ok(Fetched::Batch(updates.into_iter().map(|u| Incoming::Parsed(Box::new(u))).collect()))
            }
            Err(RequestError::Api(ApiError::InvalidToken)) => Err(BotError::InvalidToken),
            Err(RequestError::InvalidJson { raw, .. }) if salvage(&raw).is_some() => {
                tracing::warn!("getUpdates returned a batch that did not parse as a whole; salvaging it");
                Ok(Fetched::Batch(salvage(&raw).unwrap_or_default()))
            }
            Err(error) => {
                let delay = match &error {
                    RequestError::RetryAfter(s) => s.duration(),
                    _ => self.backoff.next_delay(),
                };
                tracing::warn!(error = %error, retry_in_ms = delay.as_millis(), "getUpdates failed");
                Ok(Fetched::Retry(delay))
            }
        }
    }

    /// Sleeps `delay` unless shutdown comes first; returns whether to go on.
    async fn pause(&self, delay: Duration) -> bool {
        tokio::select! {
            () = self.shutdown.cancelled() => false,
            () = tokio::time::sleep(delay) => true,
        }
    }

    /// Dispatches the new updates of a batch; returns how many were new, or `None` on shutdown.
    async fn dispatch_batch(&self, batch: Vec<Incoming>) -> Option<usize> {
        let mut fresh = 0;
        for incoming in batch {
            let permit = tokio::select! {
                () = self.shutdown.cancelled() => return None,
                p = Arc::clone(&self.permits).acquire_owned() => p.ok()?,
            };
            match incoming {
                Incoming::Unreadable(id) => {
                    if self.app.admit(id) {
                        tracing::warn!(update_id = id, "skipping an update that could not be parsed");
                        self.app.finish(id);
                    }
                }
                Incoming::Parsed(update) => {
                    let id = i64::from(update.id.0);
                    if !self.app.admit(id) {
                        continue;
                    }
                    fresh += 1;
                    // Every update passes the sentinel before any handler or store work.
                    let verdict = self.app.services.sentinel.check(&Inbound::from_update(&update, &self.app.username));
                    if verdict.is_allowed() {
                        let app = Arc::clone(&self.app);
                        self.run_queued(id, queue_key(&update), permit, async move {
                            handlers::handle(&app, *update).await;
                        });
                    } else {
                        // A denied update is finished at once; its notice or callback answer (if
                        // any) follows in the chat's queue and never holds up polling.
                        drop(permit);
                        if notice::needs_action(verdict, &update) {
                            self.notify(verdict, *update);
                        }
                        self.app.finish(id);
                    }
                }
            }
        }
        Some(fresh)
    }

    /// Queues what a denial calls for behind the chat's earlier work (so replies and notices
    /// arrive in order), untracked: the update itself is already finished. Skipped if too many
    /// are in flight.
    fn notify(&self, verdict: crate::sentinel::Verdict, update: Update) {
        let Ok(permit) = Arc::clone(&self.app.notices).try_acquire_owned() else {
            tracing::debug!(update_id = update.id.0, "notice skipped: too many in flight");
            return;
        };
        let app = Arc::clone(&self.app);
        self.queues.dispatch(
            queue_key(&update),
            Box::pin(async move {
                notice::act(&app.sender, verdict, &update).await;
                drop(permit);
                app.finished.notify_waiters();
            }),
        );
    }

    /// Runs `work` for an admitted update on its chat's queue; the update is marked finished
    /// however the work ends (done, timed out, panicked).
    fn run_queued(
        &self,
        id: i64,
        key: i64,
        permit: OwnedSemaphorePermit,
        work: impl std::future::Future<Output = ()> + Send + 'static,
    ) {
        let app = Arc::clone(&self.app);
        let handler_timeout = app.config.bot.handler_timeout;
        self.queues.dispatch(
            key,
            Box::pin(async move {
                let _permit = permit;
                match tokio::spawn(tokio::time::timeout(handler_timeout, work)).await {
                    Ok(Ok(())) => {}
                    Ok(Err(_)) => tracing::warn!(update_id = id, "handler timed out; update abandoned"),
                    Err(e) => tracing::error!(update_id = id, error = %e, "handler failed"),
                }
                app.finish(id);
            }),
        );
    }
}

/// The queue an update is ordered in: its chat, else its sender, else itself.
fn queue_key(update: &Update) -> i64 {
    if let Some(chat) = update.chat() {
        return chat.id.0;
    }
    if let Some(user) = update.from() {
        return i64::try_from(user.id.0).unwrap_or(i64::MAX);
    }
    // Unique per update: negative ids below any chat id teloxide can produce.
    i64::MIN + i64::from(update.id.0)
}

/// Recovers a batch whose JSON teloxide could not parse as a whole: keeps every update that
/// parses and the ids of those that do not. `None` if the response is not a batch at all.
fn salvage(raw: &str) -> Option<Vec<Incoming>> {
    let value: serde_json::Value = serde_json::from_str(raw).ok()?;
    let items = value.get("result")?.as_array()?;
    if value.get("ok")?.as_bool() != Some(true) {
        return None;
    }
    let batch: Vec<Incoming> = items
        .iter()
        .filter_map(|item| {
            let id = item.get("update_id")?.as_i64()?;
            Some(match serde_json::from_str::<Update>(&item.to_string()) {
                Ok(update) => Incoming::Parsed(Box::new(update)),
                Err(_) => Incoming::Unreadable(id),
            })
        })
        .collect();
    (!batch.is_empty()).then_some(batch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salvage_keeps_good_updates_and_ids_of_bad_ones() {
        let raw = r#"{"ok":true,"result":[
            {"update_id":5,"message":{"message_id":1,"date":0,"chat":{"id":1,"type":"private","first_name":"a"},"text":"hi"}},
            {"update_id":"six"},
            {"update_id":7,"message":{"message_id":"x"}, "extra": [1,2]}
        ]}"#;
        let batch = salvage(raw).expect("a batch");
        assert_eq!(batch.len(), 2);
        assert!(matches!(batch[0], Incoming::Parsed(_)));
        // teloxide reads an unparsable body as an `Error` kind, keeping the id.
        assert!(matches!(&batch[1], Incoming::Parsed(u) if u.id.0 == 7) || matches!(batch[1], Incoming::Unreadable(7)));
    }

    #[test]
    fn salvage_refuses_non_batches() {
        assert!(salvage("{\"ok\":tru").is_none());
        assert!(salvage("{\"ok\":false,\"result\":[]}").is_none());
        assert!(salvage("{\"ok\":true,\"result\":[{\"no_id\":1}]}").is_none());
    }
}
