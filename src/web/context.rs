//! What every web request shares: the services of the running bot, the `[http]` settings, the
//! secrets that verify Telegram-signed data (derived from the bot token, never the token
//! itself), and the bot's username for the login widget.

use std::{net::IpAddr, sync::Arc};

use zeroize::Zeroizing;

use crate::{
    config::{Config, HttpConfig},
    control::Services,
};

use super::{init_data::init_data_secret, login_data::login_secret};

/// Shared state of the web side.
pub struct WebContext {
    /// The running bot's services.
    pub services: Arc<Services>,
    /// `[http]`.
    pub config: HttpConfig,
    /// Verifies the Mini App's `initData`.
    pub(super) init_data_secret: Zeroizing<[u8; 32]>,
    /// Verifies the Login Widget's data.
    pub(super) login_secret: Zeroizing<[u8; 32]>,
    /// The bot's username (from `getMe`).
    pub bot_username: String,
    /// Whether payments are on (the Mini App points to `/buy`).
    pub payments: bool,
    /// Readings per page of the history (`readings.history_page_size`, as in `/history`).
    pub history_page_size: usize,
    /// Login codes waiting for their browser.
    pub(super) login_codes: super::login_codes::LoginCodes,
    /// Requests in flight per forwarded client (behind a trusted proxy).
    pub(super) client_slots: super::peers::PeerSlots,
    /// Refused sign-ins of the current minute, per address (audited once a minute).
    pub(super) refused_sign_ins: super::refused_sign_ins::RefusedSignIns,
}

impl std::fmt::Debug for WebContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebContext").field("bot_username", &self.bot_username).finish_non_exhaustive()
    }
}

impl WebContext {
    /// The context for `services` under `config` (its `[http]`, whether payments are on, the
    /// history's page size), with the secrets derived from `bot_token`.
    #[must_use]
    pub fn new(services: Arc<Services>, config: &Config, bot_token: &str, bot_username: String) -> WebContext {
        let history_page_size = config.readings.history_page_size.get();
        WebContext {
            services,
            init_data_secret: Zeroizing::new(init_data_secret(bot_token)),
            login_secret: Zeroizing::new(login_secret(bot_token)),
            bot_username,
            payments: config.payments.enabled,
            history_page_size: usize::try_from(history_page_size).unwrap_or(usize::MAX),
            login_codes: super::login_codes::LoginCodes::default(),
            client_slots: super::peers::PeerSlots::new(config.http.connections_per_address),
            refused_sign_ins: super::refused_sign_ins::RefusedSignIns::default(),
            config: config.http.clone(),
        }
    }

    /// Unix milliseconds now, by the sentinel's clock.
    pub(super) fn now_ms(&self) -> u64 {
        self.services.sentinel.clock().unix_ms()
    }

    /// Counts a sign-in from `address` refused for `reason` (one audit entry per address and
    /// minute).
    pub(super) fn refused(&self, address: IpAddr, reason: &'static str) {
        self.refused_sign_ins.record(address, reason, self.now_ms());
    }
}
