//! The audit writer: a thread that moves audit events from the tap ([`crate::audit_tap`]) into
//! the trail in batches, makes them durable and records the chain's head every
//! [`CHECKPOINT_EVERY`], drops entries past `audit.retention` once an hour, and hands each batch
//! to the alerts. A thread of its own: appending is blocking store work, and it must go on
//! while the runtime is busy with a flood.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    thread::JoinHandle,
    time::{Duration, Instant},
};

use tokio::sync::mpsc::UnboundedSender;

use crate::{
    audit::AuditTrail,
    audit_tap::{self, AuditRecord},
    clock::{Clock, SystemClock, duration_ms},
};

/// How often appended entries are made durable and the head recorded in the key store: an
/// attacker rolling back `db/` can remove at most this much of the newest trail unnoticed.
pub(crate) const CHECKPOINT_EVERY: Duration = Duration::from_secs(5);
/// How often entries past retention are dropped.
const SWEEP_EVERY: Duration = Duration::from_hours(1);
/// Records appended in one batch at most.
const BATCH: usize = 1_000;

/// The running writer.
pub(crate) struct AuditWriter {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl AuditWriter {
    /// Starts the writer on `trail`, keeping entries for `retention`, copying each batch to
    /// `alerts`.
    pub(crate) fn spawn(
        trail: Arc<AuditTrail>,
        retention: Duration,
        alerts: UnboundedSender<Vec<AuditRecord>>,
    ) -> std::io::Result<AuditWriter> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name(String::from("arcana-audit"))
            .spawn(move || run(&trail, retention, &alerts, &flag))?;
        Ok(AuditWriter { stop, thread: Some(thread) })
    }

    /// Writes what is queued, makes it durable and stops. Blocking.
    pub(crate) fn stop(mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the audit writer panicked");
        }
    }
}

fn run(trail: &AuditTrail, retention: Duration, alerts: &UnboundedSender<Vec<AuditRecord>>, stop: &AtomicBool) {
    let mut last_checkpoint = Instant::now();
    let mut last_sweep: Option<Instant> = None;
    let mut dirty = false;
    loop {
        let stopping = stop.load(Ordering::Acquire);
        let records = audit_tap::take(BATCH, if stopping { Duration::ZERO } else { Duration::from_millis(500) });
        let drained = records.len() < BATCH;
        if !records.is_empty() {
            // The alerts may be gone at shutdown; the trail is what matters.
            let _ = alerts.send(records.clone());
            match trail.append(records) {
                Ok(_) => dirty = true,
                Err(e) => tracing::error!(error = %e, "cannot append to the audit trail"),
            }
        }
        if dirty && (stopping || last_checkpoint.elapsed() >= CHECKPOINT_EVERY) {
            match trail.checkpoint() {
                Ok(()) => dirty = false,
                Err(e) => tracing::error!(error = %e, "cannot checkpoint the audit trail"),
            }
            last_checkpoint = Instant::now();
        }
        if last_sweep.is_none_or(|at| at.elapsed() >= SWEEP_EVERY) {
            let cutoff = SystemClock::default().unix_ms().saturating_sub(duration_ms(retention));
            match trail.drop_before(cutoff) {
                Ok(0) => {}
                Ok(n) => tracing::info!(dropped = n, "audit entries past retention dropped"),
                Err(e) => tracing::error!(error = %e, "cannot drop old audit entries"),
            }
            last_sweep = Some(Instant::now());
        }
        if stopping && drained && !dirty {
            return;
        }
    }
}
