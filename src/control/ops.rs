//! Executing admin requests, shared by the socket server, the offline CLI path and the admin
//! commands in Telegram. Every change is flushed before it is reported as done.

use std::{path::Path, sync::Arc, time::Duration};

use crate::{
    accounts::{Accounts, AccountsError, Profiles},
    backup::{self, BackupError},
    clock::rfc3339,
    sentinel::{BlockRecord, Blocklist},
    store::{Record, Store, StoreError},
    vault::{Vault, VaultError},
};

use super::{Request, Response};

/// What admin operations act on.
pub struct Admin<'a> {
    /// The blocklist.
    pub blocklist: &'a Blocklist,
    /// The vault.
    pub vault: &'a std::sync::Arc<Vault>,
    /// Sealed profiles.
    pub profiles: &'a Profiles,
    /// Accounts.
    pub accounts: &'a Accounts,
    /// The data store.
    pub data: &'a Store,
    /// Whether the bot is running (and re-wraps keys in the background).
    pub online: bool,
}

/// Why an admin operation failed.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The vault failed.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// A backup failed.
    #[error(transparent)]
    Backup(#[from] BackupError),
    /// An account operation failed.
    #[error(transparent)]
    Accounts(#[from] AccountsError),
}

/// A non-identifying record that a user was deleted: the day only, under a blind index.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Tombstone {
    /// Days since the Unix epoch.
    pub day: u64,
}

impl Record for Tombstone {
    const TREE: &'static str = "deleted_users";
    const VERSION: u8 = 1;
}

/// Runs `request` at `now_ms` (Unix ms), flushing what it changed. Blocking: run it off the
/// async runtime.
pub fn execute(admin: &Admin<'_>, request: &Request, now_ms: u64) -> Result<Response, OpsError> {
    let response = match request {
        Request::Block { user, for_ms, reason, by } => {
            let until = for_ms.map(|d| now_ms.saturating_add(d));
            let block = admin.blocklist.block(*user, until, reason.as_deref(), *by, now_ms)?;
            admin.accounts.end_sessions(*user, "blocked")?;
            admin.data.flush_blocking()?;
            tracing::warn!(target: "arcana::audit", event = "block", user, by = ?by, until_ms = ?until, "user blocked");
            Response::ok(vec![format!("blocked user {user}{}", block_terms(until, block.reason.as_deref()))])
        }
        Request::Unblock { user } => {
            if admin.blocklist.unblock(*user)? {
                admin.data.flush_blocking()?;
                tracing::warn!(target: "arcana::audit", event = "unblock", user, "user unblocked");
                Response::ok(vec![format!("unblocked user {user}")])
            } else {
                Response::ok(vec![format!("user {user} was not blocked")])
            }
        }
        Request::Blocked => {
            let lines: Vec<String> = admin
                .blocklist
                .list()
                .iter()
                .filter(|(_, r)| r.blocks_at(now_ms))
                .map(|(u, r)| describe(*u, r, now_ms))
                .collect();
            if lines.is_empty() { Response::ok(vec!["no blocked users".into()]) } else { Response::ok(lines) }
        }
        Request::Status => Response::error("the bot is not running"),
        Request::Refund { .. } => Response::error(
            "refunds need the running bot (Telegram makes the refund); start `arcana run` and try again",
        ),
        Request::KeysRotate => {
            let generation = admin.vault.rotate(now_ms)?;
            let mut lines = vec![format!("generation key {generation} is now active")];
            if admin.online {
                lines.push("older generations are re-wrapped in the background; see `arcana keys status`".into());
            } else {
                let moved = admin.vault.finish_rotation(500, now_ms)?;
                lines.push(format!("re-wrapped {moved} data keys; older generations retired"));
            }
            Response::ok(lines)
        }
        Request::KeysStatus => {
            let mut lines = vec![format!("master key rotations: {}", admin.vault.kek_epoch()?)];
            for g in admin.vault.status()? {
                lines.push(format!(
                    "generation {}\t{:?}\t{} data keys\tcreated {}",
                    g.id,
                    g.state,
                    g.data_keys,
                    rfc3339(g.created_ms)
                ));
            }
            Response::ok(lines)
        }
        Request::DeleteUser { user } => delete_user(admin, *user, now_ms)?,
        Request::SetTier { user, tier } => {
            admin.accounts.set_tier(*user, tier)?;
            admin.data.flush_blocking()?;
            Response::ok(vec![format!("user {user} is now on tier {tier}")])
        }
        Request::Revoke { user } => {
            let ended = admin.accounts.end_sessions(*user, "revoked")?;
            admin.data.flush_blocking()?;
            Response::ok(vec![format!("ended {ended} sessions of user {user}")])
        }
        Request::Backup { path } => {
            let summary = backup::take_to(admin.data, admin.vault, now_ms, Path::new(path))?;
            tracing::info!(target: "arcana::audit", event = "backup", entries = summary.entries, "backup written");
            Response::ok(vec![format!(
                "wrote {path}: {} records, {} bytes; it restores on its own with this data directory's master key (or passphrase)",
                summary.entries, summary.bytes
            )])
        }
    };
    Ok(response)
}

/// Crypto-shreds a user, crash-safe and race-free: the deletion is recorded first (from then on
/// nothing new is sealed for them, so no update in flight brings them back), their records and
/// state are removed and a tombstone (the day only, under a blind index) written, all flushed,
/// and only then is their data key destroyed. Killed at any step, the deletion is finished on
/// the next start ([`finish_interrupted_deletions`]).
fn delete_user(admin: &Admin<'_>, user: i64, now_ms: u64) -> Result<Response, OpsError> {
    admin.vault.begin_forget(user, now_ms)?;
    let (had_key, readings) = erase(admin, user, now_ms)?;
    tracing::warn!(target: "arcana::audit", event = "user_deleted", readings, "a user was deleted (crypto-shredded)");
    Ok(Response::ok(vec![if had_key {
        format!(
            "deleted user {user}: their data key is destroyed; their data is unreadable everywhere, in every backup taken from now on too"
        )
    } else {
        format!("user {user} had no stored data")
    }]))
}

/// Removes what `user` has stored and destroys their key; every step may run again. Returns
/// whether they had a key, and how many readings were removed.
fn erase(admin: &Admin<'_>, user: i64, now_ms: u64) -> Result<(bool, usize), OpsError> {
    // The profile first: its username index entry can only be found while the profile opens;
    // likewise the payments' owner index entries while the account opens.
    admin.profiles.remove(user)?;
    let account = admin.accounts.get(user)?;
    crate::billing::forget_charges(admin.data, admin.vault, &account.wallet)?;
    admin.accounts.remove(user)?;
    // Any retention works here: removal does not look at it.
    let readings =
        crate::readings::History::new(admin.data, Arc::clone(admin.vault), Duration::ZERO)?.remove_all(user)?;
    let tombstones = admin.data.tree::<Tombstone>()?;
    tombstones.insert(
        &admin.vault.blind_index("deleted-user", &user.to_be_bytes()),
        &Tombstone { day: now_ms / 86_400_000 },
    )?;
    admin.data.flush_blocking()?;
    let had_key = admin.vault.finish_forget(user)?;
    Ok((had_key, readings))
}

/// Finishes the deletions a kill or crash interrupted; returns how many. Run before the bot
/// handles anything.
pub fn finish_interrupted_deletions(admin: &Admin<'_>, now_ms: u64) -> Result<usize, OpsError> {
    let pending = admin.vault.forgetting();
    for &user in &pending {
        erase(admin, user, now_ms)?;
        tracing::warn!(target: "arcana::audit", event = "user_deleted", "an interrupted deletion was finished");
    }
    Ok(pending.len())
}

fn describe(user: i64, record: &BlockRecord, now_ms: u64) -> String {
    let mut parts = Vec::new();
    if let Some(block) = record.admin_block_at(now_ms) {
        parts.push(format!("blocked by an admin{}", block_terms(block.until_ms, block.reason.as_deref())));
    }
    if let Some(since) = record.blocked_bot_since_ms {
        parts.push(format!("blocked the bot since {}", rfc3339(since)));
    }
    format!("{user}\t{}", parts.join("; "))
}

/// " until <time> (reason: <reason>)" or " until unblocked".
fn block_terms(until_ms: Option<u64>, reason: Option<&str>) -> String {
    let until = until_ms.map_or_else(|| String::from("unblocked"), rfc3339);
    match reason {
        Some(reason) => format!(" until {until} (reason: {reason})"),
        None => format!(" until {until}"),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::{
        accounts::Profiles,
        clock::SystemClock,
        config::{AccountsConfig, default_tiers},
        vault::testing::{TempVault, temp_vault},
    };

    /// The services a deletion touches, opened on `t`'s stores with a freshly loaded vault, as
    /// a restarted process would.
    struct Restarted {
        vault: Arc<Vault>,
        blocklist: Blocklist,
        profiles: Profiles,
        accounts: Accounts,
    }

    impl Restarted {
        fn open(t: &TempVault) -> Restarted {
            let vault =
                Arc::new(Vault::load(&t.data, &t.vault.keys_store, &t.kek_input(), 0).expect("the vault reopens"));
            Restarted {
                blocklist: Blocklist::load(&t.data).expect("blocklist"),
                profiles: Profiles::new(&t.data, Arc::clone(&vault)).expect("profiles"),
                accounts: Accounts::new(
                    &t.data,
                    Arc::clone(&vault),
                    AccountsConfig::default(),
                    default_tiers(),
                    Arc::new(SystemClock::default()),
                )
                .expect("accounts"),
                vault,
            }
        }

        fn admin<'a>(&'a self, data: &'a Store) -> Admin<'a> {
            Admin {
                blocklist: &self.blocklist,
                vault: &self.vault,
                profiles: &self.profiles,
                accounts: &self.accounts,
                data,
                online: false,
            }
        }
    }

    /// A user with an account on the premium tier.
    fn with_user(t: &TempVault, user: i64) {
        let r = Restarted::open(t);
        r.accounts.set_tier(user, "premium").expect("tier");
        t.data.flush_blocking().expect("flush");
    }

    fn assert_fully_gone(t: &TempVault, user: i64) {
        let r = Restarted::open(t);
        assert!(r.vault.forgetting().is_empty(), "no deletion left unfinished");
        assert!(!r.vault.has_subject(user).expect("key"), "the key is destroyed");
        assert!(r.accounts.ids().expect("ids").is_empty(), "no account record is left");
        assert_eq!(r.accounts.get(user).expect("a fresh account").tier, "free");
        // And the user can come back afresh.
        r.accounts.set_tier(user, "premium").expect("a new account");
        assert_eq!(r.accounts.get(user).expect("opens").tier, "premium");
    }

    #[test]
    fn a_deletion_killed_after_it_was_recorded_is_finished_on_the_next_start() {
        let t = temp_vault();
        with_user(&t, 5);
        Restarted::open(&t).vault.begin_forget(5, 0).expect("begin");
        // Killed here. The next start finishes it before anything else.
        let r = Restarted::open(&t);
        assert_eq!(r.vault.forgetting(), [5]);
        assert_eq!(finish_interrupted_deletions(&r.admin(&t.data), 0).expect("finish"), 1);
        drop(r);
        assert_fully_gone(&t, 5);
    }

    #[test]
    fn a_deletion_killed_between_its_records_and_its_key_is_finished_on_the_next_start() {
        let t = temp_vault();
        with_user(&t, 6);
        let r = Restarted::open(&t);
        r.vault.begin_forget(6, 0).expect("begin");
        r.accounts.remove(6).expect("records removed");
        t.data.flush_blocking().expect("flush");
        // Killed after the key was removed but before the deletion record was.
        r.vault.data_keys.remove(&6i64.to_be_bytes()).expect("key gone");
        r.vault.flush_blocking().expect("flush");
        drop(r);
        let r = Restarted::open(&t);
        assert_eq!(finish_interrupted_deletions(&r.admin(&t.data), 0).expect("finish"), 1);
        drop(r);
        assert_fully_gone(&t, 6);
    }

    #[test]
    fn a_confirmed_deletion_is_complete_and_the_user_can_come_back_afresh() {
        let t = temp_vault();
        with_user(&t, 7);
        let r = Restarted::open(&t);
        let done = execute(&r.admin(&t.data), &Request::DeleteUser { user: 7 }, 0).expect("deleted");
        assert!(done.lines[0].contains("deleted user 7"), "{:?}", done.lines);
        drop(r);
        assert_fully_gone(&t, 7);
    }
}
