//! The audit tap: a `tracing` layer that copies every event of target `arcana::audit` — the
//! security events the code emits as `tracing::warn!(target: "arcana::audit", event =
//! Event::Block.name(), …)`, one [`Event`] each —
//! into a bounded in-memory queue, from which the audit trail (`crate::audit`) appends them to
//! its MAC-chained tree. Emitting an audit event stays one line at the call site, whether the
//! store is open yet or not; events before the trail is connected wait in the queue.
//!
//! The queue holds at most [`CAPACITY`] records; beyond that new ones are counted
//! ([`dropped`]) and dropped, so a flood cannot grow memory without bound. The tap sees only
//! its own target, whatever the log level, so the debug events of hot paths cost nothing here.

use std::{
    collections::VecDeque,
    fmt,
    sync::{
        Condvar, Mutex, MutexGuard, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use tracing::{
    Subscriber,
    field::{Field, Visit},
};
use tracing_subscriber::{
    Layer,
    filter::{LevelFilter, Targets},
    layer::Context,
};

mod event;

pub use event::Event;

/// The target of audit events.
pub const TARGET: &str = "arcana::audit";
/// Records the queue holds at most.
pub const CAPACITY: usize = 100_000;
/// Longest field value kept, in characters.
const MAX_VALUE_CHARS: usize = 300;

/// One audit event as it was emitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// When (Unix ms).
    pub at_ms: u64,
    /// The `event` field: what happened (`block`, `2fa_failure`, ...).
    pub event: String,
    /// Every other field, in the order given (the message as `message`).
    pub fields: Vec<(String, String)>,
}

impl AuditRecord {
    /// The value of field `name`, if present.
    #[must_use]
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

static QUEUE: Mutex<VecDeque<AuditRecord>> = Mutex::new(VecDeque::new());
static ARRIVED: Condvar = Condvar::new();
static DROPPED: AtomicU64 = AtomicU64::new(0);

fn queue() -> MutexGuard<'static, VecDeque<AuditRecord>> {
    // A push or a drain leaves the queue consistent at every statement.
    QUEUE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The layer to install beside the log output, with its own filter (audit events only).
#[must_use]
pub fn layer<S>() -> impl Layer<S>
where
    S: Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    AuditTap.with_filter(Targets::new().with_target(TARGET, LevelFilter::TRACE))
}

/// Takes up to `max` queued records, waiting up to `wait` for the first one.
pub fn take(max: usize, wait: Duration) -> Vec<AuditRecord> {
    let mut queue = queue();
    if queue.is_empty() && !wait.is_zero() {
        queue = ARRIVED.wait_timeout(queue, wait).unwrap_or_else(PoisonError::into_inner).0;
    }
    let n = queue.len().min(max);
    queue.drain(..n).collect()
}

/// Records dropped because the queue was full.
#[must_use]
pub fn dropped() -> u64 {
    DROPPED.load(Ordering::Relaxed)
}

/// Queues `record` (what the layer does with each audit event; tests call it directly).
pub fn push(record: AuditRecord) {
    let mut queue = queue();
    if queue.len() >= CAPACITY {
        DROPPED.fetch_add(1, Ordering::Relaxed);
        return;
    }
    // Only a push into an empty queue can find the writer waiting (it waits only on an empty
    // one): a flood's thousand audit lines then cost one wake, not a thousand.
    let was_empty = queue.is_empty();
    queue.push_back(record);
    drop(queue);
    if was_empty {
        ARRIVED.notify_one();
    }
}

struct AuditTap;

impl<S: Subscriber> Layer<S> for AuditTap {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        if event.metadata().target() != TARGET {
            return;
        }
        let mut visitor = Fields::default();
        event.record(&mut visitor);
        let at_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        let event = visitor.event.unwrap_or_else(|| String::from("unnamed"));
        push(AuditRecord { at_ms, event, fields: visitor.fields });
    }
}

#[derive(Default)]
struct Fields {
    event: Option<String>,
    fields: Vec<(String, String)>,
}

impl Fields {
    fn add(&mut self, field: &Field, value: &str) {
        let value: String = value.chars().filter(|c| !c.is_control()).take(MAX_VALUE_CHARS).collect();
        if field.name() == "event" {
            self.event = Some(value);
        } else {
            self.fields.push((field.name().to_owned(), value));
        }
    }
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.add(field, value);
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.add(field, &value.to_string());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.add(field, &value.to_string());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.add(field, &value.to_string());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.add(field, &format!("{value:?}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::layer::SubscriberExt as _;

    #[test]
    fn audit_events_are_captured_with_their_fields_and_others_are_not() {
        let subscriber = tracing_subscriber::registry().with(layer());
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(target: "arcana::audit", event = "tap_test", user = 42_i64, reason = "spam\nmore", "a user was blocked");
            tracing::warn!(target: "arcana::other", event = "tap_test", "not an audit event");
        });
        let mine: Vec<AuditRecord> =
            take(CAPACITY, Duration::ZERO).into_iter().filter(|r| r.event == "tap_test").collect();
        assert_eq!(mine.len(), 1, "{mine:?}");
        assert_eq!(mine[0].field("user"), Some("42"));
        assert_eq!(mine[0].field("reason"), Some("spammore"), "control characters are dropped");
        assert_eq!(mine[0].field("message"), Some("a user was blocked"));
    }
}
