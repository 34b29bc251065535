//! An exact sliding-window log: never more than `limit` accepted events in any window of length
//! `per`. Only accepted events are recorded, so hammering while limited does not extend the limit.
//!
//! Boundary: an event exactly `per` old has aged out. With 3 per 10 s and events at 0, 1, 2, an
//! event at 10.0 passes (the window then holds 1, 2 and 10).

use std::collections::VecDeque;

/// The accepted events of one bucket, oldest first.
#[derive(Debug, Default, Clone)]
pub(crate) struct Window {
    accepted: VecDeque<u64>,
    per_ms: u64,
    /// Denials are noticed to the user at most once until this time.
    notice_until_ms: u64,
}

/// The outcome of one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Accepted and recorded.
    Accepted,
    /// Denied: the next event is accepted in `retry_after_ms`; `notify` is true for the first
    /// denial of this limited period.
    Denied { retry_after_ms: u64, notify: bool },
}

impl Window {
    /// Decides an event at `now_ms` under "`limit` per `per_ms`".
    pub(crate) fn admit(&mut self, now_ms: u64, limit: u32, per_ms: u64) -> Admission {
        self.per_ms = per_ms;
        self.prune(now_ms);
        if self.accepted.len() < usize::try_from(limit).unwrap_or(usize::MAX) {
            self.accepted.push_back(now_ms);
            return Admission::Accepted;
        }
        let oldest = self.accepted.front().copied().unwrap_or(now_ms);
        let retry_after_ms = (oldest + per_ms).saturating_sub(now_ms).max(1);
        let notify = now_ms >= self.notice_until_ms;
        if notify {
            self.notice_until_ms = now_ms + retry_after_ms;
        }
        Admission::Denied { retry_after_ms, notify }
    }

    /// Forgets events that have aged out at `now_ms`.
    fn prune(&mut self, now_ms: u64) {
        while self.accepted.front().is_some_and(|&t| t + self.per_ms <= now_ms) {
            self.accepted.pop_front();
        }
    }

    /// Whether nothing in the window still counts at `now_ms` (the bucket can be forgotten).
    pub(crate) fn is_idle(&mut self, now_ms: u64) -> bool {
        self.prune(now_ms);
        self.accepted.is_empty() && now_ms >= self.notice_until_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = 1000;

    fn at(w: &mut Window, t_ms: u64) -> Admission {
        w.admit(t_ms, 3, 10 * S)
    }

    #[test]
    fn three_per_ten_seconds_boundaries() {
        let mut w = Window::default();
        assert_eq!(at(&mut w, 0), Admission::Accepted);
        assert_eq!(at(&mut w, S), Admission::Accepted);
        assert_eq!(at(&mut w, 2 * S), Admission::Accepted);
        assert_eq!(at(&mut w, 3 * S), Admission::Denied { retry_after_ms: 7 * S, notify: true });
        assert!(matches!(at(&mut w, 9_990), Admission::Denied { retry_after_ms: 10, notify: false }));
        // Exactly W after the first event: it has aged out (documented boundary).
        assert_eq!(at(&mut w, 10 * S), Admission::Accepted);
        // Window now holds 1, 2, 10: full until 11.
        assert!(matches!(at(&mut w, 10_500), Admission::Denied { retry_after_ms: 500, .. }));
        assert_eq!(at(&mut w, 11 * S), Admission::Accepted);
    }

    #[test]
    fn hammering_while_limited_does_not_extend_the_limit() {
        let mut w = Window::default();
        for t in [0, S, 2 * S] {
            assert_eq!(at(&mut w, t), Admission::Accepted);
        }
        for t in (3 * S..10 * S).step_by(100) {
            let Admission::Denied { retry_after_ms, .. } = at(&mut w, t) else { panic!("accepted at {t}") };
            assert_eq!(retry_after_ms, 10 * S - t, "retry_after is the real remaining time");
        }
        assert_eq!(at(&mut w, 10 * S), Admission::Accepted);
    }

    #[test]
    fn one_notice_per_limited_period() {
        let mut w = Window::default();
        for t in [0, 1, 2] {
            at(&mut w, t);
        }
        let notices = (3..5_000).filter(|&t| matches!(at(&mut w, t), Admission::Denied { notify: true, .. })).count();
        assert_eq!(notices, 1);
    }

    #[test]
    fn idle_after_the_window_passes() {
        let mut w = Window::default();
        at(&mut w, 0);
        assert!(!w.is_idle(9_999));
        assert!(w.is_idle(10 * S));
    }

    proptest::proptest! {
        #[test]
        fn never_more_than_limit_in_any_window(gaps in proptest::collection::vec(0u64..4_000, 1..200), limit in 1u32..6, per in 1u64..20) {
            let per_ms = per * 1000;
            let mut w = Window::default();
            let mut now = 0;
            let mut accepted = Vec::new();
            for g in gaps {
                now += g;
                if w.admit(now, limit, per_ms) == Admission::Accepted {
                    accepted.push(now);
                }
            }
            for (i, &t) in accepted.iter().enumerate() {
                let in_window = accepted[i..].iter().take_while(|&&u| u < t + per_ms).count();
                proptest::prop_assert!(in_window <= limit as usize);
            }
        }
    }
}
