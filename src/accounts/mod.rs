//! Accounts: who a Telegram user is to arcana. For now: their profile, sealed in the vault.

mod profile;

pub use profile::{Profile, Profiles};
