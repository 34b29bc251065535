//! `/history`: the user's readings, newest first, a page at a time, with buttons to page and to
//! open one reading in full. Buttons are signed for the user and chat, and every press reads the
//! presser's own history only.

use teloxide::types::{ChatId, InlineKeyboardButton, InlineKeyboardMarkup};

use crate::{
    i18n,
    locale::Locale,
    readings::{Page, ReadingId},
    sanitize::{CallbackData, hex_id},
    tarot::{StoredReading, escape, render_html_in},
};

use crate::bot::{
    app::App,
    send::{send_html, send_html_with},
};

use super::pressed::{Pressed, signed_button};

/// Button action: show page N.
pub(crate) const PAGE: &str = "hist";
/// Button action: show one reading.
pub(crate) const VIEW: &str = "hview";

/// Characters of a question shown in a page listing.
const QUESTION_PREVIEW_CHARS: usize = 60;
/// A page's text stays under this many bytes (Telegram's limit is 4096 characters).
const PAGE_BUDGET: usize = 3_800;

/// `/history`: the newest page, in `locale`.
pub(crate) async fn show(app: &App, user: i64, chat: ChatId, locale: Locale) {
    match page(app, user, 0) {
        Ok(page) => {
            let (text, keyboard) = render_page(app, user, chat, &page, locale);
            send_html_with(&app.sender, chat, &text, keyboard).await;
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot read history");
            send_html(&app.sender, chat, i18n::text(locale, "try_again")).await;
        }
    }
}

fn page(app: &App, user: i64, index: usize) -> Result<Page, crate::vault::VaultError> {
    let size = usize::try_from(app.config.readings.history_page_size.get()).unwrap_or(5);
    app.services.readings.history.page(user, index, size, app.services.accounts.now())
}

/// A "page N" button press: edits the message to that page.
pub(crate) async fn on_page(app: &App, pressed: Pressed, data: &CallbackData, locale: Locale) {
    let index = data.arg(0).and_then(|v| v.parse::<usize>().ok()).unwrap_or(0);
    match page(app, pressed.user, index) {
        Ok(page) => {
            let (text, keyboard) = render_page(app, pressed.user, pressed.chat, &page, locale);
            pressed.edit_detached(app, &text, keyboard).await;
        }
        Err(e) => tracing::error!(error = %e, "cannot read history"),
    }
}

/// A "show reading" button press: edits the message to the whole reading, with a way back.
pub(crate) async fn on_view(app: &App, pressed: Pressed, data: &CallbackData, locale: Locale) {
    let id = parse_id(data.arg(0), data.arg(1));
    let back_to = data.arg(2).and_then(|v| v.parse::<usize>().ok()).unwrap_or(0);
    let now = app.services.accounts.now();
    let found = match id {
        Some(id) => app.services.readings.history.get(pressed.user, &id, now),
        None => Ok(None),
    };
    let text = match found {
        Ok(Some(stored)) => render_one(app, &stored, locale),
        Ok(None) => i18n::text(locale, "reading_gone").to_owned(),
        Err(e) => {
            tracing::error!(error = %e, "cannot open a reading");
            i18n::text(locale, "try_again").to_owned()
        }
    };
    let label = i18n::text(locale, "back_to_history");
    let back = button(app, pressed.user, pressed.chat, label, PAGE, &[back_to.to_string()]);
    pressed.edit_detached(app, &text, back.map(|b| InlineKeyboardMarkup::new([[b]]))).await;
}

fn render_one(app: &App, stored: &StoredReading, locale: Locale) -> String {
    let zone = app.services.readings.zone();
    let when = i18n::format(
        locale,
        "reading_when",
        &[("local_minute", &zone.local_minute(stored.at_ms)), ("zone_html", &escape(zone.label()))],
    );
    match stored.to_reading() {
        Ok(reading) => format!("{when}{}", render_html_in(&reading, locale)),
        Err(e) => {
            tracing::warn!(error = %e, "a stored reading does not match this version's deck");
            i18n::format(locale, "reading_unshowable", &[("when", &when)])
        }
    }
}

/// The page's text and buttons.
fn render_page(
    app: &App,
    user: i64,
    chat: ChatId,
    page: &Page,
    locale: Locale,
) -> (String, Option<InlineKeyboardMarkup>) {
    if page.total == 0 {
        return (i18n::text(locale, "no_readings").to_owned(), None);
    }
    let zone = app.services.readings.zone();
    let retention = i18n::duration(locale, app.config.readings.retention);
    let mut text = i18n::format(
        locale,
        "history_heading",
        &[
            ("page", &(page.index + 1).to_string()),
            ("pages", &page.pages.to_string()),
            ("total", &page.total.to_string()),
            ("retention", &retention),
        ],
    );
    let mut views = Vec::new();
    let first_number = page.index * usize::try_from(app.config.readings.history_page_size.get()).unwrap_or(5);
    for (i, (id, stored)) in page.entries.iter().enumerate() {
        let number = first_number + i + 1;
        let when = format!("{} {}", zone.local_minute(stored.at_ms), zone.label());
        let entry = render_entry(number, stored, &when, locale);
        if text.len() + entry.len() > PAGE_BUDGET {
            text.push_str(i18n::text(locale, "history_more"));
            break;
        }
        text.push_str(&entry);
        let (at, suffix) = id_args(id);
        let label = i18n::format(locale, "view_button", &[("number", &number.to_string())]);
        if let Some(b) = button(app, user, chat, &label, VIEW, &[at, suffix, page.index.to_string()]) {
            views.push(b);
        }
    }
    let mut rows = vec![views];
    let mut nav = Vec::new();
    if page.index > 0
        && let Some(b) = button(app, user, chat, i18n::text(locale, "newer"), PAGE, &[(page.index - 1).to_string()])
    {
        nav.push(b);
    }
    if page.index + 1 < page.pages
        && let Some(b) = button(app, user, chat, i18n::text(locale, "older"), PAGE, &[(page.index + 1).to_string()])
    {
        nav.push(b);
    }
    rows.push(nav);
    rows.retain(|row| !row.is_empty());
    (text, (!rows.is_empty()).then(|| InlineKeyboardMarkup::new(rows)))
}

/// One listing line: number, time, spread, question preview, cards.
fn render_entry(number: usize, stored: &StoredReading, when: &str, locale: Locale) -> String {
    let mut entry =
        i18n::format(locale, "entry_heading", &[("number", &number.to_string()), ("when_html", &escape(when))]);
    let Ok(reading) = stored.to_reading() else {
        entry.push_str(i18n::text(locale, "entry_unshowable"));
        return entry;
    };
    entry.push_str(&escape(reading.spread.name_in(locale)));
    entry.push('\n');
    if let Some(q) = &reading.question {
        let mut preview: String = q.chars().take(QUESTION_PREVIEW_CHARS).collect();
        if preview.len() < q.len() {
            preview.push('…');
        }
        entry.push_str(&i18n::format(locale, "entry_question", &[("preview_html", &escape(&preview))]));
    }
    let names: Vec<String> = reading
        .cards
        .iter()
        .take(3)
        .map(|d| {
            let name = d.card.text(locale).name.as_str();
            if d.reversed { i18n::format(locale, "reversed", &[("name", name)]) } else { name.to_owned() }
        })
        .collect();
    let more = reading.cards.len().saturating_sub(3);
    let tail = if more > 0 { i18n::format(locale, "and_more", &[("more", &more.to_string())]) } else { String::new() };
    let cards = escape(&names.join(i18n::text(locale, "card_separator")));
    entry.push_str(&i18n::format(locale, "entry_cards", &[("cards_html", &cards), ("tail", &tail)]));
    entry
}

fn button(
    app: &App,
    user: i64,
    chat: ChatId,
    label: &str,
    action: &str,
    args: &[String],
) -> Option<InlineKeyboardButton> {
    signed_button(app, user, chat, label, action, args)
}

/// A reading id as two button arguments: drawn-at (16 hex digits) and suffix (8).
fn id_args(id: &ReadingId) -> (String, String) {
    (hex_id(&id[..8]), hex_id(&id[8..]))
}

fn parse_id(at: Option<&str>, suffix: Option<&str>) -> Option<ReadingId> {
    let (at, suffix) = (at?, suffix?);
    if at.len() != 16 || suffix.len() != 8 {
        return None;
    }
    let at = u64::from_str_radix(at, 16).ok()?;
    let suffix = u32::from_str_radix(suffix, 16).ok()?;
    let mut id = [0u8; 12];
    id[..8].copy_from_slice(&at.to_be_bytes());
    id[8..].copy_from_slice(&suffix.to_be_bytes());
    Some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_button_arguments() {
        let id: ReadingId = [0, 0, 1, 0x9a, 0xbc, 0xde, 0xf0, 0x12, 0xff, 0, 0x10, 0x7f];
        let (at, suffix) = id_args(&id);
        assert_eq!((at.len(), suffix.len()), (16, 8));
        assert_eq!(parse_id(Some(&at), Some(&suffix)), Some(id));
        assert_eq!(parse_id(Some("zz"), Some(&suffix)), None);
        assert_eq!(parse_id(Some(&at), None), None);
    }
}
