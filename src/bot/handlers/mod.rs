//! The handlers: what the bot does with an update that passed the security layer. The router
//! ([`router::handle`]) checks who is asking and what they may do, then hands the update to one
//! file per concern: consent, account commands, `/delete_me`'s confirmation, hints for what is
//! not a known command, readings, card lookup, the card of the day, settings (language,
//! reversed cards), history, payments and refunds, admin commands, button presses.

mod accounts;
mod admin;
mod callbacks;
mod card;
mod consent;
mod daily;
mod deletion;
mod hints;
mod history;
mod language;
mod payments;
mod pressed;
mod readings;
pub(super) mod refunds;
pub(super) mod router;
