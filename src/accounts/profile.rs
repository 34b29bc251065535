//! A user's profile (names, username, language), sanitised and sealed under the user's own data
//! key. Only the numeric Telegram id, needed for lookups, is stored in the clear (as the key).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use teloxide::types::User;

use crate::{
    sentinel::sanitize::{display_name, username},
    store::Store,
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

/// The sealed profiles.
#[derive(Clone)]
pub struct Profiles {
    tree: SealedTree<Profile>,
}

impl Profiles {
    /// The profiles in `store`, sealed with `vault`.
    pub fn new(store: &Store, vault: Arc<Vault>) -> Result<Profiles, VaultError> {
        Ok(Profiles { tree: SealedTree::new(store, vault)? })
    }

    /// Stores `user`'s current profile if it changed; returns whether it was written.
    pub fn remember(&self, user: &User) -> Result<bool, VaultError> {
        let id = i64::try_from(user.id.0).unwrap_or(i64::MAX);
        let profile = Profile::of(user);
        match self.tree.get(id, &id.to_be_bytes()) {
            Ok(Some(stored)) if stored == profile => return Ok(false),
            Ok(_) => {}
            // Logged without contents; the record is replaced by the fresh profile.
            Err(e) => tracing::warn!(error = %e, "a stored profile did not open; replacing it"),
        }
        self.tree.put(id, &id.to_be_bytes(), &profile)?;
        Ok(true)
    }

    /// The profile of user `id`.
    pub fn get(&self, id: i64) -> Result<Option<Profile>, VaultError> {
        self.tree.get(id, &id.to_be_bytes())
    }

    /// The ids of every stored profile.
    pub fn ids(&self) -> Result<Vec<i64>, VaultError> {
        Ok(self
            .tree
            .keys()?
            .into_iter()
            .filter_map(|k| <[u8; 8]>::try_from(k.as_slice()).ok().map(i64::from_be_bytes))
            .collect())
    }

    /// Removes user `id`'s profile.
    pub fn remove(&self, id: i64) -> Result<bool, VaultError> {
        self.tree.remove(&id.to_be_bytes())
    }
}
