//! Bot commands: splitting `/cmd@bot args` and sanitising the free-text arguments.

use super::line::single_line;

/// The longest command name accepted, in characters (Telegram's limit for bot commands).
pub const COMMAND_MAX_CHARS: usize = 32;

/// Whether `c` may appear in a command name: ASCII letters (matched case-insensitively),
/// digits and underscore.
#[must_use]
pub const fn is_command_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Sanitises the free-text arguments after a command to one clean line.
///
/// Control-like characters are removed, runs of whitespace (newlines included) become one
/// space, the ends are trimmed and the result is cut to `max_chars` characters (not bytes) on a
/// character boundary, never leaving a trailing space. Idempotent for a given `max_chars`.
#[must_use]
pub fn command_args(raw: &str, max_chars: usize) -> String {
    single_line(raw, max_chars)
}

/// Splits a message text into a command addressed to this bot and its raw arguments.
///
/// Accepted shape: `/` immediately at the start of `text`, then a command name of 1 to 32
/// characters from `[A-Za-z0-9_]`, then optionally `@` and a bot username, then either the end
/// of the text or a whitespace character followed by the arguments. Returns
/// `(command, args)` where `command` is lower-cased without the slash and `args` is the rest
/// with surrounding whitespace trimmed (still *raw*: pass it to [`command_args`] or a stricter
/// parser such as [`deep_link_payload`](super::deep_link_payload) before use).
///
/// Returns `None` when the text is not a command (no leading `/`, an empty, over-long or
/// ill-formed name such as `/start,x`), or when an `@name` suffix does not name this bot
/// (`bot_username`, compared case-insensitively, with or without its own leading `@`): in a
/// group, `/help@other_bot` is somebody else's business.
#[must_use]
pub fn split_command(text: &str, bot_username: &str) -> Option<(String, String)> {
    let rest = text.strip_prefix('/')?;
    let (token, args) = rest.find(char::is_whitespace).map_or((rest, ""), |at| rest.split_at(at));
    let (name, target) = match token.split_once('@') {
        Some((name, target)) => (name, Some(target)),
        None => (token, None),
    };
    if name.is_empty() || name.len() > COMMAND_MAX_CHARS || !name.chars().all(is_command_char) {
        return None;
    }
    if let Some(target) = target {
        let me = bot_username.strip_prefix('@').unwrap_or(bot_username);
        if me.is_empty() || !target.eq_ignore_ascii_case(me) {
            return None;
        }
    }
    Some((name.to_ascii_lowercase(), args.trim().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sanitize::chars::is_clean;
    use proptest::prelude::*;

    fn split(text: &str) -> Option<(String, String)> {
        split_command(text, "ArcanaBot")
    }

    fn pair(cmd: &str, args: &str) -> (String, String) {
        (cmd.to_owned(), args.to_owned())
    }

    #[test]
    fn bare_command() {
        assert_eq!(split("/start"), Some(pair("start", "")));
    }

    #[test]
    fn command_with_args() {
        assert_eq!(split("/reading  three cards \n"), Some(pair("reading", "three cards")));
        assert_eq!(split("/start\nref_42"), Some(pair("start", "ref_42")));
    }

    #[test]
    fn command_is_lower_cased() {
        assert_eq!(split("/HeLP"), Some(pair("help", "")));
    }

    #[test]
    fn addressed_to_us_case_insensitively() {
        assert_eq!(split("/help@arcanabot"), Some(pair("help", "")));
        assert_eq!(split("/help@ARCANABOT x"), Some(pair("help", "x")));
        assert_eq!(split_command("/help@ArcanaBot", "@arcanabot"), Some(pair("help", "")));
    }

    #[test]
    fn addressed_to_another_bot_is_not_ours() {
        assert_eq!(split("/help@other_bot"), None);
        assert_eq!(split("/help@"), None);
        assert_eq!(split_command("/help@", ""), None);
        assert_eq!(split("/help@ArcanaBot@ArcanaBot"), None);
    }

    #[test]
    fn not_a_command() {
        for text in ["", "/", "start", " /start", "//start", "/start,x", "/sta-rt", "/ start", "/é"] {
            assert_eq!(split(text), None, "{text:?}");
        }
    }

    #[test]
    fn command_length_limit() {
        let max = "a".repeat(COMMAND_MAX_CHARS);
        assert_eq!(split(&format!("/{max}")), Some(pair(&max, "")));
        assert_eq!(split(&format!("/{max}a")), None);
    }

    #[test]
    fn args_are_sanitised_separately() {
        let (_, args) = split("/ask will\u{202E} I\n\nwin?").expect("a command");
        assert_eq!(command_args(&args, 100), "will I win?");
        assert_eq!(command_args("one two three", 7), "one two");
    }

    proptest! {
        #[test]
        fn command_args_properties(s in any::<String>(), max in 0usize..300) {
            let once = command_args(&s, max);
            prop_assert!(once.chars().count() <= max);
            prop_assert!(is_clean(&once));
            prop_assert!(!once.contains('\n'));
            prop_assert_eq!(command_args(&once, max), once);
        }

        #[test]
        fn split_command_properties(s in any::<String>()) {
            if let Some((cmd, args)) = split(&s) {
                prop_assert!(!cmd.is_empty() && cmd.len() <= COMMAND_MAX_CHARS);
                prop_assert!(cmd.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'));
                prop_assert_eq!(args.trim(), args.as_str());
                let rebuilt = if args.is_empty() { format!("/{cmd}") } else { format!("/{cmd} {args}") };
                prop_assert_eq!(split(&rebuilt), Some((cmd, args)));
            }
        }

        #[test]
        fn well_formed_commands_split(
            cmd in "[A-Za-z0-9_]{1,32}",
            at in proptest::option::of("(?i)arcanabot"),
            args in "[a-z ]{0,20}",
        ) {
            let suffix = at.map(|a| format!("@{a}")).unwrap_or_default();
            let text = format!("/{cmd}{suffix} {args}");
            prop_assert_eq!(split(&text), Some((cmd.to_ascii_lowercase(), args.trim().to_owned())));
        }
    }
}
