//! The CLI side of the control socket.

use std::{
    io::{BufRead, BufReader, Write},
    os::unix::net::UnixStream,
    path::Path,
    time::Duration,
};

use super::{Request, Response};

/// Why a request could not be delivered to a running bot.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    /// No bot is listening (no socket, or a stale one).
    #[error("no running bot is listening on {0}")]
    NotRunning(String),
    /// The bot did not answer properly.
    #[error("the running bot did not answer: {0}")]
    NoAnswer(String),
}

/// Sends `request` to the bot listening on `socket`.
pub fn send(socket: &Path, request: &Request) -> Result<Response, ControlError> {
    let shown = socket.display().to_string();
    let mut stream = UnixStream::connect(socket).map_err(|_| ControlError::NotRunning(shown.clone()))?;
    let timeout = Some(Duration::from_secs(30));
    stream
        .set_read_timeout(timeout)
        .and_then(|()| stream.set_write_timeout(timeout))
        .map_err(|e| ControlError::NoAnswer(e.to_string()))?;
    let mut line = serde_json::to_string(request).map_err(|e| ControlError::NoAnswer(e.to_string()))?;
    line.push('\n');
    stream.write_all(line.as_bytes()).map_err(|e| ControlError::NoAnswer(e.to_string()))?;
    let mut answer = String::new();
    BufReader::new(stream).read_line(&mut answer).map_err(|e| ControlError::NoAnswer(e.to_string()))?;
    serde_json::from_str(&answer).map_err(|e| ControlError::NoAnswer(e.to_string()))
}
