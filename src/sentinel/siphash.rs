//! SipHash-2-4 (Aumasson & Bernstein): a fast keyed hash for debounce fingerprints. With a
//! secret 128-bit key an attacker can neither predict fingerprints nor craft collisions, at a
//! fraction of HMAC-SHA256's cost on the per-update path.
//!
//! The `siphasher` crate's `sip::SipHasher24` does the hashing; this thin wrapper keeps the
//! interface the sentinel uses (a key as two `u64` halves, byte writes, a consuming `finish`)
//! so callers need no `Hasher` import. The reference vectors below pin the output bit for bit.

use core::hash::Hasher as _;

/// A SipHash-2-4 state over one message.
pub(crate) struct SipHasher24(siphasher::sip::SipHasher24);

impl SipHasher24 {
    /// A hasher keyed with `k0`, `k1`.
    pub(crate) fn new(k0: u64, k1: u64) -> SipHasher24 {
        SipHasher24(siphasher::sip::SipHasher24::new_with_keys(k0, k1))
    }

    /// Adds bytes to the message.
    pub(crate) fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
    }

    /// The 64-bit tag.
    pub(crate) fn finish(self) -> u64 {
        self.0.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference_key() -> (u64, u64) {
        let key: Vec<u8> = (0u8..16).collect();
        (
            u64::from_le_bytes(key[..8].try_into().expect("8 bytes")),
            u64::from_le_bytes(key[8..].try_into().expect("8 bytes")),
        )
    }

    #[test]
    fn matches_the_reference_vectors() {
        let (k0, k1) = reference_key();
        // From the SipHash paper (appendix A) and its reference implementation's vectors.
        let message: Vec<u8> = (0u8..15).collect();
        let mut h = SipHasher24::new(k0, k1);
        h.write(&message);
        assert_eq!(h.finish(), 0xa129_ca61_49be_45e5);
        let mut empty = SipHasher24::new(k0, k1);
        empty.write(&[]);
        assert_eq!(empty.finish(), 0x726f_db47_dd0e_0e31);
    }

    #[test]
    fn split_writes_equal_one_write() {
        let mut a = SipHasher24::new(1, 2);
        a.write(b"hello, world: a longer message");
        let mut b = SipHasher24::new(1, 2);
        b.write(b"hello, ");
        b.write(b"world: a longer message");
        assert_eq!(a.finish(), b.finish());
    }
}
