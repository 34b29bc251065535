//! Reading what a Rust file names of the crate, as text (no parser): its `use` trees (groups,
//! nesting, `self`, `as`, globs; `pub` ones are re-exports), its `mod x;` declarations, and every
//! path of the form `a::b::c` in its code. Comments, string and character literals, and
//! `#[cfg(test)]` items are left out. Which paths are the crate's is decided by the graph, which
//! knows the modules and what each file binds.

/// One token of the source, with its line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    /// `::`
    Colons,
    Open,
    Close,
    Comma,
    Semi,
    Star,
    Hash,
    LBracket,
    RBracket,
    LParen,
    RParen,
    Other,
}

/// A leaf of a `use` tree: the whole path as written, the name it binds (none for a glob or
/// `as _`), and whether it is a re-export (`pub`, `pub(crate)`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Use {
    pub segments: Vec<String>,
    pub name: Option<String>,
    pub public: bool,
    pub line: usize,
}

/// A path in the code (outside `use`), from its first segment to its last `::` segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Path {
    pub segments: Vec<String>,
    pub line: usize,
}

/// What one file names.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Read {
    pub uses: Vec<Use>,
    /// Child modules declared as `mod x;`.
    pub children: Vec<String>,
    pub paths: Vec<Path>,
}

/// Reads `source` (its non-test code).
pub(super) fn read(source: &str) -> Read {
    let tokens = without_tests(&tokens(source));
    let mut read = Read::default();
    let mut i = 0;
    while i < tokens.len() {
        let (tok, line) = &tokens[i];
        match tok {
            Tok::Ident(word) if word == "use" && starts_item(&tokens, i) => {
                let public = is_public(&tokens, i);
                i += 1;
                use_tree(&tokens, &mut i, &[], public, *line, &mut read.uses);
                while i < tokens.len() && tokens[i].0 != Tok::Semi {
                    i += 1;
                }
            }
            Tok::Ident(word) if word == "mod" && matches!(tokens.get(i + 2), Some((Tok::Semi, _))) => {
                if let Some((Tok::Ident(name), _)) = tokens.get(i + 1) {
                    read.children.push(name.clone());
                }
                i += 2;
            }
            Tok::Ident(first)
                if matches!(tokens.get(i + 1), Some((Tok::Colons, _)))
                    && !matches!(i.checked_sub(1).map(|p| &tokens[p].0), Some(Tok::Colons)) =>
            {
                let mut segments = vec![first.clone()];
                let mut j = i + 1;
                while let (Some((Tok::Colons, _)), Some((Tok::Ident(next), _))) = (tokens.get(j), tokens.get(j + 1)) {
                    segments.push(next.clone());
                    j += 2;
                }
                read.paths.push(Path { segments, line: *line });
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    read
}

/// Whether the `use` at `at` begins an item (not, say, a field named `use` — which Rust forbids,
/// but the reader does not trust itself to be in code).
fn starts_item(tokens: &[(Tok, usize)], at: usize) -> bool {
    matches!(
        at.checked_sub(1).map(|p| &tokens[p].0),
        None | Some(Tok::Semi | Tok::Open | Tok::Close | Tok::RBracket | Tok::RParen)
    ) || matches!(at.checked_sub(1).map(|p| &tokens[p].0), Some(Tok::Ident(w)) if w == "pub")
}

/// Whether the `use` at `at` has a visibility (`pub`, `pub(crate)`, `pub(super)`, …).
fn is_public(tokens: &[(Tok, usize)], at: usize) -> bool {
    match at.checked_sub(1).map(|p| &tokens[p].0) {
        Some(Tok::Ident(word)) => word == "pub",
        Some(Tok::RParen) => {
            let open = tokens[..at].iter().rposition(|(t, _)| *t == Tok::LParen);
            open.and_then(|o| o.checked_sub(1)).is_some_and(|p| tokens[p].0 == Tok::Ident(String::from("pub")))
        }
        _ => false,
    }
}

/// Reads one use tree at `i` under `prefix`, pushing its leaves.
fn use_tree(tokens: &[(Tok, usize)], i: &mut usize, prefix: &[String], public: bool, line: usize, out: &mut Vec<Use>) {
    let mut segments = prefix.to_vec();
    loop {
        match tokens.get(*i).map(|(t, _)| t) {
            Some(Tok::Ident(word)) if word != "as" => {
                segments.push(word.clone());
                *i += 1;
                if matches!(tokens.get(*i), Some((Tok::Colons, _))) {
                    *i += 1;
                    continue;
                }
                break;
            }
            Some(Tok::Colons) => *i += 1,
            Some(Tok::Open) => {
                *i += 1;
                while let Some((tok, _)) = tokens.get(*i) {
                    match tok {
                        Tok::Close => {
                            *i += 1;
                            break;
                        }
                        Tok::Comma => *i += 1,
                        _ => {
                            let before = *i;
                            use_tree(tokens, i, &segments, public, line, out);
                            if *i == before {
                                *i += 1;
                            }
                        }
                    }
                }
                return;
            }
            Some(Tok::Star) => {
                *i += 1;
                segments.push(String::from("*"));
                out.push(Use { segments, name: None, public, line });
                return;
            }
            _ => break,
        }
    }
    if segments.len() == prefix.len() {
        return;
    }
    if segments.last().is_some_and(|s| s == "self") {
        segments.pop();
    }
    let mut name = segments.last().cloned();
    if matches!(tokens.get(*i), Some((Tok::Ident(w), _)) if w == "as") {
        name = match tokens.get(*i + 1) {
            Some((Tok::Ident(alias), _)) if alias != "_" => Some(alias.clone()),
            _ => None,
        };
        *i += 2;
    }
    out.push(Use { segments, name, public, line });
}

/// `tokens` without each `#[cfg(test)]` attribute and the item it is on (up to its `;`, or
/// through its braces).
fn without_tests(tokens: &[(Tok, usize)]) -> Vec<(Tok, usize)> {
    let test_attribute = [
        Tok::Hash,
        Tok::LBracket,
        Tok::Ident(String::from("cfg")),
        Tok::LParen,
        Tok::Ident(String::from("test")),
        Tok::RParen,
        Tok::RBracket,
    ];
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let here = tokens[i..].iter().map(|(t, _)| t).take(test_attribute.len());
        if !here.eq(test_attribute.iter()) {
            out.push(tokens[i].clone());
            i += 1;
            continue;
        }
        i += test_attribute.len();
        let mut depth = 0usize;
        while let Some((tok, _)) = tokens.get(i) {
            i += 1;
            match tok {
                Tok::Semi if depth == 0 => break,
                Tok::Open => depth += 1,
                Tok::Close => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// The tokens of `source`, each with its line (from 1).
fn tokens(source: &str) -> Vec<(Tok, usize)> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            '\n' => {
                line += 1;
                i += 1;
            }
            c if c.is_whitespace() => i += 1,
            '/' if next == Some('/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if next == Some('*') => {
                i += 2;
                while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                    line += usize::from(chars[i] == '\n');
                    i += 1;
                }
                i += 2;
            }
            '"' => {
                i += 1;
                skip_string(&chars, &mut i, &mut line, 0, true);
            }
            '\'' => {
                // A character literal ('x', '\n', '\u{1F52E}') or a lifetime ('a).
                if next == Some('\\') {
                    i += 2;
                    while i < chars.len() && chars[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                } else if chars.get(i + 2) == Some(&'\'') {
                    i += 3;
                } else {
                    i += 1;
                }
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let quote_at = i + chars[i..].iter().take_while(|&&h| h == '#').count();
                if matches!(word.as_str(), "r" | "br" | "b") && chars.get(quote_at) == Some(&'"') {
                    let hashes = quote_at - i;
                    i = quote_at + 1;
                    skip_string(&chars, &mut i, &mut line, hashes, word == "b");
                } else if word == "b" && chars.get(i) == Some(&'\'') {
                    // A byte literal: the quote is read next, as a character literal.
                } else {
                    out.push((Tok::Ident(word), line));
                }
            }
            c if c.is_ascii_digit() => {
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
            }
            ':' if next == Some(':') => {
                out.push((Tok::Colons, line));
                i += 2;
            }
            _ => {
                out.push((punctuation(c), line));
                i += 1;
            }
        }
    }
    out
}

/// Skips from `i` (just past an opening `"`) past the closing `"` and `hashes` hashes, counting
/// lines; `escapes`: a backslash escapes the next character.
fn skip_string(chars: &[char], i: &mut usize, line: &mut usize, hashes: usize, escapes: bool) {
    while *i < chars.len() {
        let c = chars[*i];
        *i += 1;
        match c {
            '\n' => *line += 1,
            '\\' if escapes => *i += 1,
            '"' if chars[*i..].iter().take(hashes).filter(|&&h| h == '#').count() == hashes => {
                *i += hashes;
                return;
            }
            _ => {}
        }
    }
}

/// The token of one punctuation character.
fn punctuation(c: char) -> Tok {
    match c {
        '{' => Tok::Open,
        '}' => Tok::Close,
        ',' => Tok::Comma,
        ';' => Tok::Semi,
        '*' => Tok::Star,
        '#' => Tok::Hash,
        '[' => Tok::LBracket,
        ']' => Tok::RBracket,
        '(' => Tok::LParen,
        ')' => Tok::RParen,
        _ => Tok::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(read: &Read) -> Vec<(String, Option<String>, bool)> {
        read.uses.iter().map(|u| (u.segments.join("::"), u.name.clone(), u.public)).collect()
    }

    #[test]
    fn use_trees_are_read_with_groups_self_aliases_and_visibility() {
        let read = read(
            "use crate::{\n    config::Config,\n    store::{self, Store as S, tree::{TypedTree}},\n};\n\
             pub(crate) use super::super::x::*;\npub use error::BotError;\nuse teloxide::types::Update;\n",
        );
        assert_eq!(
            leaves(&read),
            [
                ("crate::config::Config".to_owned(), Some("Config".to_owned()), false),
                ("crate::store".to_owned(), Some("store".to_owned()), false),
                ("crate::store::Store".to_owned(), Some("S".to_owned()), false),
                ("crate::store::tree::TypedTree".to_owned(), Some("TypedTree".to_owned()), false),
                ("super::super::x::*".to_owned(), None, true),
                ("error::BotError".to_owned(), Some("BotError".to_owned()), true),
                ("teloxide::types::Update".to_owned(), Some("Update".to_owned()), false),
            ]
        );
        assert_eq!(read.uses[0].line, 1);
        assert_eq!(read.uses[4].line, 5);
    }

    #[test]
    fn paths_mods_and_what_is_left_out() {
        let source = "mod staging;\npub mod open;\n// crate::in_a_comment::x\n/* super::in_a_block::y */\n\
             fn f() { let s = \"crate::in_a_string\"; let r = r#\"self::raw\"#; let c = ':'; let b = b'x';\n\
             crate::tarot::draw(); super::metrics::get().map(metrics::Metrics::status_lines); }\n\
             fn g<'a>(x: &'a str) -> staging::Kind { todo!() }\n\
             #[cfg(test)]\nmod tests {\n    use crate::cli;\n    fn t() { crate::bot::run(); }\n}\n\
             #[cfg(test)]\nuse crate::vault::testing;\nfn h() { self::g(\"\") }\n";
        let read = read(source);
        assert_eq!(read.children, ["staging", "open"]);
        assert!(read.uses.is_empty(), "{:?}", read.uses);
        let paths: Vec<String> = read.paths.iter().map(|p| p.segments.join("::")).collect();
        assert_eq!(
            paths,
            ["crate::tarot::draw", "super::metrics::get", "metrics::Metrics::status_lines", "staging::Kind", "self::g"]
        );
        assert_eq!(read.paths[0].line, 6);
        assert_eq!(read.paths[4].line, 15);
    }
}
