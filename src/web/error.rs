//! API errors: a status and a short message as JSON ([`ErrorBody`]), never internals. Anything
//! unexpected is logged here (without the request's secrets) and answered as a plain 500.

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use super::responses::ErrorBody;

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
    /// Also sent as a `Retry-After` header (429 only).
    retry_after_header: bool,
}

impl ApiError {
    /// `status` with `message`.
    #[must_use]
    pub const fn new(status: StatusCode, message: &'static str) -> ApiError {
        ApiError { status, body: ErrorBody::new(message), retry_after_header: false }
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
        let mut error = ApiError::new(StatusCode::FORBIDDEN, message);
        error.body.reason = Some(reason);
        error
    }

    /// 429, retry after `seconds`.
    #[must_use]
    pub fn too_many(seconds: u64) -> ApiError {
        let seconds = seconds.max(1);
        let mut error = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too many requests").retry_after(seconds);
        error.retry_after_header = true;
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

    /// The answer's status.
    pub(super) const fn status(&self) -> StatusCode {
        self.status
    }

    /// The answer's `reason`, if it has one.
    pub(super) const fn reason(&self) -> Option<&'static str> {
        self.body.reason
    }

    /// Says when to try again (`retry_after_s`).
    #[must_use]
    pub const fn retry_after(mut self, seconds: u64) -> ApiError {
        self.body.retry_after_s = Some(seconds);
        self
    }

    /// Says when the daily allowance resets (`resets_at`, Unix ms).
    #[must_use]
    pub const fn resets_at(mut self, at_ms: u64) -> ApiError {
        self.body.resets_at = Some(at_ms);
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry_after = self.body.retry_after_s.filter(|_| self.retry_after_header);
        let mut response = (self.status, axum::Json(self.body)).into_response();
        if let Some(seconds) = retry_after
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}
