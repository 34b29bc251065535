//! Telling systemd how the bot is doing (`sd_notify(3)`): `READY=1` once polling, `WATCHDOG=1`
//! from the polling loop, `STOPPING=1` on shutdown, and `EXTEND_TIMEOUT_USEC` while the Bot API
//! cannot be reached at boot (a Pi may start before its network is up).
//!
//! Hand-written rather than the `sd-notify` crate: that crate reads and unsets `NOTIFY_SOCKET`
//! and `WATCHDOG_USEC` from inside the library (arcana reads the environment only at the edge,
//! in `cli`), and the protocol is one datagram of `KEY=VALUE` lines to a Unix socket, which
//! `std` sends without any `unsafe`. Without a socket (not under systemd) every call does
//! nothing. A failed send is reported once and then ignored: the supervisor's absence must never
//! stop the bot.

use std::{
    os::unix::net::{SocketAddr, UnixDatagram},
    path::PathBuf,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

/// Where to send notifications and how often systemd expects a watchdog ping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotifySettings {
    /// `NOTIFY_SOCKET`: a path, or `@name` for the abstract namespace.
    pub socket: Option<String>,
    /// `WATCHDOG_USEC`, when `WATCHDOG_PID` is unset or names this process.
    pub watchdog: Option<Duration>,
}

/// Sends `sd_notify` messages; cheap to clone, does nothing without a socket.
#[derive(Clone, Default)]
pub struct Notifier {
    inner: Option<Arc<Inner>>,
}

struct Inner {
    socket: UnixDatagram,
    address: SocketAddr,
    watchdog: Option<Duration>,
    last_ping: Mutex<Option<Instant>>,
    warned: AtomicBool,
}

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifier")
            .field("active", &self.inner.is_some())
            .field("watchdog", &self.inner.as_ref().and_then(|i| i.watchdog))
            .finish()
    }
}

/// Why the notification socket could not be used.
#[derive(Debug, thiserror::Error)]
#[error("NOTIFY_SOCKET {socket:?}: {reason}")]
pub struct NotifyError {
    socket: String,
    reason: String,
}

impl Notifier {
    /// A notifier that sends nothing (not under systemd, or in tests).
    #[must_use]
    pub fn disabled() -> Notifier {
        Notifier { inner: None }
    }

    /// A notifier for `settings`; disabled when there is no socket.
    pub fn new(settings: &NotifySettings) -> Result<Notifier, NotifyError> {
        let Some(socket_name) = settings.socket.as_deref() else {
            return Ok(Notifier::disabled());
        };
        let error = |reason: String| NotifyError { socket: socket_name.to_owned(), reason };
        let address = address(socket_name).map_err(|e| error(e.to_string()))?;
        let socket = UnixDatagram::unbound().map_err(|e| error(e.to_string()))?;
        let inner = Inner {
            socket,
            address,
            watchdog: settings.watchdog.filter(|d| !d.is_zero()),
            last_ping: Mutex::new(None),
            warned: AtomicBool::new(false),
        };
        Ok(Notifier { inner: Some(Arc::new(inner)) })
    }

    /// Whether systemd is listening.
    #[must_use]
    pub fn is_active(&self) -> bool {
        self.inner.is_some()
    }

    /// `READY=1`: start-up is over, the bot is polling.
    pub fn ready(&self) {
        self.send("READY=1\nSTATUS=polling for updates");
    }

    /// `STOPPING=1`: shutdown has begun.
    pub fn stopping(&self) {
        self.send("STOPPING=1\nSTATUS=stopping");
    }

    /// Asks for `extra` more start-up time and says why (while the Bot API cannot be reached).
    pub fn extend_start(&self, extra: Duration, status: &str) {
        let status: String = status.chars().filter(|c| !c.is_control()).collect();
        self.send(&format!("EXTEND_TIMEOUT_USEC={}\nSTATUS={status}", extra.as_micros()));
    }

    /// `WATCHDOG=1`, at most once per quarter of systemd's watchdog interval (the polling loop
    /// calls this on every round; a flood makes hundreds of rounds a second).
    pub fn watchdog(&self) {
        let Some(inner) = &self.inner else { return };
        let Some(interval) = inner.watchdog else { return };
        let now = Instant::now();
        {
            let mut last = inner.last_ping.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if last.is_some_and(|at| now.duration_since(at) < interval / 4) {
                return;
            }
            *last = Some(now);
        }
        self.send("WATCHDOG=1");
    }

    /// The watchdog interval systemd asked for, if any.
    #[must_use]
    pub fn watchdog_interval(&self) -> Option<Duration> {
        self.inner.as_ref().and_then(|i| i.watchdog)
    }

    fn send(&self, message: &str) {
        let Some(inner) = &self.inner else { return };
        if let Err(e) = inner.socket.send_to_addr(message.as_bytes(), &inner.address)
            && !inner.warned.swap(true, Ordering::Relaxed)
        {
            tracing::warn!(error = %e, "cannot notify the service manager (NOTIFY_SOCKET); going on without it");
        }
    }
}

/// The socket address of `NOTIFY_SOCKET`: `@name` is in the abstract namespace.
fn address(name: &str) -> std::io::Result<SocketAddr> {
    if let Some(abstract_name) = name.strip_prefix('@') {
        use std::os::linux::net::SocketAddrExt;
        SocketAddr::from_abstract_name(abstract_name.as_bytes())
    } else {
        SocketAddr::from_pathname(PathBuf::from(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listener() -> (tempfile::TempDir, UnixDatagram, String) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("notify.sock");
        let socket = UnixDatagram::bind(&path).expect("bind");
        socket.set_nonblocking(true).expect("nonblocking");
        (dir, socket, path.display().to_string())
    }

    fn received(socket: &UnixDatagram) -> Vec<String> {
        let mut out = Vec::new();
        let mut buf = [0u8; 512];
        while let Ok(n) = socket.recv(&mut buf) {
            out.push(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
        out
    }

    #[test]
    fn without_a_socket_nothing_is_sent_and_nothing_fails() {
        let notifier = Notifier::new(&NotifySettings::default()).expect("disabled");
        assert!(!notifier.is_active());
        notifier.ready();
        notifier.watchdog();
        notifier.stopping();
    }

    #[test]
    fn ready_watchdog_and_stopping_reach_the_socket() {
        let (_dir, socket, path) = listener();
        let notifier = Notifier::new(&NotifySettings { socket: Some(path), watchdog: Some(Duration::from_hours(1)) })
            .expect("notifier");
        notifier.ready();
        notifier.watchdog();
        // Throttled: a second ping within a quarter of the interval is not sent.
        notifier.watchdog();
        notifier.extend_start(Duration::from_secs(30), "waiting\nfor the API");
        notifier.stopping();
        assert_eq!(
            received(&socket),
            vec![
                "READY=1\nSTATUS=polling for updates".to_owned(),
                "WATCHDOG=1".to_owned(),
                "EXTEND_TIMEOUT_USEC=30000000\nSTATUS=waitingfor the API".to_owned(),
                "STOPPING=1\nSTATUS=stopping".to_owned(),
            ]
        );
    }

    #[test]
    fn no_watchdog_interval_means_no_pings() {
        let (_dir, socket, path) = listener();
        let notifier = Notifier::new(&NotifySettings { socket: Some(path), watchdog: None }).expect("notifier");
        notifier.watchdog();
        assert!(received(&socket).is_empty());
    }

    #[test]
    fn a_vanished_socket_is_not_an_error_for_the_caller() {
        let (dir, socket, path) = listener();
        let notifier = Notifier::new(&NotifySettings { socket: Some(path), watchdog: None }).expect("notifier");
        drop(socket);
        drop(dir);
        notifier.ready();
        notifier.stopping();
    }

    #[test]
    fn abstract_names_are_accepted() {
        assert!(address("@arcana-test").is_ok());
        assert!(address("/run/systemd/notify").is_ok());
    }
}
