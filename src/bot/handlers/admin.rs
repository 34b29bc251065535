//! Admin commands in Telegram: `/block USER [DURATION] [REASON]`, `/unblock USER`, `/lockdown
//! on [REASON] | off`, `/unmute USER`, `/reset_limits USER|all` and `/broadcast TEXT`, where USER is a numeric id or
//! an `@username` the bot has seen. The
//! sender's role is checked on every call against the configured `admins`; a refusal is short,
//! honest and audited.

use std::{sync::Arc, time::Duration};

use teloxide::types::{ChatId, Message};

use crate::{
    audit_tap::Event,
    control::{self, Request},
    i18n,
    locale::Locale,
};

use crate::bot::{app::App, send::send_html};

/// The text keys of the usage lines `parse` refuses with.
const LOCKDOWN_USAGE: &str = "lockdown_usage";
const BROADCAST_USAGE: &str = "broadcast_usage";
const UNMUTE_USAGE: &str = "unmute_usage";
const RESET_LIMITS_USAGE: &str = "reset_limits_usage";
const BLOCK_USAGE: &str = "block_usage";

/// Parses the arguments of an admin command; a refusal is the key of its usage text.
pub(crate) fn parse(command: &str, args: &str, by: i64) -> Result<Request, &'static str> {
    let by = Some(by);
    let user_of = |word: Option<&str>| word.and_then(|w| w.parse::<i64>().ok()).filter(|u| *u > 0);
    let mut words = args.split_whitespace();
    match command {
        "lockdown" => {
            let on = match words.next().map(str::to_ascii_lowercase).as_deref() {
                Some("on") => true,
                Some("off") => false,
                _ => return Err(LOCKDOWN_USAGE),
            };
            let reason: Vec<&str> = words.collect();
            let reason = (on && !reason.is_empty()).then(|| reason.join(" "));
            return Ok(Request::Lockdown { on, reason, by });
        }
        "broadcast" if args.trim().is_empty() => return Err(BROADCAST_USAGE),
        "broadcast" => return Ok(Request::Broadcast { text: args.trim().to_owned(), dry_run: false, by }),
        "unmute" => return Ok(Request::Unmute { user: user_of(words.next()).ok_or(UNMUTE_USAGE)?, by }),
        "reset_limits" => {
            let word = words.next();
            let user = match word {
                Some(w) if w.eq_ignore_ascii_case("all") => None,
                _ => Some(user_of(word).ok_or(RESET_LIMITS_USAGE)?),
            };
            return Ok(Request::ResetLimits { user, by });
        }
        _ => {}
    }
    let user = words.next().and_then(|w| w.parse::<i64>().ok()).filter(|u| *u > 0).ok_or(BLOCK_USAGE)?;
    if command == "unblock" {
        return Ok(Request::Unblock { user });
    }
    let rest: Vec<&str> = words.collect();
    let (for_ms, reason_words) = match rest.first().and_then(|w| humantime::parse_duration(w).ok()) {
        Some(d) if d > Duration::ZERO => (Some(u64::try_from(d.as_millis()).unwrap_or(u64::MAX)), &rest[1..]),
        _ => (None, &rest[..]),
    };
    let reason = (!reason_words.is_empty()).then(|| reason_words.join(" "));
    Ok(Request::Block { user, for_ms, reason, by })
}

/// Replaces a leading `@username` with the user id it was last seen with (through the blind
/// index; usernames are never stored in the clear).
fn resolve_username(app: &App, args: &str) -> Result<String, UsernameError> {
    let Some(rest) = args.trim_start().strip_prefix('@') else { return Ok(args.to_owned()) };
    let (name, tail) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    match app.services.profiles.find_by_username(name) {
        Ok(Some(id)) => Ok(format!("{id} {tail}")),
        Ok(None) => Err(UsernameError::Unknown),
        Err(e) => {
            tracing::error!(error = %e, "username lookup failed");
            Err(UsernameError::LookupFailed)
        }
    }
}

/// Why a `@username` named no user.
enum UsernameError {
    /// No user with that username has used the bot.
    Unknown,
    /// The index could not be read.
    LookupFailed,
}

/// Handles the admin commands.
pub(crate) async fn handle(app: &App, message: &Message, command: &str, args: &str, locale: Locale) {
    let chat = ChatId(message.chat.id.0);
    let Some(sender) = message.from.as_ref().map(|u| crate::sanitize::user_id(u.id)) else { return };
    if !app.services.sentinel.is_admin(sender) {
        tracing::warn!(target: "arcana::audit", event = Event::AccessDenied.name(), user = sender, command,
            "admin command refused");
        send_html(&app.sender, chat, i18n::text(locale, "admins_only")).await;
        return;
    }
    // A broadcast's text or a lockdown's reason may start with an `@` of its own.
    let resolved =
        if matches!(command, "broadcast" | "lockdown") { Ok(args.to_owned()) } else { resolve_username(app, args) };
    let args = match resolved {
        Ok(args) => args,
        Err(UsernameError::Unknown) => {
            send_html(&app.sender, chat, i18n::text(locale, "username_unknown")).await;
            return;
        }
        Err(UsernameError::LookupFailed) => {
            send_html(&app.sender, chat, i18n::text(locale, "lookup_failed")).await;
            return;
        }
    };
    let request = match parse(command, &args, sender) {
        Ok(request) => request,
        Err(usage) => {
            send_html(&app.sender, chat, i18n::text(locale, usage)).await;
            return;
        }
    };
    let services = Arc::clone(&app.services);
    let now = services.sentinel.clock().unix_ms();
    let outcome = tokio::task::spawn_blocking(move || control::execute(&services.admin(), &request, now)).await;
    let reply = match outcome {
        Ok(Ok(response)) => response.lines.join("\n"),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "admin command failed");
            i18n::text(locale, "not_saved").to_owned()
        }
        Err(e) => {
            tracing::error!(error = %e, "admin command task failed");
            i18n::text(locale, "not_saved").to_owned()
        }
    };
    send_html(&app.sender, chat, &teloxide::utils::html::escape(&reply)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_arguments() {
        assert_eq!(
            parse("block", "42 1h spam and more", 1),
            Ok(Request::Block { user: 42, for_ms: Some(3_600_000), reason: Some("spam and more".into()), by: Some(1) })
        );
        assert_eq!(
            parse("block", "42 rude", 1),
            Ok(Request::Block { user: 42, for_ms: None, reason: Some("rude".into()), by: Some(1) })
        );
        assert_eq!(parse("unblock", "42", 1), Ok(Request::Unblock { user: 42 }));
        assert!(parse("block", "", 1).is_err());
        assert!(parse("block", "-5", 1).is_err());
        assert!(parse("block", "abc", 1).is_err());
        assert_eq!(
            parse("lockdown", "ON spam wave", 1),
            Ok(Request::Lockdown { on: true, reason: Some("spam wave".into()), by: Some(1) })
        );
        assert_eq!(parse("lockdown", "off", 1), Ok(Request::Lockdown { on: false, reason: None, by: Some(1) }));
        assert_eq!(parse("lockdown", "maybe", 1), Err(LOCKDOWN_USAGE));
        assert_eq!(parse("unmute", "42", 1), Ok(Request::Unmute { user: 42, by: Some(1) }));
        assert_eq!(parse("unmute", "", 1), Err(UNMUTE_USAGE));
        assert_eq!(parse("reset_limits", "all", 1), Ok(Request::ResetLimits { user: None, by: Some(1) }));
        assert_eq!(parse("reset_limits", "42", 1), Ok(Request::ResetLimits { user: Some(42), by: Some(1) }));
        assert_eq!(parse("reset_limits", "", 1), Err(RESET_LIMITS_USAGE));
        assert_eq!(
            parse("broadcast", " Back at 6 ", 1),
            Ok(Request::Broadcast { text: "Back at 6".into(), dry_run: false, by: Some(1) })
        );
        assert_eq!(parse("broadcast", " ", 1), Err(BROADCAST_USAGE));
        for key in [LOCKDOWN_USAGE, BROADCAST_USAGE, UNMUTE_USAGE, RESET_LIMITS_USAGE, BLOCK_USAGE] {
            assert!(i18n::text(Locale::Ru, key).starts_with("Использование"), "{key}");
            assert_ne!(i18n::text(Locale::En, key), key, "{key} is a text");
        }
    }
}
