//! English reads as the bot reads today: every text of `bot::texts` (its constants' literals and
//! its functions' `format!` templates, read from the source) is its key's English text, and
//! every English key but the command table's and the duration words has a text there. When the
//! handlers read `i18n` and `bot::texts` is gone, delete this file.

use std::path::{Path, PathBuf};

use crate::locale::Locale;

use super::catalog::{Entry, catalog};

/// What the English file writes differently on purpose: the key, and (from, to) replacements
/// turning today's template into it (a plural's number is `{n}`; `{}` gets a name).
const RENAMED: &[(&str, &[(&str, &str)])] = &[
    ("private_only", &[("{}", "{command}")]),
    ("draw_left", &[("{left}", "{n}")]),
    ("daily_limit", &[("{allowance}", "{n}"), ("{readings}", "readings")]),
];

/// The functions that build rather than format: their words are elsewhere (`help`'s lines are
/// `command.*`; the periods and waits are `duration.*` and `wait.*`).
const BUILT: [&str; 2] = ["human_period", "human_wait"];

/// The source files of the bot's texts (`bot/texts.rs`, or files under a `texts/` folder).
fn text_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs")
                && (path.file_stem().is_some_and(|s| s == "texts")
                    || path.parent().and_then(Path::file_name).is_some_and(|d| d == "texts"))
            {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/bot"), &mut out);
    out
}

/// The Rust string literal starting at `source`'s first `"`, unescaped, and the rest after it.
fn literal(source: &str) -> Option<(String, &str)> {
    let start = source.find('"')? + 1;
    let mut out = String::new();
    let mut chars = source[start..].char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &source[start + i + 1..])),
            '\\' => match chars.next().map(|(_, c)| c) {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('\n') => {
                    while chars.peek().is_some_and(|(_, c)| c.is_whitespace()) {
                        chars.next();
                    }
                }
                Some(other) => out.push(other),
                None => return None,
            },
            other => out.push(other),
        }
    }
    None
}

/// Every text in `source`: (key, today's English).
fn texts_in(source: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (at, _) in source.match_indices("pub(crate) const ") {
        let rest = &source[at + "pub(crate) const ".len()..];
        let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        if let Some((text, _)) = rest.split_once('=').and_then(|(_, value)| literal(value)) {
            found.push((name.to_lowercase(), text));
        }
    }
    for (at, _) in source.match_indices("pub(crate) fn ") {
        let rest = &source[at + "pub(crate) fn ".len()..];
        let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        let body = rest.split_once("\n}\n").map_or(rest, |(body, _)| body);
        let template = ["format!(", "String::from("]
            .iter()
            .find_map(|call| body.find(call).and_then(|i| literal(&body[i..])))
            .map(|(text, _)| text);
        match template {
            Some(text) if !BUILT.contains(&name.as_str()) => found.push((name, text)),
            _ => {}
        }
    }
    found
}

#[test]
fn the_literal_reader_unescapes_like_rustc() {
    let source = "= \"a\\n\\\n   b \\\"c\\\" ✨\"; rest";
    assert_eq!(literal(source), Some(("a\nb \"c\" ✨".to_owned(), "; rest")));
    assert_eq!(literal("no literal"), None);
}

#[test]
fn english_is_todays_wording() {
    let files = text_files();
    assert!(!files.is_empty(), "bot/texts.rs is gone: if the handlers read i18n now, delete parity_tests.rs");
    let mut faults = Vec::new();
    let mut keys = std::collections::BTreeSet::new();
    for file in &files {
        let source = std::fs::read_to_string(file).expect("read a texts file");
        for (key, mut today) in texts_in(&source) {
            if let Some((_, replacements)) = RENAMED.iter().find(|(k, _)| *k == key) {
                for (from, to) in *replacements {
                    today = today.replace(from, to);
                }
            }
            let english = match catalog(Locale::En).get(&key) {
                Some(Entry::Text(text)) => Some(text.as_str()),
                Some(Entry::Plural(forms)) => forms.get(crate::locale::Plural::Other),
                None => None,
            };
            match english {
                None => faults.push(format!("`{key}` has no English text")),
                Some(english) if english != today => {
                    faults.push(format!("`{key}`:\n  today   {today:?}\n  English {english:?}"));
                }
                Some(_) => {}
            }
            keys.insert(key);
        }
    }
    assert!(keys.len() >= 110, "read only {} texts: the reader is broken, not the files", keys.len());
    for (key, _) in catalog(Locale::En).entries() {
        let elsewhere = ["command.", "duration.", "wait."].iter().any(|prefix| key.starts_with(prefix));
        if !elsewhere && !keys.contains(key) {
            faults.push(format!("`{key}` is not a text of bot::texts"));
        }
    }
    assert!(faults.is_empty(), "English differs from bot::texts:\n{}", faults.join("\n"));
}
