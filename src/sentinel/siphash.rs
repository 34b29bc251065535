//! SipHash-2-4 (Aumasson & Bernstein): a fast keyed hash for debounce fingerprints. With a
//! secret 128-bit key an attacker can neither predict fingerprints nor craft collisions, at a
//! fraction of HMAC-SHA256's cost on the per-update path.

/// A SipHash-2-4 state over one message.
pub(crate) struct SipHasher24 {
    v: [u64; 4],
    tail: u64,
    ntail: usize,
    length: usize,
}

impl SipHasher24 {
    /// A hasher keyed with `k0`, `k1`.
    pub(crate) fn new(k0: u64, k1: u64) -> SipHasher24 {
        SipHasher24 {
            v: [
                k0 ^ 0x736f_6d65_7073_6575,
                k1 ^ 0x646f_7261_6e64_6f6d,
                k0 ^ 0x6c79_6765_6e65_7261,
                k1 ^ 0x7465_6462_7974_6573,
            ],
            tail: 0,
            ntail: 0,
            length: 0,
        }
    }

    fn round(&mut self) {
        let v = &mut self.v;
        v[0] = v[0].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(13) ^ v[0];
        v[0] = v[0].rotate_left(32);
        v[2] = v[2].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(16) ^ v[2];
        v[0] = v[0].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(21) ^ v[0];
        v[2] = v[2].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(17) ^ v[2];
        v[2] = v[2].rotate_left(32);
    }

    fn compress(&mut self, m: u64) {
        self.v[3] ^= m;
        self.round();
        self.round();
        self.v[0] ^= m;
    }

    /// Adds bytes to the message.
    pub(crate) fn write(&mut self, bytes: &[u8]) {
        self.length += bytes.len();
        for &b in bytes {
            self.tail |= u64::from(b) << (8 * self.ntail);
            self.ntail += 1;
            if self.ntail == 8 {
                let m = self.tail;
                self.compress(m);
                self.tail = 0;
                self.ntail = 0;
            }
        }
    }

    /// The 64-bit tag.
    pub(crate) fn finish(mut self) -> u64 {
        let last = ((self.length as u64 & 0xff) << 56) | self.tail;
        self.compress(last);
        self.v[2] ^= 0xff;
        for _ in 0..4 {
            self.round();
        }
        self.v[0] ^ self.v[1] ^ self.v[2] ^ self.v[3]
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
