//! A user's profile (names, username, language), sanitised and sealed under the user's own data
//! key. Only the numeric Telegram id, needed for lookups, is stored in the clear (as the key).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use teloxide::types::User;

use crate::{
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
}

impl Sealed for Profile {
    const TREE: &'static str = "profiles";
    const VERSION: u8 = 1;
}

impl Profile {
    /// The sanitised profile of a Telegram user.
    #[must_use]
    pub fn of(user: &User) -> Profile {
        Profile {
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

    /// Stores `user`'s current profile if it changed; returns whether it was written.
    pub fn remember(&self, user: &User) -> Result<bool, VaultError> {
        let id = crate::sanitize::user_id(user.id);
        let profile = Profile::of(user);
        let stored = match self.tree.get(id, &id.to_be_bytes()) {
            Ok(Some(stored)) if stored == profile => return Ok(false),
            Ok(stored) => stored,
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
        Ok(true)
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

        assert!(profiles.remember(&user(7, "Lovelace")).expect("remember"));
        assert!(!profiles.remember(&user(7, "Lovelace")).expect("unchanged"), "an unchanged profile is not rewritten");
        assert_eq!(profiles.get(7).expect("get").map(|p| p.first_name), Some("Ada".into()));
        assert_eq!(profiles.find_by_username("@lovelace").expect("find"), Some(7));
        profiles.remember(&user(7, "Byron")).expect("rename");
        assert_eq!(profiles.find_by_username("Lovelace").expect("find"), None, "the old name is gone");
        assert_eq!(profiles.find_by_username("byron").expect("find"), Some(7));
        profiles.remove(7).expect("remove");
        assert_eq!(profiles.find_by_username("byron").expect("find"), None);
    }
}
