//! Building the teloxide clients: a plain `Bot` for long polling and a `Throttle`d one for
//! everything that sends. Neither is ever formatted with `Debug` (it would print the token).

use std::time::Duration;

use teloxide::{
    Bot,
    adaptors::{Throttle, throttle::Limits},
    requests::RequesterExt,
};

use crate::{config::TelegramConfig, secret::BotToken};

use super::BotError;

/// The sending client: Telegram's per-chat and global limits applied, 429s retried.
pub type Sender = Throttle<Bot>;

/// Builds the polling client (its HTTP timeout covers the long poll) and the sending client.
pub(crate) fn build(token: &BotToken, telegram: &TelegramConfig) -> Result<(Bot, Sender), BotError> {
    let http = teloxide::net::default_reqwest_settings()
        .timeout(telegram.poll_timeout + Duration::from_secs(15))
        .build()
        .map_err(|e| BotError::Client(e.without_url().to_string()))?;
    let bot = Bot::with_client(token.expose(), http).set_api_url(telegram.api_url.clone());
    let sender = bot.clone().throttle(Limits::default());
    Ok((bot, sender))
}
