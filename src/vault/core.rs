//! The `Vault`: opens the key store with the KEK, hands out per-subject data keys, seals and
//! opens records, and forgets subjects (crypto-shredding).

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, PoisonError, RwLock,
        atomic::{AtomicBool, AtomicU64},
    },
};

use ring::{aead::LessSafeKey, hmac};
use zeroize::Zeroizing;

use crate::store::{Store, TypedTree};

use super::{
    VaultError,
    envelope::{self, KeyKind, KeyRef},
    kek::{KekInput, PASSPHRASE_ITERATIONS},
    key_store::{KeySlot, KeyTrees},
    nonce::NonceSource,
    records::{
        DataKeyRecord, ForgetRecord, GenerationRecord, GenerationState, KEK_CHECK_CONTEXT, KeystoreMeta, META_KEY,
        ROOT_CONTEXT, VaultLink, data_key_context, generation_context, legacy_key_id,
    },
    rekey_recovery,
};

const LINK_KEY: &[u8] = b"link";
const CACHE_LIMIT: usize = 50_000;

/// Unwrapped generation keys by id, and which one is active.
pub(crate) struct Generations {
    pub(crate) keys: HashMap<u32, Arc<LessSafeKey>>,
    pub(crate) active: u32,
}

/// Encryption at rest for everything that describes a person.
pub struct Vault {
    /// The key store and its trees (see [`super::key_store`]).
    pub(crate) keys: KeySlot,
    pub(crate) kek: RwLock<Arc<LessSafeKey>>,
    pub(crate) root: Zeroizing<[u8; 32]>,
    pub(crate) generations: RwLock<Generations>,
    /// Unwrapped data keys by subject, with their ids.
    pub(crate) cache: Mutex<HashMap<i64, (u32, Arc<LessSafeKey>)>>,
    /// Serialises creating, re-wrapping and deleting data keys.
    pub(crate) key_lock: Mutex<()>,
    /// Subjects being deleted (mirrors the `vault_forgetting` tree).
    pub(crate) forgetting: Mutex<std::collections::HashSet<i64>>,
    pub(crate) nonces: NonceSource,
    /// Key material destroyed so far by this process (deletions, retired generations, KEK
    /// rotations); see [`super::shred`].
    pub(crate) destroyed: AtomicU64,
    /// How much of it the key store's last rewrite took off the disk; held while rewriting.
    pub(crate) shredded: Mutex<u64>,
    /// Whether the key store vouches that an audit trail has existed ([`super::trail_mark`]).
    pub(crate) trail_started: AtomicBool,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault").finish_non_exhaustive()
    }
}

fn random_key(nonces: &NonceSource) -> Result<Zeroizing<[u8; 32]>, VaultError> {
    let mut key = Zeroizing::new([0u8; 32]);
    nonces.fill(&mut *key)?;
    Ok(key)
}

impl Vault {
    /// Opens (or, for a new data store, creates) the key store `keys` for the data store `data`.
    /// The vault owns the key store from here on (it may rewrite it: [`Vault::shred`]); a key
    /// store left with destroyed key material on its disk is rewritten before this returns.
    pub fn load(data: &Store, keys: Store, input: &KekInput, now_ms: u64) -> Result<Vault, VaultError> {
        Vault::load_linked(Some(data), keys, input, now_ms)
    }

    /// Opens an existing key store without a data store (to restore a backup into an empty
    /// data directory).
    pub fn load_detached(keys: Store, input: &KekInput) -> Result<Vault, VaultError> {
        if keys.tree::<KeystoreMeta>()?.get(META_KEY)?.is_none() {
            return Err(VaultError::Mismatch);
        }
        Vault::load_linked(None, keys, input, 0)
    }

    /// The key store's handles, for one operation (see [`super::key_store`]).
    pub(crate) fn keys(&self) -> Result<Arc<KeyTrees>, VaultError> {
        self.keys.get()
    }

    /// The key store's id (a data store's [`VaultLink`] must match it).
    pub fn store_id(&self) -> Result<[u8; 16], VaultError> {
        Ok(self.keys()?.meta.get(META_KEY)?.ok_or(VaultError::Mismatch)?.store_id)
    }

    fn load_linked(data: Option<&Store>, keys: Store, input: &KekInput, now_ms: u64) -> Result<Vault, VaultError> {
        let meta_tree = keys.tree::<KeystoreMeta>()?;
        let link_tree = data.map(Store::tree::<VaultLink>).transpose()?;
        let link = match &link_tree {
            Some(tree) => tree.get(LINK_KEY)?,
            None => None,
        };
        let nonces = NonceSource::new();
        let meta = match meta_tree.get(META_KEY)? {
            Some(meta) => meta,
            None if link.is_some() => return Err(VaultError::Mismatch),
            None => create(&keys, &meta_tree, input, &nonces, now_ms)?,
        };
        if meta.kek_source != input.source() {
            return Err(VaultError::KekSource(match meta.kek_source {
                super::kek::KekSource::Passphrase => "this store is protected by a passphrase: set ARCANA_PASSPHRASE",
                super::kek::KekSource::File => "this store is protected by DIR/master.key: unset ARCANA_PASSPHRASE",
            }));
        }
        let kek = Arc::new(input.derive(&meta.kdf_salt, meta.kdf_iterations)?);
        let meta = rekey_recovery::resume(&keys, &meta_tree, &kek, meta)?;
        let check =
            envelope::open(&kek, &meta.kek_check, KEK_CHECK_CONTEXT, "key store").map_err(|_| VaultError::WrongKey)?;
        if check.as_slice() != meta.store_id {
            return Err(VaultError::WrongKey);
        }
        match (link, &link_tree) {
            (Some(link), _) if link.store_id != meta.store_id => return Err(VaultError::Mismatch),
            (None, Some(tree)) => tree.insert(LINK_KEY, &VaultLink { store_id: meta.store_id })?,
            _ => {}
        }
        let root_bytes = envelope::open(&kek, &meta.root, ROOT_CONTEXT, "key store")?;
        let trail_started = super::records::trail_marked(&root_bytes);
        let mut root = Zeroizing::new([0u8; 32]);
        root.copy_from_slice(root_bytes.get(..32).ok_or(VaultError::Crypto("short root secret"))?);
        let generation_records = keys.tree::<GenerationRecord>()?;
        let mut generation_keys = HashMap::new();
        for entry in generation_records.iter_at(std::time::SystemTime::now()) {
            let (_, record) = entry?;
            if let Some(wrapped) = &record.wrapped {
                let bytes = envelope::open(&kek, wrapped, &generation_context(record.id), "generation key")?;
                let mut key = Zeroizing::new([0u8; 32]);
                key.copy_from_slice(bytes.get(..32).ok_or(VaultError::Crypto("short generation key"))?);
                generation_keys.insert(record.id, Arc::new(envelope::aead_key(&key)?));
            }
        }
        let forget_records = keys.tree::<ForgetRecord>()?;
        let mut forgetting = std::collections::HashSet::new();
        for entry in forget_records.iter_at(std::time::SystemTime::now()) {
            let (key, _) = entry?;
            if let Ok(id) = <[u8; 8]>::try_from(key.as_slice()) {
                forgetting.insert(i64::from_be_bytes(id));
            }
        }
        drop((meta_tree, generation_records, forget_records));
        let vault = Vault {
            keys: KeySlot::new(KeyTrees::open(keys)?),
            kek: RwLock::new(kek),
            root,
            generations: RwLock::new(Generations { keys: generation_keys, active: meta.active_generation }),
            cache: Mutex::new(HashMap::new()),
            key_lock: Mutex::new(()),
            forgetting: Mutex::new(forgetting),
            nonces,
            destroyed: AtomicU64::new(0),
            shredded: Mutex::new(0),
            trail_started: AtomicBool::new(trail_started),
        };
        vault.shred_left_over()?;
        Ok(vault)
    }

    /// A 32-byte subkey for one purpose, derived from the key store's root secret (stable across
    /// KEK rotations).
    #[must_use]
    pub fn subkey(&self, label: &str) -> Zeroizing<[u8; 32]> {
        let key = hmac::Key::new(hmac::HMAC_SHA256, self.root.as_slice());
        let mut ctx = hmac::Context::with_key(&key);
        ctx.update(b"arcana/subkey/");
        ctx.update(label.as_bytes());
        let mut out = Zeroizing::new([0u8; 32]);
        out.copy_from_slice(ctx.sign().as_ref());
        out
    }

    /// The 16-bit tag every data key id of `subject` starts with: a record sealed under an
    /// earlier key of the same subject (destroyed by a deletion) is told apart from one moved
    /// from another subject, without keeping any trace of destroyed keys.
    fn key_tag(&self, subject: i64) -> u16 {
        let index = self.blind_index("data-key-tag", &subject.to_be_bytes());
        u16::from_be_bytes([index[0], index[1]])
    }

    /// A keyed blind index of `value` for `purpose`: equal inputs give equal indexes, and the
    /// index reveals nothing without the key.
    #[must_use]
    pub fn blind_index(&self, purpose: &str, value: &[u8]) -> [u8; 32] {
        let key = hmac::Key::new(hmac::HMAC_SHA256, self.subkey(&format!("blind/{purpose}")).as_slice());
        let mut out = [0u8; 32];
        out.copy_from_slice(hmac::sign(&key, value).as_ref());
        out
    }

    /// Seals `plaintext` for `subject`, bound to `tree` and `key`. Creates the subject's data key
    /// if it has none; refuses while the subject is being deleted.
    pub fn seal(&self, subject: i64, tree: &str, key: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, VaultError> {
        if self.is_forgetting(subject) {
            return Err(VaultError::BeingDeleted);
        }
        let (key_id, data_key) = self.data_key(subject, true)?.ok_or(VaultError::Shredded)?;
        envelope::seal(
            &data_key,
            KeyRef { kind: KeyKind::Data, id: key_id },
            &envelope::record_context(tree, key),
            plaintext,
            &self.nonces,
        )
    }

    /// Opens a value sealed for `subject` at `tree`/`key`. [`VaultError::Shredded`] if the key
    /// that sealed it is destroyed (the subject was deleted, perhaps since come back).
    pub fn open(&self, subject: i64, tree: &str, key: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, VaultError> {
        let Some(KeyRef { kind: KeyKind::Data, id: sealed_with }) = envelope::key_ref(sealed) else {
            return Err(VaultError::Open { tree: tree.to_owned(), reason: "unknown key" });
        };
        let (key_id, data_key) = self.data_key(subject, false)?.ok_or(VaultError::Shredded)?;
        if key_id != sealed_with {
            // An earlier key of this subject, destroyed when they were deleted; or a record
            // moved here from another subject.
            // A record under the legacy id 1 when the subject now has a newer key can only be
            // from before a deletion (ids are no longer 1 for new keys).
            return Err(if sealed_with == legacy_key_id() || self.key_tag(subject) == key_tag_of(sealed_with) {
                VaultError::Shredded
            } else {
                VaultError::Open { tree: tree.to_owned(), reason: "sealed for another subject" }
            });
        }
        envelope::open(&data_key, sealed, &envelope::record_context(tree, key), tree)
    }

    /// A consistent copy of the key store (for backups).
    pub fn snapshot(&self) -> Result<crate::store::Snapshot, VaultError> {
        Ok(self.keys()?.store.snapshot()?)
    }

    /// Whether `subject` has a data key.
    pub fn has_subject(&self, subject: i64) -> Result<bool, VaultError> {
        Ok(self.keys()?.data_keys.get(&subject.to_be_bytes())?.is_some())
    }

    /// Makes key store changes durable.
    pub async fn flush(&self) -> Result<(), VaultError> {
        let keys = self.keys()?;
        Ok(keys.store.flush().await?)
    }

    /// Makes key store changes durable, on the calling thread.
    pub fn flush_blocking(&self) -> Result<(), VaultError> {
        Ok(self.keys()?.store.flush_blocking()?)
    }

    /// `subject`'s data key and its id; with `create`, a new one if there is none.
    fn data_key(&self, subject: i64, create: bool) -> Result<Option<(u32, Arc<LessSafeKey>)>, VaultError> {
        if let Some((id, key)) = self.cache.lock().unwrap_or_else(PoisonError::into_inner).get(&subject) {
            return Ok(Some((*id, Arc::clone(key))));
        }
        let _lock = self.key_lock.lock().unwrap_or_else(PoisonError::into_inner);
        let keys = self.keys()?;
        let id = subject.to_be_bytes();
        let (key_id, raw) = match keys.data_keys.get(&id)? {
            Some(record) => (record.key_id, self.unwrap_data_key(subject, &record)?),
            // Re-checked under the lock: a deletion may have begun since `seal` looked.
            None if create && !self.is_forgetting(subject) => {
                let raw = random_key(&self.nonces)?;
                let key_id = new_key_id(&self.nonces, self.key_tag(subject))?;
                keys.data_keys.insert(&id, &self.wrap_data_key(subject, &raw, key_id)?)?;
                // Durable before anything it seals can be: a record whose key a crash lost
                // would be a user's data (or paid credits) gone for good.
                if let Err(e) = keys.store.flush_blocking() {
                    // Never hand out a key that may not reach the disk.
                    let _ = keys.data_keys.remove(&id);
                    return Err(e.into());
                }
                (key_id, raw)
            }
            None if create => return Err(VaultError::BeingDeleted),
            None => return Ok(None),
        };
        let key = Arc::new(envelope::aead_key(&raw)?);
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(subject, (key_id, Arc::clone(&key)));
        Ok(Some((key_id, key)))
    }

    /// Wraps a data key (with id `key_id`) under the active generation key.
    pub(crate) fn wrap_data_key(&self, subject: i64, raw: &[u8; 32], key_id: u32) -> Result<DataKeyRecord, VaultError> {
        let generations = self.generations.read().unwrap_or_else(PoisonError::into_inner);
        let active = generations.active;
        let wrapping = generations.keys.get(&active).ok_or(VaultError::MissingGeneration(active))?;
        let wrapped = envelope::seal(
            wrapping,
            KeyRef { kind: KeyKind::Generation, id: active },
            &data_key_context(subject),
            raw.as_slice(),
            &self.nonces,
        )?;
        Ok(DataKeyRecord { generation: active, wrapped, key_id })
    }

    pub(crate) fn unwrap_data_key(
        &self,
        subject: i64,
        record: &DataKeyRecord,
    ) -> Result<Zeroizing<[u8; 32]>, VaultError> {
        let generations = self.generations.read().unwrap_or_else(PoisonError::into_inner);
        let wrapping =
            generations.keys.get(&record.generation).ok_or(VaultError::MissingGeneration(record.generation))?;
        let bytes = envelope::open(wrapping, &record.wrapped, &data_key_context(subject), "data key")?;
        let mut raw = Zeroizing::new([0u8; 32]);
        raw.copy_from_slice(bytes.get(..32).ok_or(VaultError::Crypto("short data key"))?);
        Ok(raw)
    }
}

/// A new data key id: the subject's 16-bit tag, then 16 random bits (never the legacy id 1).
fn new_key_id(nonces: &NonceSource, tag: u16) -> Result<u32, VaultError> {
    loop {
        let mut bytes = [0u8; 2];
        nonces.fill(&mut bytes)?;
        let id = u32::from(tag) << 16 | u32::from(u16::from_be_bytes(bytes));
        if id > legacy_key_id() {
            return Ok(id);
        }
    }
}

/// The subject tag in a data key id.
fn key_tag_of(key_id: u32) -> u16 {
    u16::try_from(key_id >> 16).unwrap_or(u16::MAX)
}

/// Creates a new key store: ids, root secret, first generation key, KEK check.
fn create(
    keys: &Store,
    meta_tree: &TypedTree<KeystoreMeta>,
    input: &KekInput,
    nonces: &NonceSource,
    now_ms: u64,
) -> Result<KeystoreMeta, VaultError> {
    let mut store_id = [0u8; 16];
    let mut kdf_salt = [0u8; 16];
    nonces.fill(&mut store_id)?;
    nonces.fill(&mut kdf_salt)?;
    let kek = input.derive(&kdf_salt, PASSPHRASE_ITERATIONS)?;
    let kek_ref = KeyRef { kind: KeyKind::Kek, id: 0 };
    let root = random_key(nonces)?;
    let generation = random_key(nonces)?;
    let record = GenerationRecord {
        id: 1,
        state: GenerationState::Active,
        wrapped: Some(envelope::seal(&kek, kek_ref, &generation_context(1), generation.as_slice(), nonces)?),
        next_wrapped: None,
        created_ms: now_ms,
        retired_ms: None,
    };
    keys.tree::<GenerationRecord>()?.insert(&1u32.to_be_bytes(), &record)?;
    let meta = KeystoreMeta {
        store_id,
        kek_source: input.source(),
        kdf_salt,
        kdf_iterations: PASSPHRASE_ITERATIONS,
        kek_epoch: 0,
        kek_check: envelope::seal(&kek, kek_ref, KEK_CHECK_CONTEXT, &store_id, nonces)?,
        root: envelope::seal(&kek, kek_ref, ROOT_CONTEXT, root.as_slice(), nonces)?,
        active_generation: 1,
        next_kek_check: None,
        next_root: None,
        rekey_committed: false,
    };
    meta_tree.insert(META_KEY, &meta)?;
    // Nothing destroyed yet: no rewrite at its first load.
    super::records::mark_new(keys, now_ms)?;
    keys.flush_blocking()?;
    Ok(meta)
}
