//! The alert logic, apart from sending: fed events and ticks, it says what to send. A kind fires
//! when its count within its window passes its threshold; after it fires, more of that kind
//! within `alerts.quiet_for` are only counted, and reported in one follow-up once the quiet
//! period is over — an attack produces a handful of messages, not thousands.

use std::{
    collections::{HashMap, VecDeque},
    time::{Duration, Instant},
};

use crate::config::Config;

use super::table::{Kind, TABLE};

/// When a kind fires: more than `threshold` within `window`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rule {
    window: Duration,
    threshold: u64,
}

/// Every kind's rule under `config`, from the table.
pub(crate) fn rules(config: &Config) -> HashMap<Kind, Rule> {
    TABLE
        .iter()
        .map(|spec| (spec.kind, Rule { window: spec.window, threshold: u64::from(spec.threshold(config)) }))
        .collect()
}

/// One kind's recent events and alert state.
#[derive(Debug, Default)]
struct State {
    /// (when, how many) within the window.
    recent: VecDeque<(Instant, u64)>,
    /// When the current episode began (Unix ms), once it fired.
    since_ms: Option<u64>,
    /// When the last alert went out.
    last_sent: Option<Instant>,
    /// Events counted while quiet, for the follow-up.
    suppressed: u64,
}

/// An alert to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Alert {
    pub(crate) kind: Kind,
    /// Events in the window (or, for a follow-up, since the last alert).
    pub(crate) count: u64,
    /// Since when (Unix ms).
    pub(crate) since_ms: u64,
    /// Whether this sums up events counted during a quiet period.
    pub(crate) follow_up: bool,
}

/// Counts events per kind and decides which alerts are due.
pub(crate) struct Aggregator {
    rules: HashMap<Kind, Rule>,
    quiet_for: Duration,
    states: HashMap<Kind, State>,
}

impl Aggregator {
    /// An aggregator with `rules`, quiet for `quiet_for` after each alert of a kind.
    pub(crate) fn new(rules: HashMap<Kind, Rule>, quiet_for: Duration) -> Aggregator {
        Aggregator { rules, quiet_for, states: HashMap::new() }
    }

    /// Counts `count` events of `kind` at `now` (Unix `now_ms`); returns an alert if one is due.
    pub(crate) fn record(&mut self, kind: Kind, count: u64, now: Instant, now_ms: u64) -> Option<Alert> {
        let rule = *self.rules.get(&kind)?;
        let quiet_for = self.quiet_for;
        let state = self.states.entry(kind).or_default();
        state.recent.push_back((now, count));
        while state.recent.front().is_some_and(|(at, _)| now.duration_since(*at) > rule.window) {
            state.recent.pop_front();
        }
        if state.last_sent.is_some_and(|at| now.duration_since(at) < quiet_for) {
            state.suppressed += count;
            return None;
        }
        let in_window: u64 = state.recent.iter().map(|(_, n)| n).sum();
        if in_window <= rule.threshold {
            return None;
        }
        let since_ms = *state.since_ms.get_or_insert(now_ms.saturating_sub(crate::clock::duration_ms(rule.window)));
        state.last_sent = Some(now);
        state.suppressed = 0;
        Some(Alert { kind, count: in_window, since_ms, follow_up: false })
    }

    /// At `now`: follow-ups for kinds whose quiet period ended with events counted meanwhile.
    pub(crate) fn tick(&mut self, now: Instant) -> Vec<Alert> {
        let quiet_for = self.quiet_for;
        let mut due = Vec::new();
        for (kind, state) in &mut self.states {
            let Some(sent) = state.last_sent else { continue };
            if now.duration_since(sent) < quiet_for {
                continue;
            }
            if state.suppressed > 0 {
                due.push(Alert {
                    kind: *kind,
                    count: state.suppressed,
                    since_ms: state.since_ms.unwrap_or_default(),
                    follow_up: true,
                });
                state.suppressed = 0;
                state.last_sent = Some(now);
            } else {
                // Quiet for a whole period: the episode is over.
                state.last_sent = None;
                state.since_ms = None;
            }
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aggregator() -> Aggregator {
        let rules = HashMap::from([
            (Kind::TwoFactor, Rule { window: Duration::from_mins(1), threshold: 5 }),
            (Kind::Refund, Rule { window: Duration::from_hours(1), threshold: 0 }),
        ]);
        Aggregator::new(rules, Duration::from_mins(10))
    }

    #[test]
    fn a_burst_fires_once_and_the_next_within_the_quiet_period_only_counts() {
        let mut a = aggregator();
        let t0 = Instant::now();
        let fired: Vec<Alert> =
            (0..20).filter_map(|i| a.record(Kind::TwoFactor, 1, t0 + Duration::from_millis(i), 1_000)).collect();
        assert_eq!(fired.len(), 1, "{fired:?}");
        assert_eq!(fired[0].count, 6, "fires when the threshold is passed");
        let later = t0 + Duration::from_mins(3);
        let second: Vec<Alert> =
            (0..20).filter_map(|i| a.record(Kind::TwoFactor, 1, later + Duration::from_millis(i), 2_000)).collect();
        assert!(second.is_empty(), "a second burst within the quiet period sends nothing");
        assert!(a.tick(t0 + Duration::from_mins(9)).is_empty());
        let follow = a.tick(t0 + Duration::from_mins(11));
        assert_eq!(follow.len(), 1);
        assert!(follow[0].follow_up && follow[0].count == 34, "{follow:?}");
        assert!(a.tick(t0 + Duration::from_mins(22)).is_empty(), "quiet: the episode ends");
        assert!(a.record(Kind::TwoFactor, 6, t0 + Duration::from_mins(23), 3_000).is_some(), "a new episode fires");
    }

    #[test]
    fn below_the_threshold_nothing_fires_and_zero_threshold_kinds_fire_at_once() {
        let mut a = aggregator();
        let t0 = Instant::now();
        for i in 0..5 {
            assert!(a.record(Kind::TwoFactor, 1, t0 + Duration::from_secs(i * 20), 0).is_none(), "{i}");
        }
        assert!(a.record(Kind::Refund, 1, t0, 0).is_some());
        assert!(a.record(Kind::Flood, 1_000, t0, 0).is_none(), "no rule, no alert");
    }
}
