//! Decoding a Bot API call's parameters into one JSON object, whatever way the client sent them:
//! query string, `application/json`, `application/x-www-form-urlencoded` or `multipart/form-data`.
//!
//! Form and multipart values stay strings (the Bot API accepts `"42"` for `42`); the accessors
//! [`int_param`] and [`str_param`] read either form.

use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::http::find;

/// Merges query-string parameters and body parameters (the body wins on a clash).
pub fn decode(content_type: Option<&str>, query: &str, body: &[u8]) -> Value {
    let mut params = form(query.as_bytes());
    let content_type = content_type.unwrap_or_default();
    let mime = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let from_body = match mime.as_str() {
        _ if body.is_empty() => Map::new(),
        "application/x-www-form-urlencoded" => form(body),
        "multipart/form-data" => boundary(content_type).map(|b| multipart(body, &b)).unwrap_or_default(),
        // JSON, or a client that forgot the header: try JSON, else record the raw text.
        _ => match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => map,
            Ok(other) => Map::from_iter([("_body".to_owned(), other)]),
            Err(_) => Map::from_iter([("_raw".to_owned(), Value::String(String::from_utf8_lossy(body).into_owned()))]),
        },
    };
    params.extend(from_body);
    Value::Object(params)
}

/// An integer parameter sent as a JSON number or as a decimal string.
pub fn int_param(params: &Value, key: &str) -> Option<i64> {
    match params.get(key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A string parameter; numbers and other JSON values are rendered as JSON text.
pub fn str_param(params: &Value, key: &str) -> Option<String> {
    match params.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// A parameter holding JSON: either inline (JSON body) or as JSON text (form, multipart).
pub fn json_param(params: &Value, key: &str) -> Option<Value> {
    match params.get(key)? {
        Value::String(s) => serde_json::from_str(s).ok(),
        other => Some(other.clone()),
    }
}

fn form(raw: &[u8]) -> Map<String, Value> {
    raw.split(|&b| b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = match pair.iter().position(|&b| b == b'=') {
                Some(eq) => (&pair[..eq], &pair[eq + 1..]),
                None => (pair, &[][..]),
            };
            (percent_decode(key), Value::String(percent_decode(value)))
        })
        .collect()
}

/// Decodes `application/x-www-form-urlencoded` text (`+` is a space).
pub fn percent_decode(raw: &[u8]) -> String {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < raw.len() => match (hex(raw[i + 1]), hex(raw[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(digit: u8) -> Option<u8> {
    char::from(digit).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').find_map(|part| {
        let (key, value) = part.split_once('=')?;
        key.trim().eq_ignore_ascii_case("boundary").then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// Best effort: text parts become strings, file parts `{"file": name, "len": bytes, "head": the
/// first 32 bytes in hex}` (enough to check a PNG's signature and size).
fn multipart(body: &[u8], boundary: &str) -> Map<String, Value> {
    let delimiter = format!("--{boundary}");
    let mut params = Map::new();
    let mut rest = body;
    while let Some(start) = find(rest, delimiter.as_bytes()) {
        rest = &rest[start + delimiter.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let part_end = find(rest, delimiter.as_bytes()).unwrap_or(rest.len());
        let part = rest[..part_end].strip_prefix(b"\r\n").unwrap_or(&rest[..part_end]);
        let part = part.strip_suffix(b"\r\n").unwrap_or(part);
        if let Some((name, value)) = multipart_part(part) {
            params.insert(name, value);
        }
    }
    params
}

fn multipart_part(part: &[u8]) -> Option<(String, Value)> {
    let head_end = find(part, b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&part[..head_end]);
    let content = &part[head_end + 4..];
    let disposition = head.split("\r\n").find(|line| line.to_ascii_lowercase().starts_with("content-disposition"))?;
    let attribute = |wanted: &str| {
        disposition.split(';').find_map(|item| {
            let (key, value) = item.split_once('=')?;
            (key.trim() == wanted).then(|| value.trim().trim_matches('"').to_owned())
        })
    };
    let name = attribute("name")?;
    let value = match attribute("filename") {
        Some(file) => {
            let head = content.iter().take(32).fold(String::new(), |mut hex, b| {
                let _ = write!(hex, "{b:02x}");
                hex
            });
            serde_json::json!({ "file": file, "len": content.len(), "head": head })
        }
        None => Value::String(String::from_utf8_lossy(content).into_owned()),
    };
    Some((name, value))
}
