//! Retention: data must not outlive its purpose. A user who blocked the bot is deleted
//! `accounts.retention_after_block` later unless they came back; a user who has not used the
//! bot for `accounts.inactive_retention` is deleted too. Each deletion is the full one
//! (`deletion::delete_user`: records, index entries, penalties, secret messages, then the key)
//! and is audited with its reason.
//!
//! The sweep is incremental: each [`step`] checks every user who blocked the bot (the blocklist
//! is in memory) but only a batch of accounts after a cursor, so one step stays short however
//! many users there are, and a whole pass over 100,000 accounts takes hours, not one long stall.

use crate::{audit_tap::Event, clock::duration_ms, config::AccountsConfig};

use super::{Admin, OpsError, deletion};

/// Deletions one step makes at most (each flushes both stores; the step rewrites the key store
/// once).
const MAX_DELETIONS_PER_STEP: usize = 20;

/// Why retention deleted a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// They blocked the bot longer ago than `retention_after_block`.
    BlockedBot,
    /// They have not used the bot for `inactive_retention`.
    Inactive,
}

impl Reason {
    /// The name in the audit trail.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Reason::BlockedBot => "blocked_bot",
            Reason::Inactive => "inactive",
        }
    }
}

/// What one step did.
#[derive(Debug, Default)]
pub struct Step {
    /// Users deleted, and why.
    pub deleted: Vec<(i64, Reason)>,
    /// Where the next step continues (`None`: the next starts a new pass).
    pub cursor: Option<i64>,
}

/// One step of the sweep at `now_ms`: every user who blocked the bot long enough ago, then up to
/// `batch` accounts after `cursor`. The step's deletions share one rewrite of the key store.
pub fn step(
    admin: &Admin<'_>,
    config: &AccountsConfig,
    cursor: Option<i64>,
    batch: usize,
    now_ms: u64,
) -> Result<Step, OpsError> {
    let outcome = sweep(admin, config, cursor, batch, now_ms);
    if outcome.as_ref().map_or(true, |step| !step.deleted.is_empty()) {
        deletion::shred(admin);
    }
    outcome
}

fn sweep(
    admin: &Admin<'_>,
    config: &AccountsConfig,
    cursor: Option<i64>,
    batch: usize,
    now_ms: u64,
) -> Result<Step, OpsError> {
    let mut out = Step::default();
    let block_cutoff = now_ms.saturating_sub(duration_ms(config.retention_after_block));
    for (user, record) in admin.blocklist.list() {
        if out.deleted.len() >= MAX_DELETIONS_PER_STEP {
            // A wave of blocks 30 days ago is worked off over several steps, not one long stall.
            return Ok(Step { cursor, ..out });
        }
        if record.blocked_bot_since_ms.is_some_and(|since| since <= block_cutoff) {
            remove(admin, user, Reason::BlockedBot, now_ms)?;
            out.deleted.push((user, Reason::BlockedBot));
        }
    }
    let idle_cutoff = now_ms.saturating_sub(duration_ms(config.inactive_retention));
    let ids = admin.accounts.ids()?;
    let start = cursor.map_or(0, |after| ids.partition_point(|&id| id <= after));
    let slice = &ids[start..ids.len().min(start + batch)];
    for &user in slice {
        if out.deleted.len() >= MAX_DELETIONS_PER_STEP {
            // The next step starts at this user.
            out.cursor = Some(user.saturating_sub(1));
            return Ok(out);
        }
        let account = admin.accounts.get(user)?;
        match account.last_active() {
            Some(at) if at <= idle_cutoff => {
                remove(admin, user, Reason::Inactive, now_ms)?;
                out.deleted.push((user, Reason::Inactive));
            }
            Some(_) => {}
            // An account with no trace of use (only possible for records older than this
            // field): its clock starts now rather than never.
            None => {
                admin.accounts.update(user, |a| a.last_active_ms = Some(now_ms))?;
            }
        }
    }
    out.cursor = (start + batch < ids.len()).then(|| slice.last().copied()).flatten();
    Ok(out)
}

fn remove(admin: &Admin<'_>, user: i64, reason: Reason, now_ms: u64) -> Result<(), OpsError> {
    deletion::forget_user(admin, user, None, now_ms)?;
    tracing::warn!(target: "arcana::audit", event = Event::RetentionDelete.name(), user, reason = reason.name(),
        "a user's data reached its retention limit and was deleted");
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::{sync::Arc, time::Duration};

    use super::*;
    use crate::{
        clock::{Clock, FakeClock},
        control::testing::OfflineServices,
        vault::testing::temp_vault,
    };

    #[test]
    fn inactive_users_and_users_who_blocked_the_bot_are_deleted_in_steps() {
        let t = temp_vault();
        let clock = FakeClock::new();
        let config = AccountsConfig {
            retention_after_block: Duration::from_hours(24),
            inactive_retention: Duration::from_hours(24 * 10),
            ..AccountsConfig::default()
        };
        let services = OfflineServices::open(&t, config.clone(), Arc::new(clock.clone()));
        let (accounts, blocklist) = (&services.accounts, &services.blocklist);
        let admin = services.admin(&t);
        for user in 1..=5 {
            accounts.agree(user, 1).expect("agree");
            accounts.touch_session(user, &accounts.get(user).expect("account")).expect("touch");
        }
        blocklist.set_blocked_bot(2, true, clock.unix_ms()).expect("blocked the bot");
        clock.advance(Duration::from_hours(24 * 5));
        accounts.touch_session(3, &accounts.get(3).expect("account")).expect("3 is back");
        clock.advance(Duration::from_hours(24 * 6));
        // Two accounts a step: the pass takes three steps.
        let mut cursor = None;
        let mut deleted = Vec::new();
        for _ in 0..3 {
            let step = step(&admin, &config, cursor, 2, clock.unix_ms()).expect("step");
            deleted.extend(step.deleted);
            cursor = step.cursor;
        }
        assert_eq!(cursor, None, "the pass is over");
        deleted.sort_by_key(|(user, _)| *user);
        assert_eq!(
            deleted,
            [(1, Reason::Inactive), (2, Reason::BlockedBot), (4, Reason::Inactive), (5, Reason::Inactive)]
        );
        assert_eq!(accounts.ids().expect("ids"), [3], "only the user who came back is left");
        assert!(blocklist.get(2).is_none(), "the blocklist record went with them");
    }
}
