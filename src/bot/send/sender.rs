//! The sending client: the plain teloxide `Bot` plus the fair [`Schedule`], driven by one task.
//!
//! Anything that puts a message into a chat asks for a slot first ([`Sender::slot`]); answers to
//! callback and pre-checkout queries go straight to [`Sender::bot`]. The client is never
//! formatted with `Debug` (the `Bot` inside would print the token).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard, PoisonError, Weak},
    time::{Duration, Instant},
};

use teloxide::{
    Bot,
    types::{ChatId, MessageId},
};
use tokio::sync::{Notify, Semaphore, oneshot};

use super::{
    schedule::{Class, Schedule, SendLimits},
    start_permit,
};

/// The sending client, cheap to clone.
#[derive(Clone)]
pub struct Sender {
    bot: Bot,
    shared: Arc<Shared>,
}

struct Shared {
    schedule: Mutex<Schedule>,
    wake: Notify,
    /// Edits waiting for a slot, by message: the latest press's order and how to cancel it.
    edits: Mutex<HashMap<(i64, i32), PendingEdit>>,
    /// Places for edits that wait for their slot on their own ([`Sender::edit_detached`]).
    detached: Arc<Semaphore>,
}

/// An edit of one message waiting for its slot.
struct PendingEdit {
    /// The press it answers (Telegram's update id: later presses have larger ones).
    order: i64,
    /// Woken when a later press's edit of the same message replaces this one.
    superseded: Arc<Notify>,
}

impl Shared {
    fn schedule(&self) -> MutexGuard<'_, Schedule> {
        // The schedule is left consistent between statements, so a panic elsewhere cannot
        // corrupt it.
        self.schedule.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn edits(&self) -> MutexGuard<'_, HashMap<(i64, i32), PendingEdit>> {
        // One insert or remove per statement: consistent whatever panicked elsewhere.
        self.edits.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A waiting edit's place in [`Shared::edits`], removed when it ends unless a later press's edit
/// took it.
struct EditClaim<'a> {
    shared: &'a Shared,
    key: (i64, i32),
    order: i64,
}

impl Drop for EditClaim<'_> {
    fn drop(&mut self) {
        let mut edits = self.shared.edits();
        if edits.get(&self.key).is_some_and(|waiting| waiting.order == self.order) {
            edits.remove(&self.key);
        }
    }
}

/// The longest the driving task sleeps before checking whether the client is still in use.
const IDLE_CHECK: Duration = Duration::from_secs(1);

/// Most edits waiting for their slot on their own, after the handler that asked for them ended.
/// Each holds one message's text and buttons (a few KiB at most); at most one waits per message,
/// since a later press's edit replaces an earlier one. Beyond this, a handler waits for its edit's
/// slot itself (parking its start permit, see [`start_permit`]).
const MAX_DETACHED_EDITS: usize = 1024;

/// The longest a detached edit waits for its slot before it is dropped (the press was answered
/// long ago; a view this stale is not worth a slot).
const DETACHED_EDIT_FOR: Duration = Duration::from_mins(1);

impl Sender {
    /// A client sending through `bot` within `limits`; spawns the task that grants slots (it ends
    /// once every clone of the client is dropped). Call from within the tokio runtime.
    pub(crate) fn new(bot: Bot, limits: SendLimits) -> Sender {
        let shared = Arc::new(Shared {
            schedule: Mutex::new(Schedule::new(limits, Instant::now())),
            wake: Notify::new(),
            edits: Mutex::new(HashMap::new()),
            detached: Arc::new(Semaphore::new(MAX_DETACHED_EDITS)),
        });
        tokio::spawn(drive(Arc::downgrade(&shared)));
        Sender { bot, shared }
    }

    /// The plain client, for requests that are not messages into a chat (query answers, refunds)
    /// and for the message a granted slot allows.
    pub fn bot(&self) -> &Bot {
        &self.bot
    }

    /// Waits for a slot to send one message into `chat`. Returns false if the slot was refused:
    /// a notice that went stale while waiting, or the client shutting down. A handler gives its
    /// start permit back before it waits ([`start_permit`]).
    pub(crate) async fn slot(&self, chat: ChatId, class: Class) -> bool {
        let quiet = start_permit::started_quiet();
        start_permit::give_back();
        let (grant, granted) = oneshot::channel();
        self.shared.schedule().request(chat.0, class, quiet, grant);
        self.shared.wake.notify_one();
        granted.await.is_ok()
    }

    /// Waits for a slot to edit `message` in `chat` for the press of order `order` (its update
    /// id). Only the latest press's edit of a message goes out: a waiting edit is dropped (its
    /// request withdrawn, no slot used) when a later press asks to edit the same message, and an
    /// edit for an earlier press than one already waiting is refused at once. So a chat pressing
    /// faster than Telegram lets it edit costs one edit per slot, not a growing queue.
    pub(crate) async fn edit_slot(&self, chat: ChatId, message: MessageId, order: i64) -> bool {
        let key = (chat.0, message.0);
        let superseded = Arc::new(Notify::new());
        {
            let mut edits = self.shared.edits();
            if edits.get(&key).is_some_and(|waiting| waiting.order > order) {
                return false;
            }
            let mine = PendingEdit { order, superseded: Arc::clone(&superseded) };
            if let Some(earlier) = edits.insert(key, mine) {
                earlier.superseded.notify_one();
            }
        }
        // Withdrawn however this ends: granted, superseded, or dropped with a timed-out handler.
        let _claim = EditClaim { shared: &self.shared, key, order };
        tokio::select! {
            granted = self.slot(chat, Class::Reply) => granted,
            () = superseded.notified() => false,
        }
    }

    /// Sends `edit` of `message` in `chat` (for the press of order `order`) when its slot comes,
    /// without the caller waiting: a spawned task holds the edit, so the handler ends and its
    /// start permit goes back at once. The edit goes out at Telegram's rate like any other, a
    /// later press's edit of the same message replaces it ([`Sender::edit_slot`]), and it is
    /// dropped after [`DETACHED_EDIT_FOR`] or when the client shuts down. Returns the edit when
    /// [`MAX_DETACHED_EDITS`] are already waiting: the caller then sends it itself.
    pub(crate) fn edit_detached<E>(&self, chat: ChatId, message: MessageId, order: i64, edit: E) -> Result<(), E>
    where
        E: IntoFuture<Output = ()> + Send + 'static,
        E::IntoFuture: Send,
    {
        let Ok(place) = Arc::clone(&self.shared.detached).try_acquire_owned() else { return Err(edit) };
        let sender = self.clone();
        tokio::spawn(async move {
            let granted = tokio::time::timeout(DETACHED_EDIT_FOR, sender.edit_slot(chat, message, order)).await;
            if granted == Ok(true) {
                edit.await;
            }
            drop(place);
        });
        Ok(())
    }

    /// Holds `chat` back for `wait` (Telegram answered 429 with `retry_after`).
    pub(crate) fn pause_chat(&self, chat: ChatId, wait: Duration) {
        self.shared.schedule().pause_chat(chat.0, Instant::now() + wait);
        self.shared.wake.notify_one();
    }

    /// `chat`'s demand — recent sends, waiting updates and recent denials: lower is served
    /// first — and whether it is quiet (little of it; see `schedule`'s `QUIET_BELOW`).
    pub(crate) fn standing(&self, chat: i64) -> (f64, bool) {
        let now = Instant::now();
        let schedule = self.shared.schedule();
        (schedule.demand(chat, now), schedule.is_quiet(chat, now))
    }

    /// Records that each of `chats` had an update denied for being over its limits.
    pub(crate) fn note_denials(&self, chats: &[i64]) {
        if !chats.is_empty() {
            self.shared.schedule().note_denials(chats, Instant::now());
        }
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
