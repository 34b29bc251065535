//! Accounts: who a Telegram user is to arcana. For now: their profile, sealed in the vault.

pub mod backup_codes;
mod profile;
pub mod qr;
pub mod totp;

pub use profile::{Profile, Profiles};
