//! The environment variables arcana reads, captured once at start-up.

use std::path::PathBuf;

use zeroize::Zeroizing;

/// Settings that come from the environment.
#[derive(Default, Clone)]
pub struct Env {
    /// `BOT_TOKEN`.
    pub bot_token: Option<String>,
    /// `ARCANA_TELEGRAM_API_URL`.
    pub api_url: Option<String>,
    /// `ARCANA_DIR`.
    pub dir: Option<PathBuf>,
    /// `ARCANA_LOG`.
    pub log: Option<String>,
    /// `ARCANA_PASSPHRASE`: derive the KEK from a passphrase instead of `DIR/master.key`.
    pub passphrase: Option<Zeroizing<String>>,
    /// `ARCANA_NEW_PASSPHRASE`: the new passphrase for `arcana keys rotate --master`.
    pub new_passphrase: Option<Zeroizing<String>>,
}

impl std::fmt::Debug for Env {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Env")
            .field("bot_token", &self.bot_token.as_ref().map(|_| "[redacted]"))
            .field("api_url", &self.api_url)
            .field("dir", &self.dir)
            .field("log", &self.log)
            .field("passphrase", &self.passphrase.as_ref().map(|_| "[redacted]"))
            .field("new_passphrase", &self.new_passphrase.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

impl Env {
    /// Reads the process environment (empty values count as unset).
    #[must_use]
    pub fn from_process() -> Env {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Env {
            bot_token: var("BOT_TOKEN"),
            api_url: var("ARCANA_TELEGRAM_API_URL"),
            dir: var("ARCANA_DIR").map(PathBuf::from),
            log: var("ARCANA_LOG"),
            passphrase: std::env::var("ARCANA_PASSPHRASE").ok().filter(|v| !v.is_empty()).map(Zeroizing::new),
            new_passphrase: std::env::var("ARCANA_NEW_PASSPHRASE").ok().filter(|v| !v.is_empty()).map(Zeroizing::new),
        }
    }
}
