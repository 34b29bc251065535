//! The bot token: validated once, held in zeroizing memory, never printed.
//!
//! teloxide's `Bot` derives `Debug` and prints the token; arcana never formats a `Bot` and keeps
//! its own copy in [`BotToken`], whose `Debug` is redacted. The logging layer additionally scrubs
//! the token from every line (see [`crate::logging`]).

use std::fmt;

use zeroize::Zeroizing;

/// Why a token was refused. Messages never contain the token itself.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    /// Neither `BOT_TOKEN`, systemd's credential nor `telegram.token_file` gave a token.
    #[error(
        "missing bot token: set BOT_TOKEN, the systemd credential bot-token (LoadCredential=), or telegram.token_file in the config"
    )]
    Missing,
    /// The token does not look like `<bot id>:<secret>`.
    #[error("{source_name} is malformed: expected <digits>:<secret of 30+ letters, digits, '_' or '-'>")]
    Malformed {
        /// Where the token came from (`BOT_TOKEN` or the file path).
        source_name: String,
    },
    /// The token file could not be read.
    #[error("cannot read telegram.token_file {path}: {reason}")]
    Unreadable {
        /// The file.
        path: String,
        /// The I/O error, in words.
        reason: String,
    },
}

/// A well-formed Telegram bot token.
#[derive(Clone)]
pub struct BotToken(Zeroizing<String>);

impl BotToken {
    /// Checks the shape `<bot id>:<secret>`; `source_name` names the origin in errors.
    pub fn parse(raw: &str, source_name: &str) -> Result<BotToken, TokenError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(TokenError::Missing);
        }
        if !is_well_formed(raw) {
            return Err(TokenError::Malformed { source_name: source_name.to_owned() });
        }
        Ok(BotToken(Zeroizing::new(raw.to_owned())))
    }

    /// The token text, for the Telegram client and the log scrubber only.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The numeric bot id before the colon (not secret).
    #[must_use]
    pub fn bot_id(&self) -> &str {
        self.0.split(':').next().unwrap_or_default()
    }
}

impl fmt::Debug for BotToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BotToken({}:[redacted])", self.bot_id())
    }
}

fn is_well_formed(token: &str) -> bool {
    let Some((id, secret)) = token.split_once(':') else {
        return false;
    };
    let id_ok = (1..=20).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit());
    let secret_ok = (30..=200).contains(&secret.len())
        && secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    id_ok && secret_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";

    #[test]
    fn accepts_a_real_shaped_token() {
        let t = BotToken::parse(&format!(" {GOOD}\n"), "BOT_TOKEN").expect("valid");
        assert_eq!(t.expose(), GOOD);
        assert_eq!(t.bot_id(), "123456789");
    }

    #[test]
    fn refuses_malformed_tokens_without_echoing_them() {
        for bad in [
            "abc",
            "123:short",
            ":AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
            "12x:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
            "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PA/../sa",
            "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5P ALDsaw",
        ] {
            let e = BotToken::parse(bad, "BOT_TOKEN").expect_err(bad);
            assert!(!e.to_string().contains(bad), "{e}");
        }
        assert_eq!(BotToken::parse("  ", "BOT_TOKEN").expect_err("empty"), TokenError::Missing);
    }

    #[test]
    fn debug_is_redacted() {
        let t = BotToken::parse(GOOD, "BOT_TOKEN").expect("valid");
        let shown = format!("{t:?}");
        assert!(!shown.contains("AAHdq"), "{shown}");
    }
}
