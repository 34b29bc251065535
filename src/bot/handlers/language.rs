//! `/language`: the user's settings — the language the bot speaks to them (English, Russian,
//! Spanish) and whether readings use reversed cards — shown with buttons signed for the user
//! and chat. A press stores the choice in the sealed profile (durably, before it is confirmed)
//! and redraws the screen in the language now in force.

use teloxide::types::{ChatId, InlineKeyboardMarkup, User};

use crate::{accounts::Profile, i18n, locale::Locale, sanitize::CallbackData};

use crate::bot::{app::App, send::send_html_with};

use super::pressed::{Pressed, signed_button};

/// Button action: speak the locale whose code is the first argument.
pub(crate) const LANGUAGE: &str = "lang";
/// Button action: draw upright only (`1`) or with reversed cards (`0`).
pub(crate) const UPRIGHT: &str = "upright";

/// `/language`: the settings screen in `locale`.
pub(crate) async fn show(app: &App, user: i64, chat: ChatId, locale: Locale) {
    let upright_only = match app.services.profiles.get(user) {
        Ok(profile) => profile.is_some_and(|p| p.upright_only),
        Err(e) => {
            tracing::warn!(error = %e, "cannot open a profile for its reading settings");
            false
        }
    };
    let (text, keyboard) = screen(app, user, chat, locale, upright_only);
    send_html_with(&app.sender, chat, &text, Some(keyboard)).await;
}

/// The settings text and its buttons: a row of languages (the current one ticked), and the
/// switch for reversed cards.
fn screen(app: &App, user: i64, chat: ChatId, locale: Locale, upright_only: bool) -> (String, InlineKeyboardMarkup) {
    let reversals = if upright_only { i18n::text(locale, "reversals_off") } else { i18n::text(locale, "reversals_on") };
    let text = i18n::format(locale, "settings", &[("language", locale.autonym()), ("reversals", reversals)]);
    let languages = Locale::ALL
        .iter()
        .filter_map(|&l| {
            let label = if l == locale { format!("✓ {}", l.autonym()) } else { l.autonym().to_owned() };
            signed_button(app, user, chat, &label, LANGUAGE, &[l.code().to_owned()])
        })
        .collect();
    let switch = if upright_only {
        signed_button(app, user, chat, i18n::text(locale, "reversals_on_button"), UPRIGHT, &["0".to_owned()])
    } else {
        signed_button(app, user, chat, i18n::text(locale, "reversals_off_button"), UPRIGHT, &["1".to_owned()])
    };
    let rows: Vec<Vec<_>> = vec![languages, switch.into_iter().collect()];
    (text, InlineKeyboardMarkup::new(rows.into_iter().filter(|row| !row.is_empty())))
}

/// A settings button pressed by `from`: stores the choice, redraws the screen; returns the
/// press's answer (what changed, in the language now in force).
pub(crate) async fn on_press(app: &App, pressed: Pressed, from: &User, data: &CallbackData) -> &'static str {
    let fallback = app.locale(pressed.user, from.language_code.as_deref());
    let change: Box<dyn Fn(&mut Profile) + Send + Sync> = match (data.action(), data.arg(0)) {
        (LANGUAGE, Some(code)) => match Locale::parse(code) {
            Some(locale) => Box::new(move |p: &mut Profile| p.locale = Some(locale)),
            None => return i18n::text(fallback, "button_gone"),
        },
        (UPRIGHT, Some("1")) => Box::new(|p: &mut Profile| p.upright_only = true),
        (UPRIGHT, Some("0")) => Box::new(|p: &mut Profile| p.upright_only = false),
        _ => return i18n::text(fallback, "button_gone"),
    };
    let profiles = &app.services.profiles;
    let mut updated = profiles.update_preferences(pressed.user, &change);
    if matches!(updated, Ok(None)) {
        // Registered without a profile yet (or it was lost): store it, then the choice.
        updated = profiles.remember(from).and_then(|_| profiles.update_preferences(pressed.user, &change));
    }
    let profile = match updated {
        Ok(Some(profile)) => profile,
        Ok(None) => return i18n::text(fallback, "try_again_plain"),
        Err(e) => {
            tracing::error!(error = %e, "cannot store a reading setting");
            return i18n::text(fallback, "try_again_plain");
        }
    };
    app.make_durable().await;
    let locale = profile.locale.unwrap_or(fallback);
    let said = match data.action() {
        LANGUAGE => i18n::text(locale, "language_set"),
        _ if profile.upright_only => i18n::text(locale, "reversals_set_off"),
        _ => i18n::text(locale, "reversals_set_on"),
    };
    let (text, keyboard) = screen(app, pressed.user, pressed.chat, locale, profile.upright_only);
    pressed.edit(app, &text, Some(keyboard)).await;
    said
}
