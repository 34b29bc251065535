//! Deleting a user (crypto-shredding), crash-safe and race-free, and finishing deletions a kill
//! interrupted. The vault's side (the deletion record, the key) is in `vault::forget`.

use crate::{audit_tap::Event, store::Record};

use super::{Admin, OpsError, Response};

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

/// Crypto-shreds a user, crash-safe and race-free: the deletion is recorded first (from then on
/// nothing new is sealed for them, so no update in flight brings them back), their records and
/// state are removed and a tombstone (the day only, under a blind index) written, all flushed,
/// and only then is their data key destroyed — and the key store rewritten, so no byte of the
/// key stays on its disk (`shred`). Killed at any step, the deletion is finished on the next
/// start ([`finish_interrupted_deletions`]; a rewrite left undone, when the vault loads).
/// `handling` is the inbox entry of the update asking for the deletion (`/delete_me`), left for
/// its lane to remove when it is done; the user's other waiting updates go with their data.
pub fn delete_user(admin: &Admin<'_>, user: i64, handling: Option<i64>, now_ms: u64) -> Result<Response, OpsError> {
    let response = forget_user(admin, user, handling, now_ms)?;
    shred(admin);
    Ok(response)
}

/// [`delete_user`] without the key store's rewrite: for a batch of deletions, followed by one
/// [`shred`].
pub(super) fn forget_user(
    admin: &Admin<'_>,
    user: i64,
    handling: Option<i64>,
    now_ms: u64,
) -> Result<Response, OpsError> {
    admin.vault.begin_forget(user, now_ms)?;
    let Erased { had_key, readings, kept_ban } = erase(admin, user, handling, now_ms)?;
    tracing::warn!(target: "arcana::audit", event = Event::UserDeleted.name(), readings, kept_ban,
        "a user was deleted (crypto-shredded)");
    Ok(Response::ok(vec![if had_key {
        format!(
            "deleted user {user}: their data key is destroyed; their data is unreadable everywhere, in every backup taken from now on too"
        )
    } else {
        format!("user {user} had no stored data")
    }]))
}

/// Rewrites the key store so that destroyed data keys leave its files ([`crate::vault::Vault::shred`]).
/// A failure is logged, not returned: the deletion itself is done and durable, and the rewrite
/// is retried at the next deletion or start.
pub(super) fn shred(admin: &Admin<'_>) {
    if let Err(e) = admin.vault.shred() {
        tracing::error!(error = %e, "cannot rewrite the key store yet: a deleted user's wrapped key stays in its files until the next deletion or start");
    }
}

/// What erasing a user did.
struct Erased {
    /// Whether they had a data key.
    had_key: bool,
    /// Readings removed.
    readings: usize,
    /// Whether an admin block in force was kept as a pseudonymous ban.
    kept_ban: bool,
}

/// Removes what `user` has stored and destroys their key; every step may run again.
fn erase(admin: &Admin<'_>, user: i64, handling: Option<i64>, now_ms: u64) -> Result<Erased, OpsError> {
    // Index entries (usernames, charge owners) are found by the user id they hold, so none is
    // missed, whether the profile still opens or a write in flight added one.
    admin.profiles.remove(user)?;
    admin.profiles.remove_index_entries(user)?;
    crate::accounts::DailyPlans::new(admin.data, std::sync::Arc::clone(admin.vault))?.remove(user)?;
    crate::billing::forget_charges(admin.data, user)?;
    admin.accounts.remove(user)?;
    // Any retention works here: removal does not look at it.
    // Each removal takes its expiry-index entry (which holds the user id) along.
    let readings = admin.history.remove_all(user)?;
    // What the security layer kept: the block record goes (an admin block in force stays as a
    // pseudonymous ban), and any penalty.
    let kept_ban = admin.blocklist.forget(user, now_ms)?;
    crate::sentinel::forget_penalty(admin.data, user)?;
    if let Some(sentinel) = admin.sentinel {
        // The running sentinel's memory of a mute, which a later strike would write back.
        sentinel.unmute(user)?;
    }
    // Messages showing their secrets are deleted from the chat by the running bot (at its next
    // start if it is stopped); the schedule's entries go with them.
    admin.accounts.secret_messages().expedite(user, None, now_ms)?;
    // Their updates still waiting to be handled: sealed under the inbox's service key, which no
    // deletion destroys.
    let updates = match admin.inbox {
        Some(inbox) => inbox.forget_user(user, handling)?,
        None => {
            crate::inbox::Inbox::open(admin.data, std::sync::Arc::clone(admin.vault))?.forget_user(user, handling)?
        }
    };
    if updates > 0 {
        tracing::info!(updates, "a deleted user's waiting updates were removed from the inbox");
    }
    // The audit trail keeps what happened, without their id.
    admin.audit.forget_user(user)?;
    let tombstones = admin.data.tree::<Tombstone>()?;
    tombstones.insert(
        &admin.vault.blind_index("deleted-user", &user.to_be_bytes()),
        &Tombstone { day: now_ms / 86_400_000 },
    )?;
    admin.data.flush_blocking()?;
    let had_key = admin.vault.finish_forget(user)?;
    Ok(Erased { had_key, readings, kept_ban })
}

/// Finishes the deletions a kill or crash interrupted; returns how many. Run before the bot
/// handles anything.
pub fn finish_interrupted_deletions(admin: &Admin<'_>, now_ms: u64) -> Result<usize, OpsError> {
    let pending = admin.vault.forgetting();
    for &user in &pending {
        erase(admin, user, None, now_ms)?;
        tracing::warn!(target: "arcana::audit", event = Event::UserDeleted.name(),
            "an interrupted deletion was finished");
    }
    if !pending.is_empty() {
        shred(admin);
    }
    Ok(pending.len())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::{
        accounts::{Accounts, Profiles},
        clock::SystemClock,
        config::{AccountsConfig, default_tiers},
        control::{Request, execute},
        sentinel::Blocklist,
        store::Store,
        vault::Vault,
        vault::testing::{TempVault, temp_vault},
    };

    /// The services a deletion touches, opened on `t`'s stores with a freshly loaded vault, as
    /// a restarted process would.
    struct Restarted {
        vault: Arc<Vault>,
        blocklist: Blocklist,
        profiles: Profiles,
        accounts: Accounts,
        history: crate::readings::History,
        audit: crate::audit::AuditTrail,
        lockdown: crate::control::Lockdown,
    }

    impl Restarted {
        fn open(t: &TempVault) -> Restarted {
            let vault = Arc::new(Vault::load(&t.data, t.keys_store(), &t.kek_input(), 0).expect("the vault reopens"));
            Restarted {
                blocklist: Blocklist::load(&t.data, &vault.subkey(crate::sentinel::KEY_LABEL)).expect("blocklist"),
                profiles: Profiles::new(&t.data, Arc::clone(&vault)).expect("profiles"),
                accounts: Accounts::new(
                    &t.data,
                    Arc::clone(&vault),
                    AccountsConfig::default(),
                    default_tiers(),
                    Arc::new(SystemClock::default()),
                )
                .expect("accounts"),
                history: crate::readings::History::new(
                    &t.data,
                    Arc::clone(&vault),
                    std::time::Duration::from_hours(24),
                )
                .expect("history"),
                audit: crate::audit::AuditTrail::open(&t.data, &vault).expect("audit"),
                lockdown: crate::control::Lockdown::load(&t.data).expect("lockdown"),
                vault,
            }
        }

        fn admin<'a>(&'a self, data: &'a Store) -> Admin<'a> {
            Admin {
                blocklist: &self.blocklist,
                vault: &self.vault,
                profiles: &self.profiles,
                accounts: &self.accounts,
                history: &self.history,
                audit: &self.audit,
                data,
                online: false,
                sentinel: None,
                lockdown: &self.lockdown,
                inbox: None,
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
        r.vault.keys().expect("keys").data_keys.remove(&6i64.to_be_bytes()).expect("key gone");
        r.vault.flush_blocking().expect("flush");
        drop(r);
        let r = Restarted::open(&t);
        assert_eq!(finish_interrupted_deletions(&r.admin(&t.data), 0).expect("finish"), 1);
        drop(r);
        assert_fully_gone(&t, 6);
    }

    #[test]
    fn a_deletion_leaves_no_index_entry_naming_the_user() {
        let t = temp_vault();
        with_user(&t, 8);
        let r = Restarted::open(&t);
        let owners = t.data.tree::<crate::billing::ChargeOwner>().expect("owners");
        owners.insert(b"charge-of-8", &crate::billing::ChargeOwner { user: 8 }).expect("owner");
        owners.insert(b"charge-of-9", &crate::billing::ChargeOwner { user: 9 }).expect("owner");
        execute(&r.admin(&t.data), &Request::DeleteUser { user: 8 }, 0).expect("deleted");
        let left: Vec<i64> = owners.iter_at(std::time::SystemTime::now()).map(|e| e.expect("entry").1.user).collect();
        assert_eq!(left, [9], "only other users' entries remain");
    }

    #[test]
    fn a_deletion_removes_the_card_of_the_day() {
        let t = temp_vault();
        with_user(&t, 9);
        let r = Restarted::open(&t);
        let plans = crate::accounts::DailyPlans::new(&t.data, Arc::clone(&r.vault)).expect("plans");
        plans.set(9, crate::accounts::DailyZone::Fixed(60), 7, 0).expect("subscribed");
        plans.set(10, crate::accounts::DailyZone::Fixed(60), 7, 0).expect("subscribed");
        execute(&r.admin(&t.data), &Request::DeleteUser { user: 9 }, 0).expect("deleted");
        let left = t.data.raw_tree("daily").iter().keys().map(|k| k.expect("key").to_vec()).collect::<Vec<_>>();
        assert_eq!(left, [10i64.to_be_bytes().to_vec()], "only the other user's plan remains");
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
