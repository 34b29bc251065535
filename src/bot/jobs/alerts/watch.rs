//! Watching for what needs a person, and telling the admins in Telegram: each id in `admins`
//! gets a private message (and `alerts.chat`, if set) when an alert of the table ([`super::table`])
//! fires — counted from the audit events the writer hands over, and from the sentinel's refusals,
//! sampled every [`TICK`]. Each alert says what happened, since when, how many, and the command to
//! look closer; each is audited (`event="alert"`).

use std::{sync::Arc, time::Duration, time::Instant};

use teloxide::types::ChatId;
use tokio::sync::mpsc::Receiver;
use tokio_util::sync::CancellationToken;

use crate::{
    audit_tap::{AuditRecord, Event},
    bot::{app::App, send::send_html},
    clock::rfc3339,
};

use super::{
    aggregator::{Aggregator, Alert, rules},
    table::{Counts, Kind},
};

/// How often the sentinel's counters are sampled for floods, and quiet periods checked.
const TICK: Duration = Duration::from_secs(5);

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
        tracing::error!(target: "arcana::audit", event = Event::WatchdogAbortSeen.name(), what = %what,
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
                    if let Some(kind) = Event::parse(&record.event).and_then(Kind::of) {
                        due.extend(aggregator.record(kind, 1, Instant::now(), now_ms));
                    }
                }
            }
            _ = tick.tick() => {
                let total = denied(sentinel.stats());
                let new = total.saturating_sub(last_denied);
                last_denied = total;
                if new > 0 {
                    for kind in Kind::counting(Counts::Refused) {
                        due.extend(aggregator.record(kind, new, Instant::now(), now_ms));
                    }
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
    let spec = alert.kind.spec();
    let what = if alert.follow_up {
        format!("{} more of these since the last alert", alert.count)
    } else {
        spec.describe(alert.count, &app.config)
    };
    // Operator words (the alert table's descriptions, the commands to run) are English.
    let since = rfc3339(alert.since_ms);
    let text = crate::i18n::format(
        crate::locale::Locale::En,
        "alert",
        &[("kind", spec.name), ("what", &what), ("since", &since), ("command", spec.look_closer)],
    );
    tracing::warn!(target: "arcana::audit", event = Event::Alert.name(), kind = spec.name, count = alert.count,
        follow_up = alert.follow_up, "an alert was sent to the admins");
    let mut chats: Vec<i64> = app.config.admins.clone();
    chats.extend(app.config.alerts.chat);
    chats.sort_unstable();
    chats.dedup();
    for chat in chats {
        send_html(&app.sender, ChatId(chat), &text).await;
    }
}
