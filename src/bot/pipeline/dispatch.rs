//! From the inbox to the handlers: admitted updates go to their chat's lane, run with a worker
//! permit and a time limit, and are finished: a staged update (never written, see `crate::inbox`)
//! just leaves the inbox's memory; a written one is removed from the inbox by one task that
//! batches removals into one flushed write (group commit). A lane starts its next update only
//! once the previous one's removal is durable, so after a kill only the update running at that
//! moment can run again, and there is still no flush per update. With `bot.flush_removals =
//! false` removals are written without a flush (the background flush carries them): fewer bytes
//! written, but after a crash the written updates finished since the last flush run again.
//!
//! A denied update's notice also goes into its chat's message lane, so it follows the replies
//! to what the user sent before it; a denied query is answered at once instead (the client's
//! spinner is waiting).

use std::sync::Arc;

use teloxide::types::{Update, UpdateKind};
use tokio::sync::OwnedSemaphorePermit as NoticePermit;
use tokio::sync::{mpsc, oneshot};

use crate::{audit_tap::Event, control::PipelineStats, inbox::Finish, sentinel::Verdict};

use crate::bot::{app::App, handlers::router, send};

use super::{
    gate::{Gate, Permit, Standing},
    lane::{Lane, LaneKey, lane_of},
    lanes::{Job, Lanes},
    notice,
};

/// Most removals written in one batch.
const MAX_REMOVALS_PER_BATCH: usize = 1024;
/// Under load, the least time between two flushes of removals.
const REMOVAL_FLUSH_EVERY: std::time::Duration = std::time::Duration::from_millis(100);

/// A finished update, and whom to tell once its removal is durable.
type Finished = (i64, Option<oneshot::Sender<()>>);

/// What runs in a lane.
pub(crate) enum Work {
    /// An admitted update, by id (its body stays in the inbox until it runs).
    Update(i64),
    /// The notice a denial calls for (boxed: thousands of lanes hold a queue of `Work`).
    Notice(Box<PendingNotice>),
}

/// A notice waiting in its lane, holding one of the bounded notice permits: only what sending
/// it needs (a whole decoded update is about 2 KiB, and a flood keeps up to
/// [`crate::bot::app::MAX_NOTICES_IN_FLIGHT`] of these waiting).
pub(crate) struct PendingNotice {
    notice: notice::ChatNotice,
    permit: NoticePermit,
}

/// Sends admitted updates to their lanes and finishes them.
#[derive(Clone)]
pub(crate) struct Dispatcher {
    app: Arc<App>,
    lanes: Lanes<Work>,
    finished: mpsc::UnboundedSender<Finished>,
    drops: Arc<DropAudit>,
    full_drops: Arc<DropAudit>,
    /// The bot's runtime, where query answers run (the polling loop calls from its own thread).
    runtime: tokio::runtime::Handle,
}

/// Audits backlog drops once a minute per chat (with the count since the last line), so a
/// flood cannot flood the log.
#[derive(Default)]
struct DropAudit {
    chats: std::sync::Mutex<std::collections::HashMap<i64, (std::time::Instant, u64)>>,
}

const DROP_AUDIT_EVERY: std::time::Duration = std::time::Duration::from_mins(1);

impl DropAudit {
    /// Counts a drop in `chat`; returns the drops to report if a line is due.
    fn record(&self, chat: i64) -> Option<u64> {
        let now = std::time::Instant::now();
        let mut chats = self.chats.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if chats.len() > 10_000 {
            chats.retain(|_, (since, _)| now.duration_since(*since) < DROP_AUDIT_EVERY);
        }
        let Some((since, unreported)) = chats.get_mut(&chat) else {
            chats.insert(chat, (now, 0));
            return Some(1);
        };
        *unreported += 1;
        if now.duration_since(*since) < DROP_AUDIT_EVERY {
            return None;
        }
        let dropped = *unreported;
        (*since, *unreported) = (now, 0);
        Some(dropped)
    }
}

impl Dispatcher {
    /// A dispatcher for `app`, and the finisher task to spawn (it ends when every dispatcher
    /// clone is dropped and the removals queued so far are written). Call on the bot's runtime:
    /// the lanes' handlers run on it.
    pub(crate) fn new(app: Arc<App>) -> (Dispatcher, impl Future<Output = ()> + Send + 'static) {
        let (finished, finished_ids) = mpsc::unbounded_channel();
        let backlog = usize::try_from(app.config.bot.chat_backlog.get()).unwrap_or(usize::MAX);
        let runner = {
            let app = Arc::clone(&app);
            let finished = finished.clone();
            move |work: Work, permit: Permit| match work {
                Work::Update(id) => Box::pin(run_update(Arc::clone(&app), id, permit, finished.clone())) as Job,
                Work::Notice(notice) => Box::pin(run_notice(Arc::clone(&app), notice, permit)) as Job,
            }
        };
        let sender = app.sender.clone();
        // Pre-checkout queries first (a checkout's 10 s are waiting; answering is quick), then
        // messages and button presses alike by their chat's demand: what it has had sent recently
        // plus what it has waiting. Presses used to rank first too, and accounts pressing within
        // their limits then took every permit that came free.
        // A chat's message lane is quiet while the chat is (little demand, at most a couple of
        // updates waiting: the schedule's `QUIET_BELOW`); a press or a query is one answer: quiet.
        let standing = sender.clone();
        let rank = move |(chat, lane): LaneKey| {
            let (demand, quiet) = standing.standing(chat);
            match lane {
                Lane::Queries => Standing { quiet: true, priority: -1.0 },
                Lane::Press(_) => Standing { quiet: true, priority: demand },
                Lane::Messages => Standing { quiet, priority: demand },
            }
        };
        let observe = move |(chat, lane): LaneKey, backlog: usize| {
            if lane == Lane::Messages {
                sender.set_backlog(chat, backlog);
            }
        };
        // As many handlers may wait to send without a permit as may work with one.
        let in_flight = usize::try_from(app.config.bot.max_in_flight.get()).unwrap_or(256);
        let gate = Gate::new(in_flight, in_flight, rank);
        let lanes = Lanes::new(backlog, gate, observe, runner);
        let remover = finish_removals(Arc::clone(&app), finished_ids);
        let runtime = tokio::runtime::Handle::current();
        (Dispatcher { app, lanes, finished, drops: Arc::default(), full_drops: Arc::default(), runtime }, remover)
    }

    /// Queues a batch of admitted updates `(id, lane)` (staged in the inbox) as one
    /// ([`Lanes::push_batch`]: no lane starts before the whole batch is queued). An update whose
    /// lane's backlog is full is dropped, counted and audited, and finished at once.
    pub(crate) fn dispatch_batch(&self, batch: Vec<(i64, LaneKey)>) {
        let refused = self.lanes.push_batch(batch.into_iter().map(|(id, key)| (key, Work::Update(id))));
        for (key, work) in refused {
            let Work::Update(id) = work else { continue };
            PipelineStats::add(&self.app.services.pipeline.backlog_drops, 1);
            if let Some(dropped) = self.drops.record(key.0) {
                tracing::warn!(target: "arcana::audit", event = Event::BacklogDrop.name(), chat = key.0, dropped,
                    "chat backlog full; updates dropped");
            }
            self.finish(id);
        }
    }

    /// Records the chats of a batch's updates denied for being over their limits (one entry per
    /// update): called before the batch's admitted updates are queued, so their lanes start
    /// ranked behind chats within their limits.
    pub(crate) fn note_denials(&self, chats: &[i64]) {
        self.app.sender.note_denials(chats);
    }

    /// Drops update `id` of `chat`, refused because the inbox is full and the chat holds at
    /// least its share: counted, and audited once a minute per chat. Never written to the inbox.
    pub(crate) fn refuse(&self, id: i64, chat: i64) {
        PipelineStats::add(&self.app.services.pipeline.inbox_full_drops, 1);
        tracing::debug!(update_id = id, chat, "inbox full; update refused");
        if let Some(dropped) = self.full_drops.record(chat) {
            tracing::warn!(target: "arcana::audit", event = Event::InboxFullDrop.name(), chat, dropped,
                "inbox full: updates of a chat holding much of it refused");
        }
    }

    /// Queues an update recovered from the inbox after a restart: it was admitted before, so it
    /// is not dropped for a full backlog.
    pub(crate) fn recover(&self, id: i64, update: &Update) {
        let key = lane_of(update);
        self.app.inbox_bound.recovered(id, key.0, crate::bot::inbox_bound::json_size(update));
        if let Err(work) = self.lanes.push(key, Work::Update(id)) {
            // Over the cap: run it in a lane of its own rather than lose it.
            let _ = self.lanes.push((i64::MIN + id, Lane::Messages), work);
        }
    }

    /// Sends what a denial of a decoded `update` calls for: a query answer at once; a notice in
    /// the chat's message lane (see [`Dispatcher::notify_chat`]). Untracked by the inbox; skipped
    /// when too many are in flight.
    pub(crate) fn notify(&self, verdict: Verdict, update: Update) {
        if !matches!(update.kind, UpdateKind::CallbackQuery(_) | UpdateKind::PreCheckoutQuery(_)) {
            self.notify_chat(lane_of(&update).0, notice::ChatNotice::of(verdict, &update));
            return;
        }
        let Ok(notice_permit) = Arc::clone(&self.app.answers).try_acquire_owned() else {
            tracing::debug!(update_id = update.id.0, "query answer skipped: too many in flight");
            return;
        };
        let app = Arc::clone(&self.app);
        PipelineStats::add(&app.services.pipeline.notices, 1);
        self.runtime.spawn(async move {
            notice::act(&app.sender, verdict, &update).await;
            notice_done(&app, notice_permit);
        });
    }

    /// Queues a denied message's `notice` in the message lane of `chat`, after the replies to
    /// what came before. Skipped when too many are in flight or the chat's backlog is full.
    pub(crate) fn notify_chat(&self, chat: i64, notice: notice::ChatNotice) {
        let Ok(notice_permit) = Arc::clone(&self.app.notices).try_acquire_owned() else {
            tracing::debug!(chat, "notice skipped: too many in flight");
            return;
        };
        PipelineStats::add(&self.app.services.pipeline.notices, 1);
        let notice = PendingNotice { notice, permit: notice_permit };
        if let Err(Work::Notice(notice)) = self.lanes.push((chat, Lane::Messages), Work::Notice(Box::new(notice))) {
            notice_done(&self.app, notice.permit);
        }
    }

    /// Marks `id` finished: staged, it leaves the inbox's memory; written, its inbox entry is
    /// removed in the next batch. Never called while the polling loop writes staged updates (it
    /// is that loop, or the start before it).
    pub(crate) fn finish(&self, id: i64) {
        if self.app.inbox.finish(id) == Finish::Unwritten {
            finished_unwritten(&self.app, id);
            return;
        }
        // The finisher outlives every dispatcher, so the channel is open.
        let _ = self.finished.send((id, None));
    }
}

/// Loads update `id` from the inbox and handles it (bounded in time, a panic contained), then
/// finishes it however the handling ended.
async fn run_update(app: Arc<App>, id: i64, permit: Permit, finished: mpsc::UnboundedSender<Finished>) {
    if let Some(update) = app.inbox.load(id).filter(|u| !blocked_since(&app, u)) {
        let timeout = app.config.bot.handler_timeout;
        let started = std::time::Instant::now();
        // The permit goes back when the handler first waits to send (or ends): see
        // `send::holding`.
        let work =
            send::holding(Box::new(permit), tokio::time::timeout(timeout, router::handle(Arc::clone(&app), update)));
        let outcome = tokio::spawn(work).await;
        if let Some(metrics) = crate::bot::metrics::get() {
            metrics.handled(started.elapsed());
        }
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(_)) => tracing::warn!(update_id = id, "handler timed out; update abandoned"),
            Err(e) => tracing::error!(update_id = id, error = %e, "handler failed"),
        }
    } else {
        drop(permit);
    }
    loop {
        let changed = app.inbox.changed();
        tokio::pin!(changed);
        changed.as_mut().enable();
        match app.inbox.finish(id) {
            Finish::Unwritten => return finished_unwritten(&app, id),
            Finish::Written => break,
            // The polling loop is writing it (it was still running when the next poll was due).
            Finish::Writing => changed.await,
        }
    }
    let (removed, durable) = oneshot::channel();
    if finished.send((id, Some(removed))).is_ok() {
        let _ = durable.await;
    }
}

/// Staged update `id` finished before it was ever written: nothing to remove. Its effects are
/// flushed before the next poll confirms its offset.
fn finished_unwritten(app: &App, id: i64) {
    app.inbox_finished(id);
    let pipeline = &app.services.pipeline;
    PipelineStats::sub(&pipeline.inbox, 1);
    PipelineStats::add(&pipeline.finished, 1);
    app.drained.notify_waiters();
}

/// Whether the sender of `update` was blocked after it was admitted (by an admin while it
/// queued, or before a restart that recovered it): it is then dropped, silently, like any update
/// of a blocked user — except the commands a blocked user keeps (`/delete_me`, `/verify`) and
/// the buttons confirming a deletion.
fn blocked_since(app: &App, update: &Update) -> bool {
    let Some(user) = update.from().map(|u| crate::sanitize::user_id(u.id)) else { return false };
    if let UpdateKind::Message(message) = &update.kind
        && let Some((command, _)) = message.text().and_then(|t| crate::sanitize::split_command(t, &app.username))
        && crate::command::open_to_blocked(&command)
    {
        return false;
    }
    if let UpdateKind::CallbackQuery(query) = &update.kind
        && let Some(data) = query.data.as_deref()
        && crate::command::button_open_to_blocked(data.split([':', '.']).next().unwrap_or_default())
    {
        return false;
    }
    let sentinel = &app.services.sentinel;
    let blocked = sentinel.blocklist().is_blocked(user, sentinel.clock().unix_ms());
    if blocked {
        tracing::debug!(update_id = update.id.0, "sender blocked while the update waited; dropped");
    }
    blocked
}

/// Sends a notice from its lane. It does no work but wait for its (last-served) send slot, so it
/// gives its start permit back at once.
async fn run_notice(app: Arc<App>, notice: Box<PendingNotice>, permit: Permit) {
    drop(permit);
    let PendingNotice { notice, permit: notice_permit } = *notice;
    notice.send(&app.sender).await;
    notice_done(&app, notice_permit);
}

fn notice_done(app: &App, permit: NoticePermit) {
    drop(permit);
    PipelineStats::sub(&app.services.pipeline.notices, 1);
    app.drained.notify_waiters();
}

/// Removes finished updates from the inbox in batches, each one flushed (unless
/// `bot.flush_removals` is off). When idle, a removal is written at once; under load, at most one
/// flush per [`REMOVAL_FLUSH_EVERY`] (each sled flush writes at least a page whatever it
/// carries: an SD card wears out).
async fn finish_removals(app: Arc<App>, mut removals: mpsc::UnboundedReceiver<Finished>) {
    let durable = app.config.bot.flush_removals;
    let mut batch = Vec::with_capacity(MAX_REMOVALS_PER_BATCH);
    let mut last_flush = tokio::time::Instant::now() - REMOVAL_FLUSH_EVERY;
    while removals.recv_many(&mut batch, MAX_REMOVALS_PER_BATCH).await > 0 {
        let due = last_flush + REMOVAL_FLUSH_EVERY;
        if durable && tokio::time::Instant::now() < due {
            tokio::time::sleep_until(due).await;
            while batch.len() < MAX_REMOVALS_PER_BATCH {
                match removals.try_recv() {
                    Ok(more) => batch.push(more),
                    Err(_) => break,
                }
            }
        }
        last_flush = tokio::time::Instant::now();
        let (ids, waiting): (Vec<i64>, Vec<_>) = std::mem::take(&mut batch).into_iter().unzip();
        let count = u64::try_from(ids.len()).unwrap_or(u64::MAX);
        let removed = ids.clone();
        let writer = Arc::clone(&app);
        match tokio::task::spawn_blocking(move || writer.inbox.remove_blocking(&ids, durable)).await {
            Ok(Ok(())) => {}
            // The entries stay and run again after a restart: at-least-once, never lost.
            Ok(Err(e)) => tracing::error!(error = %e, "cannot remove finished updates from the inbox"),
            Err(e) => tracing::error!(error = %e, "inbox removal task failed"),
        }
        let pipeline = &app.services.pipeline;
        for &id in &removed {
            app.inbox_finished(id);
        }
        PipelineStats::sub(&pipeline.inbox, count);
        PipelineStats::add(&pipeline.finished, count);
        for waiter in waiting.into_iter().flatten() {
            let _ = waiter.send(());
        }
        app.drained.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::DropAudit;

    #[test]
    fn drops_are_audited_once_per_chat_and_minute() {
        let audit = DropAudit::default();
        assert_eq!(audit.record(1), Some(1), "the first drop is reported");
        assert_eq!(audit.record(1), None);
        assert_eq!(audit.record(1), None, "then counted quietly");
        assert_eq!(audit.record(2), Some(1), "another chat has its own line");
    }
}
