//! The long-polling loop: fetch a batch, let the sentinel decide each update in arrival order,
//! write the admitted ones to the inbox (one flushed batch) and ask for the next batch at once —
//! handling runs in the chats' lanes and never holds up polling. Keeps going through network
//! failures, 5xx, 429 and malformed responses; pauses while the inbox is full; stops on shutdown.

use std::{sync::Arc, time::Duration};

use teloxide::{
    ApiError, Bot, RequestError,
    payloads::GetUpdatesSetters,
    prelude::Requester,
    types::{AllowedUpdate, Update},
};
use tokio_util::sync::CancellationToken;

use crate::{control::PipelineStats, sentinel::Inbound, supervisor::Notifier};

use crate::bot::{
    BotError,
    app::App,
    handlers::router,
    inbox_bound::{self, Admission},
    send::{Backoff, Redacted},
};

use super::{dispatch::Dispatcher, notice};

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

impl Incoming {
    fn id(&self) -> i64 {
        match self {
            Incoming::Parsed(update) => i64::from(update.id.0),
            Incoming::Unreadable(id) => *id,
        }
    }
}

/// What one `getUpdates` round produced.
enum Fetched {
    Batch(Vec<Incoming>),
    Retry(Duration),
    Stop,
}

/// How writing a batch to the inbox ended.
enum Written {
    /// Durable: the updates, back for dispatching.
    Yes(Vec<Update>),
    /// The writing task failed: the batch must be fetched again.
    Lost,
    /// Shutdown came while retrying.
    Shutdown,
}

/// The polling loop's state.
struct Poller {
    app: Arc<App>,
    bot: Bot,
    shutdown: CancellationToken,
    dispatcher: Dispatcher,
    backoff: Backoff,
    timeout_secs: u32,
    /// The next update id to ask for; everything below it is in the inbox or done.
    offset: i64,
    /// systemd's watchdog is pinged from this loop.
    notifier: Notifier,
}

/// Polls until `shutdown` is cancelled. Returns an error only for failures a restart would not
/// fix by itself (an invalid token).
pub(crate) async fn poll(
    app: Arc<App>,
    bot: Bot,
    dispatcher: Dispatcher,
    offset: i64,
    shutdown: CancellationToken,
    notifier: &Notifier,
) -> Result<(), BotError> {
    let timeout_secs = u32::try_from(app.config.telegram.poll_timeout.as_secs()).unwrap_or(25);
    let mut poller = Poller {
        app,
        bot,
        shutdown,
        dispatcher,
        backoff: Backoff::new(Duration::from_millis(250), Duration::from_secs(30)),
        timeout_secs,
        offset,
        notifier: notifier.clone(),
    };
    tracing::info!(offset = poller.offset, "polling for updates");
    notifier.ready();
    loop {
        // A loop that stops coming round stops the pings, and systemd restarts the bot.
        poller.notifier.watchdog();
        if !poller.wait_for_room().await {
            return Ok(());
        }
        match poller.fetch().await? {
            Fetched::Stop => return Ok(()),
            Fetched::Retry(delay) => {
                if !poller.pause(delay).await {
                    return Ok(());
                }
            }
            Fetched::Batch(batch) => {
                if !poller.admit(batch).await {
                    return Ok(());
                }
            }
        }
    }
}

impl Poller {
    /// Waits while the inbox is past its bounds (see `inbox_bound`; Telegram keeps updates for a
    /// day); false on shutdown.
    async fn wait_for_room(&self) -> bool {
        let capacity = u64::from(self.app.config.bot.inbox_capacity.get());
        let mut warned = false;
        loop {
            let drained = self.app.drained.notified();
            tokio::pin!(drained);
            drained.as_mut().enable();
            if self.app.inbox_bound.has_room() {
                return true;
            }
            // Paused on purpose, not hung.
            self.notifier.watchdog();
            if !warned {
                tracing::warn!(
                    capacity,
                    max_bytes = self.app.config.bot.inbox_max_bytes,
                    "inbox past its bounds; polling paused until handling catches up"
                );
                warned = true;
            }
            tokio::select! {
                () = self.shutdown.cancelled() => return false,
                () = drained => {}
                () = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
    }

    /// One `getUpdates` call, classified.
    async fn fetch(&mut self) -> Result<Fetched, BotError> {
        let offset = i32::try_from(self.offset).unwrap_or(i32::MAX);
        let request =
            self.bot.get_updates().offset(offset).timeout(self.timeout_secs).allowed_updates(allowed_updates());
        let result = tokio::select! {
            () = self.shutdown.cancelled() => return Ok(Fetched::Stop),
            r = request => r,
        };
        match result {
            Ok(updates) => {
                self.backoff.reset();
                if let Some(metrics) = crate::bot::metrics::get() {
                    metrics.polled();
                    for update in &updates {
                        metrics.update(router::kind_name(&update.kind));
                    }
                }
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
                tracing::warn!(error = %Redacted(&error), retry_in_ms = delay.as_millis(), "getUpdates failed");
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

    /// Decides every new update of `batch` in arrival order, writes the admitted ones and the
    /// new offset to the inbox (flushed before the offset is confirmed by the next poll), then
    /// queues them and the denied updates' notices. False on shutdown.
    async fn admit(&mut self, batch: Vec<Incoming>) -> bool {
        let next_offset = batch.iter().map(Incoming::id).max().map_or(self.offset, |max| (max + 1).max(self.offset));
        let mut admitted = Vec::new();
        let mut denied = Vec::new();
        for incoming in batch {
            match incoming {
                // Below the offset: handled (or in the inbox) already; Telegram sent it again.
                _ if incoming.id() < self.offset => {}
                Incoming::Unreadable(id) => {
                    tracing::warn!(update_id = id, "skipping an update that could not be parsed");
                }
                Incoming::Parsed(update) => {
                    // Every update passes the sentinel before any handler or store work.
                    let verdict = self.app.services.sentinel.check(&Inbound::from_update(&update, &self.app.username));
                    if verdict.is_allowed() {
                        let (id, chat) = (incoming_id(&update), super::lane::lane_of(&update).0);
                        match self.app.inbox_bound.admit(id, chat, inbox_bound::json_size(&update)) {
                            Admission::Admit => admitted.push(*update),
                            Admission::Refuse => self.dispatcher.refuse(id, chat),
                        }
                    } else if notice::needs_action(verdict, &update) {
                        denied.push((verdict, update));
                    }
                }
            }
        }
        if next_offset == self.offset && admitted.is_empty() {
            return true;
        }
        let ids: Vec<i64> = admitted.iter().map(incoming_id).collect();
        let admitted = match self.write_inbox(admitted, next_offset).await {
            Written::Yes(admitted) => admitted,
            // Not confirmed: the next poll asks for the same updates again.
            Written::Lost => return self.unwritten(&ids, true),
            Written::Shutdown => return self.unwritten(&ids, false),
        };
        self.offset = next_offset;
        PipelineStats::add(&self.app.services.pipeline.inbox, u64::try_from(admitted.len()).unwrap_or(u64::MAX));
        PipelineStats::set(&self.app.services.pipeline.inbox_bytes, self.app.inbox_bound.bytes());
        for update in &admitted {
            self.dispatcher.dispatch(i64::from(update.id.0), update);
        }
        for (verdict, update) in denied {
            self.dispatcher.notify(verdict, *update);
        }
        true
    }

    /// Updates `ids` were counted in the inbox's bound but never written: they leave it again.
    /// Returns `go_on`.
    fn unwritten(&self, ids: &[i64], go_on: bool) -> bool {
        for &id in ids {
            self.app.inbox_finished(id);
        }
        go_on
    }

    /// Writes `admitted` and `next_offset` to the inbox, retrying a failed write with backoff
    /// (the offset is not confirmed until it succeeds).
    async fn write_inbox(&mut self, mut admitted: Vec<Update>, next_offset: i64) -> Written {
        loop {
            let app = Arc::clone(&self.app);
            let durable = !admitted.is_empty();
            let write = tokio::task::spawn_blocking(move || {
                let result = app.inbox.admit_blocking(&admitted, next_offset, durable);
                (admitted, result)
            });
            let error = match write.await {
                Ok((written, Ok(()))) => return Written::Yes(written),
                Ok((unwritten, Err(e))) => {
                    admitted = unwritten;
                    e.to_string()
                }
                Err(e) => {
                    // The batch is gone with the task; Telegram still has it (not confirmed).
                    tracing::error!(error = %e, "inbox write task failed");
                    return Written::Lost;
                }
            };
            let delay = self.backoff.next_delay();
            tracing::error!(error = %error, retry_in_ms = delay.as_millis(), "cannot write the inbox; retrying");
            if !self.pause(delay).await {
                return Written::Shutdown;
            }
        }
    }
}

fn incoming_id(update: &Update) -> i64 {
    i64::from(update.id.0)
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
