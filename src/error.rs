//! The crate's top-level error: what went wrong, in words fit for an operator, and the exit code
//! that goes with it (2 for usage or configuration problems, 1 for runtime failures).

use std::path::PathBuf;

use crate::{bot::BotError, config::ConfigError, layout::LayoutError, store::StoreError};

/// Result alias used across the crate's edges.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can stop a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration file is malformed or names an invalid setting.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The data directory is missing pieces or has unsafe permissions.
    #[error(transparent)]
    Layout(#[from] LayoutError),
    /// The bot token is missing or malformed.
    #[error(transparent)]
    Token(#[from] crate::secret::TokenError),
    /// The store could not be opened or used.
    #[error("store at {path}: {source}")]
    Store {
        /// Where the store lives.
        path: PathBuf,
        /// What failed.
        source: StoreError,
    },
    /// The bot failed while running.
    #[error(transparent)]
    Bot(#[from] BotError),
    /// The vault could not be opened or used.
    #[error("{0}")]
    Vault(#[from] crate::vault::VaultError),
    /// A backup could not be written or restored.
    #[error("{0}")]
    Backup(#[from] crate::backup::BackupError),
    /// An admin operation failed.
    #[error(transparent)]
    Ops(#[from] crate::control::OpsError),
    /// An account operation failed.
    #[error(transparent)]
    Accounts(#[from] crate::accounts::AccountsError),
    /// The domain services could not be set up.
    #[error(transparent)]
    Domain(#[from] crate::control::DomainError),
    /// An admin operation failed.
    #[error("{0}")]
    Control(String),
    /// The command line asks for something malformed or impossible (a file that cannot be read,
    /// an empty text, `service install` without root).
    #[error("{0}")]
    Usage(String),
    /// Some checks of `arcana doctor` failed.
    #[error("{0} check(s) failed")]
    ChecksFailed(usize),
    /// A runtime resource (threads, signals) could not be set up.
    #[error("runtime: {0}")]
    Runtime(String),
    /// The service unit cannot be written for these settings.
    #[error(transparent)]
    Unit(#[from] crate::unit::UnitError),
    /// Installing the service failed part way.
    #[error("service install: {0}")]
    Service(String),
}

impl Error {
    /// The process exit code for this error: 2 for configuration and usage, 1 otherwise.
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Config(_) | Error::Token(_) | Error::Unit(_) | Error::Usage(_) | Error::Bot(BotError::WebTls(_)) => {
                2
            }
            Error::Layout(e) => e.exit_code(),
            Error::Store { source, .. } if source.is_lock_held() || source.is_too_new() => 2,
            Error::Vault(e) if e.is_operator_error() => 2,
            Error::Store { .. }
            | Error::Bot(_)
            | Error::Vault(_)
            | Error::Backup(_)
            | Error::Domain(_)
            | Error::Ops(_)
            | Error::Accounts(_)
            | Error::Control(_)
            | Error::ChecksFailed(_)
            | Error::Runtime(_)
            | Error::Service(_) => 1,
        }
    }
}
