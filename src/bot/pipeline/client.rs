//! Building the teloxide clients: a plain `Bot` for long polling and the fair [`Sender`] for
//! everything that sends. Neither is ever formatted with `Debug` (it would print the token).

use std::time::Duration;

use teloxide::Bot;

use crate::{config::TelegramConfig, secret::BotToken};

use crate::bot::{
    BotError,
    send::{SendLimits, Sender},
};

/// Builds the start-up client (its HTTP timeout covers a long poll) and the sending client on
/// it. Call from within the tokio runtime (the sender spawns its scheduling task).
pub(crate) fn build(token: &BotToken, telegram: &TelegramConfig) -> Result<(Bot, Sender), BotError> {
    let bot = polling_bot(token, telegram)?;
    let sender = Sender::new(bot.clone(), SendLimits::default());
    Ok((bot, sender))
}

/// A client of its own for the polling loop: its connections are made, and driven, on the
/// polling loop's thread, never on the runtime that runs the handlers and sends.
pub(crate) fn polling_bot(token: &BotToken, telegram: &TelegramConfig) -> Result<Bot, BotError> {
    let http = teloxide::net::default_reqwest_settings()
        .timeout(telegram.poll_timeout + Duration::from_secs(15))
        .build()
        .map_err(|e| BotError::Client(e.without_url().to_string()))?;
    Ok(Bot::with_client(token.expose(), http).set_api_url(telegram.api_url.clone()))
}
