//! `/card NAME`: one card's full entry — its place in the deck, element, keywords, both
//! meanings and its yes/no leaning — in the reader's language, found by its name in any of the
//! three languages, forgiving case and small typos. When no card is clearly meant, the closest
//! ones are offered as buttons (signed for the user and chat) that open them.

use teloxide::types::{ChatId, InlineKeyboardMarkup};

use crate::{
    i18n,
    locale::Locale,
    sanitize::CallbackData,
    tarot::{QUERY_MAX_CHARS, card as card_by_id, escape, find_card, question, render_card_html, suggest},
};

use crate::bot::{app::App, send::send_html_with};

use super::pressed::{Pressed, signed_button};

/// Button action: show the card whose id is the first argument.
pub(crate) const SHOW: &str = "card";

/// Suggestion buttons per row.
const BUTTONS_PER_ROW: usize = 2;

/// `/card NAME`.
pub(crate) async fn show(app: &App, user: i64, chat: ChatId, args: &str, locale: Locale) {
    let (text, keyboard) = answer(app, user, chat, args, locale);
    send_html_with(&app.sender, chat, &text, keyboard).await;
}

/// The reply to `/card` with `args`: the card's page, or suggestions, or how to ask.
fn answer(app: &App, user: i64, chat: ChatId, args: &str, locale: Locale) -> (String, Option<InlineKeyboardMarkup>) {
    // One clean line (no controls, bidi overrides or invisible characters), as a question is.
    let Some(query) = question(args) else {
        return (i18n::text(locale, "card_usage").to_owned(), None);
    };
    if let Some(found) = find_card(&query)
        && let Some(page) = render_card_html(found.card.id, locale)
    {
        return (page, None);
    }
    let mut shown: String = query.chars().take(QUERY_MAX_CHARS).collect();
    if shown.len() < query.len() {
        shown.push('…');
    }
    let shown = escape(&shown);
    let buttons: Vec<_> = suggest(&query)
        .into_iter()
        .filter_map(card_by_id)
        .filter_map(|card| {
            let label = i18n::format(locale, "card_button", &[("name", &card.text(locale).name)]);
            signed_button(app, user, chat, &label, SHOW, &[card.id.to_string()])
        })
        .collect();
    if buttons.is_empty() {
        return (i18n::format(locale, "card_not_found", &[("query_html", &shown)]), None);
    }
    let rows: Vec<Vec<_>> = buttons.chunks(BUTTONS_PER_ROW).map(<[_]>::to_vec).collect();
    (i18n::format(locale, "card_suggestions", &[("query_html", &shown)]), Some(InlineKeyboardMarkup::new(rows)))
}

/// A suggestion pressed: its message becomes the card's page.
pub(crate) async fn on_press(app: &App, pressed: Pressed, data: &CallbackData, locale: Locale) {
    let page = data.arg(0).and_then(|id| id.parse::<u8>().ok()).and_then(|id| render_card_html(id, locale));
    if let Some(page) = page {
        pressed.edit(app, &page, None).await;
    } else {
        tracing::debug!("a card button names no card");
    }
}
