//! Handlers: what the bot does with an update that passed the security layer.

use teloxide::types::{ChatId, Message, MessageKind, Update, UpdateKind, User};

use crate::{
    accounts::{Account, Decision},
    audit_tap::Event,
    command::{Access, Command},
    i18n,
    locale::Locale,
    sanitize::split_command,
};

use crate::bot::{
    app::App,
    send::{send_html, send_notice},
};

use super::{accounts, admin, callbacks, card, consent, daily, history, language, payments, readings};

/// How long a lockdown notice may wait for a send slot before it is dropped.
const LOCKDOWN_NOTICE_FOR: std::time::Duration = std::time::Duration::from_mins(1);

/// Handles one update. Errors are logged here; nothing propagates to the polling loop.
pub(crate) async fn handle(app: &App, update: Update) {
    match update.kind {
        // Each command's future is boxed: a task waiting to send holds only what its own
        // command needs, not the largest of them all (thousands wait at once under a flood).
        UpdateKind::Message(message) => on_message(app, &message, i64::from(update.id.0)).await,
        UpdateKind::CallbackQuery(query) => Box::pin(callbacks::on_callback(app, query, update.id.0)).await,
        UpdateKind::PreCheckoutQuery(query) => Box::pin(payments::on_pre_checkout(app, query)).await,
        other => tracing::debug!(update_id = update.id.0, kind = kind_name(&other), "ignored update"),
    }
}

/// A message; `update_id` is its inbox entry.
async fn on_message(app: &App, message: &Message, update_id: i64) {
    if Box::pin(on_payment_message(app, message)).await {
        return;
    }
    let (Some(text), Some(from)) = (message.text(), message.from.as_ref()) else { return };
    let Some((command, args)) = split_command(text, &app.username) else { return };
    let user = crate::sanitize::user_id(from.id);
    let chat = ChatId(message.chat.id.0);
    // Account commands in a group get a pointer to the private chat and nothing else: no
    // authorisation answer, no session touched.
    if let Some(private) = Command::parse(&command).filter(|c| c.spec().private_only)
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
    let (session, locale) = if registered { remember(app, user, from, &account) } else { (None, None) };
    let locale = locale.unwrap_or(telegram_locale);
    match accounts.authorize(user, &account, is_admin, &command) {
        Decision::Allowed => {}
        Decision::NeedsConsent => return Box::pin(consent::send_notice(app, user, chat, false, locale)).await,
        Decision::AdminOnly => {
            tracing::warn!(target: "arcana::audit", event = Event::AccessDenied.name(),
                user, command, reason = "admin_only", "command refused");
            return send_html(&app.sender, chat, i18n::text(locale, "admins_only")).await;
        }
        Decision::NeedsTier(tier) => {
            tracing::warn!(target: "arcana::audit", event = Event::AccessDenied.name(), user, command, reason = "tier",
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
    // Unknown names end here, after the same authorisation answers as before.
    let Some(command) = Command::parse(&command) else { return };
    let elevated = session.as_ref().is_some_and(|s| s.elevated_until_ms > accounts.now());
    if command.needs_step_up(&args) && account.two_factor_on() && !elevated {
        tracing::info!(target: "arcana::audit", event = Event::StepUpRequired.name(), user, command = command.name(),
            "fresh code required");
        return send_html(&app.sender, chat, i18n::text(locale, "needs_fresh_code")).await;
    }
    let current = session.map(|s| s.id).unwrap_or_default();
    match command {
        Command::Start if registered => send_html(&app.sender, chat, i18n::text(locale, "welcome")).await,
        Command::Start | Command::Privacy => Box::pin(consent::send_notice(app, user, chat, registered, locale)).await,
        Command::Help => send_html(&app.sender, chat, &help(locale)).await,
        Command::Block
        | Command::Unblock
        | Command::Lockdown
        | Command::Unmute
        | Command::ResetLimits
        | Command::Broadcast => {
            Box::pin(admin::handle(app, message, command.name(), &args, locale)).await;
        }
        Command::Draw => Box::pin(readings::draw(app, user, chat, is_admin, &args, locale)).await,
        Command::Card => Box::pin(card::show(app, user, chat, &args, locale)).await,
        Command::Daily => Box::pin(daily::show(app, user, chat, &args, locale)).await,
        Command::Language => Box::pin(language::show(app, user, chat, locale)).await,
        Command::History => Box::pin(history::show(app, user, chat, locale)).await,
        Command::Credits => Box::pin(readings::credits(app, user, chat, is_admin, locale)).await,
        Command::Buy => Box::pin(payments::buy(app, user, chat, &args, locale)).await,
        Command::Refund => Box::pin(payments::refund(app, user, chat, &args)).await,
        Command::Sessions => Box::pin(accounts::sessions(app, user, chat, &current, locale)).await,
        Command::LogoutAll => Box::pin(accounts::logout_all(app, user, chat, locale)).await,
        Command::TwoFactor => Box::pin(accounts::two_factor(app, from, chat, &args, locale)).await,
        Command::Verify => Box::pin(accounts::verify(app, user, chat, &args, locale)).await,
        Command::Export => Box::pin(accounts::export(app, user, chat, locale)).await,
        Command::DeleteMe => Box::pin(accounts::delete_me(app, user, chat, update_id, locale)).await,
    }
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
