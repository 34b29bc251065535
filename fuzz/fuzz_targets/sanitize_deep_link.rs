//! Fuzzes `deep_link_payload`: never panics; anything accepted is the input itself, 1–64
//! characters of `[A-Za-z0-9_-]`, nothing control-like, and a fixed point.
#![no_main]

use arcana::sanitize::{DEEP_LINK_MAX_CHARS, deep_link_payload, is_clean, is_deep_link_char};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let raw = String::from_utf8_lossy(data);
    if let Some(payload) = deep_link_payload(&raw) {
        assert_eq!(payload, raw);
        assert!(!payload.is_empty() && payload.chars().count() <= DEEP_LINK_MAX_CHARS);
        assert!(payload.chars().all(is_deep_link_char));
        assert!(is_clean(&payload));
        assert_eq!(deep_link_payload(&payload).as_deref(), Some(payload.as_str()));
    }
});
