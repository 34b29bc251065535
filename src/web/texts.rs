//! The words of the Mini App and the login page, one table per language
//! (`assets/texts/{en,ru,es}.toml`), embedded in the binary and parsed once.
//!
//! A table's sections flatten to dotted keys (`[draw] button = …` is `draw.button`); a value is
//! a text, or a table of CLDR plural forms (`one`, `few`, `many`, `other`) chosen by a number
//! `{n}`. English is the reference: every other table has exactly its keys, the same
//! `{placeholders}` and the forms its language needs (the tests name any key that strays).
//!
//! The pages use a table twice: the server writes its texts into the HTML (`{{draw.button}}` in
//! `app.html` and `login.html`, HTML-escaped), and hands the page the whole table as JSON (in
//! the HTML, and at `/app/texts.json` for another language) for the words its script shows and
//! for switching language once the user is known.
//!
//! Hand-written rather than shared with [`crate::i18n`]: the bot's catalog is private to it
//! and shaped for lookups from Rust; this one is shaped for the page (one JSON document).

use std::{collections::BTreeMap, sync::LazyLock};

use serde::Serialize;

use crate::embedded;
use crate::locale::Locale;

/// The plural categories a form may be named by.
const CATEGORIES: [&str; 4] = ["one", "few", "many", "other"];

/// One text of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub(super) enum Text {
    /// A text.
    Plain(String),
    /// Plural forms by category name.
    Plural(BTreeMap<String, String>),
}

/// One language's table: texts by dotted key, and what could not be read.
#[derive(Debug, Default)]
pub(super) struct Table {
    texts: BTreeMap<String, Text>,
    problems: Vec<String>,
}

impl Table {
    /// Parses a table; what cannot be read is recorded in its problems.
    fn parse(source: &str) -> Table {
        let mut table = Table::default();
        match toml::from_str::<toml::Table>(source) {
            Ok(root) => table.flatten("", &root),
            Err(e) => table.problems.push(format!("does not parse: {e}")),
        }
        table
    }

    fn flatten(&mut self, prefix: &str, section: &toml::Table) {
        for (name, value) in section {
            let key = format!("{prefix}{name}");
            match value {
                toml::Value::String(text) => {
                    self.texts.insert(key, Text::Plain(text.clone()));
                }
                toml::Value::Table(inner) if inner.keys().all(|k| CATEGORIES.contains(&k.as_str())) => {
                    let forms: Option<BTreeMap<String, String>> =
                        inner.iter().map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned()))).collect();
                    match forms.filter(|f| !f.is_empty()) {
                        Some(forms) => {
                            self.texts.insert(key, Text::Plural(forms));
                        }
                        None => self.problems.push(format!("{key}: plural forms must be texts")),
                    }
                }
                toml::Value::Table(inner) => self.flatten(&format!("{key}."), inner),
                other => self.problems.push(format!("{key}: a {}, not a text", other.type_str())),
            }
        }
    }

    /// The plain text of `key`, if the table has one.
    pub(super) fn text(&self, key: &str) -> Option<&str> {
        match self.texts.get(key) {
            Some(Text::Plain(text)) => Some(text),
            _ => None,
        }
    }
}

/// The embedded table of `locale` (empty, with the fault logged, if it does not read back).
fn source(locale: Locale) -> String {
    match locale {
        Locale::En => embedded::text!("web/assets/texts/en.toml"),
        Locale::Ru => embedded::text!("web/assets/texts/ru.toml"),
        Locale::Es => embedded::text!("web/assets/texts/es.toml"),
    }
}

const fn index(locale: Locale) -> usize {
    match locale {
        Locale::En => 0,
        Locale::Ru => 1,
        Locale::Es => 2,
    }
}

static TABLES: LazyLock<[Table; 3]> = LazyLock::new(|| {
    Locale::ALL.map(|locale| {
        let table = Table::parse(&source(locale));
        for problem in &table.problems {
            tracing::error!(locale = locale.code(), problem = %problem, "a page text table has a fault");
        }
        table
    })
});

/// The table of `locale`, parsed on first use.
pub(super) fn table(locale: Locale) -> &'static Table {
    &TABLES[index(locale)]
}

/// What the page is handed: its language and every text of it.
#[derive(Serialize)]
struct PageTexts<'a> {
    locale: Locale,
    texts: &'a BTreeMap<String, Text>,
}

static JSON: LazyLock<[String; 3]> = LazyLock::new(|| {
    Locale::ALL.map(|locale| {
        let texts = PageTexts { locale, texts: &table(locale).texts };
        serde_json::to_string(&texts).unwrap_or_else(|_| String::from("{}"))
    })
});

/// `locale`'s table as JSON: `{"locale":"ru","texts":{"draw.button":"…",…}}`.
pub(super) fn json(locale: Locale) -> &'static str {
    &JSON[index(locale)]
}

/// `template` with each `{{key}}` of a text (lower case, dotted) replaced by `locale`'s text,
/// HTML-escaped (English where the locale lacks it); `{{UPPER_CASE}}` marks are left for the
/// caller. `TEXTS_JSON` and `LOCALE`, if present, are filled here too (the table for the
/// page's script, safe inside a `<script type="application/json">`, and the language code).
pub(super) fn fill(template: &str, locale: Locale) -> String {
    let mut out = String::with_capacity(template.len() + 4096);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let key = &after[..end];
        match key {
            "TEXTS_JSON" => out.push_str(&json(locale).replace('<', "\\u003c")),
            "LOCALE" => out.push_str(locale.code()),
            _ if is_text_key(key) => {
                let text = table(locale).text(key).or_else(|| table(Locale::En).text(key)).unwrap_or(key);
                out.push_str(&escape(text));
            }
            _ => {
                out.push_str("{{");
                out.push_str(key);
                out.push_str("}}");
            }
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

fn is_text_key(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.')
}

/// Escapes text for HTML content or an attribute value.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The `{name}` placeholders of a text.
    fn placeholders(text: &str) -> BTreeSet<&str> {
        text.split('{').skip(1).filter_map(|s| s.split_once('}').map(|(name, _)| name)).collect()
    }

    /// The plural categories `locale` uses for counts of things (0 to 1000).
    fn needed(locale: Locale) -> BTreeSet<&'static str> {
        (0..=1000)
            .map(|n| match locale.plural(n) {
                crate::locale::Plural::One => "one",
                crate::locale::Plural::Few => "few",
                crate::locale::Plural::Many => "many",
                crate::locale::Plural::Other => "other",
            })
            .collect()
    }

    /// What is wrong with `locale`'s table against English (empty when nothing).
    fn faults(locale: Locale, table: &Table, english: &Table) -> Vec<String> {
        let mut faults: Vec<String> = table.problems.clone();
        for key in english.texts.keys().filter(|k| !table.texts.contains_key(*k)) {
            faults.push(format!("{key}: missing (English has it)"));
        }
        for key in table.texts.keys().filter(|k| !english.texts.contains_key(*k)) {
            faults.push(format!("{key}: not in English"));
        }
        for (key, text) in &table.texts {
            let Some(reference) = english.texts.get(key) else { continue };
            match (reference, text) {
                (Text::Plain(en), Text::Plain(text)) => {
                    if placeholders(en) != placeholders(text) {
                        faults.push(format!(
                            "{key}: placeholders {:?}, English {:?}",
                            placeholders(text),
                            placeholders(en)
                        ));
                    }
                    if text.trim().is_empty() {
                        faults.push(format!("{key}: empty"));
                    }
                }
                (Text::Plural(en), Text::Plural(forms)) => {
                    let wanted = en.get("other").map(|t| placeholders(t)).unwrap_or_default();
                    for (category, form) in forms {
                        if placeholders(form) != wanted {
                            faults.push(format!(
                                "{key}.{category}: placeholders {:?}, want {wanted:?}",
                                placeholders(form)
                            ));
                        }
                    }
                    let have: BTreeSet<&str> = forms.keys().map(String::as_str).collect();
                    if have != needed(locale) {
                        faults.push(format!("{key}: forms {have:?}, {} needs {:?}", locale.code(), needed(locale)));
                    }
                }
                _ => faults.push(format!("{key}: a text in one table, plural forms in the other")),
            }
        }
        faults
    }

    #[test]
    fn every_table_has_exactly_the_english_keys_placeholders_and_its_plural_forms() {
        let english = table(Locale::En);
        assert!(english.texts.len() > 100, "the English table is read: {}", english.texts.len());
        for locale in Locale::ALL {
            let faults = faults(locale, table(locale), english);
            assert!(faults.is_empty(), "{}.toml:\n{}", locale.code(), faults.join("\n"));
        }
    }

    #[test]
    fn a_missing_key_an_extra_one_or_a_changed_placeholder_is_named() {
        let english = Table::parse("[a]\nb = \"B {x}\"\nc = \"C\"\nn = { one = \"{n} x\", other = \"{n} xs\" }\n");
        let stray = Table::parse("[a]\nb = \"Б {y}\"\nd = \"Д\"\nn = { one = \"{n} х\", few = \"{n} х\" }\n");
        let faults = faults(Locale::Ru, &stray, &english).join("\n");
        for expected in ["a.c: missing", "a.d: not in English", "a.b: placeholders", "a.n: forms"] {
            assert!(faults.contains(expected), "{expected} in:\n{faults}");
        }
        assert!(Table::parse("a = 1").problems.len() == 1 && Table::parse("a = \"").problems.len() == 1);
    }

    /// The keys a page asset names: `{{key}}` in HTML, `T('key')`/`TP('key')`/`TN('key')` in the
    /// script.
    fn keys_in(asset: &str, marks: &[(&str, &str)]) -> Vec<(String, bool)> {
        let mut keys = Vec::new();
        for &(open, close) in marks {
            let plural = open.starts_with("TP(");
            for piece in asset.split(open).skip(1) {
                if let Some((key, _)) = piece.split_once(close)
                    && is_text_key(key)
                {
                    keys.push((key.to_owned(), plural));
                }
            }
        }
        keys
    }

    #[test]
    fn every_text_the_pages_name_is_in_the_english_table() {
        let english = table(Locale::En);
        let html = [
            include_str!("assets/app.html"),
            include_str!("assets/login.html"),
            include_str!("assets/login_failed.html"),
        ];
        let script = include_str!("assets/app.js");
        let mut named = Vec::new();
        for page in html {
            named.extend(keys_in(page, &[("{{", "}}")]));
        }
        let in_script = keys_in(script, &[("T('", "'"), ("TN('", "'"), ("TP('", "'")]);
        assert!(in_script.len() > 50, "the script's texts are found: {}", in_script.len());
        named.extend(in_script);
        for (key, plural) in named {
            match english.texts.get(&key) {
                Some(Text::Plain(_)) if !plural => {}
                Some(Text::Plural(_)) if plural => {}
                other => panic!(
                    "{key}: named by a page as {}, the table has {other:?}",
                    if plural { "plural" } else { "text" }
                ),
            }
        }
    }

    #[test]
    fn each_translated_element_of_the_app_page_is_filled_with_its_own_key() {
        // `data-t="k"` lets the script put another language's words into an element the server
        // filled with `{{k}}`: the two must name the same text.
        let html = include_str!("assets/app.html");
        let marked: Vec<&str> = html.split("data-t=\"").skip(1).collect();
        assert!(marked.len() > 20, "{}", marked.len());
        for piece in marked {
            let (key, rest) = piece.split_once('"').expect("a closed attribute");
            let content = rest.split_once('>').map(|(_, c)| c).unwrap_or_default();
            assert!(content.starts_with(&format!("{{{{{key}}}}}<")), "data-t=\"{key}\" holds {content:.60}");
        }
    }

    #[test]
    fn pages_are_filled_and_escaped_in_the_chosen_language() {
        let page = fill("<p title=\"{{draw.button}}\">{{history.heading}}</p>{{BOT}}{{LOCALE}}", Locale::Ru);
        assert_eq!(page, "<p title=\"Разложить карты\">Твои расклады</p>{{BOT}}ru");
        assert_eq!(escape("a\"<b>&'"), "a&quot;&lt;b&gt;&amp;&#39;");
        let embedded = fill("{{TEXTS_JSON}}", Locale::Es);
        assert!(!embedded.contains('<'), "no markup can end the script element");
        let parsed: serde_json::Value = serde_json::from_str(&embedded).expect("JSON");
        assert_eq!(parsed["locale"], "es");
        assert_eq!(parsed["texts"]["draw.cards"]["other"], "{n} cartas");
    }
}
