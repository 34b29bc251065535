//! The long-polling loop: fetch a batch, let the sentinel decide each update in arrival order,
//! stage the admitted ones in the inbox and hand them to their chats' lanes, then *settle* the
//! batch before the next `getUpdates` confirms it to Telegram: what finished has its effects
//! flushed, what has not is written to the inbox (one flushed batch, with the next offset). A
//! small batch (a few updates) on an idle bot gets up to `bot.write_unfinished_after` (250 ms:
//! a reply through Telegram takes 50–300 ms) to finish first, so a quiet bot writes no inbox
//! entry and no removal for an update (see `crate::inbox`); under load nothing waits.
//! Keeps going through network failures, 5xx, 429 and malformed responses; pauses while the
//! inbox is full; stops on shutdown, saving the position so nothing finished runs again.
//!
//! A batch arrives as raw JSON per update: the sentinel decides on a first look at each
//! ([`crate::sentinel::glance`]). An admitted update is staged in the inbox as the JSON Telegram
//! sent, its lane taken from the look ([`super::lane::lane_of_inbound`]), and is decoded into
//! teloxide's types only when its lane runs it — off this loop, which every update queued behind a
//! flood waits for. Only a denial that must be answered (a button press, a checkout), or a kind
//! the look does not model, is decoded here; a denied message's notice takes its chat from the
//! look and its sender's language from a second look at that one field. A flood is mostly
//! denials, and a denial costs only the look.

use std::{sync::Arc, time::Duration};

use serde_json::value::RawValue;
use teloxide::{
    Bot,
    types::{AllowedUpdate, Update},
};
use tokio_util::sync::CancellationToken;

use crate::{
    control::PipelineStats,
    sentinel::{Glance, Inbound, InboundKind, Verdict, glance},
    supervisor::Notifier,
};

use crate::bot::{BotError, app::App, handlers::router, inbox_bound::Admission, send::Backoff};

use super::{
    dispatch::Dispatcher,
    lane::{LaneKey, lane_of, lane_of_inbound},
    notice::{ChatNotice, needs_action},
    raw_updates::{FetchError, get_raw_updates},
};

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

/// One update of a batch, after the first look.
struct Incoming {
    json: Box<RawValue>,
    glance: Glance,
}

impl Incoming {
    fn new(json: Box<RawValue>, username: &str) -> Incoming {
        let glance = glance(json.get(), username);
        Incoming { json, glance }
    }
}

/// The full decode of an update's JSON; `None` (logged) if teloxide cannot read it.
fn decode(json: &RawValue, id: i64) -> Option<Update> {
    match serde_json::from_str::<Update>(json.get()) {
        Ok(update) => Some(update),
        Err(e) => {
            tracing::warn!(update_id = id, error = %e, "skipping an update that could not be parsed");
            None
        }
    }
}

/// A denied update whose denial calls for an answer.
enum Denial {
    /// Decoded (a query, or a kind the first look leaves to the decode; boxed: a decoded update
    /// is about 2 KiB, a notice a few words).
    Decoded(Verdict, Box<Update>),
    /// A message read by the first look alone: its chat's lane and the notice.
    Chat(i64, ChatNotice),
}

/// What one `getUpdates` round produced.
enum Fetched {
    Batch(Vec<Box<RawValue>>),
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

/// Polls until `shutdown` is cancelled, on a thread of its own with a single-threaded runtime: a
/// flood's batches are read one round after another (poll, decide, synced write, next poll), and
/// a normal user's update queued behind the flood waits for every round. On the bot's runtime
/// each round's steps queued behind hundreds of handler tasks on two workers; here nothing else
/// runs, so the round's synced write is made on this thread too (blocking it blocks nothing
/// else; a hop to a blocking thread cost two wakes a round and a wait for a core). The handlers,
/// the notices and the lanes still run on the bot's runtime (the dispatcher spawns them there).
/// Returns an error only for failures a restart would not fix by itself (an invalid token), or if
/// the thread cannot start.
pub(crate) async fn poll_apart(
    app: Arc<App>,
    bot: Bot,
    dispatcher: Dispatcher,
    offset: i64,
    shutdown: CancellationToken,
    notifier: &Notifier,
) -> Result<(), BotError> {
    let timeout_secs = u32::try_from(app.config.telegram.poll_timeout.as_secs()).unwrap_or(25);
    let poller = Poller {
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
    let (done, outcome) = tokio::sync::oneshot::channel();
    let thread = std::thread::Builder::new().name("arcana-poll".into()).spawn(move || {
        let result = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(runtime) => {
                let result = runtime.block_on(poller.poll());
                runtime.shutdown_timeout(Duration::from_secs(1));
                result
            }
            Err(e) => Err(BotError::Polling(e.to_string())),
        };
        let _ = done.send(result);
    });
    if let Err(e) = thread {
        return Err(BotError::Polling(e.to_string()));
    }
    outcome.await.unwrap_or_else(|_| Err(BotError::Polling("it ended without an answer".to_owned())))
}

impl Poller {
    /// Says it is ready, polls, and saves the position on the way out.
    async fn poll(mut self) -> Result<(), BotError> {
        tracing::info!(offset = self.offset, "polling for updates");
        self.notifier.ready();
        let result = self.run().await;
        self.save_position();
        result
    }

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
    fn save_position(&self) {
        if !self.settled {
            return;
        }
        // Blocking, on this thread of its own (as the writes of `settle`).
        if let Err(e) = self.app.inbox.save_position_blocking(self.offset) {
            tracing::error!(error = %e, "cannot save the polling position; finished updates may run again");
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
        let allowed = allowed_updates();
        let request = get_raw_updates(&self.bot, offset, self.timeout_secs, &allowed);
        let result = tokio::select! {
            () = self.shutdown.cancelled() => return Ok(Fetched::Stop),
            r = request => r,
        };
        match result {
            Ok(updates) => {
                self.backoff.reset();
                if let Some(metrics) = crate::bot::metrics::get() {
                    metrics.polled();
                }
                Ok(Fetched::Batch(updates))
            }
            Err(FetchError::InvalidToken) => Err(BotError::InvalidToken),
            Err(FetchError::Unreadable(raw)) if salvage(&raw).is_some() => {
                tracing::warn!("getUpdates returned a batch that did not parse as a whole; salvaging it");
                Ok(Fetched::Batch(salvage(&raw).unwrap_or_default()))
            }
            Err(error) => {
                let delay = match &error {
                    FetchError::RetryAfter(wait) => *wait,
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

    /// Decides every new update of `batch` in arrival order, writes the admitted ones and the
    /// new offset to the inbox (flushed before the offset is confirmed by the next poll), then
    /// queues them and the denied updates' notices. False on shutdown.
    async fn admit(&mut self, batch: Vec<Box<RawValue>>) -> bool {
        let batch: Vec<Incoming> = batch.into_iter().map(|json| Incoming::new(json, &self.app.username)).collect();
        let next_offset = batch
            .iter()
            .filter_map(|incoming| incoming.glance.update_id())
            .max()
            .map_or(self.offset, |max| (max + 1).max(self.offset));
        let metrics = crate::bot::metrics::get();
        let mut admitted = Vec::new();
        let mut denied = Vec::new();
        let mut over_limits = Vec::new();
        for incoming in batch {
            let Some(id) = incoming.glance.update_id() else {
                tracing::warn!("skipping an update without a readable update_id");
                continue;
            };
            // Below the offset: handled (or in the inbox) already; Telegram sent it again.
            if id < self.offset {
                continue;
            }
            // The look decides, or the full decode does what the look cannot.
            let (inbound, decoded) = match incoming.glance {
                Glance::Decided(inbound) => (inbound, None),
                Glance::Unsure(_) | Glance::Unreadable => match decode(&incoming.json, id) {
                    Some(update) => (Inbound::from_update(&update, &self.app.username), Some(update)),
                    None => continue,
                },
            };
            if let Some(metrics) = metrics {
                metrics.update(
                    decoded
                        .as_ref()
                        .map_or_else(|| router::inbound_kind_name(inbound.kind), |u| router::kind_name(&u.kind)),
                );
            }
            // Every update passes the sentinel before any handler or store work.
            let verdict = self.app.services.sentinel.check(&inbound);
            if verdict.is_allowed() {
                // Staged as Telegram sent it; its lane decodes it when it runs.
                let key = decoded.as_ref().map_or_else(|| lane_of_inbound(&inbound), lane_of);
                let size = u64::try_from(incoming.json.get().len()).unwrap_or(u64::MAX);
                match self.app.inbox_bound.admit(id, key.0, size) {
                    Admission::Admit => admitted.push((id, key, incoming.json)),
                    Admission::Refuse => self.dispatcher.refuse(id, key.0),
                }
                continue;
            }
            if matches!(verdict, Verdict::Limited { .. } | Verdict::Penalised { .. }) {
                over_limits.push(lane_of_inbound(&inbound).0);
            }
            if needs_action(verdict, inbound.kind) {
                // A denied message's notice needs only its chat and its sender's language; a
                // query's answer needs the query, so it is decoded.
                let query = matches!(inbound.kind, InboundKind::CallbackQuery | InboundKind::PreCheckoutQuery);
                match decoded {
                    Some(update) => denied.push(Denial::Decoded(verdict, Box::new(update))),
                    None if !query => denied.push(Denial::Chat(
                        lane_of_inbound(&inbound).0,
                        ChatNotice::of_inbound(verdict, &inbound, incoming.json.get()),
                    )),
                    None => {
                        if let Some(update) = decode(&incoming.json, id) {
                            denied.push(Denial::Decoded(verdict, Box::new(update)));
                        }
                    }
                }
            }
        }
        self.dispatcher.note_denials(&over_limits);
        if admitted.is_empty() {
            // Nothing of this batch needs the disk: the next poll may confirm it as it is.
            self.offset = next_offset;
            self.dispatch_notices(denied);
            return true;
        }
        let lanes: Vec<(i64, LaneKey)> = admitted.iter().map(|(id, key, _)| (*id, *key)).collect();
        // Counted before any lane can finish one.
        PipelineStats::add(&self.app.services.pipeline.inbox, u64::try_from(admitted.len()).unwrap_or(u64::MAX));
        PipelineStats::set(&self.app.services.pipeline.inbox_bytes, self.app.inbox_bound.bytes());
        self.settled = false;
        self.app.inbox.stage(admitted.into_iter().map(|(id, _, json)| (id, json)).collect());
        self.dispatcher.dispatch_batch(lanes);
        self.dispatch_notices(denied);
        if !self.settle(next_offset).await {
            return false;
        }
        self.offset = next_offset;
        self.settled = true;
        true
    }

    fn dispatch_notices(&self, denied: Vec<Denial>) {
        for denial in denied {
            match denial {
                Denial::Decoded(verdict, update) => self.dispatcher.notify(verdict, *update),
                Denial::Chat(chat, notice) => self.dispatcher.notify_chat(chat, notice),
            }
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
            // On this thread, which has nothing else to do meanwhile: a hop to a blocking thread
            // cost two wakes a round, and under a flood that thread waited for a core behind the
            // handlers.
            let error = match self.app.inbox.write_staged_blocking(next_offset) {
                Ok(_) => return true,
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

/// Recovers a batch whose JSON could not be read as a whole: keeps every item with an integer
/// `update_id` (the look then reads the rest). `None` if the response is not a batch.
fn salvage(raw: &str) -> Option<Vec<Box<RawValue>>> {
    let value: serde_json::Value = serde_json::from_str(raw).ok()?;
    let items = value.get("result")?.as_array()?;
    if value.get("ok")?.as_bool() != Some(true) {
        return None;
    }
    let batch: Vec<Box<RawValue>> = items
        .iter()
        .filter(|item| item.get("update_id").and_then(serde_json::Value::as_i64).is_some())
        .filter_map(|item| serde_json::value::to_raw_value(item).ok())
        .collect();
    (!batch.is_empty()).then_some(batch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salvage_keeps_the_updates_that_have_an_id() {
        let raw = r#"{"ok":true,"result":[
            {"update_id":5,"message":{"message_id":1,"date":0,"chat":{"id":1,"type":"private","first_name":"a"},"text":"hi"}},
            {"update_id":"six"},
            {"update_id":7,"message":{"message_id":"x"}, "extra": [1,2]}
        ]}"#;
        let batch = salvage(raw).expect("a batch");
        let looks: Vec<Glance> = batch.iter().map(|json| glance(json.get(), "b")).collect();
        assert_eq!(looks.len(), 2);
        assert!(matches!(&looks[0], Glance::Decided(inbound) if inbound.update_id == 5));
        // Its body is not a message: the full decode has the last word, and the id is kept.
        assert!(matches!(looks[1], Glance::Unsure(7)));
    }

    #[test]
    fn salvage_refuses_non_batches() {
        assert!(salvage("{\"ok\":tru").is_none());
        assert!(salvage("{\"ok\":false,\"result\":[]}").is_none());
        assert!(salvage("{\"ok\":true,\"result\":[{\"no_id\":1}]}").is_none());
    }
}
