//! Typed sealed records: a tree whose values are msgpack documents sealed in the vault for one
//! subject, bound to their tree and key.

use std::{marker::PhantomData, sync::Arc};

use serde::{Deserialize, Serialize, de::DeserializeOwned};
use zeroize::Zeroizing;

use crate::store::{Record, Store, TypedTree};

use super::{Vault, VaultError};

/// A type stored sealed, in its own tree.
pub trait Sealed: Serialize + DeserializeOwned {
    /// The tree.
    const TREE: &'static str;
    /// Format version of the sealed document.
    const VERSION: u8;
}

/// The stored form: only ciphertext.
#[derive(Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Envelope<T> {
    #[serde(with = "serde_bytes")]
    bytes: Vec<u8>,
    #[serde(skip)]
    _type: PhantomData<fn() -> T>,
}

impl<T: Sealed> Record for Envelope<T> {
    const TREE: &'static str = T::TREE;
    const VERSION: u8 = T::VERSION;
}

/// A tree of `T` sealed per subject.
pub struct SealedTree<T> {
    tree: TypedTree<Envelope<T>>,
    vault: Arc<Vault>,
}

impl<T> Clone for SealedTree<T> {
    fn clone(&self) -> Self {
        SealedTree { tree: self.tree.clone(), vault: Arc::clone(&self.vault) }
    }
}

impl<T: Sealed> SealedTree<T> {
    /// The tree of `T` in `store`, sealed with `vault`.
    pub fn new(store: &Store, vault: Arc<Vault>) -> Result<SealedTree<T>, VaultError> {
        Ok(SealedTree { tree: store.tree::<Envelope<T>>()?, vault })
    }

    /// The sealed envelope of `value` for `subject` at `key`.
    fn seal(&self, subject: i64, key: &[u8], value: &T) -> Result<Envelope<T>, VaultError> {
        let plain = Zeroizing::new(
            rmp_serde::to_vec_named(value).map_err(|_| VaultError::Crypto("cannot encode a sealed record"))?,
        );
        Ok(Envelope { bytes: self.vault.seal(subject, T::TREE, key, &plain)?, _type: PhantomData })
    }

    /// Seals `value` for `subject` at `key`.
    pub fn put(&self, subject: i64, key: &[u8], value: &T) -> Result<(), VaultError> {
        self.tree.insert(key, &self.seal(subject, key, value)?)?;
        Ok(())
    }

    /// Seals `value` for `subject` at `key`, treated as absent from `expires_at` on and removed
    /// by the store's expiry sweep.
    pub fn put_expiring(
        &self,
        subject: i64,
        key: &[u8],
        value: &T,
        expires_at: std::time::SystemTime,
    ) -> Result<(), VaultError> {
        self.tree.insert_expiring(key, &self.seal(subject, key, value)?, expires_at)?;
        Ok(())
    }

    /// The keys starting with `prefix` that are live at `now`, in order, without opening
    /// anything (`UNIX_EPOCH` lists expired ones not yet swept too).
    pub fn keys_with_prefix(&self, prefix: &[u8], now: std::time::SystemTime) -> Result<Vec<Vec<u8>>, VaultError> {
        Ok(self.tree.keys_with_prefix_at(prefix, now)?)
    }

    /// Opens the value at `key` sealed for `subject`. A value sealed under a key destroyed since
    /// (its subject was deleted) is absent; any other value that does not open is an error for
    /// this record only, never treated as absent.
    pub fn get(&self, subject: i64, key: &[u8]) -> Result<Option<T>, VaultError> {
        self.get_at(subject, key, std::time::SystemTime::now())
    }

    /// Like [`SealedTree::get`], treating records expired at `now` as absent.
    pub fn get_at(&self, subject: i64, key: &[u8], now: std::time::SystemTime) -> Result<Option<T>, VaultError> {
        match self.open_at(subject, key, now) {
            Err(VaultError::Shredded) => {
                // Expected only for leftovers of a deleted user; anything else (a `keys/` older
                // than `db/`) should be loud.
                tracing::warn!(tree = T::TREE, "a sealed record whose key is gone was read as absent");
                Ok(None)
            }
            other => other,
        }
    }

    fn open_at(&self, subject: i64, key: &[u8], now: std::time::SystemTime) -> Result<Option<T>, VaultError> {
        let Some(envelope) = self.tree.get_at(key, now)? else { return Ok(None) };
        let plain = self.vault.open(subject, T::TREE, key, &envelope.bytes)?;
        rmp_serde::from_slice(&plain)
            .map(Some)
            .map_err(|_| VaultError::Open { tree: T::TREE.to_owned(), reason: "undecodable" })
    }

    /// Opens every record (after a restore, or to check a backup): returns how many opened and
    /// how many were removed because the key that sealed them is destroyed. `subject_of` reads
    /// a record's subject from its key (records it names none for are skipped). Any other
    /// failure (tampering) is an error.
    pub fn verify_all(&self, subject_of: impl Fn(&[u8]) -> Option<i64>) -> Result<(usize, usize), VaultError> {
        let (mut verified, mut shredded) = (0, 0);
        for key in self.tree.keys_with_prefix_at(&[], std::time::UNIX_EPOCH)? {
            let Some(subject) = subject_of(&key) else { continue };
            match self.open_at(subject, &key, std::time::UNIX_EPOCH) {
                Ok(_) => verified += 1,
                Err(VaultError::Shredded) => {
                    self.tree.remove(&key)?;
                    shredded += 1;
                }
                Err(e) => return Err(e),
            }
        }
        Ok((verified, shredded))
    }

    /// The subject of a record keyed by the subject id (`i64` big-endian) alone.
    #[must_use]
    pub fn subject_key(key: &[u8]) -> Option<i64> {
        <[u8; 8]>::try_from(key).ok().map(i64::from_be_bytes)
    }

    /// Removes the value at `key`.
    pub fn remove(&self, key: &[u8]) -> Result<bool, VaultError> {
        Ok(self.tree.remove(key)?)
    }

    /// The subjects of a tree keyed by subject id (`i64` big-endian); other keys are skipped.
    pub fn subject_ids(&self) -> Result<Vec<i64>, VaultError> {
        Ok(self
            .keys()?
            .into_iter()
            .filter_map(|k| <[u8; 8]>::try_from(k.as_slice()).ok().map(i64::from_be_bytes))
            .collect())
    }

    /// Every key in the tree.
    pub fn keys(&self) -> Result<Vec<Vec<u8>>, VaultError> {
        self.tree.iter_at(std::time::SystemTime::now()).map(|e| e.map(|(k, _)| k).map_err(VaultError::from)).collect()
    }
}
