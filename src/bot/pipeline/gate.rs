//! The start gate: at most `bot.max_in_flight` handlers run at once, and when one finishes, the
//! next to start is the waiting lane with the best priority — queries first, then the chat with
//! the least demand (recent sends plus waiting updates) — not the one that asked first. Under a flood, thousands of flooders' lanes wait here (a few hundred bytes
//! each) instead of thousands of half-run handlers waiting for a send slot, and a normal user's
//! update starts ahead of all of them.
//!
//! A quarter of the permits are *kept* for quiet lanes — a chat with little demand and at most a
//! couple of updates waiting, a button press, a query: work that ends soon. A busy lane (a
//! flooder's, a busy group's) does not take the last kept permits, so when a flood's handlers
//! hold every other permit waiting for their turn to send, a user's `/help` still starts at once
//! instead of waiting for a flooder's reply to go out. A permit remembers that it went to a quiet lane, and
//! the handler's messages are sent as a quiet chat's (from the send schedule's kept burst, ahead
//! of busy chats), so a kept permit comes back within a slot or two even when the chat turned
//! busy meanwhile (a flooder's first update looks quiet; by its reply, more have arrived) —
//! else the kept permits end up with such handlers waiting for a full bucket, and a user's
//! update waits for them (measured: stalls of up to a second under the sustained flood).
//!
//! Priorities are read when a permit is handed on, not when a lane starts waiting: a lane that
//! began waiting before its backlog arrived must not keep the place of a quiet chat.
//!
//! A tokio `Semaphore` is first come, first served; hand-written for the priority order.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::oneshot;

use super::lane::LaneKey;
use crate::bot::send::StartPermit;

/// A waiting lane's standing now.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Standing {
    /// Quiet work (see the module's text): it may take a kept permit.
    pub(crate) quiet: bool,
    /// Lower goes first.
    pub(crate) priority: f64,
}

/// Reads a lane's standing.
type Rank = Box<dyn Fn(LaneKey) -> Standing + Send + Sync>;

/// The gate, shared by every lane.
pub(crate) struct Gate {
    state: Mutex<State>,
    /// Permits a busy lane may not take (the last ones free).
    kept: usize,
    rank: Rank,
}

struct State {
    free: usize,
    /// Free places for handlers waiting to send without a permit.
    parked_free: usize,
    seq: u64,
    /// Waiting lanes: (which, arrival, where to send the permit).
    waiting: Vec<(LaneKey, u64, oneshot::Sender<Permit>)>,
}

/// The right to run one handler; given back (to the best waiter) when dropped.
pub(crate) struct Permit {
    /// `None` once defused (a permit that could not be handed over, still counted by `release`).
    gate: Option<Arc<Gate>>,
    /// Granted to a quiet lane (it may have been a kept one).
    quiet: bool,
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Some(gate) = self.gate.take() {
            Gate::release(&gate);
        }
    }
}

/// A place among the handlers waiting to send without a permit; given back when dropped.
struct WaitingPlace {
    gate: Arc<Gate>,
}

impl Drop for WaitingPlace {
    fn drop(&mut self) {
        self.gate.state().parked_free += 1;
    }
}

impl StartPermit for Permit {
    fn quiet(&self) -> bool {
        self.quiet
    }

    fn park(self: Box<Self>) -> Box<dyn Send> {
        let Some(gate) = self.gate.clone() else { return self };
        {
            let mut state = gate.state();
            if state.parked_free == 0 {
                return self;
            }
            state.parked_free -= 1;
        }
        let place = WaitingPlace { gate: Arc::clone(&gate) };
        drop(self);
        Box::new(place)
    }
}

impl Gate {
    /// A gate letting `size` handlers work at once, and up to `parked` more wait to send having
    /// given their permit back; freed permits go to the waiting lane of lowest priority (then
    /// the earliest) that may take them — the last quarter only to quiet lanes — as `rank` tells.
    pub(crate) fn new(
        size: usize,
        parked: usize,
        rank: impl Fn(LaneKey) -> Standing + Send + Sync + 'static,
    ) -> Arc<Gate> {
        Arc::new(Gate {
            state: Mutex::new(State { free: size, parked_free: parked, seq: 0, waiting: Vec::new() }),
            kept: size / 4,
            rank: Box::new(rank),
        })
    }

    /// Whether a lane of `standing` may take a permit when `free` are free.
    fn may_take(&self, standing: Standing, free: usize) -> bool {
        free > if standing.quiet { 0 } else { self.kept }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The state is consistent between statements: a panic elsewhere leaves nothing half done.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for a permit for `lane`.
    pub(crate) async fn acquire(self: &Arc<Self>, lane: LaneKey) -> Permit {
        let receiver = {
            let standing = (self.rank)(lane);
            let mut state = self.state();
            // Waiting lanes are busy ones held back by the kept permits (a freed permit goes to
            // a waiter that may take it): a quiet lane goes ahead of them.
            if self.may_take(standing, state.free) && (state.waiting.is_empty() || standing.quiet) {
                state.free -= 1;
                return Permit { gate: Some(Arc::clone(self)), quiet: standing.quiet };
            }
            let (sender, receiver) = oneshot::channel();
            state.seq += 1;
            let seq = state.seq;
            state.waiting.push((lane, seq, sender));
            receiver
        };
        match receiver.await {
            Ok(permit) => permit,
            // Unreachable while the gate lives (a waiter is only dropped after a send); wait for
            // a fresh turn rather than run without a permit.
            Err(_) => Box::pin(self.acquire(lane)).await,
        }
    }

    /// Hands a freed permit to the best waiter still waiting, or keeps it free.
    fn release(gate: &Arc<Gate>) {
        let mut state = gate.state();
        loop {
            // The freed permit counted as free: who may take it.
            let free = state.free + 1;
            let best = state
                .waiting
                .iter()
                .enumerate()
                .map(|(index, (lane, seq, _))| ((gate.rank)(*lane), *seq, index))
                .filter(|(standing, _, _)| gate.may_take(*standing, free))
                .min_by(|a, b| a.0.priority.total_cmp(&b.0.priority).then(a.1.cmp(&b.1)))
                .map(|(standing, _, index)| (index, standing.quiet));
            let Some((index, quiet)) = best else {
                state.free += 1;
                return;
            };
            let (_, _, waiter) = state.waiting.swap_remove(index);
            let permit = Permit { gate: Some(Arc::clone(gate)), quiet };
            match waiter.send(permit) {
                Ok(()) => return,
                // The waiter gave up: defuse the returned permit (its drop must not re-enter
                // this lock) and offer the place to the next waiter.
                Err(mut permit) => permit.gate = None,
            }
        }
    }

    /// Lanes waiting for a permit.
    #[cfg(test)]
    pub(crate) fn waiting(&self) -> usize {
        self.state().waiting.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::bot::pipeline::lane::Lane;

    /// Chat 5 is busy (and ranks last); everyone else quiet.
    fn gate(size: usize) -> Arc<Gate> {
        Gate::new(size, size, |(chat, _)| Standing { quiet: chat != 5, priority: if chat == 5 { 5.0 } else { 0.0 } })
    }

    fn anyone(_: LaneKey) -> Standing {
        Standing { quiet: true, priority: 0.0 }
    }

    #[tokio::test]
    async fn the_quietest_waiter_goes_next_and_permits_are_counted() {
        let gate = gate(1);
        let held = gate.acquire((1, Lane::Messages)).await;
        let (busy, quiet) = (Arc::clone(&gate), Arc::clone(&gate));
        let busy = tokio::spawn(async move { busy.acquire((5, Lane::Messages)).await });
        while gate.waiting() < 1 {
            tokio::task::yield_now().await;
        }
        let quiet = tokio::spawn(async move { quiet.acquire((2, Lane::Messages)).await });
        while gate.waiting() < 2 {
            tokio::task::yield_now().await;
        }
        drop(held);
        let quiet = quiet.await.expect("quiet");
        assert!(!busy.is_finished(), "the busy lane still waits");
        drop(quiet);
        drop(busy.await.expect("busy"));
        assert_eq!(gate.state().free, 1, "every permit came back");
    }

    #[tokio::test]
    async fn the_last_quarter_is_kept_for_quiet_lanes() {
        let gate = gate(4);
        let busy: Vec<_> = busy_permits(&gate, 3).await;
        assert_eq!(gate.state().free, 1);
        let waiting = Arc::clone(&gate);
        let fourth = tokio::spawn(async move { waiting.acquire((5, Lane::Messages)).await });
        while gate.waiting() < 1 {
            tokio::task::yield_now().await;
        }
        let quiet = gate.acquire((2, Lane::Messages)).await;
        assert!(!fourth.is_finished(), "the busy lane waits while only the kept permit is free");
        drop(quiet);
        assert!(!fourth.is_finished(), "a freed kept permit does not go to it either");
        drop(busy);
        drop(fourth.await.expect("a busy lane starts once more than the kept permit is free"));
        assert_eq!(gate.state().free, 4, "every permit came back");
    }

    /// `n` permits taken by the busy chat.
    async fn busy_permits(gate: &Arc<Gate>, n: usize) -> Vec<Permit> {
        let mut held = Vec::new();
        for _ in 0..n {
            held.push(gate.acquire((5, Lane::Messages)).await);
        }
        held
    }

    /// Free permits and free waiting places (one lock: two in one expression would deadlock).
    fn counts(gate: &Gate) -> (usize, usize) {
        let state = gate.state();
        (state.free, state.parked_free)
    }

    #[tokio::test]
    async fn a_parked_permit_frees_its_start_and_parking_is_bounded() {
        let gate = Gate::new(2, 1, anyone);
        let first: Box<dyn StartPermit> = Box::new(gate.acquire((1, Lane::Messages)).await);
        let second: Box<dyn StartPermit> = Box::new(gate.acquire((2, Lane::Messages)).await);
        let place = first.park();
        assert_eq!(counts(&gate), (1, 0), "the permit went back for a place");
        let kept = second.park();
        assert_eq!(gate.state().free, 1, "no place left: the second keeps its permit");
        drop(place);
        drop(kept);
        assert_eq!(counts(&gate), (2, 1), "everything came back");
    }

    #[tokio::test]
    async fn a_waiter_that_gave_up_does_not_swallow_the_permit() {
        let gate = gate(1);
        let held = gate.acquire((1, Lane::Messages)).await;
        let waiting = Arc::clone(&gate);
        let abandoned = tokio::spawn(async move { waiting.acquire((2, Lane::Messages)).await });
        while gate.waiting() < 1 {
            tokio::task::yield_now().await;
        }
        abandoned.abort();
        let _ = abandoned.await;
        drop(held);
        assert_eq!(gate.state().free, 1);
        drop(gate.acquire((3, Lane::Messages)).await);
    }
}
