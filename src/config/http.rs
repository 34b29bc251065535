//! `[http]`: the web side — the Telegram Mini App, the JSON API under `/api/v1` and the Telegram
//! Login page. Off unless `listen` is set: long polling needs no open port.

use std::{net::SocketAddr, num::NonZeroU32, path::PathBuf, time::Duration};

use serde::{Deserialize, Deserializer, de::Error as _};

use super::{LimitRule, LimitScope, duration::within};

/// `[http]`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// Where to listen (e.g. `127.0.0.1:8080`); the web side is off when unset.
    pub listen: Option<SocketAddr>,
    /// The HTTPS origin users reach (`https://tarot.example.org`: a reverse proxy, a tunnel, or
    /// arcana's own TLS). With it set the bot's menu button opens the Mini App, and the login
    /// page's callback is `<public_url>/login/callback`.
    #[serde(deserialize_with = "public_url")]
    pub public_url: Option<String>,
    /// A PEM certificate chain: arcana serves TLS 1.3 itself (with `tls_key`).
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of `tls_cert`.
    pub tls_key: Option<PathBuf>,
    /// How old a Mini App's `initData` may be when exchanged for a token (1 min to 1 day).
    #[serde(deserialize_with = "within::<60_000, 86_400_000, _>")]
    pub init_data_max_age: Duration,
    /// How old the Login Widget's data may be at the callback (1 min to 1 day).
    #[serde(deserialize_with = "within::<60_000, 86_400_000, _>")]
    pub login_max_age: Duration,
    /// How long a token is valid at most (5 min to 24 h); its session's end ends it sooner.
    #[serde(deserialize_with = "within::<300_000, 86_400_000, _>")]
    pub token_lifetime: Duration,
    /// Take the client's address from the last `X-Forwarded-For` entry (set by your reverse
    /// proxy) instead of the connection; only behind a proxy that sets it.
    pub trust_forwarded_for: bool,
    /// Origins allowed to call the API from another site (CORS); none by default.
    #[serde(deserialize_with = "origins")]
    pub cors_origins: Vec<String>,
    /// Requests per signed-in user.
    pub per_user: LimitRule,
    /// Requests per client address (signed in or not).
    pub per_address: LimitRule,
    /// Connections one client address (an IPv6 /64) may hold open at once (1 to 512); behind a
    /// trusted proxy, requests in flight per forwarded address (the proxy itself is held only to
    /// the server's limit).
    #[serde(deserialize_with = "connections")]
    pub connections_per_address: usize,
    /// Set by `arcana demo --web` only (never read from a file): the Mini App runs in an ordinary
    /// browser against the demo's throw-away bot, so its page signs in outside Telegram.
    #[serde(skip)]
    pub demo: bool,
}

impl Default for HttpConfig {
    fn default() -> Self {
        let rule = |limit: u32| LimitRule {
            limit: NonZeroU32::new(limit).unwrap_or(NonZeroU32::MIN),
            per: Duration::from_mins(1),
            scope: LimitScope::User,
        };
        HttpConfig {
            listen: None,
            public_url: None,
            tls_cert: None,
            tls_key: None,
            init_data_max_age: Duration::from_hours(1),
            login_max_age: Duration::from_mins(10),
            token_lifetime: Duration::from_hours(24),
            trust_forwarded_for: false,
            cors_origins: Vec::new(),
            per_user: rule(120),
            per_address: rule(240),
            connections_per_address: 16,
            demo: false,
        }
    }
}

impl HttpConfig {
    /// Whether arcana terminates TLS itself.
    #[must_use]
    pub fn tls(&self) -> Option<(&PathBuf, &PathBuf)> {
        self.tls_cert.as_ref().zip(self.tls_key.as_ref())
    }
}

/// An `https://host[:port]` origin, without path, query or fragment.
fn is_https_origin(text: &str) -> bool {
    let Ok(url) = url::Url::parse(text) else { return false };
    url.scheme() == "https"
        && url.host_str().is_some_and(|h| !h.is_empty())
        && url.username().is_empty()
        && url.password().is_none()
        && (url.path() == "/" || url.path().is_empty())
        && url.query().is_none()
        && url.fragment().is_none()
}

fn public_url<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let text = String::deserialize(deserializer)?;
    let trimmed = text.trim_end_matches('/');
    if !is_https_origin(trimmed) {
        return Err(D::Error::custom(
            "expected an https:// address without a path, query or fragment, e.g. \"https://tarot.example.org\"",
        ));
    }
    Ok(Some(trimmed.to_owned()))
}

fn connections<'de, D: Deserializer<'de>>(deserializer: D) -> Result<usize, D::Error> {
    let n = usize::deserialize(deserializer)?;
    if !(1..=512).contains(&n) {
        return Err(D::Error::custom("expected 1 to 512 connections"));
    }
    Ok(n)
}

fn origins<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    let list = Vec::<String>::deserialize(deserializer)?;
    for origin in &list {
        if !is_https_origin(origin) || origin.ends_with('/') {
            return Err(D::Error::custom(format!(
                "{origin:?} is not an https origin like \"https://app.example.org\""
            )));
        }
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::config::Config;

    fn error(toml: &str) -> String {
        Config::from_toml_str(toml, Path::new("arcana.toml")).expect_err("must fail").to_string()
    }

    #[test]
    fn the_web_side_is_off_by_default() {
        let config = Config::from_toml_str("", Path::new("arcana.toml")).expect("empty config");
        assert_eq!(config.http.listen, None);
        assert_eq!(config.http, super::HttpConfig::default());
    }

    #[test]
    fn bad_web_settings_name_their_key() {
        let e = error("[http]\npublic_url = \"http://tarot.example.org\"");
        assert!(e.contains("http.public_url") && e.contains("https://"), "{e}");
        let e = error("[http]\npublic_url = \"https://tarot.example.org/arcana\"");
        assert!(e.contains("http.public_url"), "{e}");
        let e = error("[http]\ntls_cert = \"/etc/cert.pem\"");
        assert!(e.contains("http.tls_key"), "{e}");
        let e = error("[http]\ntls_cert = \"c\"\ntls_key = \"k\"\ntrust_forwarded_for = true");
        assert!(e.contains("http.trust_forwarded_for"), "{e}");
        let e = error("[http]\nconnections_per_address = 0");
        assert!(e.contains("http.connections_per_address"), "{e}");
        let e = error("[http]\ncors_origins = [\"*\"]");
        assert!(e.contains("http.cors_origins"), "{e}");
        let e = error("[http]\ntoken_lifetime = \"48h\"");
        assert!(e.contains("http.token_lifetime"), "{e}");
        let e = error("[http]\nlisten = \"everywhere\"");
        assert!(e.contains("http.listen"), "{e}");
        // Only `arcana demo` signs in outside Telegram; no file can switch that on.
        let e = error("[http]\ndemo = true");
        assert!(e.contains("demo"), "{e}");
    }

    #[test]
    fn a_public_url_loses_its_trailing_slash() {
        let config = Config::from_toml_str("[http]\npublic_url = \"https://tarot.example.org/\"", Path::new("a.toml"))
            .expect("valid");
        assert_eq!(config.http.public_url.as_deref(), Some("https://tarot.example.org"));
    }
}
