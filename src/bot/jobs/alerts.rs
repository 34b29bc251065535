//! Alerts to the admins in Telegram: each id in `admins` gets a private message (and
//! `alerts.chat`, if set) when something needs a person — wrong two-factor codes above
//! `accounts.two_factor.alert_per_minute`, a flood (limited or muted updates), a wave of new
//! users, many users blocking the bot (seed 000: coordinated block patterns), forged buttons, a
//! failed backup, a refund, or a store-watchdog abort of the previous run.
//!
//! Aggregated and rate-limited: a kind of alert fires when its count within its window passes
//! its threshold; after it fires, more of that kind within `alerts.quiet_for` are only counted,
//! and reported in one follow-up once the quiet period is over. An attack produces a handful of
//! messages, not thousands. Each says what happened, since when, how many, and the command to
//! look closer; each is audited (`event="alert"`).

use std::{
    collections::{HashMap, VecDeque},
    sync::Arc,
    time::{Duration, Instant},
};

use teloxide::types::ChatId;
use tokio::sync::mpsc::Receiver;
use tokio_util::sync::CancellationToken;

use crate::{audit_tap::AuditRecord, clock::rfc3339, config::Config};

use crate::bot::{app::App, send::send_html, texts};

/// How often the sentinel's counters are sampled for floods, and quiet periods checked.
const TICK: Duration = Duration::from_secs(5);

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    /// Wrong two-factor codes.
    TwoFactor,
    /// Limited or muted updates.
    Flood,
    /// New users (consents).
    NewUsers,
    /// Users blocking the bot.
    BotBlocked,
    /// Forged or tampered buttons.
    Forged,
    /// A failed scheduled backup.
    BackupFailed,
    /// A refund.
    Refund,
    /// The previous run was aborted by the store watchdog.
    WatchdogAbort,
}

impl Kind {
    /// The kind an audit event counts toward, if any.
    fn of(event: &str) -> Option<Kind> {
        Some(match event {
            "2fa_failure" => Kind::TwoFactor,
            "consent" => Kind::NewUsers,
            "user_blocked_bot" => Kind::BotBlocked,
            "forged_callback" => Kind::Forged,
            "backup_failed" => Kind::BackupFailed,
            "refund" => Kind::Refund,
            "watchdog_abort_seen" => Kind::WatchdogAbort,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Kind::TwoFactor => "2fa_failures",
            Kind::Flood => "flood",
            Kind::NewUsers => "new_users",
            Kind::BotBlocked => "bot_blocked",
            Kind::Forged => "forged_buttons",
            Kind::BackupFailed => "backup_failed",
            Kind::Refund => "refund",
            Kind::WatchdogAbort => "watchdog_abort",
        }
    }
}

/// When a kind fires: more than `threshold` within `window`.
#[derive(Debug, Clone, Copy)]
struct Rule {
    window: Duration,
    threshold: u64,
}

fn rules(config: &Config) -> HashMap<Kind, Rule> {
    let (minute, hour) = (Duration::from_mins(1), Duration::from_hours(1));
    let alerts = &config.alerts;
    let rule = |window, threshold: u32| Rule { window, threshold: u64::from(threshold) };
    HashMap::from([
        (Kind::TwoFactor, rule(minute, config.accounts.two_factor.alert_per_minute.get())),
        (Kind::Flood, rule(minute, alerts.flood_per_minute.get())),
        (Kind::NewUsers, rule(minute, alerts.new_users_per_minute.get())),
        (Kind::BotBlocked, rule(hour, alerts.bot_blocked_per_hour.get())),
        (Kind::Forged, rule(minute, alerts.forged_per_minute.get())),
        (Kind::BackupFailed, rule(hour, 0)),
        (Kind::Refund, rule(hour, 0)),
        (Kind::WatchdogAbort, rule(hour, 0)),
    ])
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

/// The alert logic, apart from sending: fed events and ticks, it says what to send.
pub(crate) struct Aggregator {
    rules: HashMap<Kind, Rule>,
    quiet_for: Duration,
    states: HashMap<Kind, State>,
}

impl Aggregator {
    fn new(rules: HashMap<Kind, Rule>, quiet_for: Duration) -> Aggregator {
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
        let since_ms = *state.since_ms.get_or_insert(now_ms.saturating_sub(duration_ms(rule.window)));
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

fn duration_ms(d: Duration) -> u64 {
    crate::clock::duration_ms(d)
}

/// Runs the alerts until `shutdown`: audit batches from the writer, the sentinel sampled for
/// floods every [`TICK`].
pub(crate) async fn run(
    app: Arc<App>,
    mut batches: Receiver<Vec<AuditRecord>>,
    watchdog_abort: Option<String>,
    shutdown: CancellationToken,
) {
    let mut aggregator = Aggregator::new(rules(&app.config), app.config.alerts.quiet_for);
    if let Some(what) = watchdog_abort {
        tracing::error!(target: "arcana::audit", event = "watchdog_abort_seen", what = %what,
            "the previous run was aborted by the store watchdog");
    }
    let mut tick = tokio::time::interval(TICK);
    let sentinel = &app.services.sentinel;
    let denied = |s: crate::sentinel::Stats| s.limited + s.penalised;
    let mut last_denied = denied(sentinel.stats());
    loop {
        let now_ms = app.services.accounts.now();
        let mut due = Vec::new();
        tokio::select! {
            () = shutdown.cancelled() => return,
            batch = batches.recv() => {
                let Some(batch) = batch else { return };
                for record in batch {
                    if let Some(metrics) = crate::bot::metrics::get() {
                        metrics.audited(&record);
                    }
                    if let Some(kind) = Kind::of(&record.event) {
                        due.extend(aggregator.record(kind, 1, Instant::now(), now_ms));
                    }
                }
            }
            _ = tick.tick() => {
                let total = denied(sentinel.stats());
                let new = total.saturating_sub(last_denied);
                last_denied = total;
                if new > 0 {
                    due.extend(aggregator.record(Kind::Flood, new, Instant::now(), now_ms));
                }
                due.extend(aggregator.tick(Instant::now()));
            }
        }
        for alert in due {
            send(&app, &alert).await;
        }
    }
}

/// Sends `alert` to every admin and the alerts chat, and audits it.
async fn send(app: &App, alert: &Alert) {
    let text =
        texts::alert(alert.kind.name(), &describe(app, alert), &rfc3339(alert.since_ms), look_closer(alert.kind));
    tracing::warn!(target: "arcana::audit", event = "alert", kind = alert.kind.name(), count = alert.count,
        follow_up = alert.follow_up, "an alert was sent to the admins");
    let mut chats: Vec<i64> = app.config.admins.clone();
    chats.extend(app.config.alerts.chat);
    chats.sort_unstable();
    chats.dedup();
    for chat in chats {
        send_html(&app.sender, ChatId(chat), &text).await;
    }
}

fn describe(app: &App, alert: &Alert) -> String {
    let rules = rules(&app.config);
    let threshold = rules.get(&alert.kind).map_or(0, |r| r.threshold);
    let n = alert.count;
    if alert.follow_up {
        return format!("{n} more of these since the last alert");
    }
    match alert.kind {
        Kind::TwoFactor => format!("{n} wrong two-factor codes in the last minute (threshold {threshold})"),
        Kind::Flood => format!("{n} updates limited or muted in the last minute (threshold {threshold})"),
        Kind::NewUsers => format!("{n} new users in the last minute (threshold {threshold})"),
        Kind::BotBlocked => format!("{n} users blocked the bot in the last hour (threshold {threshold})"),
        Kind::Forged => format!("{n} forged or tampered buttons in the last minute (threshold {threshold})"),
        Kind::BackupFailed => format!("{n} scheduled backup(s) failed in the last hour"),
        Kind::Refund => format!("{n} payment(s) refunded in the last hour"),
        Kind::WatchdogAbort => {
            String::from("the previous run was aborted by the store watchdog (a store operation hung)")
        }
    }
}

fn look_closer(kind: Kind) -> &'static str {
    match kind {
        Kind::TwoFactor => "arcana audit --event 2fa_failure --since 1h",
        Kind::Flood => "arcana status; arcana audit --event penalty --since 1h",
        Kind::NewUsers => "arcana audit --event consent --since 1h",
        Kind::BotBlocked => "arcana audit --event user_blocked_bot --since 1d",
        Kind::Forged => "arcana audit --event forged_callback --since 1h",
        Kind::BackupFailed => "arcana status; arcana audit --event backup_failed --since 1d",
        Kind::Refund => "arcana audit --event refund --since 1d",
        Kind::WatchdogAbort => "journalctl -u arcana; arcana doctor",
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
