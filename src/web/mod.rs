//! The web side, off unless `http.listen` is set: a Telegram Mini App that shows readings laid out
//! as spreads and draws new ones, the JSON API it calls (`/api/v1`), and a Telegram Login page for
//! browsers outside Telegram.
//!
//! Authentication: Telegram-signed data (the Mini App's `initData`, the Login Widget's callback)
//! is verified as Telegram documents it and exchanged once for an HS256 token bound to a new
//! arcana session ([`crate::accounts`]); every request checks the token, the session, the
//! blocklist, the sentinel's API buckets and the tier, so a token dies with its session.
//!
//! Built on axum over the hyper, tower and rustls already in the binary for the Telegram client.

mod api;
mod auth;
mod bare_answers;
mod body;
mod client_slots;
mod context;
mod error;
mod headers;
mod init_data;
pub mod jwt;
mod keys;
mod language;
mod launch;
mod login;
mod login_codes;
mod login_data;
mod pages;
mod peers;
mod refused_sign_ins;
mod responses;
mod server;
mod signed_fields;
mod texts;
mod tls;
mod views;

pub use context::WebContext;
pub use init_data::{TelegramUser, init_data_secret, verify_init_data};
pub use login_data::{login_secret, verify_login};
pub use server::{Listening, router, serve};
pub use signed_fields::{MAX_PAYLOAD_LEN, SignedDataError, sign_hex};
pub use tls::{TlsError, acceptor as tls_acceptor};
