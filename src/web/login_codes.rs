//! One-time login codes: the Login Widget's callback does not hand the browser a token — it hands
//! it a code that only that browser can redeem, together with the login `state` cookie the
//! callback checked. A link with someone else's code (login CSRF: signing a victim's browser into
//! the attacker's account) is worthless without the attacker's cookie. Codes live a minute, in
//! memory (a restart forgets them: the user logs in again).
//!
//! Each signed login payload mints at most one code: its signature is remembered here until it
//! would be stale anyway, so replaying one valid payload with made-up `state` values is refused
//! rather than filling the table. At most [`MAX_PER_USER`] codes wait per user,
//! [`MAX_PER_ADDRESS`] per client address (an IPv6 /64), and [`MAX_PENDING`] in all.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Mutex, PoisonError},
    time::{Duration, Instant},
};

use super::init_data::TelegramUser;

/// Codes waiting at most.
pub const MAX_PENDING: usize = 1024;
/// Codes waiting per user at most.
pub const MAX_PER_USER: usize = 3;
/// Codes waiting per client address at most.
pub const MAX_PER_ADDRESS: usize = 8;
/// Signatures of used login payloads remembered at most (each needs a real login to Telegram).
const MAX_USED: usize = 16 * 1024;
/// How long a code may be redeemed.
pub const CODE_LIFETIME: Duration = Duration::from_mins(1);

/// Why no code was minted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeRefusal {
    /// This signed payload already minted a code.
    Used,
    /// The user has [`MAX_PER_USER`] codes waiting.
    TooManyForUser,
    /// The client address has [`MAX_PER_ADDRESS`] codes waiting.
    TooManyForAddress,
    /// The table is full.
    Full,
}

struct Pending {
    user: TelegramUser,
    state: String,
    address: [u8; 16],
    expires: Instant,
}

#[derive(Default)]
struct Table {
    pending: HashMap<String, Pending>,
    /// Signatures of the payloads that minted a code, until they would be stale.
    used: HashMap<[u8; 16], Instant>,
}

/// The codes waiting to be redeemed.
#[derive(Default)]
pub struct LoginCodes {
    table: Mutex<Table>,
}

impl std::fmt::Debug for LoginCodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginCodes").finish_non_exhaustive()
    }
}

impl LoginCodes {
    /// Keeps `code` for `user` (from `address`), redeemable with `state`; `fresh_for` is how long
    /// the user's signed payload stays fresh (its signature is remembered that long).
    pub fn insert(
        &self,
        code: String,
        user: TelegramUser,
        state: String,
        address: IpAddr,
        fresh_for: Duration,
    ) -> Result<(), CodeRefusal> {
        let mut table = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        table.pending.retain(|_, p| p.expires > now);
        table.used.retain(|_, until| *until > now);
        if table.used.contains_key(&user.signature) {
            return Err(CodeRefusal::Used);
        }
        let address = crate::sentinel::client_key(address);
        if table.pending.values().filter(|p| p.user.id == user.id).count() >= MAX_PER_USER {
            return Err(CodeRefusal::TooManyForUser);
        }
        if table.pending.values().filter(|p| p.address == address).count() >= MAX_PER_ADDRESS {
            return Err(CodeRefusal::TooManyForAddress);
        }
        if table.pending.len() >= MAX_PENDING || table.used.len() >= MAX_USED {
            return Err(CodeRefusal::Full);
        }
        table.used.insert(user.signature, now + fresh_for.max(CODE_LIFETIME));
        table.pending.insert(code, Pending { user, state, address, expires: now + CODE_LIFETIME });
        Ok(())
    }

    /// Redeems `code` (once) when it is fresh and `state_matches` its state.
    pub fn take(&self, code: &str, state_matches: impl FnOnce(&str) -> bool) -> Option<TelegramUser> {
        let pending = self.table.lock().unwrap_or_else(PoisonError::into_inner).pending.remove(code)?;
        (pending.expires > Instant::now() && state_matches(&pending.state)).then_some(pending.user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRESH: Duration = Duration::from_mins(10);

    fn user(id: i64, signature: u8) -> TelegramUser {
        TelegramUser { id, first_name: String::new(), auth_date: 1, signature: [signature; 16], language_code: None }
    }

    fn address(last: u8) -> IpAddr {
        IpAddr::from([192, 0, 2, last])
    }

    fn insert(codes: &LoginCodes, code: &str, user: TelegramUser, from: IpAddr) -> Result<(), CodeRefusal> {
        codes.insert(code.to_owned(), user, format!("state-{code}"), from, FRESH)
    }

    #[test]
    fn a_code_is_redeemed_once_and_only_with_its_state() {
        let codes = LoginCodes::default();
        assert_eq!(insert(&codes, "c1", user(7, 1), address(1)), Ok(()));
        assert_eq!(codes.take("c1", |s| s == "other"), None, "another browser's state");
        assert_eq!(codes.take("c1", |s| s == "state-c1"), None, "a failed try used the code up");
        assert_eq!(insert(&codes, "c2", user(7, 2), address(1)), Ok(()));
        assert_eq!(codes.take("c2", |s| s == "state-c2").map(|u| u.id), Some(7));
        assert_eq!(codes.take("c2", |s| s == "state-c2"), None, "once");
    }

    #[test]
    fn one_payload_mints_one_code_even_after_it_was_redeemed() {
        let codes = LoginCodes::default();
        assert_eq!(insert(&codes, "c1", user(7, 1), address(1)), Ok(()));
        assert_eq!(insert(&codes, "c2", user(7, 1), address(2)), Err(CodeRefusal::Used), "replayed elsewhere");
        assert!(codes.take("c1", |s| s == "state-c1").is_some());
        assert_eq!(insert(&codes, "c3", user(7, 1), address(1)), Err(CodeRefusal::Used), "after redemption");
    }

    #[test]
    fn codes_waiting_are_capped_per_user_and_per_address() {
        let codes = LoginCodes::default();
        for n in 0..3u8 {
            assert_eq!(insert(&codes, &format!("u{n}"), user(7, n), address(n)), Ok(()));
        }
        assert_eq!(insert(&codes, "u3", user(7, 3), address(9)), Err(CodeRefusal::TooManyForUser));
        let v6 = |last: u16| IpAddr::from([0x2001, 0xdb8, 0, 0, 0, 0, 0, last]);
        for n in 0..8u8 {
            assert_eq!(insert(&codes, &format!("a{n}"), user(100 + i64::from(n), 100 + n), v6(n.into())), Ok(()));
        }
        assert_eq!(insert(&codes, "a8", user(200, 200), v6(99)), Err(CodeRefusal::TooManyForAddress), "same /64");
        assert_eq!(insert(&codes, "b", user(201, 201), address(50)), Ok(()), "others still log in");
        assert!(codes.take("u0", |s| s == "state-u0").is_some());
        assert_eq!(insert(&codes, "u4", user(7, 4), address(9)), Ok(()), "a redeemed code frees its place");
    }
}
