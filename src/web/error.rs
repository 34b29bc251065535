//! API errors: a status and a short message as JSON, never internals. Anything unexpected is
//! logged here (without the request's secrets) and answered as a plain 500.

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: &'static str,
    extra: Option<Value>,
    retry_after_s: Option<u64>,
}

impl ApiError {
    /// `status` with `message`.
    #[must_use]
    pub fn new(status: StatusCode, message: &'static str) -> ApiError {
        ApiError { status, message, extra: None, retry_after_s: None }
    }

    /// 400.
    #[must_use]
    pub fn bad_request(message: &'static str) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    /// 401: no valid token, or its session ended.
    #[must_use]
    pub fn unauthorized(message: &'static str) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, message)
    }

    /// 403 with a machine-readable `reason`.
    #[must_use]
    pub fn forbidden(message: &'static str, reason: &'static str) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, message).with("reason", json!(reason))
    }

    /// 429, retry after `seconds`.
    #[must_use]
    pub fn too_many(seconds: u64) -> ApiError {
        let seconds = seconds.max(1);
        let mut error =
            ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too many requests").with("retry_after_s", json!(seconds));
        error.retry_after_s = Some(seconds);
        error
    }

    /// 404.
    #[must_use]
    pub fn not_found(message: &'static str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }

    /// 500, after logging `cause` (which must not hold secrets).
    pub fn internal(cause: &dyn std::fmt::Display) -> ApiError {
        tracing::error!(error = %cause, "web request failed");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "something went wrong, try again")
    }

    /// Adds a field to the JSON body.
    #[must_use]
    pub fn with(mut self, key: &'static str, value: Value) -> ApiError {
        let extra = self.extra.get_or_insert_with(|| json!({}));
        if let Some(map) = extra.as_object_mut() {
            map.insert(key.to_owned(), value);
        }
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = self.extra.unwrap_or_else(|| json!({}));
        if let Some(map) = body.as_object_mut() {
            map.insert(String::from("error"), json!(self.message));
        }
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(seconds) = self.retry_after_s
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}
