//! Authenticated callback data: inline-keyboard buttons a client can neither forge nor hand to
//! another user.
//!
//! Telegram returns a button's `callback_data` verbatim, but any client can send any string
//! as callback data. So each button the bot sends is *signed*, and each callback received is
//! *verified* before a handler sees it.
//!
//! # Wire format
//!
//! ```text
//! wire    = payload "." mac                         ; at most 64 bytes (Telegram's limit)
//! payload = action *4( ":" arg )
//! action  = %x61-7A *15( %x61-7A / DIGIT / "_" )    ; [a-z][a-z0-9_]{0,15}
//! arg     = *16( ALPHA / DIGIT / "_" / "-" )        ; [A-Za-z0-9_-]{0,16}, may be empty
//! mac     = 16base64url                             ; 12 bytes, base64url without padding
//! ```
//!
//! `"tarot"` has no arguments, `"tarot:"` has one empty argument. The MAC is the first 12 bytes
//! of `HMAC-SHA256(key, "arcana-cb-v1" || user_id as i64 big-endian || chat_id as i64
//! big-endian || payload)`, so a button is bound to the user it was sent to and the chat it was
//! sent in. With the 17 bytes of `"." mac`, a payload has 47 bytes to spare.
//!
//! # What it does not do
//!
//! The same user pressing the same button again in the same chat (or an old copy of it) is a
//! valid replay: buttons carry no expiry or nonce, so handlers must treat callbacks as
//! idempotent requests and re-check state. For callbacks from inline-mode messages, which have
//! no chat, pass a fixed `chat_id` (such as `0`) to both [`CallbackSigner::sign`] and
//! [`CallbackSigner::verify`].

use std::fmt;

use ring::hmac;

use super::base64url;

/// Telegram's limit on `callback_data`, in bytes; no wire string is longer.
pub const MAX_WIRE_LEN: usize = 64;
/// The longest action name, in bytes.
pub const MAX_ACTION_LEN: usize = 16;
/// The most arguments a callback carries.
pub const MAX_ARGS: usize = 4;
/// The longest argument, in bytes.
pub const MAX_ARG_LEN: usize = 16;

/// Bytes of the truncated HMAC-SHA256 tag.
const MAC_LEN: usize = 12;
/// Characters of the tag in base64url (12 bytes = 96 bits = 16 sextets, no padding).
const MAC_TEXT_LEN: usize = 16;
/// Domain separation for the callback MAC; bump the version to invalidate every button.
const DOMAIN: &[u8] = b"arcana-cb-v1";
/// Derivation label of the key used only to compare tags in constant time.
const COMPARE_LABEL: &[u8] = b"arcana-cb-compare-v1";

/// Why callback data was refused. Messages are lower-case and never repeat the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum CallbackError {
    /// The wire form is, or would be, longer than [`MAX_WIRE_LEN`] bytes.
    #[error("callback data too long")]
    TooLong,
    /// The data does not follow the grammar.
    #[error("callback data malformed")]
    Malformed,
    /// The MAC does not match: forged, altered, or signed for another user or chat.
    #[error("callback data failed authentication")]
    BadMac,
}

/// A parsed, grammar-valid callback: an action and up to [`MAX_ARGS`] arguments.
///
/// Only grammar-valid values can be built, so every `CallbackData` has a wire form, although a
/// long one may exceed [`MAX_WIRE_LEN`] once signed (see [`CallbackData::fits`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CallbackData {
    action: String,
    args: Vec<String>,
}

impl CallbackData {
    /// Builds callback data, checking the grammar of the action and every argument.
    pub fn new<A, I, S>(action: A, args: I) -> Result<Self, CallbackError>
    where
        A: Into<String>,
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let action = action.into();
        if !is_action(&action) {
            return Err(CallbackError::Malformed);
        }
        let mut checked = Vec::new();
        for arg in args {
            let arg = arg.into();
            if checked.len() == MAX_ARGS || !is_arg(&arg) {
                return Err(CallbackError::Malformed);
            }
            checked.push(arg);
        }
        Ok(Self { action, args: checked })
    }

    /// Parses an unsigned payload (`action:arg:…`) against the grammar.
    pub fn parse(payload: &str) -> Result<Self, CallbackError> {
        let mut parts = payload.split(':');
        let action = parts.next().unwrap_or_default();
        if !is_action(action) {
            return Err(CallbackError::Malformed);
        }
        let mut args = Vec::new();
        for arg in parts {
            if args.len() == MAX_ARGS || !is_arg(arg) {
                return Err(CallbackError::Malformed);
            }
            args.push(arg.to_owned());
        }
        Ok(Self { action: action.to_owned(), args })
    }

    /// The action name.
    #[must_use]
    pub fn action(&self) -> &str {
        &self.action
    }

    /// The arguments, in order.
    #[must_use]
    pub fn args(&self) -> &[String] {
        &self.args
    }

    /// The argument at `index`, if there is one.
    #[must_use]
    pub fn arg(&self, index: usize) -> Option<&str> {
        self.args.get(index).map(String::as_str)
    }

    /// The unsigned payload, `action:arg:…`; [`CallbackData::parse`] reads it back.
    #[must_use]
    pub fn payload(&self) -> String {
        self.to_string()
    }

    /// The length in bytes of the signed wire form.
    #[must_use]
    pub fn wire_len(&self) -> usize {
        self.action.len() + self.args.iter().map(|a| a.len() + 1).sum::<usize>() + 1 + MAC_TEXT_LEN
    }

    /// Whether the signed wire form fits Telegram's [`MAX_WIRE_LEN`].
    #[must_use]
    pub fn fits(&self) -> bool {
        self.wire_len() <= MAX_WIRE_LEN
    }
}

impl fmt::Display for CallbackData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.action)?;
        for arg in &self.args {
            write!(f, ":{arg}")?;
        }
        Ok(())
    }
}

/// Signs and verifies callback data with a 32-byte secret key.
///
/// Its `Debug` output shows no key material.
#[derive(Clone)]
pub struct CallbackSigner {
    key: hmac::Key,
    compare_key: hmac::Key,
}

impl CallbackSigner {
    /// A signer for `key` (32 random bytes kept secret by the bot).
    #[must_use]
    pub fn new(key: &[u8; 32]) -> Self {
        let key = hmac::Key::new(hmac::HMAC_SHA256, key);
        let compare_key = hmac::Key::new(hmac::HMAC_SHA256, hmac::sign(&key, COMPARE_LABEL).as_ref());
        Self { key, compare_key }
    }

    /// The wire string for a button carrying `data`, bound to `user_id` in `chat_id`.
    ///
    /// Refuses with [`CallbackError::TooLong`] when it would exceed [`MAX_WIRE_LEN`] bytes.
    pub fn sign(&self, user_id: i64, chat_id: i64, data: &CallbackData) -> Result<String, CallbackError> {
        if !data.fits() {
            return Err(CallbackError::TooLong);
        }
        let payload = data.payload();
        let tag = self.tag(user_id, chat_id, &payload);
        Ok(format!("{payload}.{}", base64url::encode(&tag)))
    }

    /// Checks a received `callback_data` string from `user_id` in `chat_id` and parses it.
    ///
    /// Length is checked first, then the grammar, then the MAC, compared in constant time.
    pub fn verify(&self, user_id: i64, chat_id: i64, wire: &str) -> Result<CallbackData, CallbackError> {
        if wire.len() > MAX_WIRE_LEN {
            return Err(CallbackError::TooLong);
        }
        let (payload, mac_text) = wire.split_once('.').ok_or(CallbackError::Malformed)?;
        if mac_text.len() != MAC_TEXT_LEN {
            return Err(CallbackError::Malformed);
        }
        let received = base64url::decode(mac_text).ok_or(CallbackError::Malformed)?;
        let data = CallbackData::parse(payload)?;
        let expected = self.tag(user_id, chat_id, payload);
        // `hmac::verify` compares whole tags only. Comparing the truncated tags through a
        // second HMAC ("double HMAC") keeps the comparison constant-time: it checks
        // HMAC(k', received) against HMAC(k', expected), which leaks nothing about `expected`.
        let expected_digest = hmac::sign(&self.compare_key, &expected);
        hmac::verify(&self.compare_key, &received, expected_digest.as_ref()).map_err(|_| CallbackError::BadMac)?;
        Ok(data)
    }

    /// The truncated MAC of `payload` for `user_id` in `chat_id`.
    fn tag(&self, user_id: i64, chat_id: i64, payload: &str) -> [u8; MAC_LEN] {
        let mut ctx = hmac::Context::with_key(&self.key);
        ctx.update(DOMAIN);
        ctx.update(&user_id.to_be_bytes());
        ctx.update(&chat_id.to_be_bytes());
        ctx.update(payload.as_bytes());
        let full = ctx.sign();
        let mut tag = [0u8; MAC_LEN];
        tag.copy_from_slice(&full.as_ref()[..MAC_LEN]);
        tag
    }
}

impl fmt::Debug for CallbackSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackSigner").finish_non_exhaustive()
    }
}

/// Whether `s` is an action: `[a-z][a-z0-9_]{0,15}`.
fn is_action(s: &str) -> bool {
    let bytes = s.as_bytes();
    matches!(bytes.first(), Some(b'a'..=b'z'))
        && bytes.len() <= MAX_ACTION_LEN
        && bytes.iter().all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Whether `s` is an argument: `[A-Za-z0-9_-]{0,16}`.
fn is_arg(s: &str) -> bool {
    s.len() <= MAX_ARG_LEN && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sanitize::chars::is_clean;
    use proptest::prelude::*;

    const KEY: [u8; 32] = [7; 32];
    const ALICE: i64 = 1_001;
    const BOB: i64 = 1_002;
    const CHAT: i64 = -100_123;

    fn signer() -> CallbackSigner {
        CallbackSigner::new(&KEY)
    }

    fn data(action: &str, args: &[&str]) -> CallbackData {
        CallbackData::new(action, args.iter().copied()).expect("valid data")
    }

    #[test]
    fn round_trip() {
        let s = signer();
        let d = data("draw", &["celtic", "3"]);
        let wire = s.sign(ALICE, CHAT, &d).expect("fits");
        assert!(wire.starts_with("draw:celtic:3."));
        assert_eq!(wire.len(), "draw:celtic:3.".len() + MAC_TEXT_LEN);
        assert_eq!(s.verify(ALICE, CHAT, &wire), Ok(d));
    }

    #[test]
    fn round_trip_without_and_with_empty_args() {
        let s = signer();
        for d in [data("menu", &[]), data("menu", &[""]), data("m", &["", "", "", ""])] {
            let wire = s.sign(ALICE, CHAT, &d).expect("fits");
            assert_eq!(s.verify(ALICE, CHAT, &wire), Ok(d));
        }
    }

    #[test]
    fn known_answer() {
        // HMAC-SHA256(key=[7;32], "arcana-cb-v1" || 1001 BE || -100123 BE || "draw:celtic:3"),
        // first 12 bytes, base64url; computed independently with Python's hmac module.
        let wire = signer().sign(ALICE, CHAT, &data("draw", &["celtic", "3"])).expect("fits");
        assert_eq!(wire, KNOWN_WIRE);
    }

    const KNOWN_WIRE: &str = "draw:celtic:3.PpcUlZptpNTrGXXT";

    #[test]
    fn button_for_alice_is_refused_for_bob() {
        let s = signer();
        let wire = s.sign(ALICE, CHAT, &data("pay", &["tier2"])).expect("fits");
        assert_eq!(s.verify(BOB, CHAT, &wire), Err(CallbackError::BadMac));
    }

    #[test]
    fn button_for_one_chat_is_refused_in_another() {
        let s = signer();
        let wire = s.sign(ALICE, CHAT, &data("pay", &["tier2"])).expect("fits");
        assert_eq!(s.verify(ALICE, CHAT - 1, &wire), Err(CallbackError::BadMac));
        assert_eq!(s.verify(ALICE, ALICE, &wire), Err(CallbackError::BadMac));
    }

    #[test]
    fn swapped_user_and_chat_are_refused() {
        let s = signer();
        let wire = s.sign(ALICE, BOB, &data("x", &[])).expect("fits");
        assert_eq!(s.verify(BOB, ALICE, &wire), Err(CallbackError::BadMac));
    }

    #[test]
    fn another_key_is_refused() {
        let wire = signer().sign(ALICE, CHAT, &data("x", &[])).expect("fits");
        let other = CallbackSigner::new(&[8; 32]);
        assert_eq!(other.verify(ALICE, CHAT, &wire), Err(CallbackError::BadMac));
    }

    #[test]
    fn any_single_byte_change_is_refused() {
        let s = signer();
        let wire = s.sign(ALICE, CHAT, &data("draw", &["celtic", "3"])).expect("fits");
        for i in 0..wire.len() {
            for b in 0u8..=127 {
                let mut bytes = wire.clone().into_bytes();
                if bytes[i] == b {
                    continue;
                }
                bytes[i] = b;
                let forged = String::from_utf8(bytes).expect("ascii");
                assert!(s.verify(ALICE, CHAT, &forged).is_err(), "{forged:?}");
            }
        }
    }

    #[test]
    fn truncated_or_extended_wire_is_refused() {
        let s = signer();
        let wire = s.sign(ALICE, CHAT, &data("draw", &["a"])).expect("fits");
        for end in 0..wire.len() {
            assert!(s.verify(ALICE, CHAT, &wire[..end]).is_err());
        }
        assert!(s.verify(ALICE, CHAT, &format!("{wire}A")).is_err());
        assert!(s.verify(ALICE, CHAT, &format!("x{wire}")).is_err());
    }

    #[test]
    fn over_long_is_refused() {
        let s = signer();
        let long = data("a".repeat(16).as_str(), &["b".repeat(16).as_str(), "c".repeat(16).as_str()]);
        assert!(!long.fits());
        assert_eq!(s.sign(ALICE, CHAT, &long), Err(CallbackError::TooLong));
        let wire = format!("{}.{}", long.payload(), "A".repeat(MAC_TEXT_LEN));
        assert_eq!(s.verify(ALICE, CHAT, &wire), Err(CallbackError::TooLong));
        assert_eq!(s.verify(ALICE, CHAT, &"a".repeat(MAX_WIRE_LEN + 1)), Err(CallbackError::TooLong));
    }

    #[test]
    fn exactly_max_len_is_accepted() {
        let s = signer();
        // 16 + 1 + 16 + 1 + 13 = 47 payload bytes, + 17 = 64.
        let d = data(&"a".repeat(16), &["b".repeat(16).as_str(), "c".repeat(13).as_str()]);
        assert_eq!(d.wire_len(), MAX_WIRE_LEN);
        let wire = s.sign(ALICE, CHAT, &d).expect("fits exactly");
        assert_eq!(wire.len(), MAX_WIRE_LEN);
        assert_eq!(s.verify(ALICE, CHAT, &wire), Ok(d));
    }

    #[test]
    fn malformed_is_refused() {
        let s = signer();
        let mac = "A".repeat(MAC_TEXT_LEN);
        for payload in ["", "Draw", "1draw", "dr-aw", "draw:a:b:c:d:e", "draw:a.b", "draw:é", "draw:a b"] {
            let wire = format!("{payload}.{mac}");
            assert_eq!(s.verify(ALICE, CHAT, &wire), Err(CallbackError::Malformed), "{wire:?}");
        }
        for wire in ["draw", "draw.", "draw.AAAA", "draw.AAAAAAAAAAAAAAA+", "draw..AAAAAAAAAAAAAAA"] {
            assert_eq!(s.verify(ALICE, CHAT, wire), Err(CallbackError::Malformed), "{wire:?}");
        }
    }

    #[test]
    fn constructor_validates() {
        assert!(CallbackData::new("draw", ["ok-1_"]).is_ok());
        assert!(CallbackData::new("draw", Vec::<String>::new()).is_ok());
        assert_eq!(CallbackData::new("", Vec::<String>::new()), Err(CallbackError::Malformed));
        assert_eq!(CallbackData::new("Draw", Vec::<String>::new()), Err(CallbackError::Malformed));
        assert_eq!(CallbackData::new("a".repeat(17), Vec::<String>::new()), Err(CallbackError::Malformed));
        assert_eq!(CallbackData::new("draw", ["a:b"]), Err(CallbackError::Malformed));
        assert_eq!(CallbackData::new("draw", ["x".repeat(17)]), Err(CallbackError::Malformed));
        assert_eq!(CallbackData::new("draw", ["1", "2", "3", "4", "5"]), Err(CallbackError::Malformed));
    }

    #[test]
    fn accessors() {
        let d = data("draw", &["celtic", ""]);
        assert_eq!(d.action(), "draw");
        assert_eq!(d.args(), ["celtic".to_owned(), String::new()]);
        assert_eq!(d.arg(0), Some("celtic"));
        assert_eq!(d.arg(1), Some(""));
        assert_eq!(d.arg(2), None);
        assert_eq!(d.payload(), "draw:celtic:");
        assert_eq!(CallbackData::parse("draw:celtic:"), Ok(d));
    }

    #[test]
    fn debug_does_not_show_the_key() {
        let shown = format!("{:?}", signer());
        assert_eq!(shown, "CallbackSigner { .. }");
    }

    #[test]
    fn error_messages_are_lower_case_and_fixed() {
        for e in [CallbackError::TooLong, CallbackError::Malformed, CallbackError::BadMac] {
            let msg = e.to_string();
            assert_eq!(msg, msg.to_lowercase());
            assert!(msg.starts_with("callback data"));
        }
    }

    fn valid_data() -> impl Strategy<Value = CallbackData> {
        ("[a-z][a-z0-9_]{0,15}", proptest::collection::vec("[A-Za-z0-9_-]{0,16}", 0..=MAX_ARGS))
            .prop_map(|(action, args)| CallbackData::new(action, args).expect("valid by strategy"))
    }

    proptest! {
        #[test]
        fn verify_never_panics(wire in any::<String>(), user in any::<i64>(), chat in any::<i64>()) {
            let _ = signer().verify(user, chat, &wire);
        }

        #[test]
        fn verify_refuses_plausible_forgeries(
            payload in "[a-z][a-z0-9_]{0,6}(:[A-Za-z0-9_-]{0,6}){0,3}",
            mac in "[A-Za-z0-9_-]{16}",
        ) {
            let wire = format!("{payload}.{mac}");
            prop_assert_eq!(signer().verify(ALICE, CHAT, &wire), Err(CallbackError::BadMac));
        }

        #[test]
        fn sign_verify_round_trips(d in valid_data(), user in any::<i64>(), chat in any::<i64>()) {
            let s = signer();
            match s.sign(user, chat, &d) {
                Ok(wire) => {
                    prop_assert!(wire.len() <= MAX_WIRE_LEN);
                    prop_assert!(is_clean(&wire));
                    prop_assert_eq!(s.verify(user, chat, &wire), Ok(d.clone()));
                    prop_assert_eq!(s.sign(user, chat, &d), Ok(wire));
                }
                Err(e) => {
                    prop_assert_eq!(e, CallbackError::TooLong);
                    prop_assert!(d.wire_len() > MAX_WIRE_LEN);
                }
            }
        }

        #[test]
        fn parse_is_canonical(payload in any::<String>()) {
            if let Ok(d) = CallbackData::parse(&payload) {
                prop_assert_eq!(d.payload(), payload);
            }
        }

        #[test]
        fn another_user_never_verifies(d in valid_data(), a in any::<i64>(), b in any::<i64>()) {
            prop_assume!(a != b);
            let s = signer();
            if let Ok(wire) = s.sign(a, CHAT, &d) {
                prop_assert_eq!(s.verify(b, CHAT, &wire), Err(CallbackError::BadMac));
            }
        }
    }
}
