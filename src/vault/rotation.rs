//! Rotating generation keys: `arcana keys rotate` makes a new active generation; data keys
//! wrapped under older ones are re-wrapped in the background (throttled, resumable — the state
//! is in the key store), and a generation that wraps nothing any more is retired: its key
//! material is destroyed.

use std::{
    sync::{Arc, PoisonError},
    time::SystemTime,
};

use crate::{audit_tap::Event, store::StoreError};

use super::{
    Vault, VaultError,
    envelope::{self, KeyKind, KeyRef},
    records::{GenerationRecord, GenerationState, META_KEY, generation_context},
};

/// One generation key as `arcana keys status` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerationStatus {
    /// Its id.
    pub id: u32,
    /// Its state.
    pub state: GenerationState,
    /// Data keys it still wraps.
    pub data_keys: usize,
    /// Created (Unix ms).
    pub created_ms: u64,
}

impl Vault {
    /// Makes a new active generation key; the old active one starts retiring.
    pub fn rotate(&self, now_ms: u64) -> Result<u32, VaultError> {
        let _lock = self.key_lock.lock().unwrap_or_else(PoisonError::into_inner);
        let mut generations = self.generations.write().unwrap_or_else(PoisonError::into_inner);
        let kek = Arc::clone(&self.kek.read().unwrap_or_else(PoisonError::into_inner));
        let mut meta = self.keys()?.meta.get(META_KEY)?.ok_or(VaultError::Mismatch)?;
        let id = self.all_generations()?.iter().map(|g| g.id).max().unwrap_or(0) + 1;
        let mut raw = zeroize::Zeroizing::new([0u8; 32]);
        self.nonces.fill(&mut *raw)?;
        let wrapped = envelope::seal(
            &kek,
            KeyRef { kind: KeyKind::Kek, id: meta.kek_epoch },
            &generation_context(id),
            raw.as_slice(),
            &self.nonces,
        )?;
        let record = GenerationRecord {
            id,
            state: GenerationState::Active,
            wrapped: Some(wrapped),
            next_wrapped: None,
            created_ms: now_ms,
            retired_ms: None,
        };
        self.keys()?.generation_records.insert(&id.to_be_bytes(), &record)?;
        for mut old in self.all_generations()? {
            if old.id != id && old.state == GenerationState::Active {
                old.state = GenerationState::Retiring;
                self.keys()?.generation_records.insert(&old.id.to_be_bytes(), &old)?;
            }
        }
        meta.active_generation = id;
        self.keys()?.meta.insert(META_KEY, &meta)?;
        self.keys()?.store.flush_blocking()?;
        generations.keys.insert(id, Arc::new(envelope::aead_key(&raw)?));
        generations.active = id;
        tracing::warn!(target: "arcana::audit", event = Event::KeyRotation.name(), generation = id,
            "new active generation key");
        Ok(id)
    }

    /// Subjects whose data keys are wrapped under a generation other than the active one.
    pub fn pending_rewrap(&self) -> Result<Vec<i64>, VaultError> {
        let active = self.generations.read().unwrap_or_else(PoisonError::into_inner).active;
        let mut pending = Vec::new();
        for entry in self.keys()?.data_keys.iter_at(SystemTime::now()) {
            let (key, record) = entry?;
            if record.generation != active
                && let Ok(bytes) = <[u8; 8]>::try_from(key.as_slice())
            {
                pending.push(i64::from_be_bytes(bytes));
            }
        }
        Ok(pending)
    }

    /// Re-wraps the data keys of `subjects` under the active generation; returns how many moved.
    pub fn rewrap(&self, subjects: &[i64]) -> Result<usize, VaultError> {
        let mut moved = 0;
        for &subject in subjects {
            let _lock = self.key_lock.lock().unwrap_or_else(PoisonError::into_inner);
            let id = subject.to_be_bytes();
            // Re-read under the lock: the subject may have been deleted meanwhile.
            let Some(record) = self.keys()?.data_keys.get(&id)? else { continue };
            let active = self.generations.read().unwrap_or_else(PoisonError::into_inner).active;
            if record.generation == active {
                continue;
            }
            let raw = self.unwrap_data_key(subject, &record)?;
            self.keys()?.data_keys.insert(&id, &self.wrap_data_key(subject, &raw, record.key_id)?)?;
            moved += 1;
        }
        Ok(moved)
    }

    /// Retires retiring generations that wrap nothing any more; returns their ids. Their key
    /// material is then taken off the disk too (the key store is rewritten: [`Vault::shred`]).
    pub fn retire_finished(&self, now_ms: u64) -> Result<Vec<u32>, VaultError> {
        let retired = self.retire_locked(now_ms)?;
        if !retired.is_empty()
            && let Err(e) = self.shred()
        {
            tracing::error!(error = %e, "cannot rewrite the key store after retiring a generation key; retried later");
        }
        Ok(retired)
    }

    fn retire_locked(&self, now_ms: u64) -> Result<Vec<u32>, VaultError> {
        let _lock = self.key_lock.lock().unwrap_or_else(PoisonError::into_inner);
        let counts = self.counts()?;
        let keys = self.keys()?;
        let mut retired = Vec::new();
        for mut record in self.all_generations()? {
            if record.state == GenerationState::Retiring && counts.get(&record.id).copied().unwrap_or(0) == 0 {
                record.state = GenerationState::Retired;
                record.wrapped = None;
                record.next_wrapped = None;
                record.retired_ms = Some(now_ms);
                keys.generation_records.insert(&record.id.to_be_bytes(), &record)?;
                self.generations.write().unwrap_or_else(PoisonError::into_inner).keys.remove(&record.id);
                retired.push(record.id);
                tracing::warn!(target: "arcana::audit", event = Event::KeyRetired.name(), generation = record.id,
                    "generation key retired");
            }
        }
        if !retired.is_empty() {
            Vault::destroying(&keys, now_ms)?;
            keys.store.flush_blocking()?;
            self.destroyed_durably();
        }
        Ok(retired)
    }

    /// Re-wraps everything pending and retires what it can, in batches of `batch` (offline use).
    pub fn finish_rotation(&self, batch: usize, now_ms: u64) -> Result<usize, VaultError> {
        let pending = self.pending_rewrap()?;
        let mut moved = 0;
        for chunk in pending.chunks(batch.max(1)) {
            moved += self.rewrap(chunk)?;
        }
        self.keys()?.store.flush_blocking()?;
        self.retire_finished(now_ms)?;
        Ok(moved)
    }

    /// Every generation key with its state and how many data keys it wraps.
    pub fn status(&self) -> Result<Vec<GenerationStatus>, VaultError> {
        let counts = self.counts()?;
        Ok(self
            .all_generations()?
            .into_iter()
            .map(|g| GenerationStatus {
                id: g.id,
                state: g.state,
                data_keys: counts.get(&g.id).copied().unwrap_or(0),
                created_ms: g.created_ms,
            })
            .collect())
    }

    fn counts(&self) -> Result<std::collections::HashMap<u32, usize>, VaultError> {
        let mut counts = std::collections::HashMap::new();
        for entry in self.keys()?.data_keys.iter_at(SystemTime::now()) {
            let (_, record) = entry?;
            *counts.entry(record.generation).or_insert(0) += 1;
        }
        Ok(counts)
    }

    fn all_generations(&self) -> Result<Vec<GenerationRecord>, VaultError> {
        let keys = self.keys()?;
        let all: Result<Vec<GenerationRecord>, StoreError> =
            keys.generation_records.iter_at(SystemTime::now()).map(|e| e.map(|(_, r)| r)).collect();
        Ok(all?)
    }
}
