//! The fair send schedule: who may send the next message, and when.
//!
//! Every outgoing message (a reply, an edit, a notice) first waits here for a *slot*. Slots are
//! granted within Telegram's limits — about 30 messages a second overall, one a second into a
//! private chat, 20 a minute into a group — and, among chats that may send now, to the one with
//! the least *demand*: what it has had sent recently (an exponentially decaying count, half-life
//! [`LOAD_HALF_LIFE`]), plus the updates it still has waiting in its lane, plus its updates lately
//! denied for being over its limits (decaying the same way). Recent sends alone would not do:
//! under a flood of thousands of chats, each flooder has had little sent, less than a normal user
//! who just got one reply, but every flooder has a long backlog or a run of denials. So a normal
//! user's reply does not wait behind a flooder's backlog, and a busy group does not hold up a
//! private chat. Within a chat, slots go in request order, but limit notices go after every
//! reply, and a notice still waiting when the wait it announces has passed is dropped (its slot
//! request is refused).
//!
//! And the bucket's burst is kept for *quiet* work: a chat with little demand and at most a
//! couple of updates waiting ([`QUIET_BELOW`], [`QUIET_BACKLOG`]), like a user in conversation,
//! or a handler that started as quiet work (its start permit says so; see the start gate). Busy
//! work — a flooder, a busy group — is sent only from a full bucket, so the burst is never spent
//! on the first replies of a flood before the users behind it are even read, and a quiet reply
//! goes at once (issue 27's burst: normal users' p99 from 630 to 340 ms, every reply 0 ms after
//! its update was read).
//!
//! Hand-written rather than teloxide's `Throttle`: `Throttle` serves requests first come, first
//! served, which is exactly the head-of-line blocking this replaces. Callback-query and
//! pre-checkout answers never come here: Telegram does not limit them and they must be at once.
//!
//! The schedule is pure state driven by the caller's clock, so it is tested without sleeping.

use std::{
    collections::{HashMap, VecDeque},
    time::{Duration, Instant},
};

use tokio::sync::oneshot;

/// Half-life of a chat's recent-sends count.
pub(crate) const LOAD_HALF_LIFE: Duration = Duration::from_secs(30);

/// A chat with less demand than this is *quiet*: it may be sent to from the kept burst, and its
/// updates may start with the start gate's kept permits. A user in conversation stays under it
/// (a few replies lately, a message or two waiting); a flooder does not (ten or more waiting, or
/// its updates denied). A threshold of one made a user who had just had two replies busy, and
/// every such user then waited for a full bucket (measured: p99 10 s under the sustained flood).
const QUIET_BELOW: f64 = 5.0;

/// And a quiet chat has at most this many updates waiting in its lane: a user may send a couple
/// of messages before the first is answered, while a flooder's lane holds more than that even as
/// its handler takes them one by one (by demand alone, a flooder whose lane was down to four
/// updates between two polls counted as quiet).
const QUIET_BACKLOG: usize = 2;

/// Telegram's sending limits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SendLimits {
    /// Messages per second over all chats.
    pub per_second: u32,
    /// Burst allowed over all chats (the bucket size).
    pub burst: u32,
    /// Spacing between messages into one private chat.
    pub private_spacing: Duration,
    /// Spacing between messages into one group, supergroup or channel.
    pub group_spacing: Duration,
}

impl Default for SendLimits {
    fn default() -> Self {
        SendLimits {
            per_second: 30,
            burst: 10,
            private_spacing: Duration::from_secs(1),
            group_spacing: Duration::from_secs(3),
        }
    }
}

/// What a slot is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// A reply to something the user asked: never dropped.
    Reply,
    /// A limit notice: sent after every reply waiting in its chat, dropped once stale.
    Notice {
        /// When the notice no longer says anything true.
        stale_at: Instant,
    },
    /// Background work (a broadcast): granted only when no reply or notice that may go now is
    /// waiting anywhere, and never from the last token of the bucket, so normal replies are not
    /// held up by it.
    Background,
}

/// A bucket this close to a whole token counts as holding it: the refill's floating-point sum
/// may land a hair under the boundary a wait was computed for.
const TOKEN_SLACK: f64 = 1e-6;

/// The shortest wait [`Schedule::run`] asks for.
const MIN_WAIT: Duration = Duration::from_millis(1);

/// The grant of one slot (the waiting sender is woken by it).
pub(crate) type Grant = oneshot::Sender<()>;

struct Waiter {
    seq: u64,
    class: Class,
    /// Quiet work whatever the chat's state (a handler that started quiet), busy work whatever
    /// it (a handler that started busy), or as the chat's state says (`None`: not a handler).
    quiet: Option<bool>,
    grant: Grant,
}

#[derive(Default)]
struct ChatState {
    replies: VecDeque<Waiter>,
    notices: VecDeque<Waiter>,
    /// Earliest time the next message may go into this chat.
    next_at: Option<Instant>,
    /// Decayed count of recent sends, as of `load_at`.
    load: f64,
    load_at: Option<Instant>,
    /// Updates waiting in the chat's lane (reported by the lanes).
    backlog: usize,
    /// Decayed count of the chat's updates denied for being over its limits, as of
    /// `pressure_at` (same half-life as the load).
    pressure: f64,
    pressure_at: Option<Instant>,
}

/// `value` as of `at`, decayed with [`LOAD_HALF_LIFE`] to `now`.
fn decayed(value: f64, at: Option<Instant>, now: Instant) -> f64 {
    let Some(at) = at else { return 0.0 };
    let age = now.saturating_duration_since(at).as_secs_f64();
    value * 0.5f64.powf(age / LOAD_HALF_LIFE.as_secs_f64())
}

impl ChatState {
    fn front(&self) -> Option<&Waiter> {
        self.replies.front().or_else(|| self.notices.front())
    }

    /// Whether the front request may use the kept burst: quiet work, or the chat is quiet.
    fn front_quiet(&self, now: Instant) -> bool {
        self.front().is_some_and(|w| w.quiet.unwrap_or_else(|| self.quiet(now)))
    }

    fn load_at(&self, now: Instant) -> f64 {
        decayed(self.load, self.load_at, now)
    }

    fn pressure_at(&self, now: Instant) -> f64 {
        decayed(self.pressure, self.pressure_at, now)
    }

    /// Little waiting and little demand: see [`QUIET_BELOW`].
    fn quiet(&self, now: Instant) -> bool {
        self.backlog <= QUIET_BACKLOG && self.demand(now) < QUIET_BELOW
    }

    fn waiting(&self) -> usize {
        self.replies.len() + self.notices.len()
    }

    /// Recent sends plus waiting work plus recent denials: lower is served first.
    fn demand(&self, now: Instant) -> f64 {
        self.load_at(now) + f64::from(u32::try_from(self.backlog).unwrap_or(u32::MAX)) + self.pressure_at(now)
    }

    fn ready(&self, now: Instant) -> bool {
        self.next_at.is_none_or(|at| at <= now)
    }
}

/// The schedule's state.
pub(crate) struct Schedule {
    limits: SendLimits,
    chats: HashMap<i64, ChatState>,
    tokens: f64,
    tokens_at: Instant,
    seq: u64,
    waiting: usize,
    next_cleanup: Instant,
}

/// How often stale notices are looked for and idle chats forgotten.
const CLEANUP_EVERY: Duration = Duration::from_millis(200);

impl Schedule {
    /// An empty schedule with a full bucket.
    pub(crate) fn new(limits: SendLimits, now: Instant) -> Schedule {
        Schedule {
            limits,
            chats: HashMap::new(),
            tokens: f64::from(limits.burst),
            tokens_at: now,
            seq: 0,
            waiting: 0,
            next_cleanup: now,
        }
    }

    /// Slot requests waiting.
    pub(crate) fn waiting(&self) -> usize {
        self.waiting
    }

    /// `chat`'s demand at `now`: its decayed count of recent sends plus its backlog (0 for a
    /// chat never or long not sent to, with nothing waiting).
    pub(crate) fn demand(&self, chat: i64, now: Instant) -> f64 {
        self.chats.get(&chat).map_or(0.0, |c| c.demand(now))
    }

    /// Whether `chat` is quiet at `now` ([`QUIET_BELOW`]; a chat never seen is).
    pub(crate) fn is_quiet(&self, chat: i64, now: Instant) -> bool {
        self.chats.get(&chat).is_none_or(|c| c.quiet(now))
    }

    /// Records that each of `chats` had an update denied for being over its limits (once per
    /// update): such a chat is not quiet, and ranks behind those that are within them.
    pub(crate) fn note_denials(&mut self, chats: &[i64], now: Instant) {
        for &chat in chats {
            let state = self.chats.entry(chat).or_default();
            state.pressure = state.pressure_at(now) + 1.0;
            state.pressure_at = Some(now);
        }
    }

    /// Records how many updates `chat` has waiting in its lane.
    pub(crate) fn set_backlog(&mut self, chat: i64, backlog: usize) {
        if backlog == 0 && !self.chats.contains_key(&chat) {
            return;
        }
        self.chats.entry(chat).or_default().backlog = backlog;
    }

    /// Queues a request for a slot in `chat`: `Some(true)` if it is quiet work whatever the
    /// chat's state, `Some(false)` if busy work, `None` to go by the chat's state.
    pub(crate) fn request(&mut self, chat: i64, class: Class, quiet: Option<bool>, grant: Grant) {
        self.seq += 1;
        let waiter = Waiter { seq: self.seq, class, quiet, grant };
        let state = self.chats.entry(chat).or_default();
        match class {
            Class::Reply => state.replies.push_back(waiter),
            Class::Notice { .. } | Class::Background => state.notices.push_back(waiter),
        }
        self.waiting += 1;
    }

    /// Holds `chat` back until `until` (Telegram answered 429 with `retry_after`).
    pub(crate) fn pause_chat(&mut self, chat: i64, until: Instant) {
        let state = self.chats.entry(chat).or_default();
        state.next_at = Some(state.next_at.map_or(until, |at| at.max(until)));
    }

    /// Grants every slot that is due at `now`; returns when to run again (`None`: when a new
    /// request arrives).
    pub(crate) fn run(&mut self, now: Instant) -> Option<Instant> {
        if now >= self.next_cleanup {
            self.cleanup(now);
            self.next_cleanup = now + CLEANUP_EVERY;
        }
        self.refill(now);
        while self.waiting > 0 {
            if self.tokens + TOKEN_SLACK < 1.0 {
                return Some(self.earliest_stale(now + self.refill_time(1.0)));
            }
            let full = self.tokens + TOKEN_SLACK >= f64::from(self.limits.burst.max(1));
            let Some((chat, background)) = self.pick(now, !full) else {
                // Nothing may go now: run again when a waiting chat's spacing has passed, or,
                // with a busy chat waiting only for a full bucket, when the bucket is full.
                let next_ready =
                    self.chats.values().filter(|c| c.waiting() > 0 && !c.ready(now)).filter_map(|c| c.next_at).min();
                let busy_waiting =
                    self.chats.values().any(|c| c.ready(now) && c.front().is_some() && !c.front_quiet(now));
                let refilled = busy_waiting.then(|| now + self.refill_time(f64::from(self.limits.burst.max(1))));
                let at = match (next_ready, refilled) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                return at.map(|at| self.earliest_stale(at));
            };
            // Keep the last token for a reply that may come at any moment (if the bucket holds more).
            let needed = if self.limits.burst >= 2 { 2.0 } else { 1.0 };
            if background && self.tokens + TOKEN_SLACK < needed {
                return Some(self.earliest_stale(now + self.refill_time(needed)));
            }
            if self.grant(chat, now) {
                self.tokens = (self.tokens - 1.0).max(0.0);
            }
        }
        None
    }

    /// How long until the bucket holds `needed` tokens: never zero, so a caller that runs the
    /// schedule again at that time finds the bucket changed (a wait rounded down to nothing
    /// would spin).
    fn refill_time(&self, needed: f64) -> Duration {
        let missing = (needed - self.tokens).max(0.0);
        Duration::from_secs_f64(missing / f64::from(self.limits.per_second.max(1))).max(MIN_WAIT)
    }

    /// The chat to serve next: ready, replies before notices before background work, least
    /// demand, oldest request; and whether its request is background work. With `quiet_only`
    /// (the bucket is not full), only quiet requests.
    fn pick(&self, now: Instant, quiet_only: bool) -> Option<(i64, bool)> {
        self.chats
            .iter()
            .filter(|(_, c)| c.ready(now) && (!quiet_only || c.front_quiet(now)))
            .filter_map(|(&id, c)| {
                let front = c.front()?;
                let rank = match front.class {
                    Class::Reply => 0u8,
                    Class::Notice { .. } => 1,
                    Class::Background => 2,
                };
                Some((rank, c.demand(now), front.seq, id))
            })
            .min_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)))
            .map(|(rank, _, _, id)| (id, rank == 2))
    }

    /// Wakes the front waiter of `chat`; true if someone was still waiting for it.
    fn grant(&mut self, chat: i64, now: Instant) -> bool {
        let spacing = if chat < 0 { self.limits.group_spacing } else { self.limits.private_spacing };
        let Some(state) = self.chats.get_mut(&chat) else { return false };
        let Some(waiter) = state.replies.pop_front().or_else(|| state.notices.pop_front()) else { return false };
        self.waiting -= 1;
        if let Class::Notice { stale_at } = waiter.class
            && stale_at <= now
        {
            return false;
        }
        if waiter.grant.send(()).is_err() {
            // The sender gave up (timed out or shut down): the slot is not used.
            return false;
        }
        state.load = state.load_at(now) + 1.0;
        state.load_at = Some(now);
        state.next_at = Some(now + spacing);
        true
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.tokens_at).as_secs_f64();
        self.tokens =
            (self.tokens + elapsed * f64::from(self.limits.per_second)).min(f64::from(self.limits.burst.max(1)));
        self.tokens_at = now;
    }

    /// Drops stale notices (their senders see the slot refused) and forgets idle chats whose
    /// spacing has passed and whose load has decayed away.
    fn cleanup(&mut self, now: Instant) {
        let mut dropped = 0;
        for state in self.chats.values_mut() {
            let before = state.notices.len();
            state
                .notices
                .retain(|w| !matches!(w.class, Class::Notice { stale_at } if stale_at <= now) && !w.grant.is_closed());
            dropped += before - state.notices.len();
            // Requests whose sender is gone free their place at once.
            let before = state.replies.len();
            state.replies.retain(|w| !w.grant.is_closed());
            dropped += before - state.replies.len();
        }
        self.waiting -= dropped;
        self.chats.retain(|_, c| {
            c.waiting() > 0 || c.backlog > 0 || !c.ready(now) || c.load_at(now) >= 0.05 || c.pressure_at(now) >= 0.05
        });
    }

    fn earliest_stale(&self, at: Instant) -> Instant {
        let stale = self
            .chats
            .values()
            .flat_map(|c| c.notices.iter())
            .filter_map(|w| match w.class {
                Class::Notice { stale_at } => Some(stale_at),
                Class::Reply | Class::Background => None,
            })
            .min();
        stale.map_or(at, |s| s.max(self.next_cleanup).min(at))
    }

    /// Chats the schedule remembers (for tests: bounded memory).
    #[cfg(test)]
    fn remembered(&self) -> usize {
        self.chats.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::oneshot::error::TryRecvError;

    fn request(s: &mut Schedule, chat: i64, class: Class) -> oneshot::Receiver<()> {
        let (tx, rx) = oneshot::channel();
        s.request(chat, class, None, tx);
        rx
    }

    fn granted(rx: &mut oneshot::Receiver<()>) -> bool {
        rx.try_recv().is_ok()
    }

    #[test]
    fn background_work_waits_for_replies_and_leaves_the_last_token() {
        let t0 = Instant::now();
        let mut s = Schedule::new(SendLimits { burst: 3, ..SendLimits::default() }, t0);
        let mut background = request(&mut s, 7, Class::Background);
        let mut replies: Vec<_> = (1..=2).map(|chat| request(&mut s, chat, Class::Reply)).collect();
        s.run(t0);
        assert!(replies.iter_mut().all(granted), "replies first");
        assert!(!granted(&mut background), "one token left: kept for a reply");
        let mut reply = request(&mut s, 3, Class::Reply);
        s.run(t0);
        assert!(granted(&mut reply), "the kept token serves a late reply at once");
        // Running again whenever the schedule asks, the background work goes once two tokens
        // have refilled (67 ms at 30 a second), and the schedule never asks to run at the same
        // instant again (it would spin).
        let mut at = t0;
        loop {
            let next = s.run(at);
            if granted(&mut background) {
                break;
            }
            let next = next.expect("a time to run again");
            assert!(next > at, "asked to run again at {:?}, not after {:?}", next - t0, at - t0);
            at = next;
            assert!(at <= t0 + Duration::from_millis(70), "still waiting at {:?}", at - t0);
        }
        assert!(at >= t0 + Duration::from_millis(66), "background went at {:?}, before two tokens", at - t0);
    }

    #[test]
    fn a_quiet_chat_goes_before_a_busy_one() {
        let t0 = Instant::now();
        let mut s = Schedule::new(SendLimits { burst: 1, ..SendLimits::default() }, t0);
        // The flooder has had ten messages sent over the last ten seconds.
        let mut t = t0;
        for _ in 0..10 {
            let mut rx = request(&mut s, 1, Class::Reply);
            s.run(t);
            assert!(granted(&mut rx));
            t += Duration::from_secs(1);
        }
        let mut flood: Vec<_> = (0..5).map(|_| request(&mut s, 1, Class::Reply)).collect();
        let mut quiet = request(&mut s, 2, Class::Reply);
        s.run(t);
        assert!(granted(&mut quiet), "the quiet chat is served first");
        assert!(!flood.iter_mut().any(granted), "one token, already used");
    }

    #[test]
    fn the_burst_is_kept_for_quiet_chats() {
        let t0 = Instant::now();
        let mut s = Schedule::new(SendLimits::default(), t0);
        // A hundred flooders, each with more updates waiting behind the reply it asks for.
        let mut flood: Vec<_> = (100..200)
            .map(|chat| {
                s.set_backlog(chat, 5);
                request(&mut s, chat, Class::Reply)
            })
            .collect();
        let next = s.run(t0).expect("busy chats wait for the bucket to fill again");
        assert_eq!(flood.iter_mut().map(granted).filter(|g| *g).count(), 1, "one from the full bucket");
        assert!(next > t0);
        // Users in conversation, read after the flood's first replies: all answered at once.
        let mut quiet: Vec<_> = (1..=9).map(|chat| request(&mut s, chat, Class::Reply)).collect();
        s.run(t0 + Duration::from_millis(1));
        assert!(quiet.iter_mut().all(granted), "the kept burst serves every quiet chat");
        // The flood goes on at the refill rate once the bucket is full again (333 ms), never
        // asking to run at the same instant again: 1 + 51 by two seconds.
        let mut at = t0 + Duration::from_millis(1);
        let mut sent = 1;
        while at < t0 + Duration::from_secs(2) {
            let next = s.run(at).expect("the flood still waits");
            assert!(next > at, "asked to run again at {:?}, not after {:?}", next - t0, at - t0);
            sent += flood.iter_mut().map(granted).filter(|g| *g).count();
            at = next;
        }
        assert!((50..=53).contains(&sent), "30 a second for the flood after the refill, not {sent}");
        // A quiet chat arriving now is not kept waiting behind them.
        let mut late = request(&mut s, 50, Class::Reply);
        s.run(at);
        assert!(granted(&mut late));
    }

    #[test]
    fn a_chat_over_its_limits_is_busy_unless_its_handler_started_quiet() {
        let t0 = Instant::now();
        let mut s = Schedule::new(SendLimits::default(), t0);
        assert!(s.is_quiet(1, t0), "a chat never seen is quiet");
        // Ten of chat 1's updates denied: nothing waits in its lane, but it is not quiet.
        s.note_denials(&[1; 10], t0);
        assert!(!s.is_quiet(1, t0));
        assert!(s.demand(1, t0) >= 5.0);
        // A user with two messages waiting and two replies lately still is.
        s.set_backlog(2, 2);
        for second in 0..2 {
            let mut rx = request(&mut s, 2, Class::Reply);
            s.run(t0 + Duration::from_secs(second));
            assert!(granted(&mut rx));
        }
        let t = t0 + Duration::from_secs(2);
        assert!(s.is_quiet(2, t));
        // The user goes first from the full bucket; then the bucket is not full: the busy chat
        // waits, a handler that started as quiet work (its permit was a quiet lane's) in a busy
        // chat goes.
        let mut denied = request(&mut s, 1, Class::Reply);
        let mut user = request(&mut s, 2, Class::Reply);
        let (tx, mut started_quiet) = oneshot::channel();
        s.set_backlog(3, 9);
        s.request(3, Class::Reply, Some(true), tx);
        s.run(t);
        assert!(granted(&mut user) && granted(&mut started_quiet));
        assert!(!granted(&mut denied), "busy: only from a full bucket");
        // Denials decay like sends: two half-lives later the chat is quiet again.
        assert!(s.is_quiet(1, t0 + Duration::from_secs(61)));
    }

    #[test]
    fn a_long_backlog_counts_against_a_chat() {
        let t0 = Instant::now();
        let mut s = Schedule::new(SendLimits { burst: 1, ..SendLimits::default() }, t0);
        // The normal user just had a reply; the flooder had none yet but has 19 waiting.
        let mut first = request(&mut s, 2, Class::Reply);
        s.run(t0);
        assert!(granted(&mut first));
        s.set_backlog(1, 19);
        let t = t0 + Duration::from_secs(1);
        let mut flood = request(&mut s, 1, Class::Reply);
        let mut normal = request(&mut s, 2, Class::Reply);
        s.run(t);
        assert!(granted(&mut normal) && !granted(&mut flood), "the backlog outweighs one reply");
        assert!(s.demand(1, t) > s.demand(2, t));
    }

    #[test]
    fn chats_are_spaced_and_the_global_rate_holds() {
        let t0 = Instant::now();
        let mut s = Schedule::new(SendLimits::default(), t0);
        let mut a = request(&mut s, 7, Class::Reply);
        let mut b = request(&mut s, 7, Class::Reply);
        let next = s.run(t0);
        assert!(granted(&mut a) && !granted(&mut b));
        assert_eq!(next, Some(t0 + Duration::from_secs(1)), "a private chat gets one a second");
        s.run(t0 + Duration::from_millis(999));
        assert!(!granted(&mut b));
        s.run(t0 + Duration::from_secs(1));
        assert!(granted(&mut b));

        let mut g1 = request(&mut s, -100, Class::Reply);
        let mut g2 = request(&mut s, -100, Class::Reply);
        let t1 = t0 + Duration::from_secs(2);
        assert_eq!(s.run(t1), Some(t1 + Duration::from_secs(3)), "a group gets 20 a minute");
        assert!(granted(&mut g1) && !granted(&mut g2));

        // Many chats at once: only the burst goes now, the rest at the global rate.
        let t2 = t0 + Duration::from_secs(10);
        let mut many: Vec<_> = (1000..1040).map(|chat| request(&mut s, chat, Class::Reply)).collect();
        s.run(t2);
        assert_eq!(many.iter_mut().map(granted).filter(|g| *g).count(), 10);
        for step in 1..=100 {
            s.run(t2 + Duration::from_millis(10 * step));
        }
        let more = many.iter_mut().map(granted).filter(|g| *g).count();
        assert!((29..=30).contains(&more), "30 more a second, not {more}");
    }

    #[test]
    fn notices_go_after_replies_and_are_dropped_when_stale() {
        let t0 = Instant::now();
        let mut s = Schedule::new(SendLimits::default(), t0);
        let mut notice = request(&mut s, 5, Class::Notice { stale_at: t0 + Duration::from_millis(1500) });
        let mut reply = request(&mut s, 5, Class::Reply);
        s.run(t0);
        assert!(granted(&mut reply) && !granted(&mut notice), "the reply first");
        s.run(t0 + Duration::from_secs(1));
        assert!(granted(&mut notice), "then the notice, still fresh");

        let mut late = request(&mut s, 6, Class::Notice { stale_at: t0 + Duration::from_secs(2) });
        let mut busy = request(&mut s, 6, Class::Reply);
        let mut busy2 = request(&mut s, 6, Class::Reply);
        s.run(t0 + Duration::from_millis(1100));
        assert!(granted(&mut busy));
        s.run(t0 + Duration::from_millis(2100));
        assert!(granted(&mut busy2));
        assert_eq!(late.try_recv(), Err(TryRecvError::Closed), "stale by now: refused");
        assert_eq!(s.waiting(), 0);
    }

    #[test]
    fn a_429_pauses_only_its_chat() {
        let t0 = Instant::now();
        let mut s = Schedule::new(SendLimits::default(), t0);
        s.pause_chat(1, t0 + Duration::from_secs(5));
        let mut paused = request(&mut s, 1, Class::Reply);
        let mut other = request(&mut s, 2, Class::Reply);
        assert_eq!(s.run(t0), Some(t0 + Duration::from_secs(5)));
        assert!(granted(&mut other) && !granted(&mut paused));
        s.run(t0 + Duration::from_secs(5));
        assert!(granted(&mut paused));
    }

    #[test]
    fn idle_chats_are_forgotten_and_abandoned_requests_skipped() {
        let t0 = Instant::now();
        let mut s = Schedule::new(SendLimits { burst: 100, per_second: 100, ..SendLimits::default() }, t0);
        for chat in 0..50 {
            let mut rx = request(&mut s, chat, Class::Reply);
            s.run(t0);
            assert!(granted(&mut rx));
        }
        drop(request(&mut s, 99, Class::Reply));
        let mut next = request(&mut s, 98, Class::Reply);
        s.run(t0);
        assert!(granted(&mut next), "the abandoned request does not hold anything up");
        s.run(t0 + Duration::from_mins(10));
        assert_eq!(s.remembered(), 0);
        assert_eq!(s.waiting(), 0);
    }
}
