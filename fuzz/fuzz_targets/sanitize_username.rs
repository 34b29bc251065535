//! Fuzzes `username`: never panics; any result is 5–32 characters of `[A-Za-z0-9_]`, contains
//! nothing control-like and is a fixed point.
#![no_main]

use arcana::sanitize::{USERNAME_MAX_CHARS, USERNAME_MIN_CHARS, is_clean, is_username_char, username};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let raw = String::from_utf8_lossy(data);
    if let Some(name) = username(&raw) {
        assert!((USERNAME_MIN_CHARS..=USERNAME_MAX_CHARS).contains(&name.chars().count()));
        assert!(name.chars().all(is_username_char));
        assert!(is_clean(&name));
        assert_eq!(username(&name).as_deref(), Some(name.as_str()));
        assert_eq!(username(&format!("@{name}")).as_deref(), Some(name.as_str()));
    }
});
