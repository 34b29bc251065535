//! What the key store persists (the `DIR/keys/` sled store) and the link record in the data store;
//! the key of the header record, and what each wrapped key is bound to (its context).

use serde::{Deserialize, Serialize};

use crate::store::Record;

use super::kek::KekSource;

/// The key of the key store's header record ([`KeystoreMeta`]).
pub(crate) const META_KEY: &[u8] = b"meta";

/// What a generation key is bound to when wrapped under the KEK.
pub(crate) fn generation_context(id: u32) -> Vec<u8> {
    [b"arcana/generation/".as_slice(), &id.to_be_bytes()].concat()
}

/// What a subject's data key is bound to when wrapped under a generation key.
pub(crate) fn data_key_context(subject: i64) -> Vec<u8> {
    [b"arcana/data-key/".as_slice(), &subject.to_be_bytes()].concat()
}

/// What the KEK check (`KeystoreMeta::kek_check`) is bound to.
pub(crate) const KEK_CHECK_CONTEXT: &[u8] = b"arcana/kek-check";
/// What the root secret (`KeystoreMeta::root`) is bound to.
pub(crate) const ROOT_CONTEXT: &[u8] = b"arcana/root";

/// The key store's header record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeystoreMeta {
    /// Random id shared with the data store's link record.
    pub store_id: [u8; 16],
    /// Where the KEK comes from.
    pub kek_source: KekSource,
    /// PBKDF2 salt (passphrase KEKs).
    pub kdf_salt: [u8; 16],
    /// PBKDF2 iterations (passphrase KEKs).
    pub kdf_iterations: u32,
    /// How many times the KEK has been rotated (the KEK's key id).
    pub kek_epoch: u32,
    /// `store_id` sealed under the KEK: opens only with the right master key.
    #[serde(with = "serde_bytes")]
    pub kek_check: Vec<u8>,
    /// The root secret (subkeys: blind indexes, debounce, backups) sealed under the KEK.
    #[serde(with = "serde_bytes")]
    pub root: Vec<u8>,
    /// The generation key new data keys are wrapped under.
    pub active_generation: u32,
    /// During a KEK rotation: `store_id` sealed under the new KEK.
    #[serde(with = "serde_bytes")]
    pub next_kek_check: Option<Vec<u8>>,
    /// During a KEK rotation: the root secret sealed under the new KEK.
    #[serde(with = "serde_bytes")]
    pub next_root: Option<Vec<u8>>,
    /// During a KEK rotation: the new KEK is committed (a passphrase rotation's commit point;
    /// for a key file, the rename of `master.key.new` is): only the new KEK finishes it.
    #[serde(default)]
    pub rekey_committed: bool,
}

impl Record for KeystoreMeta {
    const TREE: &'static str = "vault_meta";
    const VERSION: u8 = 1;
}

/// A generation key's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GenerationState {
    /// Wraps new data keys.
    Active,
    /// Still unwraps data keys not yet re-wrapped.
    Retiring,
    /// Wraps nothing any more; its key material is destroyed.
    Retired,
}

/// A generation key, wrapped under the KEK.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenerationRecord {
    /// Its id.
    pub id: u32,
    /// Its state.
    pub state: GenerationState,
    /// The key sealed under the KEK (`None` once retired).
    #[serde(with = "serde_bytes")]
    pub wrapped: Option<Vec<u8>>,
    /// During a KEK rotation: the key sealed under the new KEK.
    #[serde(with = "serde_bytes")]
    pub next_wrapped: Option<Vec<u8>>,
    /// Created (Unix ms).
    pub created_ms: u64,
    /// Retired (Unix ms).
    pub retired_ms: Option<u64>,
}

impl Record for GenerationRecord {
    const TREE: &'static str = "vault_generations";
    const VERSION: u8 = 1;
}

/// A subject's data key, wrapped under a generation key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataKeyRecord {
    /// The generation that wraps it.
    pub generation: u32,
    /// The key sealed under that generation.
    #[serde(with = "serde_bytes")]
    pub wrapped: Vec<u8>,
    /// The key's id, named by every record it seals: random for each new key, so a record
    /// sealed under a key destroyed since (a deleted user who came back) is recognised as
    /// such. Keys made before ids existed have id 1.
    #[serde(default = "legacy_key_id")]
    pub key_id: u32,
}

/// The id of data keys made before keys had ids.
pub(crate) const fn legacy_key_id() -> u32 {
    1
}

/// In the key store while a subject is being deleted: no new record is sealed for them, and an
/// interrupted deletion is finished on the next start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForgetRecord {
    /// When the deletion started (Unix ms).
    pub since_ms: u64,
}

impl Record for ForgetRecord {
    const TREE: &'static str = "vault_forgetting";
    const VERSION: u8 = 1;
}

impl Record for DataKeyRecord {
    const TREE: &'static str = "vault_data_keys";
    const VERSION: u8 = 1;
}

/// In the data store: which key store it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VaultLink {
    /// The key store's `store_id`.
    pub store_id: [u8; 16],
}

impl Record for VaultLink {
    const TREE: &'static str = "vault_link";
    const VERSION: u8 = 1;
}

/// In the key store: key material was destroyed and its bytes may still be in the store's
/// files; the store is rewritten at the next load if this survives until then.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShredPending {
    /// When key material was first destroyed since the last rewrite (Unix ms).
    pub since_ms: u64,
}

impl Record for ShredPending {
    const TREE: &'static str = "vault_shred_pending";
    const VERSION: u8 = 1;
}

/// In the key store: when it was last rewritten (or created). A key store without it has never
/// been rewritten, and is, once, at load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rewritten {
    /// Unix ms.
    pub at_ms: u64,
}

impl Record for Rewritten {
    const TREE: &'static str = "vault_rewritten";
    const VERSION: u8 = 1;
}

/// The key of the key store's shred state records ([`ShredPending`], [`Rewritten`]).
pub(crate) const SHRED_STATE_KEY: &[u8] = b"state";

/// Marks a new key store as holding nothing destroyed (nothing to rewrite at its first load).
pub(crate) fn mark_new(keys: &crate::store::Store, now_ms: u64) -> Result<(), crate::store::StoreError> {
    keys.tree::<Rewritten>()?.insert(SHRED_STATE_KEY, &Rewritten { at_ms: now_ms })
}

/// The flag byte's bit for "an audit trail has existed".
pub(crate) const TRAIL_STARTED: u8 = 1;

/// Whether the opened root envelope `plaintext` carries the trail mark.
pub(crate) fn trail_marked(plaintext: &[u8]) -> bool {
    plaintext.get(32).is_some_and(|flags| flags & TRAIL_STARTED != 0)
}
