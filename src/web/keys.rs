//! The token signing key of a generation: `HMAC-SHA256(vault subkey "web-token/v1",
//! generation)`, named by the generation in the token's `kid`. The generation lives in the store
//! ([`crate::control::token_key_generation`]) so a rotation reaches a running bot at once.

use ring::hmac;

use crate::{control::token_key_generation, store::StoreError, vault::Vault};

use super::jwt::SigningKey;

/// The vault subkey label the signing keys derive from.
const KEY_LABEL: &str = "web-token/v1";

/// The signing key of `generation`.
#[must_use]
pub fn signing_key(vault: &Vault, generation: u32) -> SigningKey {
    let base = vault.subkey(KEY_LABEL);
    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, base.as_slice()), &generation.to_be_bytes());
    SigningKey::new(generation.to_string(), tag.as_ref())
}

/// The key in force.
pub fn current(store: &crate::store::Store, vault: &Vault) -> Result<SigningKey, StoreError> {
    Ok(signing_key(vault, token_key_generation(store)?))
}
