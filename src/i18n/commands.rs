//! The command table's words in a locale: a command's `/help` line and its description in
//! Telegram's menu. Commands are named as typed (`draw`, `2fa`): the names are never
//! translated, nor the argument words the bot parses (`one|three|celtic`, `credits|premium`,
//! `off`, `on`, `all`). The table itself (`crate::command`) stays the source of which commands
//! exist and who sees them.

use crate::locale::Locale;

use super::lookup::text_of;

/// The `/help` line of the command `name` in `locale`: `/name usage — help`, as
/// `command::help_line` builds it in English.
#[must_use]
pub fn help_line(locale: Locale, name: &str) -> String {
    let help = text_of(locale, &format!("command.{name}.help")).unwrap_or_default();
    match text_of(locale, &format!("command.{name}.usage")) {
        Some(usage) => format!("/{name} {usage} — {help}"),
        None => format!("/{name} — {help}"),
    }
}

/// The description of the command `name` in Telegram's menu in `locale`, if the command is
/// listed there (for `setMyCommands` with the locale's `language_code`).
#[must_use]
pub fn menu(locale: Locale, name: &str) -> Option<&'static str> {
    text_of(locale, &format!("command.{name}.menu"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_lines_and_menus_are_translated_but_commands_are_not() {
        assert_eq!(help_line(Locale::En, "history"), "/history — your past readings");
        assert_eq!(help_line(Locale::En, "verify"), "/verify CODE — confirm a sensitive action with a fresh code");
        for locale in [Locale::Ru, Locale::Es] {
            let line = help_line(locale, "draw");
            assert!(line.starts_with("/draw ["), "{line}");
            assert_ne!(line, help_line(Locale::En, "draw"));
            assert!(menu(locale, "draw").is_some_and(|m| m.contains("/draw [")));
            // The spread words a locale shows are words the bot parses.
            let usage = line.trim_start_matches("/draw [").split(']').next().unwrap_or_default();
            for word in usage.split('|') {
                assert!(crate::tarot::Spread::parse(word).is_some(), "{locale:?}: {word}");
            }
        }
        assert_eq!(menu(Locale::En, "help"), Some("list the commands"));
        assert_eq!(menu(Locale::Ru, "sessions"), None, "not in the menu");
        assert_eq!(help_line(Locale::Es, "nope"), "/nope — ");
    }
}
