//! Request bodies: JSON of a known shape, at most [`MAX_BODY_BYTES`], read within
//! [`BODY_TIMEOUT`]. Every failure is a short JSON error (axum's own rejections would answer in
//! plain text with the parser's internals).

use std::time::Duration;

use axum::{
    extract::{FromRequest, Request},
    http::StatusCode,
};
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// Longest request body accepted.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// Time a client has to send its body.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// A JSON body of type `T`.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, _: &S) -> Result<JsonBody<T>, ApiError> {
        let read = axum::body::to_bytes(request.into_body(), MAX_BODY_BYTES);
        let bytes = match tokio::time::timeout(BODY_TIMEOUT, read).await {
            Ok(Ok(bytes)) => bytes,
            Ok(Err(_)) => return Err(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "request body too large")),
            Err(_) => return Err(ApiError::new(StatusCode::REQUEST_TIMEOUT, "request body too slow")),
        };
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|_| ApiError::bad_request("malformed JSON body"))
    }
}
