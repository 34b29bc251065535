//! The stand-in's HTTP side: `/bot<TOKEN>/<method>` (another token is `401 Unauthorized`, as
//! Telegram answers), parameters from a JSON, form or multipart body, `getUpdates` long polling.

use std::{sync::Arc, time::Duration};

use axum::{
    Router,
    body::Bytes,
    extract::{DefaultBodyLimit, Path, RawQuery, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::any,
};
use serde_json::{Map, Value, json};

use super::{
    methods, multipart,
    state::{Outgoing, Shared, Upload},
};

/// Longest long poll the stand-in holds, whatever `timeout` asks for.
const MAX_POLL: Duration = Duration::from_secs(30);
/// Largest request body (an export or a picture is far smaller).
const MAX_BODY: usize = 20 * 1024 * 1024;

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new().route("/{token}/{method}", any(call)).layer(DefaultBodyLimit::max(MAX_BODY)).with_state(shared)
}

async fn call(
    State(shared): State<Arc<Shared>>,
    Path((token, method)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if token.strip_prefix("bot") != Some(shared.token.as_str()) {
        let body = json!({ "ok": false, "error_code": 401, "description": "Unauthorized" });
        return (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
    }
    let method = camel_case(&method);
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let (params, upload) = decode(content_type, query.as_deref().unwrap_or_default(), &body);
    let result = if method == "getUpdates" {
        get_updates(&shared, &params).await
    } else {
        let result = methods::result(&shared, &mut shared.lock(), &method, &params);
        let message = result.is_object().then(|| result.clone()).filter(|m| m.get("message_id").is_some());
        let _ = shared.out.send(Outgoing { method, params, upload, message });
        result
    };
    axum::Json(json!({ "ok": true, "result": result })).into_response()
}

/// `getUpdates`: confirm everything below `offset`, answer what is queued, or wait for an update
/// up to `timeout` seconds (or until the demo stops).
async fn get_updates(shared: &Shared, params: &Value) -> Value {
    let offset = params.get("offset").and_then(methods::as_int).unwrap_or(0);
    let limit = params.get("limit").and_then(methods::as_int).unwrap_or(100).clamp(1, 100);
    let timeout = params.get("timeout").and_then(methods::as_int).unwrap_or(0);
    let wait = Duration::from_secs(u64::try_from(timeout).unwrap_or(0)).min(MAX_POLL);
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let pushed = shared.pushed.notified();
        let batch: Vec<Value> = {
            let mut state = shared.lock();
            state.updates.retain(|&id, _| id >= offset);
            state.updates.values().take(usize::try_from(limit).unwrap_or(100)).cloned().collect()
        };
        if !batch.is_empty() {
            return Value::Array(batch);
        }
        tokio::select! {
            () = pushed => {}
            () = tokio::time::sleep_until(deadline) => return json!([]),
            () = shared.stop.cancelled() => return json!([]),
        }
    }
}

/// The parameters of a call, and the file it uploads (multipart only).
fn decode(content_type: &str, query: &str, body: &[u8]) -> (Value, Option<Upload>) {
    let mut params: Map<String, Value> = url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect();
    let mime = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let mut upload = None;
    match mime.as_str() {
        "multipart/form-data" => {
            for part in multipart::boundary(content_type).map(|b| multipart::parts(body, &b)).unwrap_or_default() {
                match part.filename {
                    Some(name) => upload = Some(Upload { name, bytes: part.bytes }),
                    None => {
                        params.insert(part.name, Value::String(String::from_utf8_lossy(&part.bytes).into_owned()));
                    }
                }
            }
        }
        "application/x-www-form-urlencoded" => {
            params.extend(
                url::form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), Value::String(v.into_owned()))),
            );
        }
        _ => {
            if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) {
                params.extend(map);
            }
        }
    }
    (Value::Object(params), upload)
}

/// `SendMessage` or `sendMessage` → `sendMessage`.
fn camel_case(method: &str) -> String {
    let mut chars = method.chars();
    chars.next().map(|first| first.to_ascii_lowercase().to_string() + chars.as_str()).unwrap_or_default()
}
