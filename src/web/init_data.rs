//! The Mini App's `initData`, verified as Telegram documents it: the secret key is
//! `HMAC-SHA256(key = "WebAppData", message = bot token)`, the hash covers every other field,
//! and `auth_date` must be no older than `http.init_data_max_age`.

use ring::hmac;
use serde::Deserialize;

use super::signed_fields::{SignedDataError, SignedFields};

/// A Telegram user as signed data names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelegramUser {
    /// Their id.
    pub id: i64,
    /// Their first name, sanitised to one short line.
    pub first_name: String,
    /// When Telegram signed the data (Unix seconds).
    pub auth_date: u64,
    /// What identifies this signed payload: the first 16 bytes of its hash.
    pub signature: [u8; 16],
    /// The IETF language tag of their Telegram app (`initData` carries it; the Login Widget
    /// does not), when it looks like one.
    pub language_code: Option<String>,
}

#[derive(Deserialize)]
struct InitDataUser {
    id: i64,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    is_bot: bool,
    #[serde(default)]
    language_code: Option<String>,
}

/// The secret key of a bot's `initData`.
#[must_use]
pub fn init_data_secret(bot_token: &str) -> [u8; 32] {
    let key = hmac::Key::new(hmac::HMAC_SHA256, b"WebAppData");
    let mut out = [0u8; 32];
    out.copy_from_slice(hmac::sign(&key, bot_token.as_bytes()).as_ref());
    out
}

/// Verifies raw `initData` (the query string Telegram gives the page) for the bot whose
/// `init_data_secret` is `secret`, at `now_s`.
pub fn verify_init_data(
    raw: &str,
    secret: &[u8; 32],
    now_s: u64,
    max_age_s: u64,
) -> Result<TelegramUser, SignedDataError> {
    let fields = SignedFields::parse(raw, &[])?;
    let auth_date = fields.verify(secret, now_s, max_age_s)?;
    let user: InitDataUser =
        serde_json::from_str(fields.get("user").ok_or(SignedDataError::User)?).map_err(|_| SignedDataError::User)?;
    if user.is_bot || user.id <= 0 {
        return Err(SignedDataError::User);
    }
    Ok(TelegramUser {
        id: user.id,
        first_name: crate::sanitize::display_name(&user.first_name),
        auth_date,
        signature: fields.signature(),
        language_code: user
            .language_code
            .filter(|l| !l.is_empty() && l.len() <= 35 && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::signed_fields::sign_hex;

    const TOKEN: &str = "123456:TEST-token";
    const NOW: u64 = 1_800_000_000;

    fn signed(token: &str, auth_date: u64, user: &str) -> String {
        let date = auth_date.to_string();
        let fields = [("auth_date", date.as_str()), ("query_id", "AAH"), ("user", user)];
        let hash = sign_hex(&init_data_secret(token), &fields);
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in fields {
            query.append_pair(k, v);
        }
        query.append_pair("hash", &hash);
        query.finish()
    }

    const USER: &str = r#"{"id":77,"first_name":"Ann\u0007","language_code":"en"}"#;

    #[test]
    fn valid_init_data_names_the_user() {
        let user = verify_init_data(&signed(TOKEN, NOW - 5, USER), &init_data_secret(TOKEN), NOW, 3600).expect("valid");
        assert_eq!((user.id, user.first_name.as_str(), user.auth_date), (77, "Ann", NOW - 5));
        assert_eq!(user.language_code.as_deref(), Some("en"));
        let odd = signed(TOKEN, NOW, r#"{"id":77,"language_code":"<ru>"}"#);
        let user = verify_init_data(&odd, &init_data_secret(TOKEN), NOW, 3600).expect("valid");
        assert_eq!(user.language_code, None, "not a language tag");
    }

    #[test]
    fn tampering_another_bot_staleness_and_the_future_are_refused() {
        let secret = init_data_secret(TOKEN);
        let good = signed(TOKEN, NOW, USER);
        let tampered = good.replace("77", "78");
        assert_eq!(verify_init_data(&tampered, &secret, NOW, 3600), Err(SignedDataError::Signature));
        let other_bot = signed("999:other", NOW, USER);
        assert_eq!(verify_init_data(&other_bot, &secret, NOW, 3600), Err(SignedDataError::Signature));
        let stale = signed(TOKEN, NOW - 3601, USER);
        assert_eq!(verify_init_data(&stale, &secret, NOW, 3600), Err(SignedDataError::Stale));
        let future = signed(TOKEN, NOW + 3600, USER);
        assert_eq!(verify_init_data(&future, &secret, NOW, 3600), Err(SignedDataError::Future));
        let no_hash = good.split("&hash=").next().unwrap_or_default().to_owned();
        assert_eq!(verify_init_data(&no_hash, &secret, NOW, 3600), Err(SignedDataError::Hash));
        let (data, hash) = good.split_once("&hash=").unwrap_or_default();
        let upper = format!("{data}&hash={}", hash.to_ascii_uppercase());
        assert_eq!(verify_init_data(&upper, &secret, NOW, 3600), Err(SignedDataError::Hash), "upper-case hex");
        let twice = format!("{good}&user=x");
        assert_eq!(verify_init_data(&twice, &secret, NOW, 3600), Err(SignedDataError::Malformed));
        let folded = format!("{good}&x=a%0Auser%3D1");
        assert_eq!(verify_init_data(&folded, &secret, NOW, 3600), Err(SignedDataError::Malformed), "a line feed");
        let bot = signed(TOKEN, NOW, r#"{"id":5,"is_bot":true}"#);
        assert_eq!(verify_init_data(&bot, &secret, NOW, 3600), Err(SignedDataError::User));
        assert_eq!(verify_init_data(&"a".repeat(5000), &secret, NOW, 3600), Err(SignedDataError::TooLong));
    }
}
