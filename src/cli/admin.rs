//! `arcana block`, `unblock`, `blocked`: through the running bot's control socket if there is
//! one, else directly on the store (sled allows one process per store).

use crate::{
    Error,
    control::{self, ControlError, Request, Response},
    layout::DataDir,
    sentinel::{Blocklist, Clock, SystemClock},
    store::Store,
};

use super::{Env, settings::load_config};

/// Runs an admin request and prints its outcome.
pub fn run(dir: &DataDir, env: &Env, request: &Request) -> Result<(), Error> {
    let socket = dir.root().join(control::SOCKET_NAME);
    let response = match control::send(&socket, request) {
        Ok(response) => response,
        Err(ControlError::NotRunning(_)) => offline(dir, env, request)?,
        Err(e) => return Err(Error::Control(e.to_string())),
    };
    for line in &response.lines {
        if response.ok {
            println!("{line}");
        }
    }
    if response.ok { Ok(()) } else { Err(Error::Control(response.lines.join("; "))) }
}

fn offline(dir: &DataDir, env: &Env, request: &Request) -> Result<Response, Error> {
    if !dir.db_path().is_dir() {
        return Err(Error::Control(format!("no store at {} (run `arcana init` first)", dir.db_path().display())));
    }
    let config = load_config(dir, env)?;
    let store_error = |source| Error::Store { path: dir.db_path(), source };
    let store = Store::open(&dir.db_path(), &config.store).map_err(|e| {
        if e.is_lock_held() {
            Error::Control(format!(
                "the store is in use by a running arcana, but its control socket {} did not answer",
                dir.root().join(control::SOCKET_NAME).display()
            ))
        } else {
            store_error(e)
        }
    })?;
    let blocklist = Blocklist::load(&store).map_err(store_error)?;
    let response = control::execute(&blocklist, request, SystemClock::default().unix_ms()).map_err(store_error)?;
    store.flush_blocking().map_err(store_error)?;
    Ok(response)
}
