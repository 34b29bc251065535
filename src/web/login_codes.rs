//! One-time login codes: the Login Widget's callback does not hand the browser a token — it hands
//! it a code that only that browser can redeem, together with the login `state` cookie the
//! callback checked. A link with someone else's code (login CSRF: signing a victim's browser into
//! the attacker's account) is worthless without the attacker's cookie. Codes live a minute, in
//! memory (a restart forgets them: the user logs in again), at most [`MAX_PENDING`] at once.

use std::{
    collections::HashMap,
    sync::{Mutex, PoisonError},
    time::{Duration, Instant},
};

use super::init_data::TelegramUser;

/// Codes waiting at most.
pub const MAX_PENDING: usize = 1024;
/// How long a code may be redeemed.
pub const CODE_LIFETIME: Duration = Duration::from_mins(1);

struct Pending {
    user: TelegramUser,
    state: String,
    expires: Instant,
}

/// The codes waiting to be redeemed.
#[derive(Default)]
pub struct LoginCodes {
    pending: Mutex<HashMap<String, Pending>>,
}

impl std::fmt::Debug for LoginCodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginCodes").finish_non_exhaustive()
    }
}

impl LoginCodes {
    /// Keeps `code` for `user`, redeemable with `state`; false when too many are waiting.
    pub fn insert(&self, code: String, user: TelegramUser, state: String) -> bool {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        pending.retain(|_, p| p.expires > now);
        if pending.len() >= MAX_PENDING {
            return false;
        }
        pending.insert(code, Pending { user, state, expires: now + CODE_LIFETIME });
        true
    }

    /// Redeems `code` (once) when it is fresh and `state_matches` its state.
    pub fn take(&self, code: &str, state_matches: impl FnOnce(&str) -> bool) -> Option<TelegramUser> {
        let pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner).remove(code)?;
        (pending.expires > Instant::now() && state_matches(&pending.state)).then_some(pending.user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> TelegramUser {
        TelegramUser { id: 7, first_name: String::new(), auth_date: 1, signature: [0; 16] }
    }

    #[test]
    fn a_code_is_redeemed_once_and_only_with_its_state() {
        let codes = LoginCodes::default();
        assert!(codes.insert(String::from("c1"), user(), String::from("s1")));
        assert_eq!(codes.take("c1", |s| s == "other"), None, "another browser's state");
        assert_eq!(codes.take("c1", |s| s == "s1"), None, "a failed try used the code up");
        assert!(codes.insert(String::from("c2"), user(), String::from("s2")));
        assert_eq!(codes.take("c2", |s| s == "s2").map(|u| u.id), Some(7));
        assert_eq!(codes.take("c2", |s| s == "s2"), None, "once");
    }
}
