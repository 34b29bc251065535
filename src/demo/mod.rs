//! `arcana demo`: the real bot — the same pipeline, sentinel, vault and store, in a throw-away
//! data directory — talking to a [stand-in](standin) of the Telegram Bot API inside the same
//! process, with the person at the terminal as its one user ([`chat`]). Nothing leaves the
//! machine: the stand-in and the optional Mini App listen on 127.0.0.1 only.
//!
//! The command line (`crate::cli`) prepares the directory, starts the bot and the stand-in,
//! and hands the terminal to [`chat::converse`]; this module never reads the environment and
//! prints only to the writer it is given.

pub mod chat;
pub mod render;
pub mod standin;

use serde_json::json;

/// The demo's bot token: well formed, known to everyone, valid only against the stand-in.
pub const TOKEN: &str = "7000000001:arcana-demo-token-known-to-everyone-0000";
/// The demo bot's username.
pub const BOT_USERNAME: &str = "arcana_demo_bot";

/// The Mini App's `initData` for `person`, signed with the demo's token the way Telegram signs
/// it (at `auth_date`, Unix seconds): what a Telegram client would hand the page.
#[must_use]
pub fn init_data(person: &chat::Person, auth_date: u64) -> String {
    let user =
        json!({ "id": person.id, "first_name": person.first_name, "language_code": person.language_code }).to_string();
    let auth_date = auth_date.to_string();
    let fields = [("auth_date", auth_date.as_str()), ("user", user.as_str())];
    let hash = crate::web::sign_hex(&crate::web::init_data_secret(TOKEN), &fields);
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).append_pair("hash", &hash).finish()
}

/// The address that opens the Mini App served at `origin` signed in as `person`, as a Telegram
/// client opens it (`#tgWebAppData=…`).
#[must_use]
pub fn app_url(origin: &str, person: &chat::Person, auth_date: u64) -> String {
    let fragment = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("tgWebAppData", &init_data(person, auth_date))
        .append_pair("tgWebAppPlatform", "demo")
        .append_pair("tgWebAppVersion", "8.0")
        .finish();
    format!("{origin}/app#{fragment}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signed_init_data_is_what_the_web_side_accepts() {
        let person = chat::Person { id: 42, first_name: "Ann".into(), language_code: "ru".into() };
        let raw = init_data(&person, 1_700_000_000);
        let secret = crate::web::init_data_secret(TOKEN);
        let user = crate::web::verify_init_data(&raw, &secret, 1_700_000_010, 3600).expect("valid");
        assert_eq!((user.id, user.first_name.as_str()), (42, "Ann"));
        let other = crate::web::init_data_secret("7000000002:another-token-aaaaaaaaaaaaaaaaaaaaaa");
        assert!(crate::web::verify_init_data(&raw, &other, 1_700_000_010, 3600).is_err());
        assert!(crate::secret::BotToken::parse(TOKEN, "demo").is_ok());
    }
}
