//! Per-chat lanes: the work of one lane runs one job after another, in arrival order; different
//! lanes run concurrently. A chat has a lane for its messages and one for its payment queries,
//! and each button press runs in a lane of its own — so a press is answered while the chat's
//! messages still queue, and while the chat's earlier presses still wait to edit their message.
//!
//! Each lane's backlog (jobs waiting, not the one running) is capped: beyond it a push is refused
//! and the caller drops the update. A job takes a permit from the start [`Gate`] when it
//! *starts*, never while it waits in its lane; the gate serves the quietest chat first, so a
//! chat that can only be sent to slowly (a group, a flooder) cannot keep others from starting.
//! A worker task exists only while its lane has work. Workers run on the runtime the lanes were
//! made on, whichever thread pushes: the polling loop pushes from a thread of its own.

use std::{
    collections::{HashMap, VecDeque},
    future::Future,
    pin::Pin,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
};

use super::{
    gate::{Gate, Permit},
    lane::LaneKey,
};

/// A unit of work.
pub(crate) type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Turns a queued item and its start permit into the job that handles it.
type Runner<T> = Arc<dyn Fn(T, Permit) -> Job + Send + Sync>;

/// Told a lane's backlog (items waiting, not the running one) whenever it changes.
type Observer = Arc<dyn Fn(LaneKey, usize) + Send + Sync>;

/// The lanes, keyed by [`LaneKey`].
pub(crate) struct Lanes<T> {
    inner: Arc<Inner<T>>,
}

impl<T> Clone for Lanes<T> {
    fn clone(&self) -> Self {
        Lanes { inner: Arc::clone(&self.inner) }
    }
}

struct Inner<T> {
    queues: Mutex<HashMap<LaneKey, VecDeque<T>>>,
    backlog_cap: usize,
    gate: Arc<Gate>,
    observe: Observer,
    run: Runner<T>,
    /// Where the workers run (the runtime `new` was called on).
    runtime: Option<tokio::runtime::Handle>,
}

impl<T: Send + 'static> Lanes<T> {
    /// Lanes of at most `backlog_cap` waiting items each, whose jobs start through `gate`;
    /// `observe` hears of every backlog change.
    pub(crate) fn new(
        backlog_cap: usize,
        gate: Arc<Gate>,
        observe: impl Fn(LaneKey, usize) + Send + Sync + 'static,
        run: impl Fn(T, Permit) -> Job + Send + Sync + 'static,
    ) -> Lanes<T> {
        Lanes {
            inner: Arc::new(Inner {
                queues: Mutex::new(HashMap::new()),
                backlog_cap,
                gate,
                observe: Arc::new(observe),
                run: Arc::new(run),
                runtime: tokio::runtime::Handle::try_current().ok(),
            }),
        }
    }

    fn queues(&self) -> MutexGuard<'_, HashMap<LaneKey, VecDeque<T>>> {
        self.inner.queues.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `item` behind the lane's earlier work; gives it back if the lane's backlog is full.
    pub(crate) fn push(&self, key: LaneKey, item: T) -> Result<(), T> {
        match self.push_batch([(key, item)]).pop() {
            Some((_, refused)) => Err(refused),
            None => Ok(()),
        }
    }

    /// Queues a batch as one: every item is in its lane before any lane that was idle starts, so
    /// a lane's first job already counts the rest of its batch as the lane's backlog (a chat
    /// with ten updates in one `getUpdates` is not taken for a quiet chat while its other nine
    /// are still being queued). Gives back the items whose lane's backlog was full.
    pub(crate) fn push_batch(&self, items: impl IntoIterator<Item = (LaneKey, T)>) -> Vec<(LaneKey, T)> {
        let mut refused = Vec::new();
        let mut starting = Vec::new();
        {
            let mut queues = self.queues();
            for (key, item) in items {
                match queues.get_mut(&key) {
                    Some(queue) if queue.len() >= self.inner.backlog_cap => refused.push((key, item)),
                    Some(queue) => {
                        queue.push_back(item);
                        (self.inner.observe)(key, queue.len());
                    }
                    None => {
                        // No worker: one starts after the batch. The lane's entry (empty) marks
                        // it as running.
                        queues.insert(key, VecDeque::new());
                        starting.push((key, item));
                    }
                }
            }
        }
        for (key, item) in starting {
            self.start(key, item);
        }
        refused
    }

    /// Spawns the worker of idle lane `key`, its first job `item`.
    fn start(&self, key: LaneKey, item: T) {
        let this = self.clone();
        let worker = async move {
            let mut next = Some(item);
            while let Some(item) = next {
                let permit = this.inner.gate.acquire(key).await;
                (this.inner.run)(item, permit).await;
                next = this.next_item(key);
            }
        };
        match &self.inner.runtime {
            Some(runtime) => drop(runtime.spawn(worker)),
            None => drop(tokio::spawn(worker)),
        }
    }

    /// Pops the lane's next item, removing the lane (and ending its worker) when it is empty.
    fn next_item(&self, key: LaneKey) -> Option<T> {
        let mut queues = self.queues();
        let queue = queues.get_mut(&key);
        let next = queue.and_then(|q| q.pop_front().map(|item| (item, q.len())));
        if let Some((item, left)) = next {
            (self.inner.observe)(key, left);
            return Some(item);
        }
        queues.remove(&key);
        None
    }

    /// Lanes with work queued or running.
    #[cfg(test)]
    pub(crate) fn active(&self) -> usize {
        self.queues().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bot::pipeline::{gate::Standing, lane::Lane};
    use tokio::sync::{mpsc, oneshot};

    type Item = (i32, Option<oneshot::Receiver<()>>);

    /// Lanes whose jobs report their number once their gate (if any) opens; chat 1 is busy.
    fn recording(permits: usize, cap: usize) -> (Lanes<Item>, mpsc::UnboundedReceiver<i32>, Arc<Gate>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let gate = Gate::new(permits, permits, |(chat, _): LaneKey| Standing {
            quiet: chat != 1,
            priority: if chat == 1 { 10.0 } else { 0.0 },
        });
        let lanes = Lanes::new(
            cap,
            Arc::clone(&gate),
            |_, _| {},
            move |(n, wait): Item, permit: Permit| {
                let tx = tx.clone();
                Box::pin(async move {
                    if let Some(wait) = wait {
                        let _ = wait.await;
                    }
                    let _ = tx.send(n);
                    drop(permit);
                }) as Job
            },
        );
        (lanes, rx, gate)
    }

    #[tokio::test]
    async fn a_lane_keeps_order_and_another_is_not_held_up() {
        let (lanes, mut rx, _) = recording(4, 10);
        let (open, wait) = oneshot::channel();
        lanes.push((1, Lane::Messages), (1, Some(wait))).expect("room");
        for n in 2..=4 {
            lanes.push((1, Lane::Messages), (n, None)).expect("room");
        }
        lanes.push((1, Lane::Queries), (50, None)).expect("room");
        lanes.push((2, Lane::Messages), (100, None)).expect("room");
        let mut first = vec![rx.recv().await, rx.recv().await];
        first.sort();
        assert_eq!(first, [Some(50), Some(100)], "the chat's queries and another chat run");
        let _ = open.send(());
        let order: Vec<_> = vec![rx.recv().await, rx.recv().await, rx.recv().await, rx.recv().await];
        assert_eq!(order, [Some(1), Some(2), Some(3), Some(4)]);
        for _ in 0..100 {
            if lanes.active() == 0 {
                break;
            }
            tokio::task::yield_now().await;
        }
        assert_eq!(lanes.active(), 0, "workers end with their lanes");
    }

    #[tokio::test]
    async fn the_backlog_is_capped_per_lane() {
        let (lanes, mut rx, _) = recording(4, 2);
        let (open, wait) = oneshot::channel();
        lanes.push((1, Lane::Messages), (1, Some(wait))).expect("runs");
        assert!(lanes.push((1, Lane::Messages), (2, None)).is_ok());
        assert!(lanes.push((1, Lane::Messages), (3, None)).is_ok());
        assert!(lanes.push((1, Lane::Messages), (4, None)).is_err(), "two waiting already");
        assert!(lanes.push((2, Lane::Messages), (5, None)).is_ok(), "other lanes have their own room");
        assert_eq!(rx.recv().await, Some(5));
        let _ = open.send(());
        let rest = vec![rx.recv().await, rx.recv().await, rx.recv().await];
        assert_eq!(rest, [Some(1), Some(2), Some(3)]);
    }

    #[tokio::test]
    async fn a_quiet_chat_starts_before_busy_ones_waiting_longer() {
        // One permit, held by a job of chat 3; the busy chat 1 asks before the quiet chat 2.
        let (lanes, mut rx, gate) = recording(1, 10);
        let (open, wait) = oneshot::channel();
        lanes.push((3, Lane::Messages), (3, Some(wait))).expect("room");
        while gate.waiting() > 0 || lanes.active() == 0 {
            tokio::task::yield_now().await;
        }
        lanes.push((1, Lane::Messages), (1, None)).expect("room");
        while gate.waiting() < 1 {
            tokio::task::yield_now().await;
        }
        lanes.push((2, Lane::Messages), (2, None)).expect("room");
        while gate.waiting() < 2 {
            tokio::task::yield_now().await;
        }
        let _ = open.send(());
        let order = vec![rx.recv().await, rx.recv().await, rx.recv().await];
        assert_eq!(order, [Some(3), Some(2), Some(1)]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_batch_is_queued_whole_before_its_lanes_start() {
        // The observer keeps each lane's latest backlog; a job reports its lane's backlog as it
        // starts. Chat 1's first job must already see the rest of its batch waiting.
        let backlogs = Arc::new(Mutex::new(HashMap::<LaneKey, usize>::new()));
        let (tx, mut rx) = mpsc::unbounded_channel();
        let seen = Arc::clone(&backlogs);
        let observed = Arc::clone(&backlogs);
        let lanes = Lanes::new(
            10,
            Gate::new(4, 4, |_| Standing { quiet: true, priority: 0.0 }),
            move |key, backlog| drop(observed.lock().map(|mut b| b.insert(key, backlog))),
            move |n: i32, permit: Permit| {
                let tx = tx.clone();
                let seen = Arc::clone(&seen);
                Box::pin(async move {
                    let backlog = seen.lock().map(|b| b.get(&(1, Lane::Messages)).copied()).ok().flatten();
                    let _ = tx.send((n, backlog));
                    drop(permit);
                }) as Job
            },
        );
        let batch = (1..=5).map(|n| ((1, Lane::Messages), n)).chain([((2, Lane::Messages), 100)]);
        assert!(lanes.push_batch(batch).is_empty(), "room for all");
        let mut first_of_chat_1 = None;
        for _ in 0..6 {
            let (n, backlog) = rx.recv().await.expect("a job ran");
            if n == 1 {
                first_of_chat_1 = Some(backlog);
            }
        }
        assert_eq!(first_of_chat_1, Some(Some(4)), "the first job saw its four successors waiting");
    }
}
