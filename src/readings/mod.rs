//! Readings as a service: daily allowances per tier (reset at local midnight), draws paid by the
//! allowance or a bought credit, and the sealed reading history with its retention.
//!
//! - [`allowance`] — what pays for a reading, or why it is refused (pure);
//! - [`ResetZone`] — local days and midnights in the configured time zone;
//! - [`History`] — readings sealed per user, paged newest first, expiring after the retention;
//! - [`Readings`] — the `/draw` and `/credits` logic over accounts and history.

pub mod allowance;
mod history;
mod service;
mod zone;

pub use allowance::{Coverage, Refusal, Usage};
pub use history::{History, Page, ReadingId};
pub use service::{DrawOutcome, Readings, ReadingsError, Standing};
pub use zone::ResetZone;

#[cfg(test)]
mod tests;
