//! The admin tools (`block`, `unblock`, `blocked`, `status`, `keys rotate`, `keys status`,
//! `user delete`, `backup`): through the running bot's control socket if there is one, else
//! directly on the stores (sled allows one process per store).

use crate::{
    Error,
    audit::AuditTrail,
    audit_tap,
    clock::{Clock, SystemClock},
    control::{self, Admin, ControlError, Domain, Request, Response},
    layout::DataDir,
    sentinel::Blocklist,
};

use super::{
    Env,
    settings::{Opened, load_config, open_all},
};

/// Runs an admin request and prints its outcome.
pub fn run(dir: &DataDir, env: &Env, request: &Request) -> Result<(), Error> {
    for line in &ask(dir, env, request)? {
        println!("{line}");
    }
    Ok(())
}

/// Runs an admin request; returns its lines, or its failure as an error.
pub fn ask(dir: &DataDir, env: &Env, request: &Request) -> Result<Vec<String>, Error> {
    // Audit events of an offline command reach the trail; nothing is printed for them.
    crate::logging::init_audit_only();
    let response = match control::send(&dir.root().join(control::SOCKET_NAME), request) {
        Ok(response) => response,
        Err(ControlError::NotRunning(_)) => offline(dir, env, request)?,
        Err(e) => return Err(Error::Control(e.to_string())),
    };
    if !response.ok {
        return Err(Error::Control(response.lines.join("; ")));
    }
    Ok(response.lines)
}

/// `arcana user export USER FILE`: writes everything stored about `user` to a new file, mode
/// 0600 (it is personal data; an existing file is never overwritten).
pub fn export_user(dir: &DataDir, env: &Env, user: i64, file: &std::path::Path) -> Result<(), Error> {
    use std::{io::Write as _, os::unix::fs::OpenOptionsExt as _};
    let lines = ask(dir, env, &Request::ExportUser { user })?;
    let json: serde_json::Value = lines
        .first()
        .and_then(|line| serde_json::from_str(line).ok())
        .ok_or_else(|| Error::Control(String::from("the export came back malformed")))?;
    let pretty = serde_json::to_string_pretty(&json).unwrap_or_default();
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(file)
        .and_then(|mut out| out.write_all(pretty.as_bytes()).and_then(|()| out.sync_all()));
    written.map_err(|e| Error::Control(format!("{}: {e}", file.display())))?;
    println!("wrote everything stored about user {user} to {} (mode 0600)", file.display());
    Ok(())
}

/// `arcana broadcast`: start one (text or `--file`), count its recipients (`--dry-run`), follow
/// it (`--status`) or stop it (`--cancel`).
pub fn broadcast(args: super::args::BroadcastArgs, env: &Env) -> Result<(), Error> {
    let dir = args.dir.resolve(env);
    let request = if args.status {
        Request::BroadcastStatus
    } else if args.cancel {
        Request::BroadcastCancel { by: None }
    } else {
        let text = match (args.text, &args.file) {
            (Some(text), _) => text,
            (None, Some(file)) => std::fs::read_to_string(file)
                .map_err(|e| Error::Usage(format!("broadcast --file {}: {e}", file.display())))?,
            (None, None) => String::new(),
        };
        if text.trim().is_empty() {
            return Err(Error::Usage(String::from("the broadcast text is empty")));
        }
        Request::Broadcast { text, dry_run: args.dry_run, by: None }
    };
    run(&dir, env, &request)
}

fn offline(dir: &DataDir, env: &Env, request: &Request) -> Result<Response, Error> {
    if *request == Request::Status {
        return Err(Error::Control(String::from("the bot is not running (no control socket)")));
    }
    // A data directory the bot has never run in is created as `arcana run` would.
    dir.ensure_with(env.passphrase.is_none())?;
    let config = load_config(dir, env)?;
    let Opened { data, vault } = open_all(dir, env, &config).map_err(|e| match e {
        Error::Store { source, .. } if source.is_lock_held() => Error::Control(format!(
            "the store is in use by a running arcana, but its control socket {} did not answer",
            dir.root().join(control::SOCKET_NAME).display()
        )),
        other => other,
    })?;
    let store_error = |source| Error::Store { path: dir.db_path(), source };
    let blocklist = Blocklist::load(&data, &vault.subkey(crate::sentinel::KEY_LABEL)).map_err(store_error)?;
    let domain = Domain::open(&data, &vault, &config, std::sync::Arc::new(SystemClock::default()))?;
    let audit = AuditTrail::open(&data, &vault).map_err(store_error)?;
    let lockdown = control::Lockdown::load(&data).map_err(store_error)?;
    let admin = Admin {
        blocklist: &blocklist,
        vault: &vault,
        profiles: &domain.profiles,
        accounts: &domain.accounts,
        history: &domain.readings.history,
        audit: &audit,
        data: &data,
        online: false,
        sentinel: None,
        lockdown: &lockdown,
        inbox: None,
    };
    let now = SystemClock::default().unix_ms();
    control::finish_interrupted_deletions(&admin, now)?;
    let response = control::execute(&admin, request, now);
    // What the command did is in the trail before it reports (even when it failed).
    audit.append(audit_tap::take(usize::MAX, std::time::Duration::ZERO)).map_err(store_error)?;
    if let Err(problem) = audit.checkpoint().map_err(store_error)? {
        eprintln!("arcana: warning: {problem}; see `arcana audit verify`");
    }
    Ok(response?)
}
