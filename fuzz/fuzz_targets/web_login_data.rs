//! Fuzzes the Login Widget's callback check: no query panics it, every refusal is one line, and
//! anything accepted (the signed seeds) names a positive user id.
#![no_main]

use arcana::web::{login_secret, verify_login};
use libfuzzer_sys::fuzz_target;

/// The bot token the seeds in `fuzz/seeds/web_login_data` are signed for.
const TOKEN: &str = "123456:fuzz-token";
const NOW: u64 = 1_800_000_000;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match verify_login(text, &login_secret(TOKEN), NOW, 86_400) {
        Ok(user) => assert!(user.id > 0 && !user.first_name.contains('\n')),
        Err(e) => assert!(!e.to_string().contains('\n')),
    }
});
