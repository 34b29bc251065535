//! The stand-in's state: the queued updates and the chat's message ids, shared by the HTTP
//! handlers and the terminal, and what the bot sent ([`Outgoing`]).

use std::{
    collections::BTreeMap,
    sync::{Mutex, MutexGuard, PoisonError},
};

use serde_json::Value;
use tokio::sync::{Notify, mpsc};
use tokio_util::sync::CancellationToken;

/// What the bot sent, for the terminal.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The Bot API method, camelCase (`sendMessage`, `editMessageText`, `sendPhoto`, …).
    pub method: String,
    /// Its parameters as one JSON object (form and multipart values as strings).
    pub params: Value,
    /// The file it uploaded, if any.
    pub upload: Option<Upload>,
    /// The `Message` the stand-in answered with (for the send and edit methods).
    pub message: Option<Value>,
}

/// A file the bot uploaded.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The file name the bot gave it.
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

pub(super) struct Shared {
    /// The path prefix of calls made with the demo's token (`/bot<TOKEN>`).
    pub(super) token: String,
    pub(super) bot_id: i64,
    pub(super) bot_username: String,
    pub(super) state: Mutex<State>,
    /// Wakes long polls when an update is pushed.
    pub(super) pushed: Notify,
    pub(super) out: mpsc::UnboundedSender<Outgoing>,
    pub(super) stop: CancellationToken,
}

pub(super) struct State {
    /// Updates not yet confirmed, by id.
    pub(super) updates: BTreeMap<i64, Value>,
    pub(super) next_update_id: i64,
    /// Message ids of the one private chat, shared by both sides as in Telegram.
    pub(super) next_message_id: i64,
}

impl Shared {
    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl State {
    pub(super) fn next_message_id(&mut self) -> i64 {
        let id = self.next_message_id;
        self.next_message_id += 1;
        id
    }
}
