//! Errors that stop the bot.

/// Why the bot stopped with a failure.
#[derive(Debug, thiserror::Error)]
pub enum BotError {
    /// Telegram refused the token (HTTP 401/404 on every call).
    #[error("Telegram rejected the bot token; check BOT_TOKEN or telegram.token_file")]
    InvalidToken,
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] crate::store::StoreError),
    /// The domain services could not be set up.
    #[error(transparent)]
    Domain(#[from] crate::control::DomainError),
    /// The vault failed.
    #[error("vault: {0}")]
    Vault(crate::vault::VaultError),
    /// The audit writer could not start.
    #[error("audit writer: {0}")]
    Audit(String),
    /// arcana's own TLS could not be set up (a certificate or key file).
    #[error("config: key `{}`: {}", .0.key, .0.message)]
    WebTls(crate::web::TlsError),
    /// The web side could not listen on `http.listen`.
    #[error("cannot listen on http.listen {addr}: {reason}")]
    WebListen {
        /// The address.
        addr: std::net::SocketAddr,
        /// Why.
        reason: String,
    },
    /// The update inbox could not be opened or read.
    #[error("inbox: {0}")]
    Inbox(#[from] crate::inbox::InboxError),
    /// The polling loop's own thread could not start or ended without an answer.
    #[error("polling thread: {0}")]
    Polling(String),
}
