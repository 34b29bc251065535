//! Fuzzes `command_args` and `split_command`. The first input byte is the character bound, the
//! rest is the text. `command_args` never panics, respects the bound, keeps one clean trimmed
//! line and is a fixed point; `split_command` yields a lower-case command of the right grammar
//! and trimmed arguments, and re-splitting its own output gives the same answer.
#![no_main]

use arcana::sanitize::{COMMAND_MAX_CHARS, command_args, is_clean, split_command};
use libfuzzer_sys::fuzz_target;

const BOT: &str = "ArcanaBot";

fuzz_target!(|data: &[u8]| {
    let Some((&max, rest)) = data.split_first() else {
        return;
    };
    let max = usize::from(max);
    let raw = String::from_utf8_lossy(rest);

    let args = command_args(&raw, max);
    assert!(args.chars().count() <= max);
    assert!(is_clean(&args));
    assert!(args.chars().all(|c| c == ' ' || !c.is_whitespace()));
    assert!(!args.starts_with(' ') && !args.ends_with(' ') && !args.contains("  "));
    assert_eq!(command_args(&args, max), args);

    if let Some((cmd, raw_args)) = split_command(&raw, BOT) {
        assert!(!cmd.is_empty() && cmd.len() <= COMMAND_MAX_CHARS);
        assert!(cmd.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'));
        assert_eq!(raw_args.trim(), raw_args);
        let rebuilt = if raw_args.is_empty() { format!("/{cmd}@{BOT}") } else { format!("/{cmd}@{BOT} {raw_args}") };
        assert_eq!(split_command(&rebuilt, BOT), Some((cmd, raw_args)));
    }
});
