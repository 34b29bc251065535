//! Fuzzes callback authentication. Input: 8 bytes user id, 8 bytes chat id (big-endian,
//! zero-padded), one mutation position byte, one mutation value byte, then the text.
//!
//! - `verify` never panics on arbitrary text, and anything that verifies re-signs to the same
//!   wire string;
//! - text that parses as a payload is canonical, and when it fits it signs to at most 64 clean
//!   bytes that verify for the same user and chat only, and any single-byte change is refused.
#![no_main]

use arcana::sanitize::{CallbackData, CallbackError, CallbackSigner, MAX_WIRE_LEN, is_clean};
use libfuzzer_sys::fuzz_target;

const KEY: [u8; 32] = *b"arcana-fuzz-key-not-a-secret-32b";

fn take<const N: usize>(data: &mut &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    let n = data.len().min(N);
    out[..n].copy_from_slice(&data[..n]);
    *data = &data[n..];
    out
}

fuzz_target!(|data: &[u8]| {
    let mut data = data;
    let user = i64::from_be_bytes(take::<8>(&mut data));
    let chat = i64::from_be_bytes(take::<8>(&mut data));
    let [pos, value] = take::<2>(&mut data);
    let text = String::from_utf8_lossy(data);
    let signer = CallbackSigner::new(&KEY);

    if let Ok(parsed) = signer.verify(user, chat, &text) {
        assert_eq!(signer.sign(user, chat, &parsed).as_deref(), Ok(&*text));
    }

    let Ok(parsed) = CallbackData::parse(&text) else {
        return;
    };
    assert_eq!(parsed.payload(), text);
    let wire = match signer.sign(user, chat, &parsed) {
        Ok(wire) => wire,
        Err(error) => {
            assert_eq!(error, CallbackError::TooLong);
            assert!(parsed.wire_len() > MAX_WIRE_LEN);
            return;
        }
    };
    assert!(wire.len() <= MAX_WIRE_LEN);
    assert!(is_clean(&wire));
    assert_eq!(signer.verify(user, chat, &wire), Ok(parsed.clone()));
    assert_eq!(signer.verify(user.wrapping_add(1), chat, &wire), Err(CallbackError::BadMac));
    assert_eq!(signer.verify(user, chat.wrapping_add(1), &wire), Err(CallbackError::BadMac));

    let mut bytes = wire.clone().into_bytes();
    let at = usize::from(pos) % bytes.len();
    let value = value & 0x7f;
    if bytes[at] != value {
        bytes[at] = value;
        let forged = String::from_utf8(bytes).expect("ascii stays utf-8");
        assert!(signer.verify(user, chat, &forged).is_err());
    }
});
