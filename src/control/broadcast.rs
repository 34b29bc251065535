//! Broadcasts: one message from the operator to every registered user who has not blocked the
//! bot and is not blocked by an admin. The job is one record in the data store — the text, a
//! cursor over the sorted user ids, the user whose message is in flight, and counts — so the
//! running bot resumes it after a restart.
//!
//! **At most once.** Before each message the recipient is written as *in flight* and flushed;
//! after Telegram acknowledges it the cursor moves past them. After a kill the in-flight user is
//! skipped, never sent to again, and counted as *uncertain*: a kill between Telegram accepting
//! a message and the mark reaching the disk is the one window in which a user may miss it (a user
//! never gets it twice). Only the running bot sends; this module holds the job and its rules.

use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use crate::{
    accounts::Accounts,
    audit_tap::Event,
    clock::rfc3339,
    sentinel::Blocklist,
    store::{Record, Store, StoreError},
};

use super::{Admin, OpsError, Response};

/// The longest broadcast text, in characters (Telegram's limit for one message is 4096 after
/// HTML escaping; the text is sent as plain text, escaped).
pub const MAX_CHARS: usize = 3500;

const KEY: &[u8] = b"job";

/// Serialises changes of the job record between the control socket and the bot's sender.
static JOB_WRITE: Mutex<()> = Mutex::new(());

/// The persisted broadcast job.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BroadcastJob {
    /// When it was started (Unix ms); identifies it.
    pub started_ms: u64,
    /// The text, as the operator wrote it (sent escaped, as plain text).
    pub text: String,
    /// The admin who started it from Telegram, if so.
    pub by: Option<i64>,
    /// Recipients counted when it started.
    pub total: u64,
    /// The last user id dealt with (sent, skipped, failed or uncertain); ids only go up.
    pub cursor: Option<i64>,
    /// The user whose message is being sent (marked and flushed before the send).
    pub in_flight: Option<i64>,
    /// Messages Telegram acknowledged.
    pub sent: u64,
    /// Users passed over at their turn (no longer registered, blocked, or blocked the bot).
    pub skipped: u64,
    /// Messages Telegram refused (e.g. the user blocked the bot meanwhile).
    pub failed: u64,
    /// Messages in flight at a kill or crash: perhaps delivered, never sent again.
    pub uncertain: u64,
    /// When it ended (Unix ms), if it did.
    pub ended_ms: Option<u64>,
    /// Whether an operator cancelled it.
    pub cancelled: bool,
}

impl Record for BroadcastJob {
    const TREE: &'static str = "broadcast";
    const VERSION: u8 = 1;
}

impl BroadcastJob {
    /// Whether it still has users to send to.
    #[must_use]
    pub fn is_active(&self) -> bool {
        self.ended_ms.is_none()
    }

    /// Its progress as `name<TAB>value` lines.
    #[must_use]
    pub fn status_lines(&self) -> Vec<String> {
        let state = match (self.ended_ms, self.cancelled) {
            (None, _) => "running",
            (Some(_), true) => "cancelled",
            (Some(_), false) => "finished",
        };
        let mut lines = vec![
            format!("broadcast\t{state}"),
            format!("broadcast_started\t{}", rfc3339(self.started_ms)),
            format!("broadcast_sent\t{}", self.sent),
            format!("broadcast_total\t{}", self.total),
            format!("broadcast_skipped\t{}", self.skipped),
            format!("broadcast_failed\t{}", self.failed),
            format!("broadcast_uncertain\t{}", self.uncertain),
        ];
        if let Some(ended) = self.ended_ms {
            lines.push(format!("broadcast_ended\t{}", rfc3339(ended)));
        }
        lines
    }
}

/// The job in `store`, if one was ever started.
pub fn job(store: &Store) -> Result<Option<BroadcastJob>, StoreError> {
    store.tree::<BroadcastJob>()?.get(KEY)
}

/// Changes the job (if any) with `change`, written but not flushed; returns the job after it.
pub fn update_job(store: &Store, change: impl FnOnce(&mut BroadcastJob)) -> Result<Option<BroadcastJob>, StoreError> {
    let _write = JOB_WRITE.lock().unwrap_or_else(PoisonError::into_inner);
    let tree = store.tree::<BroadcastJob>()?;
    let Some(mut job) = tree.get(KEY)? else { return Ok(None) };
    change(&mut job);
    tree.insert(KEY, &job)?;
    Ok(Some(job))
}

/// Whether `user` should get a broadcast at `now_ms`: a member (registered and has used the bot,
/// see [`Accounts::is_member`]), not blocked by an admin and has not blocked the bot.
pub fn is_recipient(
    accounts: &Accounts,
    blocklist: &Blocklist,
    user: i64,
    now_ms: u64,
) -> Result<bool, crate::accounts::AccountsError> {
    if blocklist.is_blocked(user, now_ms) {
        return Ok(false);
    }
    Ok(accounts.is_member(&accounts.get(user)?))
}

/// Checks a broadcast text: not empty, at most [`MAX_CHARS`].
fn check_text(text: &str) -> Result<(), Response> {
    if text.trim().is_empty() {
        return Err(Response::error("the broadcast text is empty"));
    }
    if text.chars().count() > MAX_CHARS {
        return Err(Response::error(format!("the broadcast text is longer than {MAX_CHARS} characters")));
    }
    Ok(())
}

/// Counts the recipients at `now_ms`: (recipients, registered users passed over).
fn count(admin: &Admin<'_>, now_ms: u64) -> Result<(u64, u64), OpsError> {
    let (mut recipients, mut passed) = (0, 0);
    for user in admin.accounts.ids()? {
        let account = admin.accounts.get(user)?;
        if !admin.accounts.is_member(&account) {
            continue;
        }
        if admin.blocklist.is_blocked(user, now_ms) {
            passed += 1;
        } else {
            recipients += 1;
        }
    }
    Ok((recipients, passed))
}

/// `arcana broadcast --dry-run`: how many users a broadcast would reach now.
pub(super) fn dry_run(admin: &Admin<'_>, text: &str, now_ms: u64) -> Result<Response, OpsError> {
    if let Err(refusal) = check_text(text) {
        return Ok(refusal);
    }
    let (recipients, passed) = count(admin, now_ms)?;
    Ok(Response::ok(vec![format!(
        "would send to {recipients} registered users ({passed} more are blocked or blocked the bot); nothing was sent"
    )]))
}

/// Starts a broadcast (only a running bot can: Telegram sends), flushed.
pub(super) fn start(admin: &Admin<'_>, text: &str, by: Option<i64>, now_ms: u64) -> Result<Response, OpsError> {
    if !admin.online {
        return Ok(Response::error(
            "broadcasts need the running bot (Telegram sends them); start `arcana run` and try again (`--dry-run` works without it)",
        ));
    }
    if let Err(refusal) = check_text(text) {
        return Ok(refusal);
    }
    let (total, _) = count(admin, now_ms)?;
    {
        // Checked and written under the job lock: two starts at once cannot both begin.
        let _write = JOB_WRITE.lock().unwrap_or_else(PoisonError::into_inner);
        let tree = admin.data.tree::<BroadcastJob>()?;
        let previous = tree.get(KEY)?;
        if let Some(job) = previous.as_ref().filter(|j| j.is_active()) {
            return Ok(Response::error(format!(
                "a broadcast is already running ({} of {} sent); wait for it or `arcana broadcast --cancel`",
                job.sent, job.total
            )));
        }
        // The start time identifies the job: never the same as the last one's.
        let started_ms = previous.map_or(now_ms, |p| now_ms.max(p.started_ms + 1));
        tree.insert(KEY, &BroadcastJob { started_ms, text: text.to_owned(), by, total, ..BroadcastJob::default() })?;
    }
    admin.data.flush_blocking()?;
    tracing::warn!(target: "arcana::audit", event = Event::BroadcastStarted.name(),
        by = ?by, total, chars = text.chars().count(),
        "a broadcast was started");
    Ok(Response::ok(vec![format!(
        "broadcast started to {total} users; follow it with `arcana broadcast --status` (or `arcana status`)"
    )]))
}

/// `arcana broadcast --status`.
pub(super) fn status(admin: &Admin<'_>) -> Result<Response, OpsError> {
    Ok(Response::ok(job(admin.data)?.map_or_else(|| vec![String::from("broadcast\tnone")], |j| j.status_lines())))
}

/// `arcana broadcast --cancel`: no further messages go out, flushed.
pub(super) fn cancel(admin: &Admin<'_>, by: Option<i64>, now_ms: u64) -> Result<Response, OpsError> {
    let mut was_active = false;
    let job = update_job(admin.data, |job| {
        was_active = job.is_active();
        if was_active {
            job.ended_ms = Some(now_ms);
            job.cancelled = true;
        }
    })?;
    admin.data.flush_blocking()?;
    match job {
        Some(job) if was_active => {
            tracing::warn!(target: "arcana::audit", event = Event::BroadcastCancelled.name(), by = ?by, sent = job.sent,
                total = job.total, "a broadcast was cancelled");
            Ok(Response::ok(vec![format!("broadcast cancelled after {} of {} messages", job.sent, job.total)]))
        }
        _ => Ok(Response::ok(vec![String::from("no broadcast is running")])),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::{
        clock::{Clock, FakeClock},
        config::AccountsConfig,
        control::testing::OfflineServices,
        vault::testing::temp_vault,
    };

    #[test]
    fn one_broadcast_at_a_time_to_members_only_and_only_online() {
        let t = temp_vault();
        let clock = FakeClock::new();
        let services = OfflineServices::open(&t, AccountsConfig::default(), Arc::new(clock.clone()));
        let (accounts, blocklist) = (&services.accounts, &services.blocklist);
        let mut admin = services.admin(&t);
        for user in 1..=4 {
            accounts.agree(user, 1).expect("agree");
        }
        accounts.set_tier(9, "premium").expect("an account that never agreed");
        blocklist.set_blocked_bot(2, true, clock.unix_ms()).expect("blocked the bot");
        let now = clock.unix_ms();
        let dry = dry_run(&admin, "hi", now).expect("dry run");
        assert!(dry.lines[0].starts_with("would send to 3 registered users (1 more"), "{:?}", dry.lines);
        assert!(!start(&admin, "hi", None, now).expect("start").ok, "offline: refused");
        admin.online = true;
        assert!(start(&admin, "hi", None, now).expect("start").ok);
        assert_eq!(job(&t.data).expect("job").expect("a job").total, 3);
        assert!(!start(&admin, "again", None, now).expect("start").ok, "one at a time");
        assert!(cancel(&admin, None, now).expect("cancel").lines[0].contains("cancelled"));
        assert!(start(&admin, "again", None, now).expect("start").ok, "after a cancel");
        let second = job(&t.data).expect("job").expect("a job");
        assert!(second.started_ms > now, "a new job is told apart from the last, even in the same ms");
        assert_eq!(second.text, "again");
        assert!(is_recipient(accounts, blocklist, 1, now).expect("1"));
        assert!(!is_recipient(accounts, blocklist, 2, now).expect("2 blocked the bot"));
        assert!(!is_recipient(accounts, blocklist, 9, now).expect("9 never agreed"));
    }

    #[test]
    fn the_job_persists_and_reports_its_progress() {
        let tmp = crate::layout::private_tempdir();
        let store = Store::open_temporary(tmp.path()).expect("open");
        assert_eq!(job(&store).expect("read"), None);
        assert_eq!(update_job(&store, |j| j.sent += 1).expect("update"), None, "nothing to update");
        store
            .tree::<BroadcastJob>()
            .expect("tree")
            .insert(KEY, &BroadcastJob { total: 3, text: "hi".into(), ..BroadcastJob::default() })
            .expect("insert");
        let job = update_job(&store, |j| {
            j.sent = 2;
            j.cursor = Some(9);
        })
        .expect("update")
        .expect("a job");
        assert!(job.is_active());
        assert!(job.status_lines().contains(&String::from("broadcast_sent\t2")));
        assert!(job.status_lines().contains(&String::from("broadcast_total\t3")));
        assert_eq!(super::job(&store).expect("read").expect("job").cursor, Some(9));
        assert!(check_text("  ").is_err());
        assert!(check_text(&"x".repeat(MAX_CHARS + 1)).is_err());
        assert!(check_text("Hello").is_ok());
    }
}
