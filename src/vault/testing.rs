//! Test support: a data store and an unlocked vault in a temporary data directory.

use std::sync::Arc;

use crate::{layout::DataDir, store::Store};

use super::{KekInput, Vault};

/// A data store and its vault, in a temporary directory that lives as long as this value.
pub(crate) struct TempVault {
    /// Keeps the directory.
    pub tmp: tempfile::TempDir,
    /// The data store.
    pub data: Store,
    /// The vault, unlocked with the directory's fresh master key.
    pub vault: Arc<Vault>,
}

impl TempVault {
    /// The KEK input of the directory (its master key file).
    pub fn kek_input(&self) -> KekInput {
        KekInput::File(DataDir::new(self.tmp.path()).read_master_key().expect("key"))
    }

    /// Another handle on the vault's key store (tests that open a second vault on it, as a
    /// restarted process would; the key store is then not rewritten while both are open).
    pub fn keys_store(&self) -> Store {
        self.vault.keys().expect("keys").store.clone()
    }

    /// The raw sled tree `name` of the key store (tests that tamper with it).
    pub fn vault_keys_raw_tree(&self, name: &str) -> sled::Tree {
        self.vault.keys().expect("keys").store.raw_tree(name)
    }
}

/// A fresh data directory with its data store and vault.
pub(crate) fn temp_vault() -> TempVault {
    let tmp = crate::layout::private_tempdir();
    let dir = DataDir::new(tmp.path());
    dir.ensure().expect("layout");
    let data = Store::open_temporary(&dir.db_path()).expect("db");
    let keys = Store::open_temporary(&dir.keys_path()).expect("keys");
    let vault =
        Arc::new(Vault::load(&data, keys, &KekInput::File(dir.read_master_key().expect("key")), 0).expect("vault"));
    TempVault { tmp, data, vault }
}
