//! The JSON API under `/api/v1`: a session from Telegram-signed data, then the signed-in
//! routes — me, readings (paged), one reading, draw, export, delete, logout. Each does what the
//! matching Telegram command does, through the same services: the same allowance and credits,
//! the same tier permissions, the same step-up with a fresh code under two-factor.

use std::{net::IpAddr, sync::Arc};

use axum::{
    Json, Router,
    extract::{Path, RawQuery, State},
    http::{HeaderValue, header, request::Parts},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;
use serde_json::Value;

use crate::{
    accounts::{TokenSessionRefusal, TwoFactorError, UsedSignIn},
    control::Request as ControlRequest,
    readings::{DrawOutcome, Refusal},
    tarot::{DrawOptions, DrawRequest, QUESTION_MAX_CHARS, Spread},
};

use super::{
    auth::{Caller, admit, client_address},
    body::JsonBody,
    context::WebContext,
    error::ApiError,
    init_data::{TelegramUser, verify_init_data},
    jwt::Claims,
    keys,
    language::{self, Hints},
    launch,
    launch::Launch,
    login,
    responses::{Deleted, DrawAnswer, LoggedOut, Me, ReadingView, ReadingsPage, SessionAnswer},
    signed_fields::SignedDataError,
    views,
};

/// The API's routes.
pub(super) fn routes() -> Router<Arc<WebContext>> {
    Router::new()
        .route("/api/v1/session", post(session))
        .route("/api/v1/logout", post(logout))
        .route("/api/v1/me", get(me))
        .route("/api/v1/credits", get(me))
        .route("/api/v1/readings", get(readings))
        .route("/api/v1/readings/{id}", get(one_reading))
        .route("/api/v1/draw", post(draw))
        .route("/api/v1/export", get(export).post(export_with_code))
        .route("/api/v1/delete", post(delete))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionBody {
    init_data: Option<String>,
    /// With `init_data`: the page's word that it was opened inside Telegram.
    launch: Option<Launch>,
    login_data: Option<String>,
    login_code: Option<String>,
}

/// A token for the user Telegram vouches for (signing in from `address`), bound to a new
/// session; `max_age_s` is how long the signed payload stays fresh (and is remembered against a
/// replay); `lang` is what the sign-in's hints say of the user's language.
async fn issue_token(
    ctx: &WebContext,
    user: &TelegramUser,
    address: IpAddr,
    max_age_s: u64,
    lang: crate::locale::Locale,
) -> Result<(String, u64), ApiError> {
    let services = &ctx.services;
    if services.sentinel.blocklist().is_banned(user.id, ctx.now_ms()) {
        return Err(ApiError::forbidden("this account is blocked", "blocked"));
    }
    let account = services.accounts.get(user.id).map_err(|e| ApiError::internal(&e))?;
    super::auth::refuse_in_lockdown(ctx, &account, services.sentinel.is_admin(user.id))?;
    let sign_in = UsedSignIn { signature: user.signature, until_s: user.auth_date.saturating_add(max_age_s) };
    let session = match services.accounts.open_token_session(user.id, &user.first_name, sign_in) {
        Ok(Ok(session)) => session,
        Ok(Err(TokenSessionRefusal::NotRegistered)) => {
            return Err(ApiError::forbidden(
                "open the bot in Telegram and accept the privacy notice first",
                "not_registered",
            ));
        }
        Ok(Err(TokenSessionRefusal::Replayed)) => {
            ctx.refused(address, "replayed");
            return Err(ApiError::unauthorized("this sign-in was already used; open the app again"));
        }
        Err(e) => return Err(ApiError::internal(&e)),
    };
    // The replay marker and the session are durable before the token is handed out.
    services.data.flush().await.map_err(|e| ApiError::internal(&e))?;
    let now_s = ctx.now_ms() / 1000;
    let lifetime_s = ctx.config.token_lifetime.as_secs();
    let session_end_s = session.created_ms / 1000 + services.accounts.config().session_lifetime.as_secs();
    let exp = (now_s + lifetime_s).min(session_end_s.max(now_s + 1));
    let key = keys::current(&services.data, &services.vault).map_err(|e| ApiError::internal(&e))?;
    let claims =
        Claims { sub: user.id.to_string(), sid: session.id, iat: now_s, exp, lang: Some(lang.code().to_owned()) };
    Ok((key.sign(&claims), exp * 1000))
}

fn refused_signature(ctx: &WebContext, address: IpAddr, e: SignedDataError) -> ApiError {
    ctx.refused(address, e.reason());
    ApiError::unauthorized("Telegram's signature does not check out; open the app again")
}

async fn session(
    State(ctx): State<Arc<WebContext>>,
    parts: Parts,
    JsonBody(body): JsonBody<SessionBody>,
) -> Result<Response, ApiError> {
    let address = client_address(&ctx, &parts);
    admit(ctx.services.sentinel.check_api_address(address))?;
    launch::check_same_site(&ctx, &parts.headers).inspect_err(|_| ctx.refused(address, "cross-site"))?;
    let now_s = ctx.now_ms() / 1000;
    let (init_age, login_age) = (ctx.config.init_data_max_age.as_secs(), ctx.config.login_max_age.as_secs());
    let (user, max_age, from_login) = match (&body.init_data, &body.login_data, &body.login_code) {
        (Some(raw), None, None) => {
            let launch = launch::check_init_data_launch(body.launch.as_ref(), ctx.config.demo)
                .inspect_err(|_| ctx.refused(address, "not opened in Telegram"))?;
            let user = verify_init_data(raw, &ctx.init_data_secret, now_s, init_age)
                .map_err(|e| refused_signature(&ctx, address, e))?;
            tracing::debug!(user = user.id, launch = %launch.describe(), "Mini App sign-in");
            (user, init_age, false)
        }
        (None, Some(raw), None) => {
            (login::verify_login_with_state(&ctx, &parts.headers, address, raw)?.0, login_age, true)
        }
        (None, None, Some(code)) => (login::redeem_login_code(&ctx, &parts.headers, address, code)?, login_age, true),
        _ => return Err(ApiError::bad_request("send one of init_data, login_data or login_code")),
    };
    let browser = language::accept_language(&parts.headers);
    let hints = Hints { user: None, telegram: user.language_code.as_deref(), browser };
    let (token, expires_at) = issue_token(&ctx, &user, address, max_age, language::choose(&ctx, hints)).await?;
    let locale = language::choose(&ctx, Hints { user: Some(user.id), ..hints });
    let answer = SessionAnswer { expires_at, first_name: user.first_name, locale, token };
    let mut response = Json(answer).into_response();
    if from_login {
        response.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_static(login::CLEAR_STATE_COOKIE));
    }
    Ok(response)
}

async fn logout(State(ctx): State<Arc<WebContext>>, caller: Caller) -> Result<Json<LoggedOut>, ApiError> {
    ctx.services.accounts.end_session(caller.user, &caller.session.id).map_err(|e| ApiError::internal(&e))?;
    ctx.services.data.flush().await.map_err(|e| ApiError::internal(&e))?;
    Ok(Json(LoggedOut { ok: true }))
}

async fn me(State(ctx): State<Arc<WebContext>>, caller: Caller) -> Result<Json<Me>, ApiError> {
    caller.authorize(&ctx, "credits")?;
    let services = &ctx.services;
    let standing = services
        .readings
        .standing(&services.accounts, caller.user, caller.is_admin)
        .map_err(|e| ApiError::internal(&e))?;
    let zone = services.readings.zone().label();
    // The name Telegram signed when this session was opened: whose account this browser is in.
    let asker = views::Asker {
        user: caller.user,
        first_name: caller.session.name.as_deref(),
        locale: caller.locale,
        two_factor: caller.account.two_factor_on(),
    };
    Ok(Json(views::me(asker, &standing, zone, ctx.payments)))
}

fn page_of(query: Option<&str>) -> Result<usize, ApiError> {
    let Some(query) = query else { return Ok(0) };
    let mut page = 0;
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if key == "page" {
            page = value.parse::<usize>().ok().filter(|p| *p < 100_000).ok_or(ApiError::bad_request("bad page"))?;
        }
    }
    Ok(page)
}

async fn readings(
    State(ctx): State<Arc<WebContext>>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<ReadingsPage>, ApiError> {
    caller.authorize(&ctx, "history")?;
    let index = page_of(query.as_deref())?;
    let history = &ctx.services.readings.history;
    let size = ctx.history_page_size;
    let page = history.page(caller.user, index, size, ctx.now_ms()).map_err(|e| ApiError::internal(&e))?;
    // The history clamps a page past the last one to the last (Telegram's buttons want that); a
    // client asking for page N gets page N, which past the end is empty.
    let readings = if page.index == index {
        page.entries.iter().filter_map(|(id, stored)| views::stored_reading(id, stored, caller.locale)).collect()
    } else {
        Vec::new()
    };
    Ok(Json(ReadingsPage { page: index, pages: page.pages, readings, total: page.total }))
}

async fn one_reading(
    State(ctx): State<Arc<WebContext>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ReadingView>, ApiError> {
    caller.authorize(&ctx, "history")?;
    let not_found = || ApiError::not_found("no such reading");
    let id = views::parse_reading_id(&id).ok_or_else(not_found)?;
    let stored =
        ctx.services.readings.history.get(caller.user, &id, ctx.now_ms()).map_err(|e| ApiError::internal(&e))?;
    stored.and_then(|s| views::stored_reading(&id, &s, caller.locale)).map(Json).ok_or_else(not_found)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DrawBody {
    spread: Option<String>,
    question: Option<String>,
}

async fn draw(
    State(ctx): State<Arc<WebContext>>,
    caller: Caller,
    JsonBody(body): JsonBody<DrawBody>,
) -> Result<Json<DrawAnswer>, ApiError> {
    caller.authorize(&ctx, "draw")?;
    let spread = match body.spread.as_deref() {
        None => Spread::One,
        Some(word) => Spread::parse(word).ok_or(ApiError::bad_request("unknown spread"))?,
    };
    if body.question.as_ref().is_some_and(|q| q.chars().count() > QUESTION_MAX_CHARS * 4) {
        return Err(ApiError::bad_request("question too long"));
    }
    let request = DrawRequest { spread, question: body.question };
    let services = &ctx.services;
    // The reader's choice of upright-only cards (`/language` in the bot) holds here too.
    let upright_only = services.profiles.get(caller.user).ok().flatten().is_some_and(|p| p.upright_only);
    let options = DrawOptions { reversals: !upright_only };
    let outcome = services
        .readings
        .draw_with_options(&services.accounts, caller.user, caller.is_admin, &request, options)
        .map_err(|e| ApiError::internal(&e))?;
    // What was spent and sealed is durable before the user sees the reading (Telegram's path has
    // the inbox to replay; this one does not).
    services.data.flush().await.map_err(|e| ApiError::internal(&e))?;
    match outcome {
        DrawOutcome::Drawn { reading, coverage } => Ok(Json(DrawAnswer {
            coverage: views::coverage(coverage),
            reading: views::reading(None, &reading, ctx.now_ms(), caller.locale),
        })),
        DrawOutcome::Refused { refusal: Refusal::DailyLimitReached { .. }, resets_at_ms } => {
            Err(ApiError::forbidden("today's readings are used up", "daily_limit").resets_at(resets_at_ms))
        }
        DrawOutcome::Refused { refusal: Refusal::SpreadNotIncluded, .. } => {
            Err(ApiError::forbidden("your plan does not include this spread", "spread_not_included"))
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CodeBody {
    code: Option<String>,
}

/// Under two-factor, a fresh TOTP or backup code must come with the request (as `/verify` does
/// before `/export` and `/delete_me` in Telegram); it is used up, durably, before the action.
async fn step_up(ctx: &WebContext, caller: &Caller, code: Option<&str>) -> Result<(), ApiError> {
    if !caller.account.two_factor_on() {
        return Ok(());
    }
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty() && c.len() <= 64) else {
        return Err(ApiError::forbidden("enter a code from your authenticator app or a backup code", "code_required"));
    };
    let outcome = ctx.services.accounts.confirm_with_code(caller.user, code);
    ctx.services.data.flush().await.map_err(|e| ApiError::internal(&e))?;
    match outcome {
        Ok(()) => Ok(()),
        Err(TwoFactorError::Locked { retry_after_ms }) => {
            Err(ApiError::forbidden("too many wrong codes", "code_locked").retry_after(retry_after_ms.div_ceil(1000)))
        }
        Err(TwoFactorError::Accounts(e)) => Err(ApiError::internal(&e)),
        Err(_) => Err(ApiError::forbidden("that code is not valid", "code_invalid")),
    }
}

async fn export(State(ctx): State<Arc<WebContext>>, caller: Caller) -> Result<Json<Value>, ApiError> {
    export_for(&ctx, &caller, None).await
}

async fn export_with_code(
    State(ctx): State<Arc<WebContext>>,
    caller: Caller,
    JsonBody(body): JsonBody<CodeBody>,
) -> Result<Json<Value>, ApiError> {
    export_for(&ctx, &caller, body.code.as_deref()).await
}

async fn export_for(ctx: &WebContext, caller: &Caller, code: Option<&str>) -> Result<Json<Value>, ApiError> {
    caller.authorize(ctx, "export")?;
    step_up(ctx, caller, code).await?;
    let services = Arc::clone(&ctx.services);
    let (user, now) = (caller.user, ctx.now_ms());
    let data = tokio::task::spawn_blocking(move || crate::control::user_data(&services.admin(), user, now))
        .await
        .map_err(|e| ApiError::internal(&e))?
        .map_err(|e| ApiError::internal(&e))?;
    tracing::info!(target: "arcana::audit", event = "export", user, via = "web", "a user exported their data");
    Ok(Json(data))
}

async fn delete(
    State(ctx): State<Arc<WebContext>>,
    caller: Caller,
    JsonBody(body): JsonBody<CodeBody>,
) -> Result<Json<Deleted>, ApiError> {
    caller.authorize(&ctx, "delete_me")?;
    step_up(&ctx, &caller, body.code.as_deref()).await?;
    let services = Arc::clone(&ctx.services);
    let (user, now) = (caller.user, ctx.now_ms());
    tokio::task::spawn_blocking(move || {
        crate::control::execute(&services.admin(), &ControlRequest::DeleteUser { user }, now)
    })
    .await
    .map_err(|e| ApiError::internal(&e))?
    .map_err(|e| ApiError::internal(&e))?;
    Ok(Json(Deleted { deleted: true }))
}
