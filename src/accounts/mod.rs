//! Accounts: who a Telegram user is to arcana — their sealed profile, consent to the privacy
//! notice, role and tier, sessions, and two-factor step-up for sensitive actions.

mod account;
mod authz;
pub mod backup_codes;
mod profile;
pub mod qr;
mod service;
pub mod sessions;
pub mod totp;
mod two_factor;

pub use account::{Account, Consent, Failures, TwoFactor};
pub use authz::{ADMIN_ONLY, ALWAYS_ALLOWED, Decision, SENSITIVE};
pub use profile::{Profile, Profiles};
pub use service::{Accounts, AccountsError};
pub use two_factor::TwoFactorError;

pub(crate) use service::new_session_id as service_session_id;

#[cfg(test)]
mod tests;
