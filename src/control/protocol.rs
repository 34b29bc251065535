//! The control protocol: one JSON request line, one JSON response line.

use serde::{Deserialize, Serialize};

/// An admin operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Request {
    /// Block a user, optionally for a time and with a reason.
    Block {
        /// Telegram user id.
        user: i64,
        /// How long, in milliseconds; `None` for good.
        for_ms: Option<u64>,
        /// Why.
        reason: Option<String>,
        /// The admin who asked, when from Telegram.
        by: Option<i64>,
    },
    /// Lift an admin block.
    Unblock {
        /// Telegram user id.
        user: i64,
    },
    /// List blocked users.
    Blocked,
    /// The running bot's sentinel counters (only answered by a running bot).
    Status,
    /// Make a new active generation key.
    KeysRotate,
    /// Show generation keys and how many data keys each wraps.
    KeysStatus,
    /// Delete a user: destroy their data key and remove their records.
    DeleteUser {
        /// Telegram user id.
        user: i64,
    },
    /// Audit entries matching a filter, oldest first.
    Audit {
        /// At or after this time (Unix ms).
        since_ms: Option<u64>,
        /// About this user.
        user: Option<i64>,
        /// Of this event.
        event: Option<String>,
        /// One JSON object per line instead of text.
        json: bool,
        /// Only the newest this many (`None`: all).
        limit: Option<usize>,
    },
    /// Verify the audit chain.
    AuditVerify,
    /// The accounting record of every payment (no user ids), oldest first.
    Accounting,
    /// Everything stored about a user, as one line of JSON (audited).
    ExportUser {
        /// Telegram user id.
        user: i64,
    },
    /// Move a user to a tier.
    SetTier {
        /// Telegram user id.
        user: i64,
        /// Tier name.
        tier: String,
    },
    /// End all of a user's sessions.
    Revoke {
        /// Telegram user id.
        user: i64,
    },
    /// Refund a Telegram Stars payment and take back what it bought (only a running bot can:
    /// Telegram makes the refund).
    Refund {
        /// Telegram's charge id, from the user's receipt.
        charge_id: String,
        /// The payer, if the admin names one (checked against the payment).
        user: Option<String>,
    },
    /// Switch lockdown on or off (only admins and registered users are served while it is on).
    Lockdown {
        /// On or off.
        on: bool,
        /// Why (kept while it is on, shown in `status`).
        reason: Option<String>,
        /// The admin who asked, when from Telegram.
        by: Option<i64>,
    },
    /// The lockdown state.
    LockdownStatus,
    /// Rotate the web side's token signing key (every token issued before is refused).
    WebRotateKey,
    /// Lift a user's mute (penalty) at once.
    Unmute {
        /// Telegram user id.
        user: i64,
        /// The admin who asked, when from Telegram.
        by: Option<i64>,
    },
    /// Lift penalties and empty rate windows of a user, or of everyone (`None`).
    ResetLimits {
        /// Telegram user id; `None` for everyone.
        user: Option<i64>,
        /// The admin who asked, when from Telegram.
        by: Option<i64>,
    },
    /// Start a broadcast to every registered user (only a running bot sends), or with `dry_run`
    /// count who would get it.
    Broadcast {
        /// The message, plain text.
        text: String,
        /// Only count the recipients.
        dry_run: bool,
        /// The admin who asked, when from Telegram.
        by: Option<i64>,
    },
    /// The broadcast's progress.
    BroadcastStatus,
    /// Stop the running broadcast.
    BroadcastCancel {
        /// The admin who asked, when from Telegram.
        by: Option<i64>,
    },
    /// One user's standing (no secrets; audited).
    UserShow {
        /// Telegram user id.
        user: i64,
        /// One line of JSON instead of `name<TAB>value` lines.
        json: bool,
    },
    /// Every account matching a filter, one line each, with a count.
    Users {
        /// Which accounts.
        filter: UserFilter,
        /// One line of JSON instead of a table.
        json: bool,
    },
    /// Write an encrypted backup of the data store to an absolute path.
    Backup {
        /// Where (absolute; must not exist).
        path: String,
    },
}

/// The outcome: lines to show, or an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    /// Whether the operation succeeded.
    pub ok: bool,
    /// What to print, one entry per line.
    pub lines: Vec<String>,
}

impl Response {
    /// A success.
    #[must_use]
    pub fn ok(lines: Vec<String>) -> Response {
        Response { ok: true, lines }
    }

    /// A failure with one line of explanation.
    #[must_use]
    pub fn error(line: impl Into<String>) -> Response {
        Response { ok: false, lines: vec![line.into()] }
    }
}

/// Which accounts `arcana users` lists (all filters must hold).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserFilter {
    /// Only this (effective) tier.
    pub tier: Option<String>,
    /// Only users blocked by an admin or who blocked the bot.
    pub blocked: bool,
    /// Only users muted now.
    pub muted: bool,
    /// Only users with two-factor authentication on.
    pub two_factor: bool,
}
