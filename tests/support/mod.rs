//! Shared end-to-end test support: a fake Telegram Bot API server, builders for realistic
//! update bodies, a handle on the real `arcana` binary running as a child process, and an
//! independent TOTP generator standing in for an authenticator app.
//!
//! Test crates include it with `#[path = "../support/mod.rs"] mod support;`.
#![allow(dead_code)]

pub mod bot_process;
pub mod fake_telegram;
pub mod totp;
pub mod updates;

/// A fresh temporary directory, mode 0700: arcana refuses a data directory that group or others
/// can reach (the default umask makes tempfile's directories 0755).
pub fn private_tempdir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt as _;
    tempfile::Builder::new().permissions(std::fs::Permissions::from_mode(0o700)).tempdir().expect("tempdir")
}
