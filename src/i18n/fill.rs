//! Placeholders: `{name}` in a text, replaced by a named argument in one pass (a value that
//! itself contains `{…}`, such as a user's question, is never read as a placeholder). A
//! placeholder without an argument stays visible and is logged at debug level: it is a bug the
//! tests catch, not a reason to fail a reply.

/// `template` with each `{name}` replaced by its value in `args` (`key` names the text in the log).
pub(super) fn fill(key: &str, template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + args.iter().map(|(_, value)| value.len()).sum::<usize>());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').map(|close| (close, &after[..close])) {
            Some((close, name)) if is_name(name) => {
                if let Some((_, value)) = args.iter().find(|(arg, _)| *arg == name) {
                    out.push_str(value);
                } else {
                    tracing::debug!(key, placeholder = name, "a text's placeholder has no argument");
                    out.push_str(&rest[open..=open + 1 + close]);
                }
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The placeholder names in `template` (for the tests).
#[cfg(test)]
pub(super) fn placeholders(template: &str) -> std::collections::BTreeSet<&str> {
    let mut names = std::collections::BTreeSet::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if is_name(&after[..close]) => {
                names.insert(&after[..close]);
                rest = &after[close + 1..];
            }
            _ => rest = after,
        }
    }
    names
}

/// A placeholder name: lower-case ASCII letters, digits and underscores.
fn is_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn named_placeholders_are_filled_once() {
        assert_eq!(fill("k", "wait {wait}, {wait}!", &[("wait", "7 s")]), "wait 7 s, 7 s!");
        assert_eq!(fill("k", "{a}{b}", &[("b", "{a}"), ("a", "x")]), "x{a}", "values are not read again");
        assert_eq!(fill("k", "no placeholders", &[("a", "x")]), "no placeholders");
        assert_eq!(fill("k", "", &[]), "");
    }

    #[test]
    fn a_missing_argument_stays_visible() {
        assert_eq!(fill("k", "in {wait}.", &[]), "in {wait}.");
        assert_eq!(fill("k", "🔮 {a} и {b}", &[("b", "б")]), "🔮 {a} и б");
    }

    #[test]
    fn braces_that_are_not_placeholders_stay() {
        assert_eq!(fill("k", "{ a } {} {A} {x", &[("a", "1"), ("x", "2")]), "{ a } {} {A} {x");
        assert_eq!(fill("k", "{{a}}", &[("a", "1")]), "{1}");
        assert_eq!(placeholders("{ a } {} {A} {x"), BTreeSet::new());
    }

    #[test]
    fn placeholders_are_listed_once() {
        assert_eq!(placeholders("{n} of {m}, {n}").into_iter().collect::<Vec<_>>(), ["m", "n"]);
        assert_eq!(placeholders("{{a}}").into_iter().collect::<Vec<_>>(), ["a"]);
    }
}
