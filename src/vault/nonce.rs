//! Fresh random nonces, drawn from the OS generator in blocks so that sealing a record does not
//! cost a system call each time.

use std::sync::{Mutex, PoisonError};

use ring::{
    aead::NONCE_LEN,
    rand::{SecureRandom, SystemRandom},
};

use super::VaultError;

const BLOCK: usize = NONCE_LEN * 256;

/// A buffered source of random nonces.
pub(crate) struct NonceSource {
    rng: SystemRandom,
    buffer: Mutex<([u8; BLOCK], usize)>,
}

impl NonceSource {
    pub(crate) fn new() -> NonceSource {
        NonceSource { rng: SystemRandom::new(), buffer: Mutex::new(([0; BLOCK], BLOCK)) }
    }

    /// A fresh random nonce; each byte of randomness is handed out once.
    pub(crate) fn next(&self) -> Result<[u8; NONCE_LEN], VaultError> {
        let mut guard = self.buffer.lock().unwrap_or_else(PoisonError::into_inner);
        let (block, pos) = &mut *guard;
        if *pos + NONCE_LEN > BLOCK {
            self.rng.fill(block).map_err(|_| VaultError::Crypto("random generator failed"))?;
            *pos = 0;
        }
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&block[*pos..*pos + NONCE_LEN]);
        block[*pos..*pos + NONCE_LEN].fill(0);
        *pos += NONCE_LEN;
        Ok(nonce)
    }

    /// Random key material.
    pub(crate) fn fill(&self, out: &mut [u8]) -> Result<(), VaultError> {
        self.rng.fill(out).map_err(|_| VaultError::Crypto("random generator failed"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn nonces_do_not_repeat() {
        let source = NonceSource::new();
        let seen: HashSet<_> = (0..2_000).map(|_| source.next().expect("nonce")).collect();
        assert_eq!(seen.len(), 2_000);
    }
}
