//! Sessions behind web tokens: a token is bound to one session, opened when Telegram-signed
//! data (the Mini App's `initData` or the Login Widget's) is exchanged, and the token works only
//! while that session lives — `/logout_all`, `arcana user revoke`, a block, a two-factor change
//! and deletion end it, like every session. Each piece of signed data opens at most one session:
//! the account remembers the payloads exchanged until they would be stale anyway, so a replay
//! (even after the session it opened ended) is refused.

use crate::audit_tap::Event;

use super::{
    Accounts, AccountsError, UsedSignIn,
    sessions::{self, Session},
};

/// Sign-ins remembered per account at most (the oldest is forgotten first).
const MAX_REMEMBERED: usize = 32;

/// Why no session was opened for signed data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenSessionRefusal {
    /// The user has not agreed to the privacy notice in Telegram.
    #[error("not registered")]
    NotRegistered,
    /// This signed payload was already exchanged.
    #[error("signed data already used")]
    Replayed,
}

/// Sessions touched by a token are recorded at most this often.
const TOUCH_EVERY_MS: u64 = 60_000;

impl Accounts {
    /// Opens a session for `user`, named `name` (the first name Telegram signed), from the
    /// signed payload `sign_in` (remembered until it would be stale anyway).
    pub fn open_token_session(
        &self,
        user: i64,
        name: &str,
        sign_in: UsedSignIn,
    ) -> Result<Result<Session, TokenSessionRefusal>, AccountsError> {
        if !self.is_registered(&self.get(user)?) {
            return Ok(Err(TokenSessionRefusal::NotRegistered));
        }
        let (now, policy) = (self.now(), self.policy());
        let id = super::service_session_id()?;
        let opened = self.update(user, |account| {
            account.web_sign_ins.retain(|used| used.until_s > now / 1000);
            if account.web_sign_ins.iter().any(|used| used.signature == sign_in.signature) {
                return Err(TokenSessionRefusal::Replayed);
            }
            account.web_sign_ins.push(sign_in);
            if account.web_sign_ins.len() > MAX_REMEMBERED {
                account.web_sign_ins.remove(0);
            }
            account.last_active_ms = Some(now);
            sessions::open(&mut account.sessions, id.clone(), now, policy);
            let session = account.sessions.iter_mut().find(|s| s.id == id).ok_or(TokenSessionRefusal::Replayed)?;
            session.name = Some(name.to_owned());
            Ok(session.clone())
        })?;
        if opened.is_ok() {
            tracing::info!(target: "arcana::audit", event = Event::WebSession.name(), user,
                "web session opened from Telegram-signed data");
        }
        Ok(opened)
    }

    /// `user`'s live session `id`, its last use recorded (at most once a minute); `None` when it
    /// has ended (or the account is gone).
    pub fn live_session(&self, user: i64, id: &str) -> Result<Option<Session>, AccountsError> {
        let (now, policy) = (self.now(), self.policy());
        let account = self.get(user)?;
        let Some(session) = account.sessions.iter().find(|s| s.id == id && s.is_live(now, policy)) else {
            return Ok(None);
        };
        if now.saturating_sub(session.last_seen_ms) < TOUCH_EVERY_MS {
            return Ok(Some(session.clone()));
        }
        self.update(user, |account| {
            let session = account.sessions.iter_mut().find(|s| s.id == id && s.is_live(now, policy))?;
            session.last_seen_ms = now;
            let found = session.clone();
            account.last_active_ms = Some(now);
            Some(found)
        })
    }

    /// Ends `user`'s session `id` (a web sign-out); whether it was live.
    pub fn end_session(&self, user: i64, id: &str) -> Result<bool, AccountsError> {
        if !self.get(user)?.sessions.iter().any(|s| s.id == id) {
            return Ok(false);
        }
        let ended = self.update(user, |account| {
            let before = account.sessions.len();
            account.sessions.retain(|s| s.id != id);
            before != account.sessions.len()
        })?;
        if ended {
            tracing::info!(target: "arcana::audit", event = Event::WebSignOut.name(), user,
                "web session ended by its user");
        }
        Ok(ended)
    }
}
