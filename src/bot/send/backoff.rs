//! Exponential backoff for retrying the Bot API: 250 ms doubling to a cap, reset on success.

use std::time::Duration;

/// Backoff state.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    next: Duration,
    initial: Duration,
    cap: Duration,
}

impl Backoff {
    /// Starts at `initial`, doubles up to `cap`.
    pub(crate) fn new(initial: Duration, cap: Duration) -> Self {
        Backoff { next: initial, initial, cap }
    }

    /// The delay to wait now; the following one doubles.
    pub(crate) fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = (self.next * 2).min(self.cap);
        delay
    }

    /// Back to the initial delay after a success.
    pub(crate) fn reset(&mut self) {
        self.next = self.initial;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_to_the_cap_and_resets() {
        let mut b = Backoff::new(Duration::from_millis(250), Duration::from_secs(1));
        let seen: Vec<_> = (0..4).map(|_| b.next_delay().as_millis()).collect();
        assert_eq!(seen, [250, 500, 1000, 1000]);
        b.reset();
        assert_eq!(b.next_delay(), Duration::from_millis(250));
    }
}
