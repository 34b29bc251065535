//! The alert table: every kind of alert the admins get, one row each — its name, what it counts
//! (an audit event, or the sentinel's refusals), the window it counts in, the configuration key
//! of its threshold, what it says, and the command to look closer. The aggregator's rules, the
//! watcher's counting and the alert's text all read this table: adding an alert is one row here
//! (and, if it counts a new event, one variant of [`Event`]).

use std::time::Duration;

use crate::{audit_tap::Event, config::Config};

/// A kind of alert.
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

/// What an alert counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counts {
    /// Each audit event of this name.
    Event(Event),
    /// Updates the sentinel limited or muted (sampled from its counters).
    Refused,
}

/// When an alert fires: when its count within the window passes the threshold.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Threshold {
    /// More than the configured value of `key` (read by `read`); the alert names it.
    Key {
        /// The configuration key, as in `arcana.toml` (a test holds it to what `read` reads).
        #[cfg_attr(not(test), expect(dead_code, reason = "the row names its key; only the tests read it"))]
        key: &'static str,
        /// Reads it from the configuration.
        read: fn(&Config) -> u32,
    },
    /// At the first one.
    Any,
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spec {
    /// The kind.
    pub kind: Kind,
    /// Its name, in the alert and its audit event.
    pub name: &'static str,
    /// What it counts.
    pub counts: Counts,
    /// The window it counts in.
    pub window: Duration,
    /// When it fires.
    pub threshold: Threshold,
    /// What happened, with `{n}` for the count (plain text, inserted into the alert's HTML).
    pub text: &'static str,
    /// The command that looks closer.
    pub look_closer: &'static str,
}

const MINUTE: Duration = Duration::from_mins(1);
const HOUR: Duration = Duration::from_hours(1);

/// Every alert.
pub(crate) const TABLE: [Spec; 8] = [
    Spec {
        kind: Kind::TwoFactor,
        name: "2fa_failures",
        counts: Counts::Event(Event::TwoFactorFailure),
        window: MINUTE,
        threshold: Threshold::Key {
            key: "accounts.two_factor.alert_per_minute",
            read: |c| c.accounts.two_factor.alert_per_minute.get(),
        },
        text: "{n} wrong two-factor codes in the last minute",
        look_closer: "arcana audit --event 2fa_failure --since 1h",
    },
    Spec {
        kind: Kind::Flood,
        name: "flood",
        counts: Counts::Refused,
        window: MINUTE,
        threshold: Threshold::Key { key: "alerts.flood_per_minute", read: |c| c.alerts.flood_per_minute.get() },
        text: "{n} updates limited or muted in the last minute",
        look_closer: "arcana status; arcana audit --event penalty --since 1h",
    },
    Spec {
        kind: Kind::NewUsers,
        name: "new_users",
        counts: Counts::Event(Event::Consent),
        window: MINUTE,
        threshold: Threshold::Key { key: "alerts.new_users_per_minute", read: |c| c.alerts.new_users_per_minute.get() },
        text: "{n} new users in the last minute",
        look_closer: "arcana audit --event consent --since 1h",
    },
    Spec {
        kind: Kind::BotBlocked,
        name: "bot_blocked",
        counts: Counts::Event(Event::UserBlockedBot),
        window: HOUR,
        threshold: Threshold::Key { key: "alerts.bot_blocked_per_hour", read: |c| c.alerts.bot_blocked_per_hour.get() },
        text: "{n} users blocked the bot in the last hour",
        look_closer: "arcana audit --event user_blocked_bot --since 1d",
    },
    Spec {
        kind: Kind::Forged,
        name: "forged_buttons",
        counts: Counts::Event(Event::ForgedCallback),
        window: MINUTE,
        threshold: Threshold::Key { key: "alerts.forged_per_minute", read: |c| c.alerts.forged_per_minute.get() },
        text: "{n} forged or tampered buttons in the last minute",
        look_closer: "arcana audit --event forged_callback --since 1h",
    },
    Spec {
        kind: Kind::BackupFailed,
        name: "backup_failed",
        counts: Counts::Event(Event::BackupFailed),
        window: HOUR,
        threshold: Threshold::Any,
        text: "{n} scheduled backup(s) failed in the last hour",
        look_closer: "arcana status; arcana audit --event backup_failed --since 1d",
    },
    Spec {
        kind: Kind::Refund,
        name: "refund",
        counts: Counts::Event(Event::Refund),
        window: HOUR,
        threshold: Threshold::Any,
        text: "{n} payment(s) refunded in the last hour",
        look_closer: "arcana audit --event refund --since 1d",
    },
    Spec {
        kind: Kind::WatchdogAbort,
        name: "watchdog_abort",
        counts: Counts::Event(Event::WatchdogAbortSeen),
        window: HOUR,
        threshold: Threshold::Any,
        text: "the previous run was aborted by the store watchdog (a store operation hung)",
        look_closer: "journalctl -u arcana; arcana doctor",
    },
];

impl Kind {
    /// Its row.
    pub(crate) fn spec(self) -> &'static Spec {
        // Every kind has a row (a test checks it); the first row is never reached.
        TABLE.iter().find(|spec| spec.kind == self).unwrap_or(&TABLE[0])
    }

    /// The kinds that count `counts`.
    pub(crate) fn counting(counts: Counts) -> impl Iterator<Item = Kind> {
        TABLE.iter().filter(move |spec| spec.counts == counts).map(|spec| spec.kind)
    }

    /// The kind an audit event counts toward, if any.
    pub(crate) fn of(event: Event) -> Option<Kind> {
        Kind::counting(Counts::Event(event)).next()
    }
}

impl Spec {
    /// Its threshold under `config` (0 for one that fires at once).
    pub(crate) fn threshold(&self, config: &Config) -> u32 {
        match self.threshold {
            Threshold::Key { read, .. } => read(config),
            Threshold::Any => 0,
        }
    }

    /// What happened: `count` of them, and the threshold they passed when it is configured.
    pub(crate) fn describe(&self, count: u64, config: &Config) -> String {
        let what = self.text.replace("{n}", &count.to_string());
        match self.threshold {
            Threshold::Key { .. } => format!("{what} (threshold {})", self.threshold(config)),
            Threshold::Any => what,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::{collections::HashSet, path::Path};

    use super::*;

    #[test]
    fn every_kind_has_one_row_and_every_event_one_kind() {
        let kinds: HashSet<Kind> = TABLE.iter().map(|spec| spec.kind).collect();
        assert_eq!(kinds.len(), TABLE.len());
        for spec in &TABLE {
            assert_eq!(spec.kind.spec().name, spec.name);
            if let Counts::Event(event) = spec.counts {
                assert_eq!(Kind::of(event), Some(spec.kind), "{}", spec.name);
            }
        }
        let names: HashSet<&str> = TABLE.iter().map(|spec| spec.name).collect();
        assert_eq!(names.len(), TABLE.len());
    }

    #[test]
    fn every_threshold_key_is_the_configuration_key_it_reads() {
        for spec in &TABLE {
            let Threshold::Key { key, read } = spec.threshold else { continue };
            let (table, field) = key.rsplit_once('.').expect("a table and a key");
            let text = format!("[{table}]\n{field} = 77\n");
            let config = Config::from_toml_str(&text, Path::new("arcana.toml")).expect(key);
            assert_eq!(read(&config), 77, "{key}");
        }
    }

    #[test]
    fn the_commands_to_look_closer_name_known_events() {
        for spec in &TABLE {
            let mut words = spec.look_closer.split_whitespace();
            while let Some(word) = words.next() {
                if word == "--event" {
                    let name = words.next().expect("a name");
                    assert!(Event::parse(name).is_some(), "{}: `{name}`", spec.name);
                }
            }
        }
    }

    #[test]
    fn texts_name_the_count_and_the_configured_threshold() {
        let config = Config::default();
        let two_factor = Kind::TwoFactor.spec();
        assert_eq!(
            two_factor.describe(7, &config),
            format!(
                "7 wrong two-factor codes in the last minute (threshold {})",
                config.accounts.two_factor.alert_per_minute
            )
        );
        assert_eq!(Kind::Refund.spec().describe(2, &config), "2 payment(s) refunded in the last hour");
        assert!(!Kind::WatchdogAbort.spec().describe(1, &config).contains('1'));
    }
}
