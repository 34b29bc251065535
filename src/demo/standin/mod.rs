//! A stand-in for the Telegram Bot API on 127.0.0.1, inside the demo's own process: the bot
//! talks to it exactly as to Telegram (same client, same long polling), and everything the bot
//! sends comes out of it as [`Outgoing`] for the terminal.
//!
//! Hand-written over axum (already the web side's server) because nothing maintained plays
//! Telegram's server side; it answers only what arcana calls — `getMe`, `getUpdates` (long
//! polling with offset confirmation), the send and edit methods with real `Message` objects,
//! uploads (multipart), and `true` for the rest (`setMyCommands`, `answerCallbackQuery`,
//! `deleteMessage`, …). The test suite's fake server (`tests/support`) does more (faults, call
//! records) and stays test code: the binary never depends on it.

mod methods;
pub mod multipart;
mod server;

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
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

/// The stand-in's state, shared by its handlers and the terminal.
pub struct StandIn {
    shared: Arc<Shared>,
}

struct Shared {
    /// The path prefix of calls made with the demo's token (`/bot<TOKEN>`).
    token: String,
    bot_id: i64,
    bot_username: String,
    state: Mutex<State>,
    /// Wakes long polls when an update is pushed.
    pushed: Notify,
    out: mpsc::UnboundedSender<Outgoing>,
    stop: CancellationToken,
}

struct State {
    /// Updates not yet confirmed, by id.
    updates: BTreeMap<i64, Value>,
    next_update_id: i64,
    /// Message ids of the one private chat, shared by both sides as in Telegram.
    next_message_id: i64,
}

impl StandIn {
    /// A stand-in for the bot with `token` (its id before the colon) called `bot_username`; what
    /// the bot sends arrives on the receiver. Long polls end when `stop` is cancelled.
    #[must_use]
    pub fn new(
        token: &str,
        bot_username: &str,
        stop: CancellationToken,
    ) -> (StandIn, mpsc::UnboundedReceiver<Outgoing>) {
        let (out, received) = mpsc::unbounded_channel();
        let bot_id = token.split(':').next().and_then(|id| id.parse().ok()).unwrap_or(1);
        let shared = Arc::new(Shared {
            token: token.to_owned(),
            bot_id,
            bot_username: bot_username.to_owned(),
            state: Mutex::new(State { updates: BTreeMap::new(), next_update_id: 1, next_message_id: 1 }),
            pushed: Notify::new(),
            out,
            stop,
        });
        (StandIn { shared }, received)
    }

    /// Serves the Bot API on `listener` until the stop token is cancelled.
    pub async fn serve(&self, listener: tokio::net::TcpListener) -> std::io::Result<()> {
        let stop = self.shared.stop.clone();
        axum::serve(listener, server::router(Arc::clone(&self.shared)))
            .with_graceful_shutdown(async move { stop.cancelled().await })
            .await
    }

    /// Queues an update (a JSON object without `update_id`) for the bot's next poll.
    pub fn push_update(&self, mut body: Value) {
        {
            let mut state = self.shared.lock();
            let id = state.next_update_id;
            state.next_update_id += 1;
            if let Some(object) = body.as_object_mut() {
                object.insert("update_id".to_owned(), Value::from(id));
            }
            state.updates.insert(id, body);
        }
        self.shared.pushed.notify_waiters();
    }

    /// A new message id in the chat (for a message the person sends).
    #[must_use]
    pub fn next_message_id(&self) -> i64 {
        self.shared.lock().next_message_id()
    }

    /// The bot as a Telegram `User`.
    #[must_use]
    pub fn bot_user(&self) -> Value {
        methods::bot_user(&self.shared)
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl State {
    fn next_message_id(&mut self) -> i64 {
        let id = self.next_message_id;
        self.next_message_id += 1;
        id
    }
}
