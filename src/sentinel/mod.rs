//! The sentinel.
pub mod sanitize;
