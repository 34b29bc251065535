//! Fuzzes backup reading: `read_bytes` never panics on arbitrary input, every error is one line,
//! and anything accepted (the valid seeds, or a forgery, which would be a bug) re-reads the same.
#![no_main]

use arcana::backup::read_bytes;
use libfuzzer_sys::fuzz_target;

/// The key the seeds in `fuzz/seeds/backup_read` are sealed under (see `src/backup/read.rs`).
const FIXED_KEY: [u8; 32] = *b"arcana fuzz backup key, public!!";

fuzz_target!(|data: &[u8]| {
    match read_bytes(data, &FIXED_KEY) {
        Ok(snapshot) => {
            assert_eq!(read_bytes(data, &FIXED_KEY).ok(), Some(snapshot));
        }
        Err(error) => {
            let message = error.to_string();
            assert!(!message.is_empty() && !message.contains('\n'), "bad error message: {message:?}");
        }
    }
});
