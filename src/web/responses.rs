//! The API's answers as types: what each route sends, field by field.
//!
//! The fields of each type are in alphabetical order on purpose: the answers used to be built as
//! `serde_json` values, whose maps sort their keys, and a client (or a test) that compared bytes
//! still sees the same bytes. The only additions are `locale` in [`SessionAnswer`] and [`Me`]:
//! the language the texts of the answers are in. A test in [`super::views`] holds the bytes to
//! the old values.

use serde::Serialize;

use crate::locale::Locale;

/// `POST /api/v1/session`: a token bound to a new session.
#[derive(Debug, Serialize)]
pub struct SessionAnswer {
    /// When the token expires (Unix ms).
    pub expires_at: u64,
    /// The first name Telegram signed: whose account this is.
    pub first_name: String,
    /// The language arcana speaks to this user (`en`, `ru`, `es`).
    pub locale: Locale,
    /// The bearer token.
    pub token: String,
}

/// `POST /api/v1/logout`: `{"ok":true}`.
#[derive(Debug, Serialize)]
pub struct LoggedOut {
    /// Always `true`.
    pub ok: bool,
}

/// `POST /api/v1/delete`: `{"deleted":true}`.
#[derive(Debug, Serialize)]
pub struct Deleted {
    /// Always `true`.
    pub deleted: bool,
}

/// `GET /api/v1/me` (and `/credits`): where the user stands.
#[derive(Debug, Serialize)]
pub struct Me {
    /// Readings a day on their plan; `null` without a limit.
    pub allowance: Option<u32>,
    /// Bought credits left.
    pub credits: u32,
    /// The name Telegram signed when this session was opened.
    pub first_name: Option<String>,
    /// The language of the texts in this and the other answers.
    pub locale: Locale,
    /// Whether payments are on (the Mini App points to `/buy`).
    pub payments: bool,
    /// Premium ends (Unix ms), if they have it.
    pub premium_until: Option<u64>,
    /// The time zone whose midnight resets the allowance.
    pub reset_zone: String,
    /// The next reset (Unix ms).
    pub resets_at: u64,
    /// Every spread, and whether the plan includes it.
    pub spreads: Vec<SpreadChoice>,
    /// The plan's (tier's) name.
    pub tier: String,
    /// Whether two-factor authentication is on (exports and deletion then need a code).
    pub two_factor: bool,
    /// Readings used today.
    pub used_today: u32,
    /// The Telegram user id.
    pub user_id: i64,
}

/// A spread in [`Me`].
#[derive(Debug, Serialize)]
pub struct SpreadChoice {
    /// How many cards it lays out.
    pub cards: usize,
    /// Whether the plan includes it (else it costs a credit).
    pub included: bool,
    /// Its key (`one`, `three`, `celtic_cross`, …).
    pub key: &'static str,
    /// Its name in the user's language.
    pub name: &'static str,
}

/// `GET /api/v1/readings?page=N`: a page of the history, newest first.
#[derive(Debug, Serialize)]
pub struct ReadingsPage {
    /// The page asked for (0 is the newest).
    pub page: usize,
    /// How many pages there are.
    pub pages: usize,
    /// The readings on it (none past the last page).
    pub readings: Vec<ReadingView>,
    /// Readings kept in all.
    pub total: usize,
}

/// One reading (`GET /api/v1/readings/{id}`, and inside other answers).
#[derive(Debug, Serialize)]
pub struct ReadingView {
    /// When it was drawn (Unix ms).
    pub at: u64,
    /// Its cards in position order.
    pub cards: Vec<CardView>,
    /// Its id (24 hex digits); `null` for a fresh draw.
    pub id: Option<String>,
    /// The question asked, if any.
    pub question: Option<String>,
    /// The spread's key.
    pub spread: &'static str,
    /// The spread's name in the user's language.
    pub spread_name: &'static str,
}

/// One card of a [`ReadingView`].
#[derive(Debug, Serialize)]
pub struct CardView {
    /// Its number in the deck (0–77): the face `#card-N` of `/app/faces.svg`.
    pub card: u8,
    /// Whether it is of the major arcana.
    pub major: bool,
    /// What it means in this orientation, in the user's language.
    pub meaning: &'static str,
    /// Its name in the user's language.
    pub name: &'static str,
    /// Its position's name in the user's language.
    pub position: &'static str,
    /// Whether it came up reversed.
    pub reversed: bool,
}

/// `POST /api/v1/draw`: the new reading and what paid for it.
#[derive(Debug, Serialize)]
pub struct DrawAnswer {
    /// What paid for it.
    pub coverage: CoverageView,
    /// The reading.
    pub reading: ReadingView,
}

/// What paid for a draw: `{"kind":"allowance","left":N}`, `{"kind":"credit","left":N}` or
/// `{"kind":"unlimited"}`.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum CoverageView {
    /// The daily allowance; `left` readings remain today.
    Allowance {
        /// Readings left today.
        left: u32,
    },
    /// A bought credit; `left` credits remain.
    Credit {
        /// Credits left.
        left: u32,
    },
    /// No daily limit.
    Unlimited,
}

/// Every error: a short English message, and for the cases a client acts on a machine-readable
/// `reason` (the Mini App words it in the user's language) and when to try again.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorBody {
    /// What went wrong, in English.
    pub error: &'static str,
    /// Why, for a client to act on (`daily_limit`, `code_required`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    /// When the allowance resets (Unix ms), with `daily_limit`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resets_at: Option<u64>,
    /// Seconds to wait before trying again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_s: Option<u64>,
}

impl ErrorBody {
    /// An error with only its message.
    #[must_use]
    pub const fn new(error: &'static str) -> ErrorBody {
        ErrorBody { error, reason: None, resets_at: None, retry_after_s: None }
    }
}
