//! Handlers: what the bot does with an update that passed the security layer.

use std::sync::Arc;

use teloxide::types::{ChatId, Message, MessageKind, Update, UpdateKind, User};

use crate::{
    accounts::{Account, Decision},
    audit_tap::Event,
    command::{Access, Command},
    i18n,
    locale::Locale,
    sanitize::split_command,
    sentinel::InboundKind,
};

use crate::bot::{
    app::App,
    send::{send_html, send_notice},
};

use super::{accounts, admin, callbacks, card, consent, daily, deletion, hints, history, language, payments, readings};

/// How long a lockdown notice may wait for a send slot before it is dropped.
const LOCKDOWN_NOTICE_FOR: std::time::Duration = std::time::Duration::from_mins(1);

/// A handler at work, boxed (see [`handle`]).
pub(crate) type Handling = std::pin::Pin<Box<dyn Future<Output = ()> + Send>>;

/// Handles one update. Errors are logged here; nothing propagates to the polling loop.
///
/// The update is moved once, into a box holding just what its kind needs: a task waiting to
/// send holds that, not the largest handler of them all, and not copies of the update in each
/// layer of futures around it (a decoded update is about 2 KiB, held by value in an `async fn`'s
/// arguments and again in the locals it is moved into; hundreds of handlers wait at once under a
/// flood). Each command's future is boxed below for the same reason.
pub(crate) fn handle(app: Arc<App>, update: Update) -> Handling {
    let update_id = update.id.0;
    match update.kind {
        UpdateKind::Message(message) => Box::pin(async move { on_message(&app, &message).await }),
        UpdateKind::CallbackQuery(query) => {
            Box::pin(async move { callbacks::on_callback(&app, &query, update_id).await })
        }
        UpdateKind::PreCheckoutQuery(query) => Box::pin(async move { payments::on_pre_checkout(&app, &query).await }),
        other => {
            tracing::debug!(update_id, kind = kind_name(&other), "ignored update");
            Box::pin(std::future::ready(()))
        }
    }
}

/// A message.
async fn on_message(app: &App, message: &Message) {
    if Box::pin(on_payment_message(app, message)).await {
        return;
    }
    let (Some(text), Some(from)) = (message.text(), message.from.as_ref()) else { return };
    let parsed = split_command(text, &app.username);
    let private = message.chat.is_private();
    // Free text is answered in a private chat only (with a hint); a `/word` that is not a
    // command for this bot (`/help@other_bot`) not at all.
    if parsed.is_none() && (!private || text.starts_with('/')) {
        return;
    }
    let user = crate::sanitize::user_id(from.id);
    let chat = ChatId(message.chat.id.0);
    // Account commands in a group get a pointer to the private chat and nothing else: no
    // authorisation answer, no session touched.
    if let Some(private) = parsed.as_ref().and_then(|(c, _)| Command::parse(c)).filter(|c| c.spec().private_only)
        && !message.chat.is_private()
    {
        tracing::info!(target: "arcana::audit", event = Event::PrivateOnly.name(), user, command = private.name(),
            "refused in a group");
        let locale = app.locale(user, from.language_code.as_deref());
        let text = i18n::format(locale, "private_only", &[("command", private.name())]);
        return send_html(&app.sender, chat, &text).await;
    }
    let accounts = &app.services.accounts;
    let account = match accounts.get(user) {
        Ok(account) => account,
        Err(e) => {
            tracing::error!(error = %e, "cannot read an account");
            let locale = Locale::from_language_code(from.language_code.as_deref().unwrap_or_default());
            return send_html(&app.sender, chat, i18n::text(locale, "try_again")).await;
        }
    };
    let registered = accounts.is_registered(&account);
    let is_admin = app.services.sentinel.is_admin(user);
    // Lockdown: only admins and registered users are served; everyone else gets one notice,
    // sent after every reply and dropped if it cannot go within a minute (a wave of new accounts
    // must not hold up the members' replies).
    // Telegram's language until the user has a profile (stored at registration) with its own.
    let telegram_locale = Locale::from_language_code(from.language_code.as_deref().unwrap_or_default());
    if !is_admin && app.services.lockdown.is_on() && !accounts.is_member(&account) {
        if app.services.lockdown.first_notice(user) {
            let stale_at = std::time::Instant::now() + LOCKDOWN_NOTICE_FOR;
            return send_notice(&app.sender, chat, i18n::text(telegram_locale, "lockdown_notice"), stale_at).await;
        }
        return;
    }
    let (session, stored_locale) = if registered { remember(app, user, from, &account) } else { (None, None) };
    let locale = stored_locale.unwrap_or(telegram_locale);
    let Some((command, args)) = Box::pin(known_command(app, message, parsed, registered, locale)).await else {
        return;
    };
    match accounts.authorize(user, &account, is_admin, command.name()) {
        Decision::Allowed => {}
        Decision::NeedsConsent => return Box::pin(notice(app, user, message, false, locale)).await,
        Decision::AdminOnly => {
            tracing::warn!(target: "arcana::audit", event = Event::AccessDenied.name(),
                user, command = command.name(), reason = "admin_only", "command refused");
            return send_html(&app.sender, chat, i18n::text(locale, "admins_only")).await;
        }
        Decision::NeedsTier(tier) => {
            tracing::warn!(target: "arcana::audit", event = Event::AccessDenied.name(), user, command = command.name(), reason = "tier",
                "command refused");
            let text = match tier {
                Some(tier) => {
                    i18n::format(locale, "needs_tier", &[("tier_html", &teloxide::utils::html::escape(&tier))])
                }
                None => i18n::text(locale, "not_in_plan").to_owned(),
            };
            return send_html(&app.sender, chat, &text).await;
        }
        Decision::TierLimited { retry_after_ms } => {
            let wait = i18n::wait(locale, std::time::Duration::from_millis(retry_after_ms));
            return send_html(&app.sender, chat, &i18n::format(locale, "tier_limited", &[("wait", &wait)])).await;
        }
    }
    let elevated = session.as_ref().is_some_and(|s| s.elevated_until_ms > accounts.now());
    if command.needs_step_up(&args) && account.two_factor_on() && !elevated {
        tracing::info!(target: "arcana::audit", event = Event::StepUpRequired.name(), user, command = command.name(),
            "fresh code required");
        return send_html(&app.sender, chat, i18n::text(locale, "needs_fresh_code")).await;
    }
    let current = session.map(|s| s.id).unwrap_or_default();
    let asker = Asker { from, user, chat, registered, is_admin, current: &current, locale };
    Box::pin(run_command(app, message, command, &args, &asker)).await;
}

/// Who asks, as the router found them: what a command's handler needs besides its arguments.
struct Asker<'a> {
    from: &'a User,
    user: i64,
    chat: ChatId,
    registered: bool,
    is_admin: bool,
    /// The id of the session the message came in.
    current: &'a str,
    locale: Locale,
}

/// Hands an authorised `command` to its handler.
async fn run_command(app: &App, message: &Message, command: Command, args: &str, asker: &Asker<'_>) {
    let Asker { from, user, chat, registered, is_admin, current, locale } = *asker;
    let private = message.chat.is_private();
    match command {
        // `/start privacy` is the deep link of the group pointer: the notice, not the welcome.
        Command::Start if registered && args != consent::START_PAYLOAD => {
            send_html(&app.sender, chat, i18n::text(locale, "welcome")).await;
        }
        Command::Start | Command::Privacy => Box::pin(notice(app, user, message, registered, locale)).await,
        Command::Help => send_html(&app.sender, chat, &help(locale)).await,
        Command::Block
        | Command::Unblock
        | Command::Lockdown
        | Command::Unmute
        | Command::ResetLimits
        | Command::Broadcast => {
            Box::pin(admin::handle(app, message, command.name(), args, locale)).await;
        }
        Command::Draw => {
            let reply_to = (!private).then_some(message.id);
            Box::pin(readings::draw(app, user, chat, is_admin, args, reply_to, locale)).await;
        }
        Command::Card => Box::pin(card::show(app, user, chat, args, locale)).await,
        Command::Daily => Box::pin(daily::show(app, user, chat, args, locale)).await,
        Command::Language => Box::pin(language::show(app, user, chat, locale)).await,
        Command::History => Box::pin(history::show(app, user, chat, locale)).await,
        Command::Credits => Box::pin(readings::credits(app, user, chat, is_admin, locale)).await,
        Command::Buy => Box::pin(payments::buy(app, user, chat, args, locale)).await,
        Command::Refund => Box::pin(payments::refund(app, user, chat, args)).await,
        Command::Sessions => Box::pin(accounts::sessions(app, user, chat, current, locale)).await,
        Command::LogoutAll => Box::pin(accounts::logout_all(app, user, chat, locale)).await,
        Command::TwoFactor => Box::pin(accounts::two_factor(app, from, chat, args, locale)).await,
        Command::Verify => Box::pin(accounts::verify(app, user, chat, args, locale)).await,
        Command::Export => Box::pin(accounts::export(app, user, chat, locale)).await,
        Command::DeleteMe => Box::pin(deletion::ask(app, user, chat, locale)).await,
    }
}

/// The privacy notice; for a newcomer in a group, a pointer to it in the private chat instead.
async fn notice(app: &App, user: i64, message: &Message, registered: bool, locale: Locale) {
    let chat = ChatId(message.chat.id.0);
    if !registered && !message.chat.is_private() {
        return consent::point_to_private(app, user, chat, message.id, locale).await;
    }
    consent::send_notice(app, user, chat, registered, locale).await;
}

/// The command `parsed` names, with its arguments. Free text (a hint, or the privacy notice to
/// a newcomer) and unknown names (a pointer to /help; in a group only when addressed to this
/// bot, `/name@bot`, since a bare `/name` there may be another bot's) are answered here.
async fn known_command(
    app: &App,
    message: &Message,
    parsed: Option<(String, String)>,
    registered: bool,
    locale: Locale,
) -> Option<(Command, String)> {
    let chat = ChatId(message.chat.id.0);
    let user = message.from.as_ref().map_or(0, |from| crate::sanitize::user_id(from.id));
    let Some((name, args)) = parsed else {
        if registered {
            Box::pin(hints::free_text(app, user, message, locale)).await;
        } else {
            Box::pin(consent::send_notice(app, user, chat, false, locale)).await;
        }
        return None;
    };
    let known = Command::parse(&name);
    let addressed = message.text().and_then(|t| t.split_whitespace().next()).is_some_and(|word| word.contains('@'));
    if known.is_none() && (message.chat.is_private() || addressed) {
        Box::pin(hints::unknown_command(app, chat, &name, locale)).await;
    }
    Some((known?, args))
}

/// The command list for `/help` in `locale`, from the command table (admin commands left out).
fn help(locale: Locale) -> String {
    let mut text = i18n::text(locale, "help").to_owned();
    for spec in crate::command::TABLE.iter().filter(|s| s.access != Access::Admin) {
        text.push('\n');
        text.push_str(&i18n::help_line(locale, spec.name));
    }
    text
}

/// Payment service messages (`successful_payment`, `refunded_payment`); true if it was one.
async fn on_payment_message(app: &App, message: &Message) -> bool {
    let Some(from) = message.from.as_ref() else { return false };
    let user = crate::sanitize::user_id(from.id);
    if let Some(payment) = message.successful_payment() {
        let locale = app.locale(user, from.language_code.as_deref());
        payments::on_successful_payment(app, user, ChatId(message.chat.id.0), payment, locale).await;
        return true;
    }
    if let MessageKind::RefundedPayment(refunded) = &message.kind {
        payments::on_refunded_payment(app, user, &refunded.refunded_payment.telegram_payment_charge_id.0).await;
        return true;
    }
    false
}

/// For a registered user: keeps their session alive and their profile current; returns the
/// session and the locale their profile holds.
fn remember(
    app: &App,
    user: i64,
    from: &User,
    account: &Account,
) -> (Option<crate::accounts::sessions::Session>, Option<Locale>) {
    let locale = match app.services.profiles.remember(from) {
        Ok((profile, _)) => profile.locale,
        Err(e) => {
            tracing::error!(error = %e, "cannot store a profile");
            None
        }
    };
    let session = app
        .services
        .accounts
        .touch_session(user, account)
        .map_err(|e| tracing::error!(error = %e, "cannot keep the session"))
        .ok();
    (session, locale)
}

/// A short name of the update kind, for logs.
pub(crate) fn kind_name(kind: &UpdateKind) -> &'static str {
    match kind {
        UpdateKind::Message(_) => "message",
        UpdateKind::EditedMessage(_) => "edited_message",
        UpdateKind::ChannelPost(_) => "channel_post",
        UpdateKind::EditedChannelPost(_) => "edited_channel_post",
        UpdateKind::InlineQuery(_) => "inline_query",
        UpdateKind::ChosenInlineResult(_) => "chosen_inline_result",
        UpdateKind::CallbackQuery(_) => "callback_query",
        UpdateKind::PreCheckoutQuery(_) => "pre_checkout_query",
        UpdateKind::ShippingQuery(_) => "shipping_query",
        UpdateKind::MyChatMember(_) => "my_chat_member",
        UpdateKind::ChatMember(_) => "chat_member",
        UpdateKind::Error(_) => "unparsed",
        _ => "other",
    }
}

/// The metrics' name of a kind the first look decided (the names [`kind_name`] gives).
pub(crate) fn inbound_kind_name(kind: InboundKind) -> &'static str {
    match kind {
        InboundKind::Message | InboundKind::Payment => "message",
        InboundKind::EditedMessage => "edited_message",
        InboundKind::CallbackQuery => "callback_query",
        InboundKind::InlineQuery => "inline_query",
        InboundKind::MyChatMember => "my_chat_member",
        InboundKind::PreCheckoutQuery => "pre_checkout_query",
        InboundKind::Other => "other",
    }
}
