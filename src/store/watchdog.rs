//! A watchdog for store operations: if one runs past its deadline, the process aborts so that a
//! supervisor (systemd, a container runtime) restarts it. A hung bot is worse than a restart.
//!
//! Each operation holds a [`WatchGuard`] while it runs; a background thread checks the oldest
//! running operation a few times per deadline.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, PoisonError, Weak,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

/// What to do when an operation hangs: receives the operation name and how long it has run.
pub type HangHandler = Arc<dyn Fn(&'static str, Duration) + Send + Sync>;

struct Inner {
    running: Mutex<HashMap<u64, (&'static str, Instant)>>,
    next_id: AtomicU64,
    deadline: Duration,
    on_hang: HangHandler,
}

/// Watches store operations for hangs.
#[derive(Clone)]
pub struct Watchdog {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Watchdog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watchdog").field("deadline", &self.inner.deadline).finish_non_exhaustive()
    }
}

impl Watchdog {
    /// A watchdog that aborts the process when an operation exceeds `deadline`, first writing
    /// `marker` (the operation and the time), so the next start can tell the admins.
    pub fn aborting(deadline: Duration, marker: std::path::PathBuf) -> std::io::Result<Watchdog> {
        Watchdog::new(deadline, Arc::new(move |operation, elapsed| abort_on_hang(&marker, operation, elapsed)))
    }

    /// A watchdog calling `on_hang` (once per hung operation) when one exceeds `deadline`.
    pub fn new(deadline: Duration, on_hang: HangHandler) -> std::io::Result<Watchdog> {
        let inner =
            Arc::new(Inner { running: Mutex::new(HashMap::new()), next_id: AtomicU64::new(0), deadline, on_hang });
        let weak = Arc::downgrade(&inner);
        let tick = (deadline / 4).clamp(Duration::from_millis(10), Duration::from_secs(1));
        std::thread::Builder::new().name("arcana-watchdog".into()).spawn(move || watch(&weak, tick))?;
        Ok(Watchdog { inner })
    }

    /// Marks the start of an operation; the returned guard marks its end when dropped.
    #[must_use]
    pub fn guard(&self, operation: &'static str) -> WatchGuard<'_> {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        self.inner.running.lock().unwrap_or_else(PoisonError::into_inner).insert(id, (operation, Instant::now()));
        WatchGuard { watchdog: self, id }
    }

    /// How many operations are running now.
    #[must_use]
    pub fn running(&self) -> usize {
        self.inner.running.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

/// An operation in progress; dropping it ends the watch.
pub struct WatchGuard<'a> {
    watchdog: &'a Watchdog,
    id: u64,
}

impl Drop for WatchGuard<'_> {
    fn drop(&mut self) {
        self.watchdog.inner.running.lock().unwrap_or_else(PoisonError::into_inner).remove(&self.id);
    }
}

fn watch(inner: &Weak<Inner>, tick: Duration) {
    loop {
        std::thread::sleep(tick);
        let Some(inner) = inner.upgrade() else { return };
        let hung: Vec<(&'static str, Duration)> = {
            let mut running = inner.running.lock().unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            let ids: Vec<u64> = running
                .iter()
                .filter(|(_, (_, started))| now.duration_since(*started) > inner.deadline)
                .map(|(id, _)| *id)
                .collect();
            ids.iter()
                .filter_map(|id| running.remove(id))
                .map(|(op, started)| (op, now.duration_since(started)))
                .collect()
        };
        for (op, elapsed) in hung {
            (inner.on_hang)(op, elapsed);
        }
    }
}

fn abort_on_hang(marker: &std::path::Path, operation: &'static str, elapsed: Duration) {
    let now = crate::clock::unix_ms(std::time::SystemTime::now());
    // Best effort: the disk may be what hangs.
    let _ = std::fs::write(marker, format!("{now} {operation}\n"));
    tracing::error!(
        operation,
        elapsed_ms = elapsed.as_millis(),
        "store operation hung; aborting so a supervisor restarts arcana"
    );
    eprintln!("arcana: store operation `{operation}` hung for {elapsed:?}; aborting");
    std::process::abort();
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn a_hung_operation_is_reported_and_a_quick_one_is_not() {
        let (tx, rx) = mpsc::channel();
        let tx = Mutex::new(tx);
        let handler: HangHandler = Arc::new(move |op, _| {
            let _ = tx.lock().expect("lock").send(op);
        });
        let dog = Watchdog::new(Duration::from_millis(50), handler).expect("spawn");
        drop(dog.guard("quick"));
        let _held = dog.guard("stuck");
        let reported = rx.recv_timeout(Duration::from_secs(10)).expect("hang reported");
        assert_eq!(reported, "stuck");
        assert!(rx.try_recv().is_err(), "reported once, and never the quick one");
    }

    #[test]
    fn guards_are_counted_while_running() {
        let dog = Watchdog::new(Duration::from_mins(1), Arc::new(|_, _| {})).expect("spawn");
        let a = dog.guard("a");
        let b = dog.guard("b");
        assert_eq!(dog.running(), 2);
        drop(a);
        drop(b);
        assert_eq!(dog.running(), 0);
    }
}
