//! Executing admin requests, shared by the socket server, the offline CLI path and the admin
//! commands in Telegram: each request to the file of its operation (or done here when it is a
//! line or two). Every change is flushed before it is reported as done.

use std::path::Path;

use crate::{audit_tap::Event, backup};

use super::{Admin, OpsError, Request, Response, blocks, broadcast, deletion, incident, keys, users};

/// Runs `request` at `now_ms` (Unix ms), flushing what it changed. Blocking: run it off the
/// async runtime.
pub fn execute(admin: &Admin<'_>, request: &Request, now_ms: u64) -> Result<Response, OpsError> {
    match request {
        Request::Block { user, for_ms, reason, by } => {
            blocks::block(admin, *user, *for_ms, reason.as_deref(), *by, now_ms)
        }
        Request::Unblock { user } => blocks::unblock(admin, *user),
        Request::Blocked => Ok(blocks::blocked(admin, now_ms)),
        Request::Status => Ok(Response::error("the bot is not running")),
        Request::Refund { .. } => Ok(Response::error(
            "refunds need the running bot (Telegram makes the refund); start `arcana run` and try again",
        )),
        Request::KeysRotate => keys::rotate(admin, now_ms),
        Request::KeysStatus => keys::status(admin),
        Request::DeleteUser { user } => deletion::delete_user(admin, *user, None, now_ms),
        Request::Audit { since_ms, user, event, json, limit } => {
            let filter = crate::audit::Filter { since_ms: *since_ms, user: *user, event: event.clone(), limit: *limit };
            let entries = admin.audit.query(&filter)?;
            Ok(Response::ok(
                entries
                    .iter()
                    .map(|e| if *json { crate::audit::json(e).to_string() } else { crate::audit::line(e) })
                    .collect(),
            ))
        }
        Request::AuditVerify => Ok(match admin.audit.verify()? {
            crate::audit::Verdict::Intact { entries, range: (first, last) } => Response::ok(vec![format!(
                "audit trail intact: {entries} entries (#{first} to #{last}), chained from the anchor and reaching the head recorded in keys/"
            )]),
            crate::audit::Verdict::Broken { at_seq, problem } => {
                tracing::error!(target: "arcana::audit", event = Event::AuditBroken.name(), at_seq, problem = %problem,
                    "the audit trail failed verification");
                Response::error(format!("audit trail BROKEN at entry #{at_seq}: {problem}"))
            }
        }),
        Request::Accounting => {
            let mut lines = vec![String::from("paid_at\tcharge_id\tstars\tbought\trefunded_at")];
            for entry in crate::billing::accounting_records(admin.data)? {
                lines.push(format!(
                    "{}\t{}\t{}\t{}\t{}",
                    crate::clock::rfc3339(entry.at_ms),
                    crate::sanitize::single_line(&entry.charge_id, 256),
                    entry.stars,
                    entry.bought,
                    entry.refunded_ms.map_or_else(|| String::from("-"), crate::clock::rfc3339)
                ));
            }
            Ok(Response::ok(lines))
        }
        Request::ExportUser { user } => {
            let data = super::export::user_data(admin, *user, now_ms)?;
            tracing::warn!(target: "arcana::audit", event = Event::UserExported.name(), user = *user,
                "an operator exported a user's data");
            Ok(Response::ok(vec![data.to_string()]))
        }
        Request::SetTier { user, tier } => {
            admin.accounts.set_tier(*user, tier)?;
            admin.data.flush_blocking()?;
            Ok(Response::ok(vec![format!("user {user} is now on tier {tier}")]))
        }
        Request::Revoke { user } => {
            let ended = admin.accounts.end_sessions(*user, "revoked")?;
            admin.data.flush_blocking()?;
            Ok(Response::ok(vec![format!("ended {ended} sessions of user {user}")]))
        }
        Request::Lockdown { on, reason, by } => incident::lockdown(admin, *on, reason.as_deref(), *by, now_ms),
        Request::LockdownStatus => Ok(Response::ok(admin.lockdown.status_lines())),
        Request::WebRotateKey => super::web_keys::rotate_request(admin.data),
        Request::Unmute { user, by } => incident::unmute(admin, *user, *by, now_ms),
        Request::ResetLimits { user, by } => incident::reset_limits(admin, *user, *by),
        Request::Broadcast { text, dry_run: true, .. } => broadcast::dry_run(admin, text, now_ms),
        Request::Broadcast { text, dry_run: false, by } => broadcast::start(admin, text, *by, now_ms),
        Request::BroadcastStatus => broadcast::status(admin),
        Request::BroadcastCancel { by } => broadcast::cancel(admin, *by, now_ms),
        Request::UserShow { user, json } => users::show(admin, *user, *json, now_ms),
        Request::Users { filter, json } => users::list(admin, filter, *json, now_ms),
        Request::Backup { path } => {
            let summary = backup::take_to(admin.data, admin.vault, now_ms, Path::new(path))?;
            tracing::info!(target: "arcana::audit", event = Event::Backup.name(), entries = summary.entries,
                "backup written");
            Ok(Response::ok(vec![format!(
                "wrote {path}: {} records, {} bytes; it restores on its own with this data directory's master key (or passphrase)",
                summary.entries, summary.bytes
            )]))
        }
    }
}
