//! A fake Telegram Bot API server for end-to-end tests: real HTTP/1.1 on `127.0.0.1:<port>`,
//! served from its own thread and tokio runtime so tests stay plain synchronous `#[test]`s.
//!
//! It keeps an update queue with Telegram's `getUpdates` semantics (offset confirmation, limit,
//! long polling), answers the send methods with real `Message` objects, records every call, and
//! injects queued [`Fault`]s (HTTP errors, 429, malformed JSON, delays, dropped connections).

mod http;
mod methods;
mod params;
mod server;

use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::{Notify, oneshot};

use super::updates::BOT_ID;

/// One recorded Bot API call.
#[derive(Clone, Debug)]
pub struct Call {
    /// Method in camelCase (`getUpdates`, `sendMessage`), whatever case the client used.
    pub method: String,
    /// All parameters as one JSON object (form and multipart values are strings).
    pub params: Value,
    /// The token from the request path.
    pub token: String,
    /// When the request arrived.
    pub at: Instant,
    /// The fault injected into this call, if any (e.g. `"status 500"`, `"drop"`).
    pub fault: Option<String>,
    /// Whether the call was answered normally (no fault, or only a delay): for a send method,
    /// whether the message counts as delivered.
    pub answered: bool,
    /// The `result` the server answered with (not for `getUpdates`), once answered.
    pub result: Option<Value>,
}

impl Call {
    /// An integer parameter, sent as a number or a string.
    pub fn int(&self, key: &str) -> Option<i64> {
        params::int_param(&self.params, key)
    }

    /// A string parameter (non-strings rendered as JSON).
    pub fn str(&self, key: &str) -> Option<String> {
        params::str_param(&self.params, key)
    }

    /// A parameter holding JSON (e.g. `reply_markup`), whether sent inline or as JSON text.
    pub fn json(&self, key: &str) -> Option<Value> {
        params::json_param(&self.params, key)
    }

    /// A file parameter of a multipart upload, `{"file": name, "len": bytes}`, following an
    /// `attach://NAME` reference to the part it names (as teloxide sends files).
    pub fn upload(&self, key: &str) -> Option<Value> {
        let value = self.params.get(key)?;
        match value.as_str().and_then(|v| v.strip_prefix("attach://")) {
            Some(part) => self.params.get(part).cloned(),
            None => Some(value.clone()),
        }
    }
}

/// A failure the server injects into the next call of a method.
#[derive(Clone, Debug)]
pub enum Fault {
    /// HTTP status `N` with `{"ok":false,"error_code":N,"description":...}`.
    Status(u16),
    /// HTTP 429 with `parameters.retry_after = N`.
    RetryAfter(u32),
    /// HTTP 403 "Forbidden: bot was blocked by the user", as Telegram answers a send to a user
    /// who blocked the bot.
    BotBlocked,
    /// HTTP 200 with the truncated body `{"ok":tru`.
    Malformed,
    /// HTTP 200 with a truncated body echoing the request's `text`.
    MalformedEcho,
    /// Sleep, then answer normally.
    Delay(Duration),
    /// Close the connection without answering.
    Drop,
}

impl Fault {
    fn describe(&self) -> String {
        match self {
            Self::Status(code) => format!("status {code}"),
            Self::RetryAfter(secs) => format!("retry_after {secs}"),
            Self::BotBlocked => "bot blocked".to_owned(),
            Self::Malformed => "malformed".to_owned(),
            Self::MalformedEcho => "malformed echo".to_owned(),
            Self::Delay(delay) => format!("delay {delay:?}"),
            Self::Drop => "drop".to_owned(),
        }
    }
}

/// The running fake server. Dropping it stops the server thread.
pub struct FakeTelegram {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

struct Shared {
    state: Mutex<State>,
    /// Signalled whenever a call is recorded.
    changed: Condvar,
    /// Wakes long polls when an update is pushed.
    pushed: Notify,
    bot_id: i64,
    started: Instant,
}

struct State {
    calls: Vec<Call>,
    /// Unconfirmed updates by id, as the JSON text `getUpdates` sends (serialised once, when
    /// pushed: a bench's fake answers 400 batches of 100 in a second or two, on the bot's cores).
    updates: BTreeMap<i64, String>,
    next_update_id: i64,
    next_message_id: i64,
    faults: VecDeque<(String, Fault)>,
    last_offset: Option<i64>,
}

impl State {
    /// Queues `update` under `id` (`None`: the next automatic one); later automatic ids continue
    /// after it.
    fn queue(&mut self, id: Option<i64>, update: Prepared) -> i64 {
        let id = id.unwrap_or(self.next_update_id);
        self.updates.insert(id, update.with_id(id));
        self.next_update_id = self.next_update_id.max(id + 1);
        id
    }
}

impl FakeTelegram {
    /// Starts a server whose bot id is [`BOT_ID`] (the id in `TEST_TOKEN`).
    pub fn start() -> Self {
        Self::start_with_bot_id(BOT_ID)
    }

    /// Starts a server answering `getMe` with the given bot id.
    pub fn start_with_bot_id(bot_id: i64) -> Self {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                calls: Vec::new(),
                updates: BTreeMap::new(),
                next_update_id: 1,
                next_message_id: 1000,
                faults: VecDeque::new(),
                last_offset: None,
            }),
            changed: Condvar::new(),
            pushed: Notify::new(),
            bot_id,
            started: Instant::now(),
        });
        let (addr, stop, thread) = server::spawn(Arc::clone(&shared));
        Self { shared, addr, stop: Some(stop), thread: Some(thread) }
    }

    /// Base URL for `ARCANA_TELEGRAM_API_URL`, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bot id `getMe` reports.
    pub fn bot_id(&self) -> i64 {
        self.shared.bot_id
    }

    /// Queues an update (a JSON object without `update_id`); returns the id it was given.
    pub fn push_update(&self, body: Value) -> i64 {
        self.push_prepared(Prepared::of(body))
    }

    /// Queues an update serialised beforehand by [`Prepared::of`] (a bench queueing a burst
    /// "at once" does the serialising before its clock starts); returns the id it was given.
    pub fn push_prepared(&self, update: Prepared) -> i64 {
        self.insert_update(None, update)
    }

    /// Queues `updates` at once, in order, under one hold of the queue's lock: a `getUpdates`
    /// sees all of them or none. Returns their ids.
    pub fn push_prepared_all(&self, updates: Vec<Prepared>) -> Vec<i64> {
        let ids = {
            let mut state = self.shared.lock();
            updates.into_iter().map(|update| state.queue(None, update)).collect()
        };
        self.shared.pushed.notify_waiters();
        ids
    }

    /// Queues an update under a chosen id (e.g. Telegram redelivering an unconfirmed update to a
    /// restarted bot). Later automatic ids continue after it.
    pub fn push_update_with_id(&self, id: i64, body: Value) {
        self.insert_update(Some(id), Prepared::of(body));
    }

    fn insert_update(&self, id: Option<i64>, update: Prepared) -> i64 {
        let id = self.shared.lock().queue(id, update);
        self.shared.pushed.notify_waiters();
        id
    }

    /// Queues a fault for the next call of `method` (`"*"`: any method). Faults are consumed in
    /// the order they were queued.
    pub fn push_fault(&self, method: &str, fault: Fault) {
        let method = if method == "*" { method.to_owned() } else { normalise_method(method) };
        self.shared.lock().faults.push_back((method, fault));
    }

    /// Faults queued but not yet consumed.
    pub fn pending_faults(&self) -> usize {
        self.shared.lock().faults.len()
    }

    /// Every call so far, in arrival order.
    pub fn calls(&self) -> Vec<Call> {
        self.shared.lock().calls.clone()
    }

    /// Calls of one method (either case: `sendMessage` or `SendMessage`).
    pub fn calls_to(&self, method: &str) -> Vec<Call> {
        let method = normalise_method(method);
        self.shared.lock().calls.iter().filter(|c| c.method == method).cloned().collect()
    }

    /// Blocks until `pred` holds for the recorded calls and returns them; panics naming `what`
    /// (with a dump of the calls) after `timeout`.
    pub fn wait_for(&self, timeout: Duration, what: &str, pred: impl Fn(&[Call]) -> bool) -> Vec<Call> {
        self.try_wait_for(timeout, pred).unwrap_or_else(|calls| {
            let dump = self.dump(&calls);
            panic!("timed out after {timeout:?} waiting for {what}; calls so far:\n{dump}")
        })
    }

    /// [`FakeTelegram::wait_for`] without the panic: `Err` holds the calls at the timeout.
    pub fn try_wait_for(&self, timeout: Duration, pred: impl Fn(&[Call]) -> bool) -> Result<Vec<Call>, Vec<Call>> {
        let deadline = Instant::now() + timeout;
        let mut state = self.shared.lock();
        loop {
            if pred(&state.calls) {
                return Ok(state.calls.clone());
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(state.calls.clone());
            }
            state = self.shared.changed.wait_timeout(state, deadline - now).unwrap_or_else(PoisonError::into_inner).0;
        }
    }

    /// Texts of the delivered `sendMessage` calls to a chat, in order.
    pub fn sent_messages_to(&self, chat_id: i64) -> Vec<String> {
        messages_to(&self.shared.lock().calls, chat_id)
    }

    /// Blocks until at least `n` messages were delivered to `chat_id`; returns all of them.
    pub fn wait_for_messages_to(&self, chat_id: i64, n: usize, timeout: Duration) -> Vec<String> {
        let what = format!("{n} message(s) sent to chat {chat_id}");
        let calls = self.wait_for(timeout, &what, |calls| messages_to(calls, chat_id).len() >= n);
        messages_to(&calls, chat_id)
    }

    /// [`FakeTelegram::wait_for_messages_to`] without the panic: `Err` holds the calls.
    pub fn try_wait_for_messages_to(
        &self,
        chat_id: i64,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<String>, Vec<Call>> {
        self.try_wait_for(timeout, |calls| messages_to(calls, chat_id).len() >= n)
            .map(|calls| messages_to(&calls, chat_id))
    }

    /// The `offset` of the latest normally answered `getUpdates` call (`None` if it had none).
    pub fn last_offset(&self) -> Option<i64> {
        self.shared.lock().last_offset
    }

    /// Updates pushed and not yet confirmed by an `offset`.
    pub fn pending_updates(&self) -> usize {
        self.shared.lock().updates.len()
    }

    /// One line per call: time since start, method, fault, parameters (truncated).
    pub fn dump(&self, calls: &[Call]) -> String {
        let mut out = String::new();
        for call in calls {
            let mut params = call.params.to_string();
            if params.len() > 200 {
                let mut cut = 200;
                while !params.is_char_boundary(cut) {
                    cut -= 1;
                }
                params.truncate(cut);
                params.push('…');
            }
            let fault = call.fault.as_deref().map(|f| format!(" [{f}]")).unwrap_or_default();
            let since = call.at.saturating_duration_since(self.shared.started).as_millis();
            let _ = writeln!(out, "  +{since}ms {}{fault} {params}", call.method);
        }
        if out.is_empty() {
            out.push_str("  (none)\n");
        }
        out
    }
}

/// An update's fields as JSON text, without its `update_id` (given when it is queued).
pub struct Prepared(String);

impl Prepared {
    /// Serialises an update body (a JSON object; an `update_id` in it is replaced when queued).
    pub fn of(mut body: Value) -> Prepared {
        body.as_object_mut().expect("an update body must be a JSON object").remove("update_id");
        let text = body.to_string();
        Prepared(text.strip_prefix('{').and_then(|f| f.strip_suffix('}')).unwrap_or_default().to_owned())
    }

    /// The update's JSON text under `id`.
    fn with_id(self, id: i64) -> String {
        let separator = if self.0.is_empty() { "" } else { "," };
        format!("{{\"update_id\":{id}{separator}{}}}", self.0)
    }
}

impl Drop for FakeTelegram {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl State {
    /// Removes and returns the first queued fault for `method` (or `"*"`).
    fn take_fault(&mut self, method: &str) -> Option<Fault> {
        let index = self.faults.iter().position(|(m, _)| m == "*" || m == method)?;
        self.faults.remove(index).map(|(_, fault)| fault)
    }

    /// Applies `getUpdates`' `offset`: ids below it are confirmed and forgotten; a negative
    /// offset keeps only the last `-offset` updates.
    fn confirm(&mut self, offset: Option<i64>) {
        self.last_offset = offset;
        match offset {
            Some(offset) if offset < 0 => {
                let keep = usize::try_from(offset.unsigned_abs()).unwrap_or(usize::MAX);
                while self.updates.len() > keep {
                    self.updates.pop_first();
                }
            }
            Some(offset) => self.updates = self.updates.split_off(&offset),
            None => {}
        }
    }

    /// Up to `limit` updates from `offset` on, as a JSON array's text (`None`: none).
    fn batch(&self, offset: Option<i64>, limit: usize) -> Option<String> {
        let from = offset.filter(|o| *o >= 0).unwrap_or(i64::MIN);
        let updates: Vec<&str> = self.updates.range(from..).take(limit).map(|(_, update)| update.as_str()).collect();
        (!updates.is_empty()).then(|| format!("[{}]", updates.join(",")))
    }
}

/// `GetMe` → `getMe`.
fn normalise_method(method: &str) -> String {
    let mut chars = method.chars();
    chars.next().map(|first| first.to_ascii_lowercase().to_string() + chars.as_str()).unwrap_or_default()
}

fn messages_to(calls: &[Call], chat_id: i64) -> Vec<String> {
    calls
        .iter()
        .filter(|c| c.method == "sendMessage" && c.answered && c.int("chat_id") == Some(chat_id))
        .map(|c| c.str("text").unwrap_or_default())
        .collect()
}
