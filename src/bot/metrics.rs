//! Metrics: what the running bot counts and measures, in the Prometheus text format
//! (`prometheus-client`, the Prometheus project's own crate). Counters that are totals —
//! updates by kind, verdicts, replies, 429s, 2FA failures, payments, refunds — survive restarts:
//! they start from the totals saved in the store (`metric_totals`, every 30 s and at shutdown).
//! Gauges (inbox and send-queue depth, store size, RSS, age of the last `getUpdates`) are read
//! when scraped.
//!
//! One instance per process ([`init`]); the counting functions are no-ops before it, so code
//! paths shared with tests need no handle.

use std::{
    collections::BTreeMap,
    sync::{
        OnceLock,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use prometheus_client::{
    encoding::text::encode,
    metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
    registry::Registry,
};
use serde::{Deserialize, Serialize};

use crate::{
    audit_tap::{AuditRecord, Event},
    clock::{Clock, SystemClock},
    control::{PipelineStats, Services},
    store::{Record, Store, StoreError},
};

type Labels = Vec<(String, String)>;

/// The totals saved in the store.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Totals {
    updates: BTreeMap<String, u64>,
    verdicts: BTreeMap<String, u64>,
    replies_sent: u64,
    replies_failed: u64,
    too_many_requests: u64,
    two_factor_failures: u64,
    payments: u64,
    refunds: u64,
}

impl Record for Totals {
    const TREE: &'static str = "metric_totals";
    const VERSION: u8 = 1;
}

const TOTALS_KEY: &[u8] = b"totals";

/// Every metric of the process.
pub(crate) struct Metrics {
    registry: Registry,
    updates: Family<Labels, Counter>,
    verdicts: Family<Labels, Counter>,
    replies: Family<Labels, Counter>,
    too_many_requests: Counter,
    two_factor_failures: Counter,
    payments: Counter,
    refunds: Counter,
    handler_seconds: Histogram,
    inbox: Gauge,
    send_queue: Gauge,
    store_bytes: Gauge,
    rss_bytes: Gauge,
    last_poll_age_seconds: Gauge,
    audit_dropped: Gauge,
    /// When `getUpdates` last succeeded (Unix ms; 0 for never).
    last_poll_ms: AtomicU64,
    /// The sentinel's counts already added to `verdicts` (they restart from 0 with the process).
    verdicts_seen: std::sync::Mutex<BTreeMap<String, u64>>,
}

static METRICS: OnceLock<Metrics> = OnceLock::new();

/// The process's metrics, once [`init`] ran.
pub(crate) fn get() -> Option<&'static Metrics> {
    METRICS.get()
}

/// Sets up the metrics, starting the totals from what `store` saved.
pub(crate) fn init(store: &Store) -> Result<&'static Metrics, StoreError> {
    let totals = store.tree::<Totals>()?.get(TOTALS_KEY)?.unwrap_or_default();
    Ok(METRICS.get_or_init(|| Metrics::new(&totals)))
}

fn labels(name: &str, value: &str) -> Labels {
    vec![(name.to_owned(), value.to_owned())]
}

impl Metrics {
    fn new(totals: &Totals) -> Metrics {
        let mut registry = Registry::with_prefix("arcana");
        let metrics = Metrics {
            updates: Family::default(),
            verdicts: Family::default(),
            replies: Family::default(),
            too_many_requests: Counter::default(),
            two_factor_failures: Counter::default(),
            payments: Counter::default(),
            refunds: Counter::default(),
            handler_seconds: Histogram::new([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0]),
            inbox: Gauge::default(),
            send_queue: Gauge::default(),
            store_bytes: Gauge::default(),
            rss_bytes: Gauge::default(),
            last_poll_age_seconds: Gauge::default(),
            audit_dropped: Gauge::default(),
            last_poll_ms: AtomicU64::new(0),
            verdicts_seen: std::sync::Mutex::new(BTreeMap::new()),
            registry: Registry::default(),
        };
        for (kind, n) in &totals.updates {
            metrics.updates.get_or_create(&labels("kind", kind)).inc_by(*n);
        }
        for (verdict, n) in &totals.verdicts {
            metrics.verdicts.get_or_create(&labels("verdict", verdict)).inc_by(*n);
        }
        metrics.replies.get_or_create(&labels("outcome", "sent")).inc_by(totals.replies_sent);
        metrics.replies.get_or_create(&labels("outcome", "failed")).inc_by(totals.replies_failed);
        metrics.too_many_requests.inc_by(totals.too_many_requests);
        metrics.two_factor_failures.inc_by(totals.two_factor_failures);
        metrics.payments.inc_by(totals.payments);
        metrics.refunds.inc_by(totals.refunds);

        registry.register("updates", "Updates received from Telegram, by kind", metrics.updates.clone());
        registry.register("verdicts", "Security-layer verdicts, by verdict", metrics.verdicts.clone());
        registry.register("replies", "Messages sent into chats, by outcome", metrics.replies.clone());
        registry.register("telegram_429", "Too Many Requests answers from Telegram", metrics.too_many_requests.clone());
        registry.register("two_factor_failures", "Wrong two-factor codes", metrics.two_factor_failures.clone());
        registry.register("payments", "Payments credited", metrics.payments.clone());
        registry.register("refunds", "Payments refunded", metrics.refunds.clone());
        registry.register("handler_seconds", "Time to handle one admitted update", metrics.handler_seconds.clone());
        registry.register("inbox_updates", "Admitted updates not yet finished", metrics.inbox.clone());
        registry.register("send_queue", "Messages waiting for a send slot", metrics.send_queue.clone());
        registry.register("store_bytes", "Data store size on disk", metrics.store_bytes.clone());
        registry.register("rss_bytes", "Resident memory of the process", metrics.rss_bytes.clone());
        registry.register(
            "last_get_updates_age_seconds",
            "Seconds since getUpdates last succeeded (-1: never)",
            metrics.last_poll_age_seconds.clone(),
        );
        registry.register(
            "audit_dropped",
            "Audit events dropped because the queue was full",
            metrics.audit_dropped.clone(),
        );
        let build: Family<Labels, Gauge> = Family::default();
        build.get_or_create(&vec![(String::from("version"), String::from(env!("CARGO_PKG_VERSION")))]).set(1);
        registry.register("build_info", "The running build", build);
        Metrics { registry, ..metrics }
    }

    /// An update of `kind` arrived.
    pub(crate) fn update(&self, kind: &str) {
        self.updates.get_or_create(&labels("kind", kind)).inc();
    }

    /// `getUpdates` succeeded now.
    pub(crate) fn polled(&self) {
        self.last_poll_ms.store(SystemClock::default().unix_ms(), Ordering::Relaxed);
    }

    /// A message into a chat was sent (`true`) or given up (`false`).
    pub(crate) fn reply(&self, sent: bool) {
        self.replies.get_or_create(&labels("outcome", if sent { "sent" } else { "failed" })).inc();
    }

    /// Telegram answered 429.
    pub(crate) fn too_many_requests(&self) {
        self.too_many_requests.inc();
    }

    /// An update was handled in `took`.
    pub(crate) fn handled(&self, took: Duration) {
        self.handler_seconds.observe(took.as_secs_f64());
    }

    /// Counts what an audit event means for the metrics.
    pub(crate) fn audited(&self, record: &AuditRecord) {
        match Event::parse(&record.event) {
            Some(Event::TwoFactorFailure) => self.two_factor_failures.inc(),
            Some(Event::Payment) => self.payments.inc(),
            Some(Event::Refund) => self.refunds.inc(),
            _ => 0,
        };
    }

    /// Seconds since `getUpdates` last succeeded, if it ever did.
    pub(crate) fn poll_age(&self) -> Option<Duration> {
        let last = self.last_poll_ms.load(Ordering::Relaxed);
        (last > 0).then(|| Duration::from_millis(SystemClock::default().unix_ms().saturating_sub(last)))
    }

    /// Brings the read-when-scraped values up to date from `services` and the send queue's
    /// length.
    fn refresh(&self, services: &Services, queued: usize) {
        let stats = services.sentinel.stats();
        let mut seen = self.verdicts_seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for (verdict, now) in [
            ("allowed", stats.allowed),
            ("debounced", stats.debounced),
            ("limited", stats.limited),
            ("penalised", stats.penalised),
            ("blocked", stats.blocked),
            ("ignored", stats.ignored),
        ] {
            let before = seen.insert(verdict.to_owned(), now).unwrap_or(0);
            self.verdicts.get_or_create(&labels("verdict", verdict)).inc_by(now.saturating_sub(before));
        }
        drop(seen);
        let pipeline = &services.pipeline;
        let gauge = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        self.inbox.set(gauge(PipelineStats::get(&pipeline.inbox)));
        self.send_queue.set(gauge(u64::try_from(queued).unwrap_or(u64::MAX)));
        self.store_bytes.set(services.data.size_on_disk().map_or(-1, gauge));
        self.rss_bytes.set(rss_bytes().map_or(-1, gauge));
        self.last_poll_age_seconds.set(self.poll_age().map_or(-1, |d| gauge(d.as_secs())));
        self.audit_dropped.set(gauge(crate::audit_tap::dropped()));
    }

    /// The totals and the poll age as `name<TAB>value` lines, for `arcana status`.
    pub(crate) fn status_lines(&self) -> Vec<String> {
        let sum = |f: &Family<Labels, Counter>, label: &str, values: &[&str]| -> u64 {
            values.iter().map(|v| f.get_or_create(&labels(label, v)).get()).sum()
        };
        vec![
            format!("updates_total\t{}", sum(&self.updates, "kind", KNOWN_KINDS)),
            format!("replies_sent_total\t{}", self.replies.get_or_create(&labels("outcome", "sent")).get()),
            format!("replies_failed_total\t{}", self.replies.get_or_create(&labels("outcome", "failed")).get()),
            format!("telegram_429_total\t{}", self.too_many_requests.get()),
            format!("two_factor_failures_total\t{}", self.two_factor_failures.get()),
            format!("payments_total\t{}", self.payments.get()),
            format!("refunds_total\t{}", self.refunds.get()),
            format!(
                "last_get_updates_age_s\t{}",
                self.poll_age().map_or(-1, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            ),
            format!("rss_bytes\t{}", rss_bytes().unwrap_or_default()),
            format!("audit_dropped\t{}", crate::audit_tap::dropped()),
        ]
    }

    /// The text exposition, current as of now (`queued`: the send queue's length).
    pub(crate) fn render(&self, services: &Services, queued: usize) -> String {
        self.refresh(services, queued);
        let mut out = String::new();
        if encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }

    /// Saves the totals, so they go on from here after a restart (`queued`: the send queue's
    /// length, for the gauges brought up to date on the way).
    pub(crate) fn save(&self, services: &Services, queued: usize) -> Result<(), StoreError> {
        self.refresh(services, queued);
        let read = |f: &Family<Labels, Counter>, label: &str, values: &[&str]| -> BTreeMap<String, u64> {
            values
                .iter()
                .map(|v| ((*v).to_owned(), f.get_or_create(&labels(label, v)).get()))
                .filter(|(_, n)| *n > 0)
                .collect()
        };
        let totals = Totals {
            updates: read(&self.updates, "kind", KNOWN_KINDS),
            verdicts: read(&self.verdicts, "verdict", KNOWN_VERDICTS),
            replies_sent: self.replies.get_or_create(&labels("outcome", "sent")).get(),
            replies_failed: self.replies.get_or_create(&labels("outcome", "failed")).get(),
            too_many_requests: self.too_many_requests.get(),
            two_factor_failures: self.two_factor_failures.get(),
            payments: self.payments.get(),
            refunds: self.refunds.get(),
        };
        services.data.tree::<Totals>()?.insert(TOTALS_KEY, &totals)
    }
}

/// The update kinds counted (see `handlers::router::kind_name`).
const KNOWN_KINDS: &[&str] = &[
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "pre_checkout_query",
    "shipping_query",
    "my_chat_member",
    "chat_member",
    "unparsed",
    "other",
];

const KNOWN_VERDICTS: &[&str] = &["allowed", "debounced", "limited", "penalised", "blocked", "ignored"];

/// Resident memory: `VmRSS` from `/proc/self/status` (Linux).
fn rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}
