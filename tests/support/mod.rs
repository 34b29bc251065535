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
