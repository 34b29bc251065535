//! Admin operations that work whether the bot is running or not.
//!
//! sled allows one process per store, so while the bot runs, `arcana block` and friends talk to
//! it over a Unix socket in the data directory (`DIR/control.sock`, mode 0600, inside the 0700
//! directory); when it does not, the CLI opens the store itself. Both paths run the same
//! [`execute`], and security-critical changes are flushed before they are acknowledged.

mod admin;
mod blocks;
pub mod broadcast;
mod client;
mod deletion;
mod domain;
mod export;
mod incident;
mod keys;
mod lockdown;
mod ops;
mod pipeline;
mod protocol;
pub mod retention;
mod server;
mod services;
#[cfg(test)]
pub(crate) mod testing;
mod users;
mod web_keys;

pub use admin::{Admin, OpsError};
pub use client::{ControlError, send};
pub use deletion::{Tombstone, delete_user, finish_interrupted_deletions};
pub use domain::{Domain, DomainError};
pub use export::user_data;
pub use lockdown::{Lockdown, LockdownRecord};
pub use ops::execute;
pub use pipeline::{BackupStats, PipelineStats};
pub use protocol::{Request, Response, UserFilter};
pub use server::serve;
pub use services::{RefundFuture, Services, Telegram};
pub use web_keys::{generation as token_key_generation, rotate as rotate_token_key};

/// The socket's file name inside the data directory.
pub const SOCKET_NAME: &str = "control.sock";
