//! A user's profile (names, username, language) and their reading preferences (the locale the
//! bot speaks to them, readings without reversed cards), sanitised and sealed under the user's
//! own data key. Only the numeric Telegram id, needed for lookups, is stored in the clear (as
//! the key).
//!
//! The locale is chosen once, from Telegram's `language_code`, when the profile is first stored
//! (at registration: nothing is stored before consent), and changes only when the user picks
//! another with `/language`. Records written before the preferences existed read with none
//! (`serde(default)`: the record is a named msgpack map, so the version stays 1) and get the
//! locale of their `language_code` the next time they are remembered.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use teloxide::types::User;

use crate::{
    locale::Locale,
    sanitize::{display_name, username},
    store::{Record, Store, TypedTree},
    vault::{Sealed, SealedTree, Vault, VaultError},
};

/// What arcana knows about a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// `@username`, sanitised.
    pub username: Option<String>,
    /// First name, sanitised.
    pub first_name: String,
    /// Last name, sanitised.
    pub last_name: Option<String>,
    /// IETF language tag from the client.
    pub language: Option<String>,
    /// The language the bot speaks to this user: from `language` when first stored, then as
    /// chosen with `/language` (`None` only in records older than the preference).
    #[serde(default)]
    pub locale: Option<Locale>,
    /// Whether readings are drawn without reversed cards (the user's choice; off by default).
    #[serde(default)]
    pub upright_only: bool,
}

impl Sealed for Profile {
    const TREE: &'static str = "profiles";
    const VERSION: u8 = 1;
}

impl Profile {
    /// The sanitised profile of a Telegram user, with the locale of their `language_code` and
    /// no preferences of their own yet.
    #[must_use]
    pub fn of(user: &User) -> Profile {
        Profile {
            locale: Some(Locale::from_language_code(user.language_code.as_deref().unwrap_or_default())),
            upright_only: false,
            username: user.username.as_deref().and_then(username),
            first_name: display_name(&user.first_name),
            last_name: user.last_name.as_deref().map(display_name).filter(|n| !n.is_empty()),
            language: user
                .language_code
                .as_deref()
                .filter(|l| l.len() <= 35 && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
                .map(str::to_owned),
        }
    }
}

/// The username index: a keyed blind index of the lower-case username → user id, so an admin
/// can name a user by `@username` without usernames being stored in the clear.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct UsernameEntry {
    user: i64,
}

impl Record for UsernameEntry {
    const TREE: &'static str = "username_index";
    const VERSION: u8 = 1;
}

/// The sealed profiles and their username index.
#[derive(Clone)]
pub struct Profiles {
    tree: SealedTree<Profile>,
    usernames: TypedTree<UsernameEntry>,
    vault: Arc<Vault>,
}

impl Profiles {
    /// The profiles in `store`, sealed with `vault`.
    pub fn new(store: &Store, vault: Arc<Vault>) -> Result<Profiles, VaultError> {
        Ok(Profiles { tree: SealedTree::new(store, Arc::clone(&vault))?, usernames: store.tree()?, vault })
    }

    /// Stores `user`'s current profile if it changed, keeping their preferences (a stored locale
    /// stays whatever Telegram's language now is); returns the profile in force and whether it
    /// was written.
    pub fn remember(&self, user: &User) -> Result<(Profile, bool), VaultError> {
        let id = crate::sanitize::user_id(user.id);
        let mut profile = Profile::of(user);
        let stored = match self.tree.get(id, &id.to_be_bytes()) {
            Ok(Some(stored)) => {
                profile.locale = stored.locale.or(profile.locale);
                profile.upright_only = stored.upright_only;
                if stored == profile {
                    return Ok((profile, false));
                }
                Some(stored)
            }
            Ok(None) => None,
            Err(e) => {
                // Logged without contents; the record is replaced by the fresh profile.
                tracing::warn!(error = %e, "a stored profile did not open; replacing it");
                None
            }
        };
        if let Some(old) = stored.and_then(|p| p.username).filter(|old| Some(old) != profile.username.as_ref()) {
            self.usernames.remove(&self.username_key(&old))?;
        }
        if let Some(name) = &profile.username {
            self.usernames.insert(&self.username_key(name), &UsernameEntry { user: id })?;
        }
        self.tree.put(id, &id.to_be_bytes(), &profile)?;
        Ok((profile, true))
    }

    /// Changes user `id`'s preferences with `change` and stores them; `Ok(None)` when there is no
    /// profile (the user is not registered). A profile that does not open is an error, not
    /// replaced: a preference is never worth a user's names.
    pub fn update_preferences(
        &self,
        id: i64,
        change: impl FnOnce(&mut Profile),
    ) -> Result<Option<Profile>, VaultError> {
        let Some(mut profile) = self.get(id)? else { return Ok(None) };
        change(&mut profile);
        self.tree.put(id, &id.to_be_bytes(), &profile)?;
        Ok(Some(profile))
    }

    /// The profile of user `id`.
    pub fn get(&self, id: i64) -> Result<Option<Profile>, VaultError> {
        self.tree.get(id, &id.to_be_bytes())
    }

    /// Opens every profile (after a restore); see [`SealedTree::verify_all`].
    pub fn verify_all(&self) -> Result<(usize, usize), VaultError> {
        self.tree.verify_all(SealedTree::<Profile>::subject_key)
    }

    /// The ids of every stored profile.
    pub fn ids(&self) -> Result<Vec<i64>, VaultError> {
        self.tree.subject_ids()
    }

    /// Removes user `id`'s profile and username index entry.
    pub fn remove(&self, id: i64) -> Result<bool, VaultError> {
        if let Ok(Some(Profile { username: Some(name), .. })) = self.get(id) {
            self.usernames.remove(&self.username_key(&name))?;
        }
        self.tree.remove(&id.to_be_bytes())
    }

    /// Removes every username index entry naming user `id`, whatever the username (a deletion
    /// must not depend on the profile still opening, nor miss an entry a write in flight added).
    /// Returns how many.
    pub fn remove_index_entries(&self, id: i64) -> Result<usize, VaultError> {
        let mut removed = 0;
        for entry in self.usernames.iter_at(std::time::SystemTime::now()) {
            let (key, value) = entry?;
            if value.user == id && self.usernames.remove(&key)? {
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// The user id last seen with `@username` (case-insensitive, `@` optional).
    pub fn find_by_username(&self, name: &str) -> Result<Option<i64>, VaultError> {
        let Some(name) = username(name) else { return Ok(None) };
        Ok(self.usernames.get(&self.username_key(&name))?.map(|e| e.user))
    }

    fn username_key(&self, name: &str) -> [u8; 32] {
        self.vault.blind_index("username", name.to_ascii_lowercase().as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i64, username: &str) -> User {
        serde_json::from_str(&format!(
            r#"{{"id":{id},"is_bot":false,"first_name":"Ada\u202e","username":"{username}","language_code":"en"}}"#
        ))
        .expect("user")
    }

    #[test]
    fn profiles_are_sanitised_and_found_by_username_through_the_blind_index() {
        let crate::vault::testing::TempVault { tmp: _tmp, data, vault } = crate::vault::testing::temp_vault();
        let profiles = Profiles::new(&data, vault).expect("profiles");

        assert!(profiles.remember(&user(7, "Lovelace")).expect("remember").1);
        assert!(
            !profiles.remember(&user(7, "Lovelace")).expect("unchanged").1,
            "an unchanged profile is not rewritten"
        );
        assert_eq!(profiles.get(7).expect("get").map(|p| p.first_name), Some("Ada".into()));
        assert_eq!(profiles.find_by_username("@lovelace").expect("find"), Some(7));
        profiles.remember(&user(7, "Byron")).expect("rename");
        assert_eq!(profiles.find_by_username("Lovelace").expect("find"), None, "the old name is gone");
        assert_eq!(profiles.find_by_username("byron").expect("find"), Some(7));
        profiles.remove(7).expect("remove");
        assert_eq!(profiles.find_by_username("byron").expect("find"), None);
    }

    fn user_in(id: i64, language: &str) -> User {
        serde_json::from_str(&format!(
            r#"{{"id":{id},"is_bot":false,"first_name":"Ada","language_code":"{language}"}}"#
        ))
        .expect("user")
    }

    #[test]
    fn the_locale_comes_from_telegram_once_and_then_stays_as_chosen() {
        let crate::vault::testing::TempVault { tmp: _tmp, data, vault } = crate::vault::testing::temp_vault();
        let profiles = Profiles::new(&data, vault).expect("profiles");
        assert_eq!(profiles.update_preferences(8, |p| p.upright_only = true).expect("update"), None, "no profile");

        let (first, _) = profiles.remember(&user_in(8, "ru-RU")).expect("remember");
        assert_eq!((first.locale, first.upright_only), (Some(Locale::Ru), false));
        let (later, written) = profiles.remember(&user_in(8, "de")).expect("remember");
        assert_eq!(later.locale, Some(Locale::Ru), "Telegram's language changing later does not move it");
        assert!(written, "the new language tag is stored");

        profiles
            .update_preferences(8, |p| {
                p.locale = Some(Locale::Es);
                p.upright_only = true;
            })
            .expect("update");
        let (kept, _) = profiles.remember(&user_in(8, "en")).expect("remember");
        assert_eq!((kept.locale, kept.upright_only), (Some(Locale::Es), true), "preferences survive a remember");
        assert_eq!(profiles.get(8).expect("get").map(|p| p.locale), Some(Some(Locale::Es)));
        assert_eq!(Profile::of(&user_in(9, "pt-BR")).locale, Some(Locale::En), "unknown languages: English");
    }

    #[test]
    fn a_record_from_before_the_preferences_reads_without_them() {
        #[derive(Serialize)]
        struct Old {
            username: Option<String>,
            first_name: String,
            last_name: Option<String>,
            language: Option<String>,
        }
        let old = Old { username: None, first_name: "Ada".into(), last_name: None, language: Some("es".into()) };
        let bytes = rmp_serde::to_vec_named(&old).expect("encode");
        let profile: Profile = rmp_serde::from_slice(&bytes).expect("an old record opens");
        assert_eq!((profile.locale, profile.upright_only), (None, false));
    }
}
