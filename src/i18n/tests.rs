//! The locale files against English and against the code: the same keys (each missing or extra
//! key named), the same kind of text, the same placeholders, HTML tags, emoji, `/commands` and
//! edge whitespace per key; plural tables with exactly the forms their language needs; the
//! command table's words; and every key a call in `src/` names.

use std::{collections::BTreeSet, path::Path, time::Duration};

use crate::locale::{Locale, Plural};

use super::{
    catalog::{CATEGORIES, Entry, catalog},
    duration::{DURATION_KEYS, WAIT_KEYS},
    fill::placeholders,
};

/// Every text of an entry: the text, or each plural form.
fn texts(entry: &Entry) -> Vec<&str> {
    match entry {
        Entry::Text(text) => vec![text.as_str()],
        Entry::Plural(forms) => forms.iter().map(|(_, form)| form).collect(),
    }
}

/// Each key of English with its entry in `locale`, when it has one.
fn pairs(locale: Locale) -> impl Iterator<Item = (&'static str, &'static Entry, &'static Entry)> {
    catalog(Locale::En).entries().filter_map(move |(key, en)| catalog(locale).get(key).map(|other| (key, en, other)))
}

/// Fails with every message, one a line, if there are any.
fn assert_none(what: &str, faults: &[String]) {
    assert!(faults.is_empty(), "{what}:\n{}", faults.join("\n"));
}

#[test]
fn every_locale_has_exactly_the_english_keys() {
    let english: BTreeSet<&str> = catalog(Locale::En).entries().map(|(key, _)| key).collect();
    assert!(english.len() > 150, "English has only {} keys", english.len());
    let mut faults = Vec::new();
    for locale in Locale::ALL {
        let keys: BTreeSet<&str> = catalog(locale).entries().map(|(key, _)| key).collect();
        faults.extend(english.difference(&keys).map(|key| format!("{}.toml misses `{key}`", locale.code())));
        faults.extend(keys.difference(&english).map(|key| format!("{}.toml has an extra `{key}`", locale.code())));
    }
    assert_none("keys", &faults);
}

#[test]
fn keys_are_lower_case_and_dotted() {
    for (key, _) in catalog(Locale::En).entries() {
        assert!(
            key.split('.').all(|part| !part.is_empty()
                && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')),
            "`{key}`"
        );
    }
}

#[test]
fn every_key_is_the_same_kind_everywhere() {
    let mut faults = Vec::new();
    for locale in Locale::ALL {
        for (key, en, other) in pairs(locale) {
            if matches!(en, Entry::Plural(_)) != matches!(other, Entry::Plural(_)) {
                faults.push(format!("{}: `{key}` is plural in one locale and not in the other", locale.code()));
            }
        }
    }
    assert_none("kinds", &faults);
}

#[test]
fn plural_tables_have_the_forms_their_language_needs() {
    let mut faults = Vec::new();
    for locale in Locale::ALL {
        let needed: BTreeSet<&str> = (0..1_000).map(|n| category_name(locale.plural(n))).collect();
        for (key, entry) in catalog(locale).entries() {
            let Entry::Plural(forms) = entry else { continue };
            let given: BTreeSet<&str> = forms.iter().map(|(category, _)| category_name(category)).collect();
            if given != needed {
                faults.push(format!("{}: `{key}` has {given:?}, its language needs {needed:?}", locale.code()));
            }
        }
    }
    assert_none("plural forms", &faults);
    let ru: BTreeSet<&str> = (0..1_000).map(|n| category_name(Locale::Ru.plural(n))).collect();
    assert_eq!(ru, BTreeSet::from(["few", "many", "one"]));
}

/// A category's name in the locale files.
fn category_name(category: Plural) -> &'static str {
    CATEGORIES.iter().find(|(_, c)| *c == category).map_or("?", |(name, _)| name)
}

#[test]
fn placeholders_are_the_same_in_every_locale_and_form() {
    let mut faults = Vec::new();
    for locale in Locale::ALL {
        for (key, en, other) in pairs(locale) {
            let expected = placeholders(texts(en)[0]);
            for text in texts(other) {
                let found = placeholders(text);
                if found != expected {
                    faults.push(format!("{}: `{key}` has {found:?}, English {expected:?}: {text:?}", locale.code()));
                }
            }
            if matches!(other, Entry::Plural(_)) && !expected.contains("n") {
                faults.push(format!("{}: plural `{key}` does not show its number as {{n}}", locale.code()));
            }
        }
    }
    assert_none("placeholders", &faults);
}

/// The HTML tags Telegram's HTML mode accepts that the texts use.
const TAGS: [&str; 4] = ["b", "i", "code", "pre"];

/// A text's opening tags, sorted, if its HTML is well-formed: known tags, properly nested, no
/// bare `<`, `>` or `&`.
fn tags(text: &str) -> Result<Vec<&str>, String> {
    let mut open = Vec::new();
    let mut seen = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(['<', '>', '&']) {
        if !rest[at..].starts_with('<') {
            return Err(format!("a bare `{}`", &rest[at..=at]));
        }
        let close = rest[at..].find('>').ok_or("an unclosed `<`")? + at;
        let tag = &rest[at + 1..close];
        match tag.strip_prefix('/') {
            Some(name) if open.pop() == Some(name) => {}
            Some(name) => return Err(format!("`</{name}>` closes nothing open")),
            None if TAGS.contains(&tag) => {
                open.push(tag);
                seen.push(tag);
            }
            None => return Err(format!("an unknown tag `<{tag}>`")),
        }
        rest = &rest[close + 1..];
    }
    if let Some(name) = open.pop() {
        return Err(format!("`<{name}>` is never closed"));
    }
    seen.sort_unstable();
    Ok(seen)
}

#[test]
fn html_is_well_formed_and_tagged_as_in_english() {
    let mut faults = Vec::new();
    for locale in Locale::ALL {
        for (key, en, other) in pairs(locale) {
            let expected = tags(texts(en)[0]);
            for text in texts(other) {
                match (tags(text), &expected) {
                    (Err(e), _) => faults.push(format!("{}: `{key}`: {e}", locale.code())),
                    (Ok(found), Ok(expected)) if found != *expected => {
                        faults.push(format!("{}: `{key}` has tags {found:?}, English {expected:?}", locale.code()));
                    }
                    _ => {}
                }
            }
        }
    }
    assert_none("HTML", &faults);
    assert_eq!(tags("<b>a</b> <code>x</code>"), Ok(vec!["b", "code"]));
    assert!(tags("<b>a</i>").is_err() && tags("<b>a").is_err() && tags("a < b").is_err());
    assert!(tags("<u>a</u>").is_err() && tags("a & b").is_err() && tags("a > b").is_err());
}

/// A text's emoji (pictographs, dingbats, arrows, stars), sorted.
fn emoji(text: &str) -> Vec<char> {
    let mut found: Vec<char> =
        text.chars().filter(|&c| matches!(u32::from(c), 0x2190..=0x2BFF | 0x1_F000..=0x1_FAFF)).collect();
    found.sort_unstable();
    found
}

/// A text's `/commands` (a slash after a space, a bracket, a tag or the start), sorted.
fn commands(text: &str) -> Vec<&str> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices('/') {
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '<' || c == '/') {
            continue;
        }
        let name = &text[at + 1..];
        let len = name.bytes().take_while(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_').count();
        if len > 0 {
            found.push(&text[at..=at + len]);
        }
    }
    found.sort_unstable();
    found
}

#[test]
fn emoji_commands_and_edge_whitespace_are_kept() {
    let edges = |text: &str| {
        let lead = &text[..text.len() - text.trim_start().len()];
        let trail = &text[text.trim_end().len()..];
        (lead.to_owned(), trail.to_owned())
    };
    let mut faults = Vec::new();
    for locale in Locale::ALL {
        for (key, en, other) in pairs(locale) {
            let reference = texts(en)[0];
            for text in texts(other) {
                if emoji(text) != emoji(reference) {
                    faults.push(format!(
                        "{}: `{key}` has emoji {:?}, English {:?}",
                        locale.code(),
                        emoji(text),
                        emoji(reference)
                    ));
                }
                if commands(text) != commands(reference) {
                    faults.push(format!(
                        "{}: `{key}` names {:?}, English {:?}",
                        locale.code(),
                        commands(text),
                        commands(reference)
                    ));
                }
                if edges(text) != edges(reference) {
                    faults
                        .push(format!("{}: `{key}` starts or ends with other whitespace than English", locale.code()));
                }
            }
        }
    }
    assert_none("emoji, commands, whitespace", &faults);
    assert_eq!(
        commands("Try /draw, or <code>/draw three</code> — /help. a/b </b> /2fa"),
        ["/2fa", "/draw", "/draw", "/help"]
    );
}

#[test]
fn every_locale_translates_what_a_user_reads() {
    // Texts that may read the same as English: markup, numbers and names only.
    let same = [
        "backup_code",
        "reading_when",
        "history_more",
        "view_button",
        "entry_heading",
        "entry_question",
        "card_separator",
        "entry_cards",
        "buy_button",
        "card_button",
        "wait.seconds",
        "wait.minutes",
        "wait.hours",
    ];
    let mut faults = Vec::new();
    for locale in [Locale::Ru, Locale::Es] {
        for (key, en, other) in pairs(locale) {
            let allowed = same.contains(&key)
                || key.strip_prefix("command.").is_some_and(|rest| rest.split('.').nth(1) == Some("usage"));
            if en == other && !allowed {
                faults.push(format!("{}: `{key}` is the English text", locale.code()));
            }
        }
    }
    assert_none("untranslated", &faults);
}

#[test]
fn english_command_words_are_the_command_tables() {
    use crate::command::{TABLE, help_line};
    let mut names = BTreeSet::new();
    for spec in &TABLE {
        let name = spec.name;
        names.insert(name);
        assert_eq!(super::help_line(Locale::En, name), help_line(spec), "{name}");
        assert_eq!(super::menu(Locale::En, name), spec.menu, "{name}");
        for locale in Locale::ALL {
            let usage = catalog(locale).get(&format!("command.{name}.usage"));
            assert_eq!(usage.is_some(), !spec.usage.is_empty(), "{}: command.{name}.usage", locale.code());
            assert!(catalog(locale).get(&format!("command.{name}.help")).is_some(), "{}: {name}", locale.code());
            assert_eq!(super::menu(locale, name).is_some(), spec.menu.is_some(), "{}: {name}", locale.code());
        }
    }
    let in_file: BTreeSet<&str> = catalog(Locale::En)
        .entries()
        .filter_map(|(key, _)| key.strip_prefix("command."))
        .filter_map(|rest| rest.split('.').next())
        .collect();
    assert_eq!(in_file, names, "command.* names the table's commands");
}

#[test]
fn the_keys_duration_and_wait_use_exist() {
    for key in DURATION_KEYS {
        assert!(matches!(catalog(Locale::En).get(key), Some(Entry::Plural(_))), "{key}");
    }
    for key in WAIT_KEYS {
        assert!(matches!(catalog(Locale::En).get(key), Some(Entry::Text(_))), "{key}");
    }
}

#[test]
fn the_handler_example_holds() {
    // The values in the comments of the example in `mod.rs`.
    let locale = Locale::from_language_code("ru-RU");
    assert_eq!(locale, Locale::Ru);
    let wait = super::wait(locale, Duration::from_secs(61));
    assert_eq!(wait, "2 мин");
    assert_eq!(
        super::format(locale, "notice_limited", &[("wait", &wait)]),
        "⏳ Подожди 2 мин, прежде чем писать снова."
    );
    assert!(super::plural(locale, "draw_left", 5, &[]).ends_with("осталось 5 раскладов."));
    assert_eq!(super::duration(locale, Duration::from_hours(90 * 24)), "90 дней");
}

// ---- Keys named by the code ----

/// One `i18n::text|format|plural(…)` call found in the source.
#[derive(Debug, PartialEq, Eq)]
struct Call {
    function: &'static str,
    key: String,
    /// The argument names, when the arguments are a literal slice.
    args: Option<BTreeSet<String>>,
    line: usize,
}

/// The top-level arguments of the call whose `(` is at `open`.
fn arguments(source: &str, open: usize) -> Vec<&str> {
    let mut args = Vec::new();
    let mut depth = 0usize;
    let mut start = open + 1;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in source[open..].char_indices().map(|(i, c)| (i + open, c)) {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    args.push(source[start..i].trim());
                    return args;
                }
            }
            ',' if depth == 1 => {
                args.push(source[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    args
}

/// The calls of `i18n::text`, `i18n::format` and `i18n::plural` in `source` whose key is a literal.
fn calls(source: &str) -> Vec<Call> {
    let mut found = Vec::new();
    for (function, key_at, args_at) in [("text", 1, None), ("format", 1, Some(2)), ("plural", 1, Some(3))] {
        let needle = format!("i18n::{function}(");
        for (at, _) in source.match_indices(&needle) {
            let args = arguments(source, at + needle.len() - 1);
            let Some(key) = args.get(key_at).and_then(|k| k.strip_prefix('"')).and_then(|k| k.strip_suffix('"')) else {
                continue;
            };
            let names = args_at.and_then(|i| args.get(i)).and_then(|slice| slice.strip_prefix("&[")).map(|slice| {
                slice
                    .match_indices("(\"")
                    .filter_map(|(i, _)| slice[i + 2..].split('"').next())
                    .map(str::to_owned)
                    .collect()
            });
            let line = source[..at].lines().count().max(1);
            found.push(Call { function, key: key.to_owned(), args: names, line });
        }
    }
    found
}

#[test]
fn the_call_reader_sees_keys_and_argument_names() {
    let source = "let a = i18n::text(locale, \"try_again\");\nlet b = i18n::format(\n    locale,\n    \"notice_limited\",\n    &[(\"wait\", &f(x, \"y\"))],\n);\nlet c = i18n::plural(locale, \"draw_left\", n, &[]);\nlet d = i18n::text(locale, key);\n";
    let found = calls(source);
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(found[0], Call { function: "text", key: "try_again".into(), args: None, line: 1 });
    assert_eq!(found[1].key, "notice_limited");
    assert_eq!(found[1].args, Some(BTreeSet::from(["wait".to_owned()])));
    assert_eq!(found[2].args, Some(BTreeSet::new()));
}

#[test]
fn every_key_the_code_names_exists_with_its_arguments() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let own = src.join("i18n");
    let mut files = Vec::new();
    crate::layers::rust_files(&src, &mut files);
    let mut faults = Vec::new();
    for file in files.iter().filter(|f| !f.starts_with(&own)) {
        let source = std::fs::read_to_string(file).expect("read");
        let relative = file.strip_prefix(&src).unwrap_or(file).display().to_string();
        for call in calls(&source) {
            let at = format!("{relative}:{}", call.line);
            let Some(entry) = catalog(Locale::En).get(&call.key) else {
                faults.push(format!("{at}: `{}` is not a key", call.key));
                continue;
            };
            let mut expected: BTreeSet<String> = placeholders(texts(entry)[0]).into_iter().map(str::to_owned).collect();
            match (call.function, entry) {
                ("plural", Entry::Plural(_)) => {
                    expected.remove("n");
                }
                ("text" | "format", Entry::Text(_)) => {}
                (function, _) => {
                    faults.push(format!("{at}: i18n::{function} for `{}`, a text of the other kind", call.key));
                }
            }
            let given = if call.function == "text" { Some(BTreeSet::new()) } else { call.args };
            if let Some(given) = given.filter(|given| *given != expected) {
                faults.push(format!("{at}: `{}` takes {expected:?}, the call gives {given:?}", call.key));
            }
        }
    }
    assert_none("calls", &faults);
}
