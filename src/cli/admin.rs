//! The admin tools (`block`, `unblock`, `blocked`, `status`, `keys rotate`, `keys status`,
//! `user delete`, `backup`): through the running bot's control socket if there is one, else
//! directly on the stores (sled allows one process per store).

use crate::{
    Error,
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
    let response = match control::send(&dir.root().join(control::SOCKET_NAME), request) {
        Ok(response) => response,
        Err(ControlError::NotRunning(_)) => offline(dir, env, request)?,
        Err(e) => return Err(Error::Control(e.to_string())),
    };
    if !response.ok {
        return Err(Error::Control(response.lines.join("; ")));
    }
    for line in &response.lines {
        println!("{line}");
    }
    Ok(())
}

fn offline(dir: &DataDir, env: &Env, request: &Request) -> Result<Response, Error> {
    if *request == Request::Status {
        return Err(Error::Control(String::from("the bot is not running (no control socket)")));
    }
    // A data directory the bot has never run in is created as `arcana run` would.
    dir.ensure_with(env.passphrase.is_none())?;
    let config = load_config(dir, env)?;
    let Opened { data, keys: _keys, vault } = open_all(dir, env, &config).map_err(|e| match e {
        Error::Store { source, .. } if source.is_lock_held() => Error::Control(format!(
            "the store is in use by a running arcana, but its control socket {} did not answer",
            dir.root().join(control::SOCKET_NAME).display()
        )),
        other => other,
    })?;
    let store_error = |source| Error::Store { path: dir.db_path(), source };
    let blocklist = Blocklist::load(&data).map_err(store_error)?;
    let domain = Domain::open(&data, &vault, &config, std::sync::Arc::new(SystemClock::default()))?;
    let admin = Admin {
        blocklist: &blocklist,
        vault: &vault,
        profiles: &domain.profiles,
        accounts: &domain.accounts,
        data: &data,
        online: false,
    };
    let now = SystemClock::default().unix_ms();
    control::finish_interrupted_deletions(&admin, now)?;
    Ok(control::execute(&admin, request, now)?)
}
