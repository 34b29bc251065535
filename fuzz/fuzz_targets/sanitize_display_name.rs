//! Fuzzes `display_name`: never panics; the result is at most 64 characters on one trimmed
//! line, contains nothing control-like and is a fixed point.
#![no_main]

use arcana::sanitize::{DISPLAY_NAME_MAX_CHARS, display_name, is_clean};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let raw = String::from_utf8_lossy(data);
    let name = display_name(&raw);
    assert!(name.chars().count() <= DISPLAY_NAME_MAX_CHARS);
    assert!(is_clean(&name));
    assert!(name.chars().all(|c| c == ' ' || !c.is_whitespace()));
    assert!(!name.starts_with(' ') && !name.ends_with(' ') && !name.contains("  "));
    assert_eq!(display_name(&name), name);
});
