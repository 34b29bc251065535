//! A KEK rotation a crash interrupted, met when the vault opens: [`resume`] finishes it when
//! given the new KEK and discards it when given the old one (the steps are in [`super::rekey`]).
//! Below the `Vault` itself, which calls it while opening.

use ring::aead::LessSafeKey;

use crate::store::{Store, TypedTree};

use super::{
    VaultError, envelope,
    records::{GenerationRecord, KEK_CHECK_CONTEXT, KeystoreMeta, META_KEY},
};

/// Finishes (new KEK given) or discards (old KEK given) an interrupted KEK rotation.
pub(crate) fn resume(
    keys: &Store,
    meta_tree: &TypedTree<KeystoreMeta>,
    kek: &LessSafeKey,
    mut meta: KeystoreMeta,
) -> Result<KeystoreMeta, VaultError> {
    let Some(next_check) = meta.next_kek_check.clone() else { return Ok(meta) };
    let generations = keys.tree::<GenerationRecord>()?;
    let new_kek_given = envelope::open(kek, &next_check, KEK_CHECK_CONTEXT, "key store").is_ok();
    if meta.rekey_committed && !new_kek_given {
        return Err(VaultError::KekSource(
            "a master key rotation was committed but not finished: start with the new master key or passphrase",
        ));
    }
    if !meta.rekey_committed && envelope::open(kek, &meta.kek_check, KEK_CHECK_CONTEXT, "key store").is_ok() {
        tracing::warn!("discarding an unfinished master key rotation");
        for entry in generations.iter_at(std::time::SystemTime::now()) {
            let (key, mut record) = entry?;
            if record.next_wrapped.take().is_some() {
                generations.insert(&key, &record)?;
            }
        }
        meta.next_kek_check = None;
        meta.next_root = None;
    } else if new_kek_given {
        tracing::warn!("finishing an interrupted master key rotation");
        promote(&generations, &mut meta)?;
    } else {
        return Err(VaultError::WrongKey);
    }
    meta_tree.insert(META_KEY, &meta)?;
    keys.flush_blocking()?;
    Ok(meta)
}

/// Replaces the old wraps with the new ones (idempotent).
pub(crate) fn promote(generations: &TypedTree<GenerationRecord>, meta: &mut KeystoreMeta) -> Result<(), VaultError> {
    for entry in generations.iter_at(std::time::SystemTime::now()) {
        let (key, mut record) = entry?;
        if let Some(next) = record.next_wrapped.take() {
            record.wrapped = Some(next);
            generations.insert(&key, &record)?;
        }
    }
    if let (Some(check), Some(root)) = (meta.next_kek_check.take(), meta.next_root.take()) {
        meta.kek_check = check;
        meta.root = root;
        meta.kek_epoch += 1;
    }
    meta.rekey_committed = false;
    Ok(())
}
