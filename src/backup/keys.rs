//! The backup's file key and the vault: [`VaultSealer`] wraps it under the running store's KEK,
//! and a [`KekInput`] (the master key file or the passphrase) opens it again with nothing else.

use zeroize::Zeroizing;

use crate::vault::{KekInput, KekParams, Vault, VaultError, unwrap_under_kek};

use super::{
    BackupError, KeyOpener, KeySealer,
    format::{Header, KeyBlock, WRAPPED_KEY_LEN},
};

/// Wraps backup file keys under `vault`'s KEK, stamping the backup with `now_ms`.
pub struct VaultSealer<'a> {
    /// The vault whose KEK wraps the file key.
    pub vault: &'a Vault,
    /// When the backup is taken (Unix ms).
    pub now_ms: u64,
}

impl KeySealer for VaultSealer<'_> {
    fn key_block(&self, file_key: &[u8; 32], context: &[u8]) -> Result<KeyBlock, BackupError> {
        let params = self.vault.kek_params()?;
        let wrapped = self.vault.wrap_under_kek(file_key, context)?;
        let wrapped_key: [u8; WRAPPED_KEY_LEN] = wrapped
            .as_slice()
            .try_into()
            .map_err(|_| BackupError::Malformed("the wrapped file key has another size"))?;
        Ok(KeyBlock {
            created_ms: self.now_ms,
            kek_source: params.source,
            kdf_salt: params.salt,
            kdf_iterations: params.iterations,
            wrapped_key,
        })
    }
}

impl KeyOpener for KekInput {
    fn file_key(&self, header: &Header) -> Result<Zeroizing<[u8; 32]>, BackupError> {
        let block = &header.key_block;
        let params = KekParams { source: block.kek_source, salt: block.kdf_salt, iterations: block.kdf_iterations };
        unwrap_under_kek(self, &params, &block.wrapped_key, &header.key_context()).map_err(|e| match e {
            VaultError::KekSource(why) => BackupError::KekSource(why),
            _ => BackupError::WrongKey,
        })
    }
}
