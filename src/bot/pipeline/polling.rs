//! The long-polling loop: fetch a batch, let the sentinel decide each update in arrival order,
//! stage the admitted ones in the inbox and hand them to their chats' lanes, then *settle* the
//! batch before the next `getUpdates` confirms it to Telegram: what finished has its effects
//! flushed, what has not is written to the inbox (one flushed batch, with the next offset). A
//! small batch (a few updates) on an idle bot gets up to `bot.write_unfinished_after` (250 ms:
//! a reply through Telegram takes 50–300 ms) to finish first, so a quiet bot writes no inbox
//! entry and no removal for an update (see `crate::inbox`); under load nothing waits.
//! Keeps going through network failures, 5xx, 429 and malformed responses; pauses while the
//! inbox is full; stops on shutdown, saving the position so nothing finished runs again.

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

/// The largest batch the polling loop waits for (`bot.write_unfinished_after`) before writing it.
const QUIET_BATCH: usize = 4;

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
    /// Whether every update below `offset` is finished durably or in the inbox (false while a
    /// batch is being settled, and after its settling failed).
    settled: bool,
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
        settled: true,
        notifier: notifier.clone(),
    };
    tracing::info!(offset = poller.offset, "polling for updates");
    notifier.ready();
    let result = poller.run().await;
    poller.save_position().await;
    result
}

impl Poller {
    /// Polls until shutdown (`Ok`) or a failure a restart would not fix.
    async fn run(&mut self) -> Result<(), BotError> {
        let poller = self;
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

    /// On the way out: writes the position (flushed), so the finished updates Telegram was not
    /// told to forget yet are skipped when it sends them again after the next start.
    async fn save_position(&self) {
        if !self.settled {
            return;
        }
        let (app, offset) = (Arc::clone(&self.app), self.offset);
        match tokio::task::spawn_blocking(move || app.inbox.save_position_blocking(offset)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::error!(error = %e, "cannot save the polling position; finished updates may run again");
            }
            Err(e) => tracing::error!(error = %e, "position task failed"),
        }
    }

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
        if admitted.is_empty() {
            // Nothing of this batch needs the disk: the next poll may confirm it as it is.
            self.offset = next_offset;
            self.dispatch_notices(denied);
            return true;
        }
        let lanes: Vec<_> = admitted.iter().map(|u| (incoming_id(u), super::lane::lane_of(u))).collect();
        // Counted before any lane can finish one.
        PipelineStats::add(&self.app.services.pipeline.inbox, u64::try_from(admitted.len()).unwrap_or(u64::MAX));
        PipelineStats::set(&self.app.services.pipeline.inbox_bytes, self.app.inbox_bound.bytes());
        self.settled = false;
        self.app.inbox.stage(admitted);
        for (id, lane) in lanes {
            self.dispatcher.dispatch(id, lane);
        }
        self.dispatch_notices(denied);
        if !self.settle(next_offset).await {
            return false;
        }
        self.offset = next_offset;
        self.settled = true;
        true
    }

    fn dispatch_notices(&self, denied: Vec<(crate::sentinel::Verdict, Box<Update>)>) {
        for (verdict, update) in denied {
            self.dispatcher.notify(verdict, *update);
        }
    }

    /// Before the next poll confirms `next_offset`: waits up to `bot.write_unfinished_after` for the staged batch to
    /// finish when the bot has nothing else in hand (never under load), then writes what is left
    /// of it to the inbox and flushes the store — so every update below `next_offset` is finished
    /// durably or on disk. Retries a failed write with backoff; false if shutdown came first (the
    /// offset is then not confirmed: Telegram keeps the batch).
    async fn settle(&mut self, next_offset: i64) -> bool {
        let inbox = &self.app.inbox;
        let staged = inbox.unfinished_staged();
        // Quiet: a small batch, and nothing else in hand. Under traffic (batches of tens, or
        // updates waiting) a wait would only hold up the next poll, and the batch is written as
        // one flushed write anyway.
        let idle = staged <= QUIET_BATCH
            && PipelineStats::get(&self.app.services.pipeline.inbox) <= u64::try_from(staged).unwrap_or(u64::MAX);
        if idle {
            let deadline = tokio::time::Instant::now() + self.app.config.bot.write_unfinished_after;
            loop {
                let changed = inbox.changed();
                tokio::pin!(changed);
                changed.as_mut().enable();
                if inbox.unfinished_staged() == 0 {
                    break;
                }
                tokio::select! {
                    () = self.shutdown.cancelled() => break,
                    () = changed => {}
                    () = tokio::time::sleep_until(deadline) => break,
                }
            }
        }
        loop {
            let app = Arc::clone(&self.app);
            let error = match tokio::task::spawn_blocking(move || app.inbox.write_staged_blocking(next_offset)).await {
                Ok(Ok(_)) => return true,
                Ok(Err(e)) => e.to_string(),
                Err(e) => e.to_string(),
            };
            let delay = self.backoff.next_delay();
            tracing::error!(error = %error, retry_in_ms = delay.as_millis(), "cannot write the inbox; retrying");
            if !self.pause(delay).await {
                return false;
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
