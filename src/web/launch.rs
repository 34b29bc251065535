//! Where a sign-in request comes from. Telegram's `initData` proves who a user is, not where the
//! page holding it was opened: `/app#tgWebAppData=<someone's fresh initData>` opened in a
//! victim's browser would sign the victim in as that someone (login CSRF). Only the page can tell
//! whether it runs inside a Telegram client — the native clients inject
//! `window.TelegramWebviewProxy`, Telegram's web clients frame it (and the page's CSP lets only
//! them) — and it exchanges `initData` only then, saying so in [`Launch`]: `{"platform",
//! "via": "webview" | "frame"}`. The server refuses `initData` without that statement (an old
//! page, or a client that did not look), with the `unknown` platform Telegram's own script
//! reports outside Telegram, and a session request a browser marks as cross-site
//! (`Sec-Fetch-Site`) unless it comes from an origin in `http.cors_origins`.
//!
//! `arcana demo --web` is the one exception: its Mini App runs in an ordinary browser against a
//! throw-away bot on 127.0.0.1, so its page says `"via": "demo"` — which the server accepts only
//! when it is the demo's ([`crate::config::HttpConfig::demo`], never read from a file).

use axum::http::{HeaderMap, header};
use serde::Deserialize;

use super::{context::WebContext, error::ApiError};

/// How the Mini App says it was opened inside Telegram.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Launch {
    /// `tgWebAppPlatform`: `android`, `ios`, `tdesktop`, `macos`, `weba`, `webk`, …
    platform: String,
    /// What the page found of its Telegram client.
    via: Via,
}

/// What the page found of its Telegram client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Via {
    /// A native client's `window.TelegramWebviewProxy`.
    Webview,
    /// A frame of Telegram's web client.
    Frame,
    /// `arcana demo --web`: a browser on this machine, accepted only by the demo's own server.
    Demo,
}

impl Launch {
    /// The platform, when it names one (not `unknown`, at most 20 of `[a-z_]`).
    fn platform(&self) -> Option<&str> {
        let p = self.platform.as_str();
        let named = !p.is_empty() && p.len() <= 20 && p.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        (named && p != "unknown").then_some(p)
    }

    /// How it was opened, for the audit entry of the session (`android via webview`).
    pub(super) fn describe(&self) -> String {
        let via = match self.via {
            Via::Webview => "webview",
            Via::Frame => "frame",
            Via::Demo => "demo",
        };
        format!("{} via {via}", self.platform().unwrap_or("?"))
    }
}

/// Checks that `initData` comes with the page's word that it was opened inside Telegram (or, on
/// the server of `arcana demo` only, in the demo's browser: `demo`).
pub(super) fn check_init_data_launch(launch: Option<&Launch>, demo: bool) -> Result<&Launch, ApiError> {
    launch.filter(|l| l.platform().is_some() && (l.via != Via::Demo || demo)).ok_or_else(|| {
        ApiError::forbidden(
            "arcana uses Telegram's sign-in only inside Telegram; open it from the bot's menu button",
            "not_in_telegram",
        )
    })
}

/// Refuses a sign-in request the browser marks as sent by another site (other than an origin
/// allowed in `http.cors_origins`). Clients that send no `Sec-Fetch-Site` are not browsers, or
/// old ones; they pass.
pub(super) fn check_same_site(ctx: &WebContext, headers: &HeaderMap) -> Result<(), ApiError> {
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if matches!(site, None | Some("same-origin" | "none")) {
        return Ok(());
    }
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    if origin.is_some_and(|o| ctx.config.cors_origins.iter().any(|allowed| allowed == o)) {
        return Ok(());
    }
    Err(ApiError::forbidden("sign in from arcana's own pages", "cross_site"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn launch(json: &str) -> Option<Launch> {
        serde_json::from_str(json).ok()
    }

    #[test]
    fn initdata_needs_a_named_platform_and_a_telegram_client() {
        let android = launch(r#"{"platform":"android","via":"webview"}"#);
        assert_eq!(
            check_init_data_launch(android.as_ref(), false).map(Launch::describe).ok().as_deref(),
            Some("android via webview")
        );
        assert!(check_init_data_launch(launch(r#"{"platform":"webk","via":"frame"}"#).as_ref(), false).is_ok());
        for refused in [
            r#"{"platform":"unknown","via":"webview"}"#,
            r#"{"platform":"","via":"frame"}"#,
            r#"{"platform":"Android<script>","via":"frame"}"#,
        ] {
            assert!(check_init_data_launch(launch(refused).as_ref(), false).is_err(), "{refused}");
        }
        assert!(launch(r#"{"platform":"android","via":"url"}"#).is_none(), "only a client the page found");
        assert!(launch(r#"{"platform":"android"}"#).is_none());
        assert!(check_init_data_launch(None, false).is_err());
    }

    #[test]
    fn a_demo_launch_is_accepted_by_the_demo_server_only() {
        let demo = launch(r#"{"platform":"demo","via":"demo"}"#);
        assert!(check_init_data_launch(demo.as_ref(), false).is_err(), "a real server refuses it");
        assert_eq!(
            check_init_data_launch(demo.as_ref(), true).map(Launch::describe).ok().as_deref(),
            Some("demo via demo")
        );
        assert!(check_init_data_launch(None, true).is_err());
    }
}
