//! Fuzzes TOTP code verification: `verify` never panics on arbitrary (lossily decoded) input,
//! and whatever it accepts is the RFC 6238 test secret's code for a step within one of now.
#![no_main]

use arcana::accounts::totp::{code_at_step, format_code, step_at, verify};
use libfuzzer_sys::fuzz_target;

/// RFC 6238 appendix B's SHA-1 secret.
const RFC_SECRET: &[u8] = b"12345678901234567890";

/// A fixed clock: the first RFC 6238 test time (code 287082, step 1).
const NOW: u64 = 59;

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    if let Ok(step) = verify(RFC_SECRET, &input, NOW, None, 1) {
        let current = step_at(NOW);
        assert!(step + 1 >= current && step <= current + 1);
        let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(digits, format_code(code_at_step(RFC_SECRET, step)));
        assert!(verify(RFC_SECRET, &input, NOW, Some(step), 1).is_err());
    }
});
