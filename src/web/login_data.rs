//! The Telegram Login Widget's callback data, verified as Telegram documents it: the secret key
//! is `SHA-256(bot token)`, the hash covers every field Telegram sent (our own `state` is left
//! out), and `auth_date` must be no older than `http.login_max_age`.

use ring::digest;

use super::init_data::TelegramUser;
use super::signed_fields::{SignedDataError, SignedFields};

/// The secret key of a bot's Login Widget data.
#[must_use]
pub fn login_secret(bot_token: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest::digest(&digest::SHA256, bot_token.as_bytes()).as_ref());
    out
}

/// Verifies the callback's query string (`id`, `first_name`, …, `auth_date`, `hash`, and our
/// `state`, which is not signed) at `now_s`.
pub fn verify_login(
    query: &str,
    secret: &[u8; 32],
    now_s: u64,
    max_age_s: u64,
) -> Result<TelegramUser, SignedDataError> {
    let fields = SignedFields::parse(query, &["state"])?;
    let auth_date = fields.verify(secret, now_s, max_age_s)?;
    let id: i64 = fields.get("id").and_then(|id| id.parse().ok()).filter(|id| *id > 0).ok_or(SignedDataError::User)?;
    let first_name = crate::sanitize::display_name(fields.get("first_name").unwrap_or_default());
    Ok(TelegramUser { id, first_name, auth_date, signature: fields.signature(), language_code: None })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::signed_fields::sign_hex;

    const TOKEN: &str = "123456:TEST-token";
    const NOW: u64 = 1_800_000_000;

    fn query(token: &str, id: &str, state: &str) -> String {
        let date = NOW.to_string();
        let fields = [("id", id), ("first_name", "Ann"), ("username", "ann"), ("auth_date", date.as_str())];
        let hash = sign_hex(&login_secret(token), &fields);
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        out.append_pair("state", state);
        for (k, v) in fields {
            out.append_pair(k, v);
        }
        out.append_pair("hash", &hash);
        out.finish()
    }

    #[test]
    fn login_data_verifies_whatever_the_state() {
        let user = verify_login(&query(TOKEN, "77", "s1"), &login_secret(TOKEN), NOW, 600).expect("valid");
        assert_eq!((user.id, user.first_name.as_str()), (77, "Ann"));
    }

    #[test]
    fn a_changed_id_or_another_bot_is_refused() {
        let secret = login_secret(TOKEN);
        let changed = query(TOKEN, "77", "s").replace("id=77", "id=78");
        assert_eq!(verify_login(&changed, &secret, NOW, 600), Err(SignedDataError::Signature));
        assert_eq!(verify_login(&query("1:x", "77", "s"), &secret, NOW, 600), Err(SignedDataError::Signature));
        assert_eq!(verify_login(&query(TOKEN, "77", "s"), &secret, NOW + 601, 600), Err(SignedDataError::Stale));
        let (data, hash) =
            query(TOKEN, "77", "s").split_once("&hash=").map(|(d, h)| (d.to_owned(), h.to_owned())).unwrap_or_default();
        let upper = format!("{data}&hash={}", hash.to_ascii_uppercase());
        assert_eq!(verify_login(&upper, &secret, NOW, 600), Err(SignedDataError::Hash), "upper-case hex");
    }
}
