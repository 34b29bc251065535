//! The dotted key an error points at, found from the error's place in the file.
//!
//! toml gives every deserialisation error the span of the key or value it arose in. The key path
//! (`tiers.free.daily_readings`, `admins[1]`) is the path to the innermost key or value of the
//! document whose span holds the error's — the same path `serde_path_to_error` reports, without
//! wrapping every config type's deserializer a second time (that doubled the config parser's
//! code: about 200 KiB of the binary). Only runs when parsing has already failed.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

/// The key toml shows a datetime's deserializer as (a datetime where a table belongs).
const DATETIME_KEY: &str = "$__toml_private_datetime";

/// The key path of the error at `error` in `text` (already known to be well-formed TOML), as
/// `serde_path_to_error` writes it: keys joined by `.`, array elements as `[i]`; `"."` for the
/// document itself. `message` is the error's: an unknown enum variant written as a table's key
/// belongs to the enum's own key, and a datetime read as a table has toml's private key.
/// One difference remains: an error found after an array element was read (a table written as
/// an array, with a value the field then refuses) names the array, not the element.
pub(super) fn key_path(text: &str, error: &Range<usize>, message: &str) -> String {
    let Ok(root) = DeTable::parse(text) else {
        return String::from(".");
    };
    let mut best = Best::default();
    let mut path = Vec::new();
    walk_table(root.get_ref(), error, &mut path, &mut best);
    if best.by_key && message.starts_with("unknown variant") {
        best.path.pop();
    }
    if best.datetime && message.contains(DATETIME_KEY) {
        best.path.push(Segment::Key(String::from(DATETIME_KEY)));
    }
    render(&best.path)
}

/// The longest path found so far, and how it was found.
#[derive(Default)]
struct Best {
    path: Vec<Segment>,
    /// The error lies on the key itself (an unknown field or variant).
    by_key: bool,
    /// The value there is a datetime.
    datetime: bool,
}

impl Best {
    fn offer(&mut self, path: &[Segment], by_key: bool, value: &DeValue<'_>) {
        if path.len() > self.path.len() {
            self.path = path.to_vec();
            self.by_key = by_key;
            self.datetime = matches!(value, DeValue::Datetime(_));
        }
    }
}

fn holds(span: &Range<usize>, error: &Range<usize>) -> bool {
    span.start <= error.start && error.end <= span.end
}

/// Keeps in `best` the longest path whose key or value holds `error`.
fn walk_table(table: &DeTable<'_>, error: &Range<usize>, path: &mut Vec<Segment>, best: &mut Best) {
    for (key, value) in table {
        path.push(Segment::Key(key.get_ref().to_string()));
        let by_key = holds(&key.span(), error);
        if by_key || holds(&value.span(), error) {
            best.offer(path, by_key && !holds(&value.span(), error), value.get_ref());
        }
        walk_value(value.get_ref(), error, path, best);
        path.pop();
    }
}

fn walk_value(value: &DeValue<'_>, error: &Range<usize>, path: &mut Vec<Segment>, best: &mut Best) {
    match value {
        DeValue::Table(table) => walk_table(table, error, path, best),
        DeValue::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                path.push(Segment::Index(index));
                if holds(&item.span(), error) {
                    best.offer(path, false, item.get_ref());
                }
                walk_value(item.get_ref(), error, path, best);
                path.pop();
            }
        }
        _ => {}
    }
}

fn render(path: &[Segment]) -> String {
    if path.is_empty() {
        return String::from(".");
    }
    let mut out = String::new();
    for segment in path {
        match segment {
            Segment::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Index(index) => {
                out.push('[');
                out.push_str(&index.to_string());
                out.push(']');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::key_path;

    fn at(text: &str, needle: &str) -> String {
        let start = text.find(needle).expect("needle in text");
        key_path(text, &(start..start + needle.len()), "")
    }

    #[test]
    fn paths_name_tables_keys_and_elements() {
        let text =
            "admins = [1, \"x\"]\n[telegram]\npoll_timeout = \"2h\"\n[tiers.free.limits]\ndraw = { limit = 0 }\n";
        assert_eq!(at(text, "\"x\""), "admins[1]");
        assert_eq!(at(text, "\"2h\""), "telegram.poll_timeout");
        assert_eq!(at(text, "poll_timeout"), "telegram.poll_timeout");
        assert_eq!(at(text, "0"), "tiers.free.limits.draw.limit");
        assert_eq!(at(text, "{ limit = 0 }"), "tiers.free.limits.draw");
        assert_eq!(key_path(text, &(0..text.len()), ""), ".");
        let text = "[log]\nlevel = { loud = 1 }\n";
        let loud = text.find("loud").expect("key");
        assert_eq!(key_path(text, &(loud..loud + 4), "unknown variant `loud`"), "log.level");
        assert_eq!(key_path(text, &(loud..loud + 4), "unknown field `loud`"), "log.level.loud");
    }
}
