//! `getUpdates` answered as raw JSON per update, so the polling loop can let the sentinel decide
//! on a first look and decode only what it admits.
//!
//! Hand-written over the polling `Bot`'s own HTTP client rather than through teloxide's request
//! path: teloxide reads every answer through an untagged enum, which buffers the whole body into
//! serde's generic tree and cannot hand out the raw text of one update — the very cost this
//! avoids. The request is the one teloxide would send (a JSON body to `{api}/bot{token}/getUpdates`);
//! the answer's errors are read the way teloxide reads them: `Unauthorized` or `Not Found` is an
//! invalid token, `parameters.retry_after` a flood wait, anything unreadable a failure to retry.
//! No message here carries the address (it holds the token).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use teloxide::{Bot, types::AllowedUpdate};

/// The request body.
#[derive(Serialize)]
struct GetUpdates<'a> {
    offset: i32,
    timeout: u32,
    allowed_updates: &'a [AllowedUpdate],
}

/// An answer, read as Telegram writes it.
#[derive(Deserialize)]
struct Answer<'a> {
    ok: bool,
    #[serde(borrow, default)]
    result: Option<Vec<&'a RawValue>>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    parameters: Option<Parameters>,
}

#[derive(Deserialize)]
struct Parameters {
    #[serde(default)]
    retry_after: Option<u64>,
}

/// Why a `getUpdates` call brought no batch.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FetchError {
    /// Telegram does not know the token.
    #[error("the bot token is invalid")]
    InvalidToken,
    /// Telegram asks to wait this long first.
    #[error("flood wait: retry after {0:?}")]
    RetryAfter(Duration),
    /// The answer is not an answer (its text kept for salvaging what it holds).
    #[error("getUpdates answered with something that is not an answer")]
    Unreadable(String),
    /// Telegram refused for another reason.
    #[error("getUpdates refused: {0}")]
    Refused(String),
    /// The network or HTTP failed (no address in the text: it holds the token).
    #[error("getUpdates failed: {0}")]
    Http(String),
}

/// One `getUpdates` call: the updates from `offset` on, each as its raw JSON.
pub(crate) async fn get_raw_updates(
    bot: &Bot,
    offset: i32,
    timeout_secs: u32,
    allowed_updates: &[AllowedUpdate],
) -> Result<Vec<Box<RawValue>>, FetchError> {
    let body = serde_json::to_string(&GetUpdates { offset, timeout: timeout_secs, allowed_updates })
        .map_err(|e| FetchError::Http(e.to_string()))?;
    // The address as teloxide builds it (`{api}/bot{token}/getUpdates`).
    let mut url = bot.api_url();
    url.path_segments_mut()
        .map_err(|()| FetchError::Http(String::from("the API address cannot take a path")))?
        .push(&format!("bot{}", bot.token()))
        .push("getUpdates");
    let response = bot
        .client()
        .post(url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| FetchError::Http(e.without_url().to_string()))?;
    let body = response.bytes().await.map_err(|e| FetchError::Http(e.without_url().to_string()))?;
    // Telegram answers in UTF-8: checked as such (a batch of 100 updates is 30–40 KB, read 400
    // times through a flood), replaced character by character only if it is not.
    match std::str::from_utf8(&body) {
        Ok(text) => read_answer(text),
        Err(_) => read_answer(&String::from_utf8_lossy(&body)),
    }
}

/// Reads an answer's text into its updates or the reason it has none.
fn read_answer(text: &str) -> Result<Vec<Box<RawValue>>, FetchError> {
    let Ok(answer) = serde_json::from_str::<Answer<'_>>(text) else {
        return Err(FetchError::Unreadable(text.to_owned()));
    };
    if answer.ok {
        return answer
            .result
            .map(|updates| updates.into_iter().map(RawValue::to_owned).collect())
            .ok_or_else(|| FetchError::Unreadable(text.to_owned()));
    }
    if let Some(seconds) = answer.parameters.and_then(|p| p.retry_after) {
        return Err(FetchError::RetryAfter(Duration::from_secs(seconds)));
    }
    match answer.description.as_deref() {
        Some("Unauthorized" | "Not Found") => Err(FetchError::InvalidToken),
        Some(description) => Err(FetchError::Refused(crate::sanitize::single_line(description, 200))),
        None => Err(FetchError::Unreadable(text.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_is_read_as_one_raw_text_per_update() {
        let text = r#"{"ok":true,"result":[{"update_id":1,"message":{"text":"a \"b\""}},{"update_id":2}]}"#;
        let updates = read_answer(text).expect("a batch");
        let texts: Vec<&str> = updates.iter().map(|u| u.get()).collect();
        assert_eq!(texts, [r#"{"update_id":1,"message":{"text":"a \"b\""}}"#, r#"{"update_id":2}"#]);
        assert!(read_answer(r#"{"ok":true,"result":[]}"#).expect("empty").is_empty());
    }

    #[test]
    fn refusals_are_read_as_teloxide_reads_them() {
        let unauthorized = r#"{"ok":false,"error_code":401,"description":"Unauthorized"}"#;
        assert!(matches!(read_answer(unauthorized), Err(FetchError::InvalidToken)));
        assert!(matches!(
            read_answer(r#"{"ok":false,"error_code":404,"description":"Not Found"}"#),
            Err(FetchError::InvalidToken)
        ));
        let wait = r#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}"#;
        assert!(matches!(read_answer(wait), Err(FetchError::RetryAfter(d)) if d == Duration::from_secs(7)));
        let conflict =
            r#"{"ok":false,"error_code":409,"description":"Conflict: terminated by other getUpdates request"}"#;
        assert!(matches!(read_answer(conflict), Err(FetchError::Refused(why)) if why.starts_with("Conflict")));
        for junk in
            ["<html>502 Bad Gateway</html>", "", r#"{"ok":true}"#, r#"{"ok":true,"result":[1,"#, r#"{"ok":false}"#]
        {
            assert!(matches!(read_answer(junk), Err(FetchError::Unreadable(_))), "{junk}");
        }
    }
}
