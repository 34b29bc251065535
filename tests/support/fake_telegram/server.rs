//! The fake server's network side: its own thread and tokio runtime, the accept loop, one task
//! per keep-alive connection, routing `/bot<TOKEN>/<Method>`, applying queued faults, and
//! `getUpdates` long polling.

use std::net::{SocketAddr, TcpListener as StdListener};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use super::http::{Conn, Request, reason};
use super::params::{self, int_param, percent_decode};
use super::{Call, Fault, Shared, methods, normalise_method};

const NOT_FOUND: &str = r#"{"ok":false,"error_code":404,"description":"Not Found"}"#;
/// Longest long poll the fake honours, whatever `timeout` asks for.
const MAX_POLL_SECS: i64 = 30;

/// What to do with a request.
enum Reply {
    Send(u16, String),
    Close,
}

/// Binds 127.0.0.1:0 and serves on a new thread until `stop` fires.
pub fn spawn(shared: Arc<Shared>) -> (SocketAddr, oneshot::Sender<()>, JoinHandle<()>) {
    let listener = StdListener::bind("127.0.0.1:0").expect("fake telegram: bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("fake telegram: local_addr");
    listener.set_nonblocking(true).expect("fake telegram: set_nonblocking");
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("fake-telegram".to_owned())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("fake telegram: tokio runtime");
            runtime.block_on(accept_loop(listener, shared, stop_rx));
            // Dropping the runtime cancels every connection task (long polls, delays).
        })
        .expect("fake telegram: spawn thread");
    (addr, stop_tx, thread)
}

async fn accept_loop(listener: StdListener, shared: Arc<Shared>, mut stop: oneshot::Receiver<()>) {
    let listener = TcpListener::from_std(listener).expect("fake telegram: tokio listener");
    loop {
        tokio::select! {
            _ = &mut stop => return,
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    let _ = stream.set_nodelay(true);
                    tokio::spawn(serve(Conn::new(stream), Arc::clone(&shared)));
                }
            }
        }
    }
}

async fn serve(mut conn: Conn, shared: Arc<Shared>) {
    while let Ok(Some(request)) = conn.read_request().await {
        let keep_alive = request.keep_alive;
        match handle(&shared, request).await {
            Reply::Close => return,
            Reply::Send(status, body) => {
                if conn.respond(status, &body, keep_alive).await.is_err() || !keep_alive {
                    return;
                }
            }
        }
    }
}

async fn handle(shared: &Shared, request: Request) -> Reply {
    let Some((token, method)) = route(&request.path) else {
        return Reply::Send(404, NOT_FOUND.to_owned());
    };
    let params = params::decode(request.content_type.as_deref(), &request.query, &request.body);
    let (fault, index) = {
        let mut state = shared.lock();
        let fault = state.take_fault(&method);
        state.calls.push(Call {
            method: method.clone(),
            params: params.clone(),
            token,
            at: Instant::now(),
            fault: fault.as_ref().map(Fault::describe),
            answered: matches!(fault, None | Some(Fault::Delay(_))),
            result: None,
        });
        (fault, state.calls.len() - 1)
    };
    shared.changed.notify_all();
    match fault {
        Some(Fault::Status(code)) => Reply::Send(code, error_body(code, reason(code), None)),
        Some(Fault::RetryAfter(secs)) => Reply::Send(
            429,
            error_body(429, &format!("Too Many Requests: retry after {secs}"), Some(json!({ "retry_after": secs }))),
        ),
        Some(Fault::BotBlocked) => Reply::Send(403, error_body(403, "Forbidden: bot was blocked by the user", None)),
        Some(Fault::Malformed) => Reply::Send(200, r#"{"ok":tru"#.to_owned()),
        // What a broken proxy might do: echo the request's text in a body cut short.
        Some(Fault::MalformedEcho) => {
            let text = params.get("text").and_then(Value::as_str).unwrap_or_default();
            Reply::Send(200, format!(r#"{{"ok":true,"result":{{"text":{}"#, json!(text)))
        }
        Some(Fault::Drop) => Reply::Close,
        Some(Fault::Delay(delay)) => {
            tokio::time::sleep(delay).await;
            answer(shared, &method, &params, index).await
        }
        None => answer(shared, &method, &params, index).await,
    }
}

async fn answer(shared: &Shared, method: &str, params: &Value, index: usize) -> Reply {
    if method == "getUpdates" {
        let batch = get_updates(shared, params).await;
        return Reply::Send(200, format!(r#"{{"ok":true,"result":{batch}}}"#));
    }
    let result = {
        let mut state = shared.lock();
        let result = methods::result(&mut state, shared.bot_id, method, params);
        if let Some(call) = state.calls.get_mut(index) {
            call.result = Some(result.clone());
        }
        result
    };
    Reply::Send(200, json!({ "ok": true, "result": result }).to_string())
}

/// `getUpdates`: confirm everything below `offset`, return up to `limit` updates (a JSON array's
/// text), or wait up to `timeout` seconds for one to be pushed.
async fn get_updates(shared: &Shared, params: &Value) -> String {
    let offset = int_param(params, "offset");
    let limit = int_param(params, "limit").unwrap_or(100).clamp(1, 100);
    let timeout = int_param(params, "timeout").unwrap_or(0).clamp(0, MAX_POLL_SECS);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(u64::try_from(timeout).unwrap_or_default());
    shared.lock().confirm(offset);
    loop {
        // Created before looking, so a push between the look and the wait still wakes us.
        let pushed = shared.pushed.notified();
        if let Some(batch) = shared.lock().batch(offset, usize::try_from(limit).unwrap_or(100)) {
            return batch;
        }
        if tokio::time::timeout_at(deadline, pushed).await.is_err() {
            return "[]".to_owned();
        }
    }
}

/// `/bot<TOKEN>/<Method>` → (token, camelCase method).
fn route(path: &str) -> Option<(String, String)> {
    let path = percent_decode(path.as_bytes());
    let (token, method) = path.strip_prefix("/bot")?.split_once('/')?;
    let valid = !token.is_empty() && !method.is_empty() && method.chars().all(|c| c.is_ascii_alphanumeric());
    valid.then(|| (token.to_owned(), normalise_method(method)))
}

fn error_body(code: u16, description: &str, parameters: Option<Value>) -> String {
    let mut body = json!({ "ok": false, "error_code": code, "description": description });
    if let Some(parameters) = parameters {
        body["parameters"] = parameters;
    }
    body.to_string()
}
