//! Time, in one leaf module: a monotonic clock for in-memory windows (immune to wall-clock
//! jumps) and the wall clock for what is persisted (blocks, penalties, sessions, expiries), as
//! milliseconds; RFC 3339 for what people read. Tests use [`FakeClock`] and never sleep.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant, SystemTime},
};

/// A source of time in milliseconds.
pub trait Clock: Send + Sync + 'static {
    /// Monotonic milliseconds since an arbitrary origin.
    fn mono_ms(&self) -> u64;
    /// Milliseconds since the Unix epoch.
    fn unix_ms(&self) -> u64;
}

/// The real clocks.
#[derive(Debug, Clone, Copy)]
pub struct SystemClock {
    origin: Instant,
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock { origin: Instant::now() }
    }
}

impl Clock for SystemClock {
    fn mono_ms(&self) -> u64 {
        u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn unix_ms(&self) -> u64 {
        unix_ms(SystemTime::now())
    }
}

/// A clock that moves only when told to; both readings advance together.
#[derive(Debug, Clone)]
pub struct FakeClock {
    mono: Arc<AtomicU64>,
    unix_origin_ms: u64,
}

impl FakeClock {
    /// A fake clock at monotonic 0 and a fixed wall-clock time.
    #[must_use]
    pub fn new() -> FakeClock {
        FakeClock { mono: Arc::new(AtomicU64::new(0)), unix_origin_ms: 1_700_000_000_000 }
    }

    /// Moves time forward.
    pub fn advance(&self, by: Duration) {
        self.mono.fetch_add(u64::try_from(by.as_millis()).unwrap_or(u64::MAX), Ordering::SeqCst);
    }

    /// Sets the time since the start, in milliseconds (never backwards in real use).
    pub fn set_ms(&self, ms: u64) {
        self.mono.store(ms, Ordering::SeqCst);
    }
}

impl Default for FakeClock {
    fn default() -> Self {
        FakeClock::new()
    }
}

impl Clock for FakeClock {
    fn mono_ms(&self) -> u64 {
        self.mono.load(Ordering::SeqCst)
    }

    fn unix_ms(&self) -> u64 {
        self.unix_origin_ms + self.mono_ms()
    }
}

/// A clock read from a file holding Unix milliseconds (the end-to-end tests move it by
/// rewriting the file; only debug builds ever make one, see `cli::Env::test_clock`). A file that
/// cannot be read or parsed reads as the system time, with a warning.
#[derive(Debug, Clone)]
pub struct FileClock {
    path: std::path::PathBuf,
}

impl FileClock {
    /// The clock in file `path`.
    #[must_use]
    pub fn new(path: std::path::PathBuf) -> FileClock {
        FileClock { path }
    }
}

impl Clock for FileClock {
    fn mono_ms(&self) -> u64 {
        self.unix_ms()
    }

    fn unix_ms(&self) -> u64 {
        if let Ok(Ok(ms)) = std::fs::read_to_string(&self.path).map(|text| text.trim().parse::<u64>()) {
            return ms;
        }
        tracing::warn!(path = %self.path.display(), "the test clock is unreadable; using the system clock");
        unix_ms(SystemTime::now())
    }
}

/// Milliseconds of a duration, saturating.
#[must_use]
pub fn duration_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Milliseconds since the Unix epoch (0 for times before it).
#[must_use]
pub fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// A Unix-ms time as RFC 3339, to the second.
#[must_use]
pub fn rfc3339(unix_ms: u64) -> String {
    // humantime formats years up to 9999 only; later (forged) times are shown as the last second.
    let unix_ms = unix_ms.min(253_402_300_799_000);
    humantime::format_rfc3339_seconds(std::time::UNIX_EPOCH + Duration::from_millis(unix_ms)).to_string()
}
