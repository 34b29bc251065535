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

use tokio::sync::mpsc::Sender;

use crate::{
    audit::AuditTrail,
    audit_tap::Event,
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

/// The running writer; stopped (queued events written, made durable) when stopped or dropped.
pub(crate) struct AuditWriter {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl AuditWriter {
    /// Starts the writer on `trail`, keeping entries for `retention`, copying each batch to
    /// `alerts` (dropped when the alerts fall behind: the trail is what must not lose them).
    pub(crate) fn spawn(
        trail: Arc<AuditTrail>,
        retention: Duration,
        alerts: Sender<Vec<AuditRecord>>,
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
        self.finish();
    }

    fn finish(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the audit writer panicked");
        }
    }
}

impl Drop for AuditWriter {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Checkpoint attempts when stopping before giving up (a full or failing disk).
const FINAL_ATTEMPTS: u32 = 3;

fn run(trail: &AuditTrail, retention: Duration, alerts: &Sender<Vec<AuditRecord>>, stop: &AtomicBool) {
    let mut last_checkpoint = Instant::now();
    let mut last_sweep: Option<Instant> = None;
    let mut dirty = false;
    let mut broken_reported = false;
    let mut final_attempts = 0;
    loop {
        let stopping = stop.load(Ordering::Acquire);
        let records = audit_tap::take(BATCH, if stopping { Duration::ZERO } else { Duration::from_millis(500) });
        let drained = records.len() < BATCH;
        if !records.is_empty() {
            let _ = alerts.try_send(records.clone());
            match trail.append(records) {
                Ok(_) => dirty = true,
                Err(e) => tracing::error!(error = %e, "cannot append to the audit trail"),
            }
        }
        if dirty && (stopping || last_checkpoint.elapsed() >= CHECKPOINT_EVERY) {
            match trail.checkpoint() {
                Ok(Ok(())) => dirty = false,
                Ok(Err(problem)) => {
                    // The head cannot move: someone cut the trail short or edited it. Say so once
                    // (in the trail too); appending goes on.
                    if !broken_reported {
                        tracing::error!(target: "arcana::audit", event = Event::AuditBroken.name(), problem = %problem,
                            "the audit trail was cut short or edited; its recorded head stays where it was");
                        broken_reported = true;
                    }
                    dirty = false;
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot checkpoint the audit trail");
                    if stopping {
                        final_attempts += 1;
                        if final_attempts >= FINAL_ATTEMPTS {
                            return;
                        }
                        std::thread::sleep(Duration::from_millis(200));
                    }
                }
            }
            last_checkpoint = Instant::now();
        }
        if !stopping && last_sweep.is_none_or(|at| at.elapsed() >= SWEEP_EVERY) {
            sweep(trail, retention);
            last_sweep = Some(Instant::now());
        }
        if stopping && drained && !dirty {
            return;
        }
    }
}

/// Drops entries past `retention`, batch after batch while full ones come back (bounded).
fn sweep(trail: &AuditTrail, retention: Duration) {
    let cutoff = SystemClock::default().unix_ms().saturating_sub(duration_ms(retention));
    for _ in 0..MAX_SWEEP_BATCHES {
        match trail.drop_before(cutoff) {
            Ok(Ok(n)) if n >= FULL_BATCH => tracing::info!(dropped = n, "audit entries past retention dropped"),
            Ok(Ok(0)) => return,
            Ok(Ok(n)) => return tracing::info!(dropped = n, "audit entries past retention dropped"),
            Ok(Err(problem)) => {
                return tracing::error!(target: "arcana::audit", event = Event::AuditBroken.name(), problem = %problem,
                    "retention stopped at an entry that does not verify");
            }
            Err(e) => return tracing::error!(error = %e, "cannot drop old audit entries"),
        }
    }
}

/// What a full retention batch drops.
const FULL_BATCH: usize = 10_000;
/// Retention batches in one sweep at most.
const MAX_SWEEP_BATCHES: usize = 100;
