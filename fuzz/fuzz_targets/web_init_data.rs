//! Fuzzes the Mini App's `initData` check: no input panics it, every refusal is one line, and
//! anything accepted (the signed seeds) names a positive user id with a clean one-line name and is
//! accepted again the same.
#![no_main]

use arcana::web::{init_data_secret, verify_init_data};
use libfuzzer_sys::fuzz_target;

/// The bot token the seeds in `fuzz/seeds/web_init_data` are signed for.
const TOKEN: &str = "123456:fuzz-token";
const NOW: u64 = 1_800_000_000;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let secret = init_data_secret(TOKEN);
    match verify_init_data(text, &secret, NOW, 86_400) {
        Ok(user) => {
            assert!(user.id > 0);
            assert!(!user.first_name.contains('\n'));
            assert_eq!(verify_init_data(text, &secret, NOW, 86_400).ok(), Some(user));
        }
        Err(e) => assert!(!e.to_string().contains('\n')),
    }
});
