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
mod state;

pub use state::{Outgoing, Upload};

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
};

use serde_json::Value;
use tokio::sync::{Notify, mpsc};
use tokio_util::sync::CancellationToken;

use state::{Shared, State};

/// The stand-in's state, shared by its handlers and the terminal.
pub struct StandIn {
    shared: Arc<Shared>,
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
}
