//! Fuzzes the token parser: no input panics it, and nothing verifies under the key but tokens
//! that key signed — an accepted token re-signed from its own claims is the same token.
#![no_main]

use arcana::web::jwt::SigningKey;
use libfuzzer_sys::fuzz_target;

/// The key the seeds in `fuzz/seeds/web_token` are signed with (id "1").
const SECRET: &[u8] = b"arcana fuzz token key, public!!!";
const NOW: u64 = 1_800_000_000;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let key = SigningKey::new(String::from("1"), SECRET);
    if let Ok(claims) = key.verify(text, NOW) {
        assert_eq!(key.sign(&claims), text, "only arcana's own encoding verifies");
    }
});
