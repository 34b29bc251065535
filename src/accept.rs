//! Backing off after a failed `accept`: an error there (out of file descriptors, mostly) repeats
//! at once if retried at once, and a server loop that spins on it starves the process. Shared by
//! the control socket and the metrics listener.

use std::time::Duration;

/// The wait before the next `accept`: 10 ms after a first error, doubling to 1 s; none after a
/// success.
#[derive(Debug, Default)]
pub struct AcceptBackoff {
    wait: Duration,
}

impl AcceptBackoff {
    /// An accept succeeded.
    pub fn reset(&mut self) {
        self.wait = Duration::ZERO;
    }

    /// An accept failed: logs it for `server` and sleeps the next wait.
    pub async fn after_error(&mut self, server: &str, error: &std::io::Error) {
        self.wait = (self.wait * 2).clamp(Duration::from_millis(10), Duration::from_secs(1));
        tracing::warn!(server, error = %error, wait_ms = self.wait.as_millis(), "accept failed; backing off");
        tokio::time::sleep(self.wait).await;
    }
}
