//! The sending client: the plain teloxide `Bot` plus the fair [`Schedule`], driven by one task.
//!
//! Anything that puts a message into a chat asks for a slot first ([`Sender::slot`]); answers to
//! callback and pre-checkout queries go straight to [`Sender::bot`]. The client is never
//! formatted with `Debug` (the `Bot` inside would print the token).

use std::{
    sync::{Arc, Mutex, MutexGuard, PoisonError, Weak},
    time::{Duration, Instant},
};

use teloxide::{Bot, types::ChatId};
use tokio::sync::{Notify, oneshot};

use super::schedule::{Class, Schedule, SendLimits};

/// The sending client, cheap to clone.
#[derive(Clone)]
pub struct Sender {
    bot: Bot,
    shared: Arc<Shared>,
}

struct Shared {
    schedule: Mutex<Schedule>,
    wake: Notify,
}

impl Shared {
    fn schedule(&self) -> MutexGuard<'_, Schedule> {
        // The schedule is left consistent between statements, so a panic elsewhere cannot
        // corrupt it.
        self.schedule.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The longest the driving task sleeps before checking whether the client is still in use.
const IDLE_CHECK: Duration = Duration::from_secs(1);

impl Sender {
    /// A client sending through `bot` within `limits`; spawns the task that grants slots (it ends
    /// once every clone of the client is dropped). Call from within the tokio runtime.
    pub(crate) fn new(bot: Bot, limits: SendLimits) -> Sender {
        let shared =
            Arc::new(Shared { schedule: Mutex::new(Schedule::new(limits, Instant::now())), wake: Notify::new() });
        tokio::spawn(drive(Arc::downgrade(&shared)));
        Sender { bot, shared }
    }

    /// The plain client, for requests that are not messages into a chat (query answers, refunds)
    /// and for the message a granted slot allows.
    pub fn bot(&self) -> &Bot {
        &self.bot
    }

    /// Waits for a slot to send one message into `chat`. Returns false if the slot was refused:
    /// a notice that went stale while waiting, or the client shutting down.
    pub(crate) async fn slot(&self, chat: ChatId, class: Class) -> bool {
        let (grant, granted) = oneshot::channel();
        self.shared.schedule().request(chat.0, class, grant);
        self.shared.wake.notify_one();
        granted.await.is_ok()
    }

    /// Holds `chat` back for `wait` (Telegram answered 429 with `retry_after`).
    pub(crate) fn pause_chat(&self, chat: ChatId, wait: Duration) {
        self.shared.schedule().pause_chat(chat.0, Instant::now() + wait);
        self.shared.wake.notify_one();
    }

    /// `chat`'s demand — recent sends plus waiting updates: lower is served first.
    pub(crate) fn demand(&self, chat: i64) -> f64 {
        self.shared.schedule().demand(chat, Instant::now())
    }

    /// Records how many updates `chat` has waiting in its lane.
    pub(crate) fn set_backlog(&self, chat: i64, backlog: usize) {
        self.shared.schedule().set_backlog(chat, backlog);
    }

    /// Slot requests waiting (the send queue's depth).
    #[must_use]
    pub fn queued(&self) -> usize {
        self.shared.schedule().waiting()
    }
}

/// Grants slots as they fall due; sleeps until the next is due or a request arrives.
async fn drive(shared: Weak<Shared>) {
    loop {
        let Some(shared) = shared.upgrade() else { return };
        let woken = shared.wake.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        let now = Instant::now();
        let next = shared.schedule().run(now).map_or(now + IDLE_CHECK, |at| at.min(now + IDLE_CHECK));
        tokio::select! {
            () = woken => {}
            () = tokio::time::sleep_until(tokio::time::Instant::from_std(next)) => {}
        }
    }
}
