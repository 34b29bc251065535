//! What the bot's messages look like in a terminal: Telegram's HTML made plain text (tags left
//! out, entities decoded, a link's address after its words), and inline keyboards as numbered
//! buttons.

use serde_json::Value;

/// What pressing a button does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Sends the bot a callback query with this data.
    Callback(String),
    /// Opens this address (a link, or a Mini App).
    Open(String),
    /// Works only in a Telegram client (pay, switch inline, …).
    TelegramOnly,
}

/// One button of an inline keyboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    /// Its label.
    pub text: String,
    /// What pressing it does.
    pub action: Action,
}

/// The rows of the inline keyboard in `reply_markup` (inline JSON or JSON text).
#[must_use]
pub fn keyboard(reply_markup: Option<&Value>) -> Vec<Vec<Button>> {
    let markup = match reply_markup {
        Some(Value::String(text)) => serde_json::from_str(text).ok(),
        other => other.cloned(),
    };
    let rows =
        markup.as_ref().and_then(|m| m.get("inline_keyboard")).and_then(Value::as_array).cloned().unwrap_or_default();
    rows.iter()
        .filter_map(Value::as_array)
        .map(|row| row.iter().map(button).collect::<Vec<_>>())
        .filter(|row| !row.is_empty())
        .collect()
}

fn button(value: &Value) -> Button {
    let field = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
    let action = if let Some(data) = field("callback_data") {
        Action::Callback(data)
    } else if let Some(url) = field("url").or_else(|| value.get("web_app")?.get("url")?.as_str().map(str::to_owned)) {
        Action::Open(url)
    } else {
        Action::TelegramOnly
    };
    Button { text: plain(&field("text").unwrap_or_default(), false), action }
}

/// The text as a person reads it: for `html`, without tags, entities decoded, and a link's
/// address in brackets after its words (when they differ).
#[must_use]
pub fn plain(text: &str, html: bool) -> String {
    if !html {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut links: Vec<String> = Vec::new();
    while let Some(open) = rest.find('<') {
        out.push_str(&decode(&rest[..open]));
        let Some(close) = rest[open..].find('>') else {
            out.push_str(&decode(&rest[open..]));
            rest = "";
            break;
        };
        let tag = &rest[open + 1..open + close];
        if let Some(href) = tag.strip_prefix("a ").and_then(|a| attribute(a, "href")) {
            links.push(decode(&href));
        } else if tag == "/a"
            && let Some(href) = links.pop()
            && !out.ends_with(&href)
        {
            out.push_str(" (");
            out.push_str(&href);
            out.push(')');
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(&decode(rest));
    out
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
    let end = tag[start..].find('"')?;
    Some(tag[start..start + end].to_owned())
}

/// Decodes the entities Telegram's HTML uses (`&lt;` `&gt;` `&amp;` `&quot;` `&#39;`, numeric).
fn decode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        let entity = after.find(';').filter(|&end| end <= 10).map(|end| (&after[1..end], end));
        let decoded = entity.and_then(|(name, end)| {
            let c = match name {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => name
                    .strip_prefix("#x")
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|dec| dec.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, end))
        });
        if let Some((c, end)) = decoded {
            out.push(c);
            rest = &after[end + 1..];
        } else {
            out.push('&');
            rest = &after[1..];
        }
    }
    out.push_str(rest);
    out
}

/// A size a person reads: `812 bytes`, `34 KB`, `1.2 MB`.
#[must_use]
pub fn size(bytes: usize) -> String {
    match bytes {
        0..1024 => format!("{bytes} bytes"),
        1024..1_048_576 => format!("{} KB", bytes.div_ceil(1024)),
        _ => format!("{}.{} MB", bytes / 1_048_576, bytes % 1_048_576 * 10 / 1_048_576),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn html_reads_as_plain_text() {
        assert_eq!(
            plain("<b>The Tower</b> &amp; <i>the Star</i> &lt;3 &#8212; ok", true),
            "The Tower & the Star <3 — ok"
        );
        assert_eq!(
            plain("see <a href=\"https://example.org/?a=1&amp;b=2\">the policy</a>.", true),
            "see the policy (https://example.org/?a=1&b=2)."
        );
        assert_eq!(plain("<b>bold</b> stays as sent", false), "<b>bold</b> stays as sent");
        assert_eq!(plain("a lone & and <unclosed", true), "a lone & and <unclosed");
    }

    #[test]
    fn keyboards_list_every_button_with_what_it_does() {
        let markup = json!({ "inline_keyboard": [
            [{ "text": "Accept", "callback_data": "v1.accept" }, { "text": "Site", "url": "https://example.org" }],
            [],
            [{ "text": "Pay", "pay": true }],
        ]});
        let rows = keyboard(Some(&Value::String(markup.to_string())));
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0][0], Button { text: "Accept".into(), action: Action::Callback("v1.accept".into()) });
        assert_eq!(rows[0][1].action, Action::Open("https://example.org".into()));
        assert_eq!(rows[1][0].action, Action::TelegramOnly);
        assert!(keyboard(None).is_empty());
    }

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(size(812), "812 bytes");
        assert_eq!(size(34 * 1024 - 5), "34 KB");
        assert_eq!(size(1_310_720), "1.2 MB");
    }
}
