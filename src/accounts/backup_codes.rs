//! Single-use backup codes for two-factor step-up: shown to the user once, stored only as keyed
//! hashes.
//!
//! A code is ten characters from Crockford's base32 alphabet (no `i`, `l`, `o`, `u`), written
//! `xxxxx-xxxxx`: 50 bits of entropy each. [`BackupCodeHasher`] keys HMAC-SHA-256 with a 32-byte
//! server key and hashes the *normalised* code (lower case, dashes and whitespace removed, and
//! Crockford's look-alikes `o`→`0`, `i`/`l`→`1` folded), so that `ABCDE FGHJK` redeems
//! `abcde-fghjk`. [`BackupCodeHasher::redeem`] removes the matching hash, so each code works once.

use std::fmt;

use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

pub use super::totp::RandomnessError;

/// How many codes an enrolment hands out.
pub const DEFAULT_COUNT: usize = 10;

/// Characters in a code, not counting the dash.
pub const CODE_LEN: usize = 10;

/// Crockford's base32 alphabet, lower case: 32 symbols, so one random byte's low five bits pick
/// one without bias.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// One backup code in plain text (`xxxxx-xxxxx`), to be shown to its owner once and then
/// dropped. Zeroized on drop; `Debug` never shows it (use [`BackupCode::as_str`] to display it).
#[derive(Clone, PartialEq, Eq)]
pub struct BackupCode(Zeroizing<String>);

impl BackupCode {
    /// The code as the user should see it: `xxxxx-xxxxx`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for BackupCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for BackupCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BackupCode(<redacted>)")
    }
}

/// Generates `n` distinct fresh codes (`xxxxx-xxxxx`) from the system random number generator.
pub fn generate(n: usize) -> Result<Vec<BackupCode>, RandomnessError> {
    generate_with(&SystemRandom::new(), n)
}

/// Generates `n` distinct fresh codes from `rng`.
pub fn generate_with(rng: &dyn SecureRandom, n: usize) -> Result<Vec<BackupCode>, RandomnessError> {
    let mut codes: Vec<BackupCode> = Vec::with_capacity(n);
    let mut bytes = Zeroizing::new([0u8; CODE_LEN]);
    while codes.len() < n {
        rng.fill(bytes.as_mut_slice()).map_err(|_| RandomnessError)?;
        let mut code = Zeroizing::new(String::with_capacity(CODE_LEN + 1));
        for (i, &byte) in bytes.iter().enumerate() {
            if i == CODE_LEN / 2 {
                code.push('-');
            }
            code.push(char::from(ALPHABET[usize::from(byte & 0x1f)]));
        }
        // A repeat has probability about n²/2⁵¹; draw again rather than hand out a twin.
        let code = BackupCode(code);
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    Ok(codes)
}

/// The canonical form a code is hashed in: lower case, dashes and whitespace removed, Crockford
/// look-alikes folded (`o` → `0`, `i`/`l` → `1`).
fn normalise(code: &str) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(code.len()));
    for c in code.chars() {
        if c == '-' || c.is_whitespace() {
            continue;
        }
        let c = c.to_ascii_lowercase();
        out.push(match c {
            'o' => '0',
            'i' | 'l' => '1',
            other => other,
        });
    }
    out
}

/// Whether `normalised` could be a code at all (right length, right alphabet).
fn is_well_formed(normalised: &str) -> bool {
    normalised.len() == CODE_LEN && normalised.bytes().all(|b| ALPHABET.contains(&b))
}

/// Computes and checks keyed hashes of backup codes. `Debug` never shows the key.
pub struct BackupCodeHasher {
    key: hmac::Key,
}

impl BackupCodeHasher {
    /// A hasher keyed with a 32-byte server secret (e.g. derived from the vault key).
    #[must_use]
    pub fn new(key: &[u8; 32]) -> Self {
        Self { key: hmac::Key::new(hmac::HMAC_SHA256, key) }
    }

    /// The keyed hash (HMAC-SHA-256) of the normalised `code`: what gets stored.
    #[must_use]
    pub fn hash(&self, code: &str) -> [u8; 32] {
        let normalised = normalise(code);
        let tag = hmac::sign(&self.key, normalised.as_bytes());
        let mut out = [0u8; 32];
        out.copy_from_slice(tag.as_ref());
        out
    }

    /// Hashes every code in `codes`, in order, for storage.
    #[must_use]
    pub fn hash_all(&self, codes: &[BackupCode]) -> Vec<[u8; 32]> {
        codes.iter().map(|code| self.hash(code.as_str())).collect()
    }

    /// Redeems `input`: if it is one of the codes whose hashes are in `stored`, removes that hash
    /// (so the code works only once) and returns `true`; otherwise leaves `stored` alone and
    /// returns `false`.
    ///
    /// Every stored entry is checked with `ring::hmac::verify` (a constant-time tag comparison),
    /// with no early exit, so the time taken does not depend on which entry, if any, matched
    /// beyond the final removal. Malformed input is refused before any hash is touched.
    pub fn redeem(&self, stored: &mut Vec<[u8; 32]>, input: &str) -> bool {
        let normalised = normalise(input);
        if !is_well_formed(&normalised) {
            return false;
        }
        let mut found: Option<usize> = None;
        for (index, entry) in stored.iter().enumerate() {
            let matched = hmac::verify(&self.key, normalised.as_bytes(), entry).is_ok();
            if matched && found.is_none() {
                found = Some(index);
            }
        }
        match found {
            Some(index) => {
                stored.remove(index);
                true
            }
            None => false,
        }
    }
}

impl fmt::Debug for BackupCodeHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BackupCodeHasher { key: <redacted> }")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const KEY: [u8; 32] = *b"arcana-test-key-not-a-secret-32b";

    fn enrol(hasher: &BackupCodeHasher) -> (Vec<BackupCode>, Vec<[u8; 32]>) {
        let codes = generate(DEFAULT_COUNT).expect("rng");
        let stored = hasher.hash_all(&codes);
        (codes, stored)
    }

    #[test]
    fn generates_ten_distinct_well_formed_codes() {
        let codes = generate(DEFAULT_COUNT).expect("rng");
        assert_eq!(codes.len(), 10);
        for code in &codes {
            let code = code.as_str();
            assert_eq!(code.len(), 11, "{code}");
            assert_eq!(&code[5..6], "-");
            let bare: String = code.chars().filter(|&c| c != '-').collect();
            assert!(bare.bytes().all(|b| ALPHABET.contains(&b)), "{code}");
            assert!(!bare.contains(['i', 'l', 'o', 'u']));
            assert_eq!(normalise(code).as_str(), bare);
        }
        let mut unique: Vec<&str> = codes.iter().map(BackupCode::as_str).collect();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 10);
        assert!(generate(0).expect("rng").is_empty());
    }

    #[test]
    fn a_code_works_exactly_once() {
        let hasher = BackupCodeHasher::new(&KEY);
        let (codes, mut stored) = enrol(&hasher);
        assert!(hasher.redeem(&mut stored, codes[3].as_str()));
        assert_eq!(stored.len(), 9);
        assert!(!hasher.redeem(&mut stored, codes[3].as_str()));
        assert_eq!(stored.len(), 9);
        // The others still work, each once.
        for (i, code) in codes.iter().enumerate() {
            assert_eq!(hasher.redeem(&mut stored, code.as_str()), i != 3, "code {i}");
        }
        assert!(stored.is_empty());
    }

    #[test]
    fn a_wrong_code_fails_and_changes_nothing() {
        let hasher = BackupCodeHasher::new(&KEY);
        let (_, mut stored) = enrol(&hasher);
        let before = stored.clone();
        for wrong in ["", "abcde-fghjk", "zzzzz-zzzzz", "not a code at all", "abcde-fghj", "💥"] {
            // A freshly generated set containing one of these is a 2⁻⁵⁰ event.
            assert!(!hasher.redeem(&mut stored, wrong), "{wrong:?}");
        }
        assert_eq!(stored, before);
    }

    #[test]
    fn normalisation_accepts_case_spacing_and_look_alikes() {
        let hasher = BackupCodeHasher::new(&KEY);
        let code = "a0b1c-d2e3f";
        for typed in [
            "a0b1c-d2e3f",
            "A0B1C-D2E3F",
            "a0b1cd2e3f",
            " a0b1c d2e3f ",
            "a0b1c--d2e3f",
            "aOb1c-d2e3f",
            "a0bIc-d2e3f",
            "a0bLc-d2e3f",
        ] {
            assert_eq!(hasher.hash(typed), hasher.hash(code), "{typed:?}");
            let mut stored = vec![hasher.hash(code)];
            assert!(hasher.redeem(&mut stored, typed), "{typed:?}");
        }
        assert_ne!(hasher.hash("a0b1c-d2e3g"), hasher.hash(code));
    }

    #[test]
    fn hashes_differ_under_different_keys() {
        let a = BackupCodeHasher::new(&KEY);
        let mut other = KEY;
        other[0] ^= 1;
        let b = BackupCodeHasher::new(&other);
        let code = "abcde-fghjk";
        assert_ne!(a.hash(code), b.hash(code));
        let mut stored = vec![a.hash(code)];
        assert!(!b.redeem(&mut stored, code));
        assert!(a.redeem(&mut stored, code));
    }

    #[test]
    fn stored_hashes_are_not_the_codes() {
        let hasher = BackupCodeHasher::new(&KEY);
        let (codes, stored) = enrol(&hasher);
        for (code, hash) in codes.iter().zip(&stored) {
            let bare = normalise(code.as_str());
            assert!(!hash.windows(CODE_LEN).any(|w| w == bare.as_bytes()));
        }
    }

    #[test]
    fn debug_never_shows_codes_or_key() {
        let hasher = BackupCodeHasher::new(&KEY);
        let shown = format!("{hasher:?} {hasher:#?}");
        assert!(!shown.contains("arcana-test-key"), "{shown}");
        let codes = generate(DEFAULT_COUNT).expect("rng");
        let stored = hasher.hash_all(&codes);
        let shown = format!("{hasher:?} {stored:?} {codes:?} {codes:#?} {:?}", codes[0]);
        assert!(shown.contains("BackupCode(<redacted>)"), "{shown}");
        for code in &codes {
            assert!(!shown.contains(code.as_str()), "{shown}");
        }
    }

    proptest! {
        #[test]
        fn redeem_never_panics_and_never_removes_on_failure(input in any::<String>()) {
            let hasher = BackupCodeHasher::new(&KEY);
            let mut stored = vec![hasher.hash("abcde-fghjk"), hasher.hash("00000-11111")];
            let before = stored.len();
            let redeemed = hasher.redeem(&mut stored, &input);
            prop_assert_eq!(stored.len(), if redeemed { before - 1 } else { before });
        }
    }
}
