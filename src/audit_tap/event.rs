//! The names of the audit events: one variant per event the code emits, so that what is emitted,
//! what the alerts count and what the metrics count cannot drift apart. An event is still emitted
//! as a `tracing` event whose `event` field carries the name as a string
//! (`event = Event::Block.name()`), so the log, the audit trail and `arcana audit --event NAME`
//! read as before.

/// An audit event, by what happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Event {
    /// A command was refused: for admins only, or not in the user's tier.
    AccessDenied,
    /// An alert was sent to the admins.
    Alert,
    /// The audit trail failed verification: cut short, edited, or an entry that does not verify.
    AuditBroken,
    /// A chat's backlog was full: updates dropped.
    BacklogDrop,
    /// A backup was written.
    Backup,
    /// A scheduled backup failed.
    BackupFailed,
    /// A user was blocked.
    Block,
    /// A broadcast was cancelled.
    BroadcastCancelled,
    /// A broadcast was finished.
    BroadcastFinished,
    /// A broadcast was started.
    BroadcastStarted,
    /// A broadcast message was in flight at a restart; it is not sent again.
    BroadcastUncertain,
    /// A checkout was refused.
    CheckoutRefused,
    /// arcana refused to start: the configuration is invalid.
    ConfigError,
    /// A user agreed to the privacy notice.
    Consent,
    /// A connection to the control socket from another user was refused.
    ControlPeerRefused,
    /// A user exported their data.
    Export,
    /// A button's signed data was forged or made for someone else.
    ForgedCallback,
    /// The inbox was full: an update of a chat holding at least its share was dropped.
    InboxFullDrop,
    /// A generation key was retired.
    KeyRetired,
    /// The generation keys were rotated.
    KeyRotation,
    /// An admin reset a user's (or everyone's) limits.
    LimitsReset,
    /// Lockdown was switched off.
    LockdownOff,
    /// Lockdown was switched on.
    LockdownOn,
    /// A payment was credited.
    Payment,
    /// A payment arrived a second time (credited once).
    PaymentDuplicate,
    /// A payment arrived for nothing arcana sold.
    PaymentUnrecognised,
    /// A user was muted for repeatedly hitting limits.
    Penalty,
    /// A private-chat-only command was refused in a group.
    PrivateOnly,
    /// A payment was refunded.
    Refund,
    /// An admin refunded a payment from Telegram.
    RefundByAdmin,
    /// The operator refunded a payment over the control socket.
    RefundByOperator,
    /// A backup was restored into the data directory.
    Restore,
    /// A user's data reached its retention limit and was deleted.
    RetentionDelete,
    /// All of a user's sessions were ended.
    SessionsEnded,
    /// A sensitive command was refused without a fresh two-factor code.
    StepUpRequired,
    /// A user's tier was changed.
    TierChange,
    /// A message showing a secret may be in a chat under an id arcana cannot know (its send was
    /// cut short); the user was told to delete it.
    SecretMessageLost,
    /// Many wrong two-factor codes across accounts within a minute.
    TwoFactorAlarm,
    /// Two-factor authentication was turned off.
    TwoFactorDisabled,
    /// Two-factor authentication was turned on.
    TwoFactorEnabled,
    /// A wrong two-factor code.
    TwoFactorFailure,
    /// Too many wrong two-factor codes: codes locked out for a while.
    TwoFactorLockout,
    /// A fresh two-factor code elevated a session, or confirmed one web action.
    TwoFactorStepUp,
    /// A user was unblocked.
    Unblock,
    /// A user was unmuted.
    Unmute,
    /// A user blocked the bot.
    UserBlockedBot,
    /// A user was deleted (or an interrupted deletion finished).
    UserDeleted,
    /// The operator exported a user's data.
    UserExported,
    /// A user who had blocked the bot unblocked it.
    UserReturned,
    /// The operator looked at one user.
    UserViewed,
    /// The operator listed users.
    UsersListed,
    /// The previous run was aborted by the store watchdog.
    WatchdogAbortSeen,
    /// Telegram-signed data (the Mini App's, the Login Widget's) was refused.
    WebAuthRefused,
    /// The web side's token signing key was rotated.
    WebKeyRotated,
    /// A web session was opened from Telegram-signed data.
    WebSession,
    /// A web session was ended by its user.
    WebSignOut,
}

impl Event {
    /// Every event.
    pub const ALL: &[Event] = &[
        Event::AccessDenied,
        Event::Alert,
        Event::AuditBroken,
        Event::BacklogDrop,
        Event::Backup,
        Event::BackupFailed,
        Event::Block,
        Event::BroadcastCancelled,
        Event::BroadcastFinished,
        Event::BroadcastStarted,
        Event::BroadcastUncertain,
        Event::CheckoutRefused,
        Event::ConfigError,
        Event::Consent,
        Event::ControlPeerRefused,
        Event::Export,
        Event::ForgedCallback,
        Event::InboxFullDrop,
        Event::KeyRetired,
        Event::KeyRotation,
        Event::LimitsReset,
        Event::LockdownOff,
        Event::LockdownOn,
        Event::Payment,
        Event::PaymentDuplicate,
        Event::PaymentUnrecognised,
        Event::Penalty,
        Event::PrivateOnly,
        Event::Refund,
        Event::RefundByAdmin,
        Event::RefundByOperator,
        Event::Restore,
        Event::RetentionDelete,
        Event::SecretMessageLost,
        Event::SessionsEnded,
        Event::StepUpRequired,
        Event::TierChange,
        Event::TwoFactorAlarm,
        Event::TwoFactorDisabled,
        Event::TwoFactorEnabled,
        Event::TwoFactorFailure,
        Event::TwoFactorLockout,
        Event::TwoFactorStepUp,
        Event::Unblock,
        Event::Unmute,
        Event::UserBlockedBot,
        Event::UserDeleted,
        Event::UserExported,
        Event::UserReturned,
        Event::UserViewed,
        Event::UsersListed,
        Event::WatchdogAbortSeen,
        Event::WebAuthRefused,
        Event::WebKeyRotated,
        Event::WebSession,
        Event::WebSignOut,
    ];

    /// The name the event is emitted, stored and queried under.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Event::AccessDenied => "access_denied",
            Event::Alert => "alert",
            Event::AuditBroken => "audit_broken",
            Event::BacklogDrop => "backlog_drop",
            Event::Backup => "backup",
            Event::BackupFailed => "backup_failed",
            Event::Block => "block",
            Event::BroadcastCancelled => "broadcast_cancelled",
            Event::BroadcastFinished => "broadcast_finished",
            Event::BroadcastStarted => "broadcast_started",
            Event::BroadcastUncertain => "broadcast_uncertain",
            Event::CheckoutRefused => "checkout_refused",
            Event::ConfigError => "config_error",
            Event::Consent => "consent",
            Event::ControlPeerRefused => "control_peer_refused",
            Event::Export => "export",
            Event::ForgedCallback => "forged_callback",
            Event::InboxFullDrop => "inbox_full_drop",
            Event::KeyRetired => "key_retired",
            Event::KeyRotation => "key_rotation",
            Event::LimitsReset => "limits_reset",
            Event::LockdownOff => "lockdown_off",
            Event::LockdownOn => "lockdown_on",
            Event::Payment => "payment",
            Event::PaymentDuplicate => "payment_duplicate",
            Event::PaymentUnrecognised => "payment_unrecognised",
            Event::Penalty => "penalty",
            Event::PrivateOnly => "private_only",
            Event::Refund => "refund",
            Event::RefundByAdmin => "refund_by_admin",
            Event::RefundByOperator => "refund_by_operator",
            Event::Restore => "restore",
            Event::RetentionDelete => "retention_delete",
            Event::SecretMessageLost => "secret_message_lost",
            Event::SessionsEnded => "sessions_ended",
            Event::StepUpRequired => "step_up_required",
            Event::TierChange => "tier_change",
            Event::TwoFactorAlarm => "2fa_failure_alert",
            Event::TwoFactorDisabled => "2fa_disabled",
            Event::TwoFactorEnabled => "2fa_enabled",
            Event::TwoFactorFailure => "2fa_failure",
            Event::TwoFactorLockout => "2fa_lockout",
            Event::TwoFactorStepUp => "2fa_step_up",
            Event::Unblock => "unblock",
            Event::Unmute => "unmute",
            Event::UserBlockedBot => "user_blocked_bot",
            Event::UserDeleted => "user_deleted",
            Event::UserExported => "user_exported",
            Event::UserReturned => "user_returned",
            Event::UserViewed => "user_viewed",
            Event::UsersListed => "users_listed",
            Event::WatchdogAbortSeen => "watchdog_abort_seen",
            Event::WebAuthRefused => "web_auth_refused",
            Event::WebKeyRotated => "web_key_rotated",
            Event::WebSession => "web_session",
            Event::WebSignOut => "web_sign_out",
        }
    }

    /// The event named `name`, if it is one.
    #[must_use]
    pub fn parse(name: &str) -> Option<Event> {
        Event::ALL.iter().copied().find(|event| event.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use std::{collections::BTreeSet, path::Path};

    use super::*;

    #[test]
    fn every_event_has_one_name_and_is_found_by_it() {
        let names: BTreeSet<&str> = Event::ALL.iter().map(|e| e.name()).collect();
        assert_eq!(names.len(), Event::ALL.len(), "two events share a name");
        for &event in Event::ALL {
            assert_eq!(Event::parse(event.name()), Some(event));
        }
        assert_eq!(Event::parse("no_such_event"), None);
    }

    /// Where an event is still emitted by a string (`event = "name"`: the web side, until it
    /// takes the enum), the name must be one of the enum's.
    #[test]
    fn events_emitted_by_name_are_known() {
        fn visit(dir: &Path, unknown: &mut Vec<String>, seen: &mut usize) {
            for entry in std::fs::read_dir(dir).expect("read src") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    visit(&path, unknown, seen);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "rs") || path.ends_with("layers.rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("read");
                let code = text.split("#[cfg(test)]").next().unwrap_or_default();
                for (at, _) in code.match_indices("event = \"") {
                    let name: String = code[at + 9..].chars().take_while(|&c| c != '"').collect();
                    *seen += 1;
                    if Event::parse(&name).is_none() {
                        unknown.push(format!("{}: `{name}`", path.display()));
                    }
                }
            }
        }
        let (mut unknown, mut seen) = (Vec::new(), 0);
        visit(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut unknown, &mut seen);
        assert!(unknown.is_empty(), "audit events not in audit_tap::Event:\n{}", unknown.join("\n"));
        assert!(seen < 10, "{seen} events still emitted by a string: emit them as Event::X.name()");
    }
}
