//! Escalating penalties: a user denied `strikes` times within `strike_window` is muted for
//! `base`, doubling with each further mute up to `cap`; each quiet `decay_after` since the last
//! mute lowers the next one a step. Mutes and levels are persisted (`penalties` tree) and
//! survive a restart.

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::{
    config::PenaltyConfig,
    store::{Record, Store, StoreError, TypedTree},
};

use crate::clock::duration_ms as ms;

use super::shards::Sharded;

/// The persisted part of a user's penalty state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PenaltyRecord {
    /// How many mutes have been imposed (after decay).
    pub level: u32,
    /// The current mute ends at this time (Unix ms; 0 for none).
    pub muted_until_ms: u64,
    /// When the last mute was imposed (Unix ms).
    pub last_mute_ms: u64,
}

impl Record for PenaltyRecord {
    const TREE: &'static str = "penalties";
    const VERSION: u8 = 1;
}

#[derive(Debug, Default)]
struct State {
    record: PenaltyRecord,
    strike_window_start: u64,
    strikes: u32,
    noticed_mute_until: u64,
}

/// A mute imposed just now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mute {
    /// How long it lasts.
    pub duration: Duration,
    /// The level after this mute.
    pub level: u32,
}

/// Penalty state of all users with any.
pub(crate) struct Penalties {
    config: PenaltyConfig,
    tree: TypedTree<PenaltyRecord>,
    users: Sharded<i64, State>,
}

impl Penalties {
    pub(crate) fn load(config: PenaltyConfig, store: &Store) -> Result<Penalties, StoreError> {
        let tree = store.tree::<PenaltyRecord>()?;
        let users = Sharded::default();
        for entry in tree.iter_at(SystemTime::now()) {
            let (k, record) = entry?;
            if let Ok(bytes) = <[u8; 8]>::try_from(k.as_slice()) {
                users.with(i64::from_be_bytes(bytes), |s: &mut State| s.record = record);
            }
        }
        Ok(Penalties { config, tree, users })
    }

    /// If `user` is muted at `now_unix`: the time left and whether to notify (once per mute).
    pub(crate) fn muted(&self, user: i64, now_unix: u64) -> Option<(Duration, bool)> {
        self.users
            .get_with(&user, |s| {
                (s.record.muted_until_ms > now_unix).then(|| {
                    let notify = s.noticed_mute_until != s.record.muted_until_ms;
                    s.noticed_mute_until = s.record.muted_until_ms;
                    (Duration::from_millis(s.record.muted_until_ms - now_unix), notify)
                })
            })
            .flatten()
    }

    /// Counts a denial; imposes (and persists) a mute when the strikes are reached.
    pub(crate) fn strike(&self, user: i64, now_mono: u64, now_unix: u64) -> Result<Option<Mute>, StoreError> {
        let config = self.config;
        let mute = self.users.with(user, |s| {
            if now_mono.saturating_sub(s.strike_window_start) >= ms(config.strike_window) || s.strikes == 0 {
                s.strike_window_start = now_mono;
                s.strikes = 0;
            }
            s.strikes += 1;
            if s.strikes < config.strikes.get() {
                return None;
            }
            s.strikes = 0;
            let level = decayed_level(&s.record, now_unix, &config);
            let duration = mute_for(level, &config);
            s.record = PenaltyRecord {
                level: level.saturating_add(1).min(32),
                muted_until_ms: now_unix + ms(duration),
                last_mute_ms: now_unix,
            };
            Some((Mute { duration, level: s.record.level }, s.record))
        });
        let Some((mute, record)) = mute else { return Ok(None) };
        self.tree.insert(&user.to_be_bytes(), &record)?;
        Ok(Some(mute))
    }

    /// Forgets users with nothing left to remember; returns how many.
    pub(crate) fn sweep(&self, now_mono: u64, now_unix: u64) -> usize {
        let config = self.config;
        let mut forgotten = Vec::new();
        let removed = self.users.retain(|user, s| {
            let striking = s.strikes > 0 && now_mono.saturating_sub(s.strike_window_start) < ms(config.strike_window);
            let keep =
                striking || s.record.muted_until_ms > now_unix || decayed_level(&s.record, now_unix, &config) > 0;
            if !keep && s.record != PenaltyRecord::default() {
                forgotten.push(*user);
            }
            keep
        });
        for user in forgotten {
            if let Err(e) = self.tree.remove(&user.to_be_bytes()) {
                tracing::warn!(error = %e, "cannot remove a decayed penalty");
            }
        }
        removed
    }

    pub(crate) fn tracked(&self) -> usize {
        self.users.len()
    }

    /// Lifts `user`'s mute and forgets their strikes and level (memory and store); returns
    /// whether a mute was in force at `now_unix`.
    pub(crate) fn lift(&self, user: i64, now_unix: u64) -> Result<bool, StoreError> {
        let muted = self.users.get_with(&user, |s| s.record.muted_until_ms > now_unix).unwrap_or(false);
        self.users.retain(|u, _| *u != user);
        self.tree.remove(&user.to_be_bytes())?;
        Ok(muted)
    }

    /// Lifts every mute and forgets all strikes and levels; returns how many mutes were in
    /// force at `now_unix`.
    pub(crate) fn lift_all(&self, now_unix: u64) -> Result<usize, StoreError> {
        let mut muted = 0;
        self.users.retain(|_, s| {
            muted += usize::from(s.record.muted_until_ms > now_unix);
            false
        });
        forget_all_penalties(&self.tree)?;
        Ok(muted)
    }
}

/// Removes every persisted penalty; returns how many records there were.
fn forget_all_penalties(tree: &TypedTree<PenaltyRecord>) -> Result<usize, StoreError> {
    let keys: Vec<Vec<u8>> = tree.iter_at(SystemTime::now()).map(|e| e.map(|(k, _)| k)).collect::<Result<_, _>>()?;
    tree.apply(&[], &keys)?;
    Ok(keys.len())
}

/// Removes every persisted penalty in `store` (the offline `reset-limits --all`); returns how
/// many there were.
pub fn forget_penalties(store: &Store) -> Result<usize, StoreError> {
    forget_all_penalties(&store.tree::<PenaltyRecord>()?)
}

/// `user`'s persisted penalty, if any (a mute in force is always persisted).
pub fn penalty_of(store: &Store, user: i64) -> Result<Option<PenaltyRecord>, StoreError> {
    store.tree::<PenaltyRecord>()?.get(&user.to_be_bytes())
}

/// Removes `user`'s persisted penalty (their deletion); returns whether there was one. A running
/// sentinel's memory of a mute in force (RAM only) lapses with the mute.
pub fn forget_penalty(store: &Store, user: i64) -> Result<bool, StoreError> {
    store.tree::<PenaltyRecord>()?.remove(&user.to_be_bytes())
}

/// The level left after quiet periods since the last mute.
fn decayed_level(record: &PenaltyRecord, now_unix: u64, config: &PenaltyConfig) -> u32 {
    let quiet = now_unix.saturating_sub(record.last_mute_ms.max(record.muted_until_ms));
    let steps = quiet / ms(config.decay_after).max(1);
    record.level.saturating_sub(u32::try_from(steps).unwrap_or(u32::MAX))
}

/// `base × 2^level`, capped.
fn mute_for(level: u32, config: &PenaltyConfig) -> Duration {
    let factor = 1u32.checked_shl(level.min(31)).unwrap_or(u32::MAX);
    config.base.checked_mul(factor).unwrap_or(config.cap).min(config.cap)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::num::NonZeroU32;

    fn config() -> PenaltyConfig {
        PenaltyConfig {
            strikes: NonZeroU32::new(3).expect("nonzero"),
            strike_window: Duration::from_mins(1),
            base: Duration::from_mins(1),
            cap: Duration::from_mins(5),
            decay_after: Duration::from_hours(1),
        }
    }

    #[test]
    fn mutes_double_up_to_the_cap_and_decay() {
        let c = config();
        let mut r = PenaltyRecord::default();
        let mut seen = Vec::new();
        for _ in 0..5 {
            let level = decayed_level(&r, 0, &c);
            seen.push(mute_for(level, &c).as_secs());
            r.level = level + 1;
        }
        assert_eq!(seen, [60, 120, 240, 300, 300]);
        let r = PenaltyRecord { level: 3, muted_until_ms: 1_000, last_mute_ms: 0 };
        assert_eq!(decayed_level(&r, 1_000 + 2 * 3_600_000, &c), 1);
    }

    #[test]
    fn strikes_impose_a_persisted_mute() {
        let tmp = crate::layout::private_tempdir();
        let store = Store::open_temporary(tmp.path()).expect("open");
        let p = Penalties::load(config(), &store).expect("load");
        assert_eq!(p.strike(7, 0, 1_000).expect("strike"), None);
        assert_eq!(p.strike(7, 10, 1_010).expect("strike"), None);
        let mute = p.strike(7, 20, 1_020).expect("strike").expect("muted");
        assert_eq!(mute, Mute { duration: Duration::from_mins(1), level: 1 });
        assert_eq!(p.muted(7, 1_030), Some((Duration::from_millis(59_990), true)));
        assert_eq!(p.muted(7, 1_040).map(|(_, n)| n), Some(false), "one notice per mute");
        let reloaded = Penalties::load(config(), &store).expect("reload");
        assert!(reloaded.muted(7, 2_000).is_some(), "a mute survives a restart");
        assert!(reloaded.muted(7, 61_020).is_none());
    }

    #[test]
    fn a_lifted_mute_is_gone_from_memory_and_store() {
        let tmp = crate::layout::private_tempdir();
        let store = Store::open_temporary(tmp.path()).expect("open");
        let p = Penalties::load(config(), &store).expect("load");
        for (user, t) in [(7, 0), (7, 10), (7, 20), (8, 0), (8, 10), (8, 20)] {
            let _ = p.strike(user, t, 1_000 + t).expect("strike");
        }
        assert!(p.muted(7, 1_100).is_some() && p.muted(8, 1_100).is_some());
        assert!(p.lift(7, 1_100).expect("lift"), "a mute was in force");
        assert!(p.muted(7, 1_100).is_none(), "lifted at once");
        assert!(penalty_of(&store, 7).expect("read").is_none(), "and in the store");
        assert!(Penalties::load(config(), &store).expect("reload").muted(7, 1_100).is_none());
        assert_eq!(p.lift_all(1_100).expect("lift all"), 1);
        assert!(p.muted(8, 1_100).is_none());
        assert!(penalty_of(&store, 8).expect("read").is_none());
    }

    #[test]
    fn strikes_outside_the_window_do_not_add_up() {
        let tmp = crate::layout::private_tempdir();
        let store = Store::open_temporary(tmp.path()).expect("open");
        let p = Penalties::load(config(), &store).expect("load");
        for i in 0..10u64 {
            assert_eq!(p.strike(1, i * 40_000, i * 40_000).expect("strike"), None);
        }
    }
}
