//! Fuzzes the checkout of Telegram Stars invoices. Input: 8 bytes user id, 4 bytes amount
//! (big-endian, zero-padded), one byte choosing the currency, then the payload text.
//!
//! - `verify` never panics on an arbitrary payload, currency and amount;
//! - whatever verifies is in `XTR`, for exactly the amount charged, and re-signs (for the same
//!   issue day) to the same payload;
//! - a genuine payload for this user verifies only with its own price, and never for another user.
#![no_main]

use arcana::billing::{Offer, ProductKind, STARS, product::verify};
use arcana::sanitize::CallbackSigner;
use libfuzzer_sys::fuzz_target;

const KEY: [u8; 32] = *b"arcana-fuzz-key-not-a-secret-32b";
const NOW_MS: u64 = 1_795_473_000_000;

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
    let amount = u32::from_be_bytes(take::<4>(&mut data));
    let [which] = take::<1>(&mut data);
    let currency = if which % 2 == 0 { STARS } else { "USD" };
    let payload = String::from_utf8_lossy(data);
    let signer = CallbackSigner::new(&KEY);

    if let Ok(offer) = verify(&signer, user, &payload, currency, amount, None) {
        assert_eq!(currency, STARS);
        assert_eq!(offer.stars, amount);
    }

    let kind = if which & 2 == 0 { ProductKind::Credits } else { ProductKind::Premium };
    let offer = Offer { kind, quantity: amount % 1_000, stars: amount.max(1) };
    let genuine = offer.payload(&signer, user, NOW_MS).expect("a payload fits");
    assert!(genuine.len() <= 128);
    assert_eq!(verify(&signer, user, &genuine, STARS, offer.stars, Some(NOW_MS)), Ok(offer));
    assert!(verify(&signer, user.wrapping_add(1), &genuine, STARS, offer.stars, Some(NOW_MS)).is_err());
    assert!(verify(&signer, user, &genuine, STARS, offer.stars.wrapping_add(1), Some(NOW_MS)).is_err());
});
