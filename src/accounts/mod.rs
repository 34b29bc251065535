//! Accounts: who a Telegram user is to arcana — their sealed profile, consent to the privacy
//! notice, role and tier, sessions, and two-factor step-up for sensitive actions — and the
//! [`wallet`] and daily [`Usage`] the account record carries for `billing` and `readings`; and the
//! user's card of the day ([`DailyPlans`]).

mod account;
mod authz;
pub mod backup_codes;
mod daily;
mod profile;
pub mod qr;
mod secret_messages;
mod service;
pub mod sessions;
mod token_sessions;
pub mod totp;
mod two_factor;
mod usage;
pub mod wallet;

pub use account::{Account, Consent, Failures, TwoFactor, UsedSignIn};
pub use authz::Decision;
pub use daily::{DailyPlan, DailyPlans, DailyZone};
pub use profile::{Profile, Profiles};
pub use secret_messages::{MessageRef, Orphan, Reservation, SecretKind, SecretMessage, SecretMessages};
pub use service::{Accounts, AccountsError};
pub use token_sessions::TokenSessionRefusal;
pub use two_factor::TwoFactorError;
pub use usage::Usage;
pub use wallet::Wallet;

pub(crate) use service::new_session_id as service_session_id;

#[cfg(test)]
mod tests;
