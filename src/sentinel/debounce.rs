//! Debouncing: an identical event from the same user to the same bucket within the window is
//! dropped. The window counts from the first occurrence; the first event after it passes and
//! re-arms. Identity is a keyed hash (SipHash-2-4 under a per-install secret derived from the
//! vault's root secret) of user, bucket and content — message content itself is never kept.

use super::{shards::Sharded, siphash::SipHasher24};

/// Recent fingerprints and when each was first seen (monotonic ms).
pub(crate) struct Debouncer {
    key: (u64, u64),
    seen: Sharded<u64, u64>,
}

impl Debouncer {
    pub(crate) fn new(key: &[u8; 32]) -> Debouncer {
        let half = |range: std::ops::Range<usize>| u64::from_le_bytes(key[range].try_into().unwrap_or_default());
        Debouncer { key: (half(0..8), half(8..16)), seen: Sharded::default() }
    }

    /// The keyed fingerprint of `content` sent by `who` to `bucket`.
    pub(crate) fn fingerprint(&self, who: i64, bucket: u16, content: &str) -> u64 {
        let mut h = SipHasher24::new(self.key.0, self.key.1);
        h.write(&who.to_be_bytes());
        h.write(&bucket.to_be_bytes());
        h.write(content.as_bytes());
        h.finish()
    }

    /// Whether `fingerprint` repeats one first seen less than `window_ms` ago; if not, it is
    /// recorded as seen now.
    pub(crate) fn is_duplicate(&self, fingerprint: u64, now_ms: u64, window_ms: u64) -> bool {
        self.seen.with(fingerprint, |first| {
            if *first != 0 && now_ms.saturating_sub(*first - 1) < window_ms {
                true
            } else {
                // Stored +1 so that 0 means "never seen" even at time 0.
                *first = now_ms + 1;
                false
            }
        })
    }

    /// Forgets fingerprints older than the window; returns how many.
    pub(crate) fn sweep(&self, now_ms: u64, window_ms: u64) -> usize {
        self.seen.retain(|_, first| now_ms.saturating_sub(*first - 1) < window_ms)
    }

    pub(crate) fn tracked(&self) -> usize {
        self.seen.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_counts_from_the_first_occurrence() {
        let d = Debouncer::new(&[7; 32]);
        let hello = d.fingerprint(1, 0, "hello");
        assert!(!d.is_duplicate(hello, 0, 2_000));
        assert!(d.is_duplicate(hello, 1_000, 2_000));
        assert!(d.is_duplicate(hello, 1_990, 2_000));
        assert!(!d.is_duplicate(hello, 2_000, 2_000), "passes at the window and re-arms");
        assert!(d.is_duplicate(hello, 3_999, 2_000));
        assert!(!d.is_duplicate(d.fingerprint(2, 0, "hello"), 1_000, 2_000), "another user is unaffected");
        assert!(!d.is_duplicate(d.fingerprint(1, 1, "hello"), 1_000, 2_000), "another bucket is unaffected");
    }

    #[test]
    fn fingerprints_depend_on_the_key() {
        assert_ne!(Debouncer::new(&[1; 32]).fingerprint(1, 0, "x"), Debouncer::new(&[2; 32]).fingerprint(1, 0, "x"));
    }

    #[test]
    fn old_fingerprints_are_swept() {
        let d = Debouncer::new(&[7; 32]);
        for user in 0..100 {
            d.is_duplicate(d.fingerprint(user, 0, "x"), 0, 2_000);
        }
        assert_eq!(d.tracked(), 100);
        assert_eq!(d.sweep(1_999, 2_000), 0);
        assert_eq!(d.sweep(2_000, 2_000), 100);
        assert_eq!(d.tracked(), 0);
    }
}
