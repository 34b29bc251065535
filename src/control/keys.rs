//! Generation keys from the operator's side: rotating and listing them.

use crate::clock::rfc3339;

use super::{Admin, OpsError, Response};

/// Makes a new active generation key; offline, re-wraps everything at once.
pub(super) fn rotate(admin: &Admin<'_>, now_ms: u64) -> Result<Response, OpsError> {
    let generation = admin.vault.rotate(now_ms)?;
    let mut lines = vec![format!("generation key {generation} is now active")];
    if admin.online {
        lines.push("older generations are re-wrapped in the background; see `arcana keys status`".into());
    } else {
        let moved = admin.vault.finish_rotation(500, now_ms)?;
        lines.push(format!("re-wrapped {moved} data keys; older generations retired"));
    }
    Ok(Response::ok(lines))
}

/// The master key rotation count and every generation key with its state and data keys.
pub(super) fn status(admin: &Admin<'_>) -> Result<Response, OpsError> {
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
    Ok(Response::ok(lines))
}
