//! Fuzzes the config parser: arbitrary text never panics, and every error is one line that names
//! the file, with nothing echoed from the file able to break or hide part of it (no control
//! characters).
#![no_main]

use std::path::Path;

use arcana::config::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(e) = Config::from_toml_str(&text, Path::new("arcana.toml")) {
        let message = e.to_string();
        assert!(!message.contains('\n'), "multi-line error: {message:?}");
        assert!(!message.chars().any(char::is_control), "control character in error: {message:?}");
        assert!(message.contains("arcana.toml"), "error does not name the file: {message:?}");
    }
});
