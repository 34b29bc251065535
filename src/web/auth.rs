//! Who is calling: the client's address (for the per-address limits), and for the API's signed-in
//! routes a [`Caller`] — a valid token whose session still lives, of a user the sentinel lets
//! through. Every check runs on every request, in this order: the per-address bucket, the
//! token's signature, expiry and key generation, the session (so a revoked or stolen token
//! cannot charge its owner's limits or earn them a mute), then the blocklist, mutes and the
//! per-user bucket, and lockdown.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

use axum::{
    extract::FromRequestParts,
    http::{Extensions, HeaderMap, header, request::Parts},
};

use crate::{
    accounts::{Account, Decision, sessions::Session},
    sentinel::Verdict,
};

use super::{
    context::WebContext,
    error::ApiError,
    keys,
    language::{self, Hints},
};

/// The connection's peer, put into each request by the server.
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub SocketAddr);

/// The client's address: the connection's, or behind a trusted proxy the last
/// `X-Forwarded-For` entry (the one the proxy itself appended).
pub(super) fn client_address(ctx: &WebContext, parts: &Parts) -> IpAddr {
    client_address_of(ctx, &parts.extensions, &parts.headers)
}

/// [`client_address`] from a request's extensions and headers.
pub(super) fn client_address_of(ctx: &WebContext, extensions: &Extensions, headers: &HeaderMap) -> IpAddr {
    let peer = extensions.get::<Peer>().map_or(IpAddr::from([0, 0, 0, 0]), |p| p.0.ip());
    if !ctx.config.trust_forwarded_for {
        return peer;
    }
    forwarded_for(headers).unwrap_or(peer)
}

fn forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    let last = headers.get_all("x-forwarded-for").iter().next_back()?.to_str().ok()?;
    last.rsplit(',').next()?.trim().parse().ok()
}

/// Turns the sentinel's verdict into the answer a refused client gets.
pub(super) fn admit(verdict: Verdict) -> Result<(), ApiError> {
    match verdict {
        Verdict::Allow => Ok(()),
        Verdict::Blocked => Err(ApiError::forbidden("this account is blocked", "blocked")),
        Verdict::Limited { retry_after, .. } | Verdict::Penalised { retry_after, .. } => {
            Err(ApiError::too_many(retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0)))
        }
        Verdict::Debounced | Verdict::Ignored => Err(ApiError::forbidden("request refused", "refused")),
    }
}

/// A signed-in caller.
#[derive(Debug)]
pub struct Caller {
    /// The Telegram user id.
    pub user: i64,
    /// The session the token is bound to.
    pub session: Session,
    /// The account, as read for this request.
    pub account: Account,
    /// Whether the user is a configured admin.
    pub is_admin: bool,
    /// The language to answer in ([`super::language::choose`]).
    pub locale: crate::locale::Locale,
}

impl Caller {
    /// Whether the caller may use `command`'s function (tier permissions and per-tier limits, as
    /// in Telegram).
    pub(super) fn authorize(&self, ctx: &WebContext, command: &str) -> Result<(), ApiError> {
        match ctx.services.accounts.authorize(self.user, &self.account, self.is_admin, command) {
            Decision::Allowed => Ok(()),
            Decision::NeedsConsent => Err(ApiError::forbidden(
                "open the bot in Telegram and accept the privacy notice first",
                "not_registered",
            )),
            Decision::AdminOnly => Err(ApiError::forbidden("admins only", "admin_only")),
            Decision::NeedsTier(_) => Err(ApiError::forbidden("your plan does not include this", "needs_tier")),
            Decision::TierLimited { retry_after_ms } => Err(ApiError::too_many(retry_after_ms.div_ceil(1000))),
        }
    }
}

/// During a lockdown only admins and members (registered users who have used the bot) are
/// served, as in Telegram.
pub(super) fn refuse_in_lockdown(ctx: &WebContext, account: &Account, is_admin: bool) -> Result<(), ApiError> {
    if !is_admin && ctx.services.lockdown.is_on() && !ctx.services.accounts.is_member(account) {
        return Err(ApiError::forbidden(
            "arcana is serving only its existing users for now; try again later",
            "lockdown",
        ));
    }
    Ok(())
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

impl FromRequestParts<Arc<WebContext>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, ctx: &Arc<WebContext>) -> Result<Caller, ApiError> {
        let services = &ctx.services;
        admit(services.sentinel.check_api_address(client_address(ctx, parts)))?;
        let Some(token) = bearer(parts) else {
            return Err(ApiError::unauthorized("sign in first"));
        };
        let key = keys::current(&services.data, &services.vault).map_err(|e| ApiError::internal(&e))?;
        let Ok(claims) = key.verify(token, ctx.now_ms() / 1000) else {
            return Err(ApiError::unauthorized("invalid or expired token"));
        };
        let user = claims.user().map_err(|_| ApiError::unauthorized("invalid or expired token"))?;
        let session = services
            .accounts
            .live_session(user, &claims.sid)
            .map_err(|e| ApiError::internal(&e))?
            .ok_or_else(|| ApiError::unauthorized("your session has ended; open the app again"))?;
        admit(services.sentinel.check_api_user(user))?;
        let account = services.accounts.get(user).map_err(|e| ApiError::internal(&e))?;
        let is_admin = services.sentinel.is_admin(user);
        refuse_in_lockdown(ctx, &account, is_admin)?;
        let hints = Hints {
            user: Some(user),
            telegram: claims.lang.as_deref(),
            browser: language::accept_language(&parts.headers),
        };
        let locale = language::choose(ctx, hints);
        Ok(Caller { user, session, account, is_admin, locale })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_forwarded_entry_is_the_proxys() {
        let mut headers = HeaderMap::new();
        headers.append("x-forwarded-for", "6.6.6.6, 10.0.0.1".parse().expect("value"));
        headers.append("x-forwarded-for", "203.0.113.9".parse().expect("value"));
        assert_eq!(forwarded_for(&headers), Some(IpAddr::from([203, 0, 113, 9])));
        let mut junk = HeaderMap::new();
        junk.append("x-forwarded-for", "not an address".parse().expect("value"));
        assert_eq!(forwarded_for(&junk), None);
    }
}
