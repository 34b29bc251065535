//! Connecting to the Bot API at start: `getMe` until it answers (a Pi may boot before its
//! network is up), then `deleteWebhook` (long polling needs none) and `setMyCommands` (English for
//! every language, then once per other locale with its `language_code`).

use std::time::Duration;

use teloxide::{
    ApiError, Bot, RequestError,
    payloads::SetMyCommandsSetters,
    prelude::Requester,
    types::{BotCommand, Me},
};
use tokio_util::sync::CancellationToken;

use crate::{
    bot::{
        BotError,
        send::{Backoff, Redacted},
    },
    i18n,
    locale::Locale,
    supervisor::Notifier,
};

/// Start-up time asked of systemd for one `getMe` attempt, on top of the wait before it.
const REQUEST_ALLOWANCE: Duration = Duration::from_secs(90);

/// The commands shown in Telegram's menu in `locale`: the command table's rows with a menu
/// entry, described in that language.
pub(crate) fn commands(locale: Locale) -> Vec<BotCommand> {
    crate::command::TABLE
        .iter()
        .filter(|spec| spec.menu.is_some())
        .filter_map(|spec| i18n::menu(locale, spec.name).map(|description| BotCommand::new(spec.name, description)))
        .collect()
}

/// Calls `getMe` until it succeeds; `None` if shutdown came first. While it fails, asks systemd
/// for more start-up time before each retry, so a Pi that boots before its network is up is not
/// killed for starting slowly.
pub(crate) async fn connect(
    bot: &Bot,
    shutdown: &CancellationToken,
    notifier: &Notifier,
) -> Result<Option<Me>, BotError> {
    let mut backoff = Backoff::new(Duration::from_millis(250), Duration::from_secs(30));
    loop {
        let result = tokio::select! {
            () = shutdown.cancelled() => return Ok(None),
            r = bot.get_me() => r,
        };
        match result {
            Ok(me) => return Ok(Some(me)),
            Err(RequestError::Api(ApiError::InvalidToken)) => return Err(BotError::InvalidToken),
            Err(e) => {
                let delay = backoff.next_delay();
                tracing::warn!(error = %Redacted(&e), retry_in_ms = delay.as_millis(), "cannot reach the Telegram Bot API yet");
                // The retry's own request may take a while too (teloxide waits 10 s after a 5xx).
                notifier.extend_start(delay + REQUEST_ALLOWANCE, "cannot reach the Telegram Bot API yet; retrying");
                tokio::select! {
                    () = shutdown.cancelled() => return Ok(None),
                    () = tokio::time::sleep(delay) => {}
                }
            }
        }
    }
}

/// Removes any webhook and publishes the command list; failures are logged, not fatal.
pub(crate) async fn prepare(bot: &Bot) {
    if let Err(e) = bot.delete_webhook().await {
        tracing::warn!(error = %Redacted(&e), "deleteWebhook failed; polling may be refused while a webhook is set");
    }
    // English for every language without a list of its own, then one list per other locale.
    if let Err(e) = bot.set_my_commands(commands(Locale::En)).await {
        tracing::warn!(error = %Redacted(&e), "setMyCommands failed");
    }
    for locale in Locale::ALL.into_iter().filter(|&l| l != Locale::En) {
        if let Err(e) = bot.set_my_commands(commands(locale)).language_code(locale.code()).await {
            tracing::warn!(error = %Redacted(&e), language = locale.code(), "setMyCommands failed");
        }
    }
}

/// With `http.public_url` set, the bot's menu button (in every private chat without its own)
/// opens the Mini App at `<public_url>/app`.
pub(crate) async fn set_menu_button(bot: &Bot, public_url: &str) {
    let Ok(url) = url::Url::parse(&format!("{public_url}/app")) else { return };
    let button = teloxide::types::MenuButton::WebApp {
        text: String::from("Readings"),
        web_app: teloxide::types::WebAppInfo { url },
    };
    let mut request = bot.set_chat_menu_button();
    request.menu_button = Some(button);
    if let Err(e) = request.await {
        tracing::warn!(error = %Redacted(&e), "setChatMenuButton failed; the Mini App is still reachable by its link");
    }
}
