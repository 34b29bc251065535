//! The generation of the web side's token signing key, kept in the store (the key itself is
//! derived from the vault and this number, in `web`). `arcana web rotate-key` moves to the next
//! generation: every token signed before stops working at once, running bot or not.

use serde::{Deserialize, Serialize};

use crate::{
    audit_tap::Event,
    store::{Record, Store, StoreError},
};

use super::{OpsError, Response};

const STATE_KEY: &[u8] = b"generation";

/// The stored generation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
struct KeyGeneration {
    generation: u32,
}

impl Record for KeyGeneration {
    const TREE: &'static str = "web_token_key";
    const VERSION: u8 = 1;
}

/// The generation in force (1 before any rotation).
pub fn generation(store: &Store) -> Result<u32, StoreError> {
    Ok(store.tree::<KeyGeneration>()?.get(STATE_KEY)?.map_or(1, |g| g.generation.max(1)))
}

/// Moves to the next generation, flushed; returns it.
pub fn rotate(store: &Store) -> Result<u32, StoreError> {
    let next = generation(store)?.saturating_add(1);
    store.tree::<KeyGeneration>()?.insert(STATE_KEY, &KeyGeneration { generation: next })?;
    store.flush_blocking()?;
    tracing::warn!(target: "arcana::audit", event = Event::WebKeyRotated.name(), generation = next,
        "web token signing key rotated; every earlier token is refused");
    Ok(next)
}

/// `arcana web rotate-key`.
pub(super) fn rotate_request(store: &Store) -> Result<Response, OpsError> {
    let next = rotate(store)?;
    Ok(Response::ok(vec![format!(
        "web token signing key rotated (generation {next}); every token issued before is refused — users open the Mini App again"
    )]))
}
