//! The `Sentinel`: decides a [`Verdict`] for every update, cheapest check first — blocklist,
//! penalty, debounce, then rate limit — and keeps its in-memory state bounded by sweeping.

use std::{collections::HashMap, sync::Arc, time::Duration};

use crate::{
    audit_tap::Event,
    config::{LimitRule, LimitScope, SentinelConfig},
    store::{Store, StoreError},
};

use crate::clock::{Clock, duration_ms as ms};

use super::{
    Inbound, InboundKind, Membership, Stats, Verdict,
    blocklist::Blocklist,
    debounce::Debouncer,
    penalty::Penalties,
    shards::Sharded,
    stats::Counters,
    window::{Admission, Window},
};

/// Whose events share a rate-limit bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Who {
    User(i64),
    UserInChat(i64, i64),
    Chat(i64),
    Global,
    /// A signed-in user's requests to the HTTP API.
    ApiUser(i64),
    /// Requests to the HTTP API from one client address (IPv4 mapped into IPv6).
    ApiAddress(u128),
}

/// The rule ids of the HTTP API's buckets (not indexes into `rules`).
const API_USER_RULE: u16 = u16::MAX;
const API_ADDRESS_RULE: u16 = u16::MAX - 1;

/// A bucket: whose, and which rule (0 = default, then commands, then callbacks).
type BucketKey = (Who, u16);

/// The vault subkey label of the sentinel's key (debounce fingerprints, pseudonymous bans).
pub const KEY_LABEL: &str = "debounce/v1";

/// The security layer in front of every handler.
pub struct Sentinel {
    clock: Arc<dyn Clock>,
    debounce_ms: u64,
    exempt_admins: bool,
    admins: Vec<i64>,
    rules: Vec<LimitRule>,
    command_rules: HashMap<String, u16>,
    callback_rules: HashMap<String, u16>,
    windows: Sharded<BucketKey, Window>,
    debouncer: Debouncer,
    blocklist: Blocklist,
    penalties: Penalties,
    counters: Counters,
    resolve: Option<UserRule>,
    /// The HTTP API's limits: per signed-in user, per client address.
    api_rules: Option<(LimitRule, LimitRule)>,
}

/// A library user's own rule for who may use the bot (like aiogram-sentinel's `resolve_user`):
/// returns false to refuse an update's sender.
pub type UserRule = Box<dyn Fn(&Inbound) -> bool + Send + Sync>;

impl std::fmt::Debug for Sentinel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sentinel").field("stats", &self.stats()).finish_non_exhaustive()
    }
}

impl Sentinel {
    /// Builds the sentinel, loading blocks and penalties from `store`. `fingerprint_key` keys the
    /// debounce hash and (through a derived key) pseudonymous bans: derive it from the vault with
    /// [`crate::vault::Vault::subkey`]`(`[`KEY_LABEL`]`)`, as the offline CLI's blocklist does.
    pub fn new(
        config: &SentinelConfig,
        admins: &[i64],
        store: &Store,
        fingerprint_key: &[u8; 32],
        clock: Arc<dyn Clock>,
    ) -> Result<Sentinel, StoreError> {
        let mut rules = vec![config.default];
        let mut command_rules = HashMap::new();
        let mut callback_rules = HashMap::new();
        for (name, rule) in &config.commands {
            command_rules.insert(name.clone(), u16::try_from(rules.len()).unwrap_or(u16::MAX));
            rules.push(*rule);
        }
        for (name, rule) in &config.callbacks {
            callback_rules.insert(name.clone(), u16::try_from(rules.len()).unwrap_or(u16::MAX));
            rules.push(*rule);
        }
        Ok(Sentinel {
            clock,
            debounce_ms: ms(config.debounce),
            exempt_admins: config.exempt_admins,
            admins: admins.to_vec(),
            rules,
            command_rules,
            callback_rules,
            windows: Sharded::default(),
            debouncer: Debouncer::new(fingerprint_key),
            blocklist: Blocklist::load(store, fingerprint_key)?,
            penalties: Penalties::load(config.penalty, store)?,
            counters: Counters::default(),
            resolve: None,
            api_rules: None,
        })
    }

    /// Decides what to do with `inbound` (and records what it needs to: membership changes,
    /// accepted events, fingerprints, strikes).
    pub fn check(&self, inbound: &Inbound) -> Verdict {
        let verdict = self.decide(inbound);
        self.counters.count(verdict);
        verdict
    }

    fn decide(&self, inbound: &Inbound) -> Verdict {
        let now_unix = self.clock.unix_ms();
        if let (Some(user), Some(change)) = (inbound.user, inbound.membership) {
            self.observe_membership(user, change, now_unix);
        }
        if inbound.from_bot || self.resolve.as_ref().is_some_and(|accept| !accept(inbound)) {
            return Verdict::Ignored;
        }
        if inbound.kind == InboundKind::Payment {
            // Telegram reports money that has already moved: it must be credited, whoever sent
            // it and however busy they were. Crediting is idempotent by charge id.
            return Verdict::Allow;
        }
        let Some(who) = inbound.user.or(inbound.chat) else { return Verdict::Ignored };
        if let Some(user) = inbound.user {
            // A blocked user keeps one right: deleting their data (and the fresh code it may
            // need), still rate-limited below.
            let open = inbound.command.as_deref().is_some_and(crate::command::open_to_blocked);
            if !open && self.blocklist.is_blocked(user, now_unix) {
                return Verdict::Blocked;
            }
            if let Some((retry_after, notify)) = self.penalties.muted(user, now_unix) {
                return Verdict::Penalised { retry_after, notify };
            }
        }
        let now = self.clock.mono_ms();
        let rule_id = self.rule_for(inbound);
        if self.debounce_ms > 0
            && let Some(content) = &inbound.content
            && self.debouncer.is_duplicate(self.debouncer.fingerprint(who, rule_id, content), now, self.debounce_ms)
        {
            return Verdict::Debounced;
        }
        if inbound.user.is_some_and(|u| self.exempt_admins && self.is_admin(u)) {
            return Verdict::Allow;
        }
        let rule = self.rules[usize::from(rule_id)];
        let key = (bucket_owner(rule.scope, inbound), rule_id);
        match self.windows.with(key, |w| w.admit(now, rule.limit.get(), ms(rule.per))) {
            Admission::Accepted => Verdict::Allow,
            Admission::Denied { retry_after_ms, notify } => {
                let limited = Verdict::Limited { retry_after: Duration::from_millis(retry_after_ms), notify };
                match inbound.user {
                    Some(user) => self.strike(user, limited, now, now_unix),
                    None => limited,
                }
            }
        }
    }

    fn observe_membership(&self, user: i64, change: Membership, now_unix: u64) {
        let blocked = change == Membership::BlockedBot;
        match self.blocklist.set_blocked_bot(user, blocked, now_unix) {
            Ok(true) if blocked => {
                tracing::info!(target: "arcana::audit", event = Event::UserBlockedBot.name(), user,
                    "user blocked the bot");
            }
            Ok(true) => {
                tracing::info!(target: "arcana::audit", event = Event::UserReturned.name(), user,
                    "user unblocked the bot");
            }
            Ok(false) => {}
            Err(e) => tracing::error!(error = %e, user, "cannot record a membership change"),
        }
    }

    fn rule_for(&self, inbound: &Inbound) -> u16 {
        let named =
            |name: &Option<String>, rules: &HashMap<String, u16>| name.as_ref().and_then(|n| rules.get(n).copied());
        named(&inbound.command, &self.command_rules)
            .or_else(|| named(&inbound.callback_action, &self.callback_rules))
            .unwrap_or(0)
    }

    /// Plugs in a rule deciding who may use the bot, checked after the built-in refusal of bots;
    /// refused senders' updates are dropped silently (`Verdict::Ignored`).
    #[must_use]
    pub fn with_user_rule(mut self, rule: UserRule) -> Sentinel {
        self.resolve = Some(rule);
        self
    }

    /// Sets the HTTP API's limits: requests per signed-in user and per client address.
    #[must_use]
    pub fn with_api_rules(mut self, per_user: LimitRule, per_address: LimitRule) -> Sentinel {
        self.api_rules = Some((per_user, per_address));
        self
    }

    /// Decides an HTTP request from `address` by the per-address bucket (every request, signed
    /// in or not). IPv6 addresses count per /64: one machine usually holds a whole /64.
    pub fn check_api_address(&self, address: std::net::IpAddr) -> Verdict {
        let verdict = self.decide_api_address(address);
        self.counters.count(verdict);
        verdict
    }

    fn decide_api_address(&self, address: std::net::IpAddr) -> Verdict {
        let Some((_, per_address)) = self.api_rules else { return Verdict::Allow };
        let key = (Who::ApiAddress(u128::from_be_bytes(client_key(address))), API_ADDRESS_RULE);
        match self.windows.with(key, |w| w.admit(self.clock.mono_ms(), per_address.limit.get(), ms(per_address.per))) {
            Admission::Accepted => Verdict::Allow,
            Admission::Denied { retry_after_ms, notify } => {
                Verdict::Limited { retry_after: Duration::from_millis(retry_after_ms), notify }
            }
        }
    }

    /// Decides a signed-in user's HTTP request (after their session was found live): an admin's
    /// block or a ban and mutes as for updates (a user who only blocked the bot is served), then
    /// the per-user bucket — over it earns strikes toward a mute like in Telegram. Admins are not
    /// exempt: the API is never an operator's tool.
    pub fn check_api_user(&self, user: i64) -> Verdict {
        let verdict = self.decide_api_user(user);
        self.counters.count(verdict);
        verdict
    }

    fn decide_api_user(&self, user: i64) -> Verdict {
        let now_unix = self.clock.unix_ms();
        if self.blocklist.is_banned(user, now_unix) {
            return Verdict::Blocked;
        }
        if let Some((retry_after, notify)) = self.penalties.muted(user, now_unix) {
            return Verdict::Penalised { retry_after, notify };
        }
        let Some((per_user, _)) = self.api_rules else { return Verdict::Allow };
        let now = self.clock.mono_ms();
        match self
            .windows
            .with((Who::ApiUser(user), API_USER_RULE), |w| w.admit(now, per_user.limit.get(), ms(per_user.per)))
        {
            Admission::Accepted => Verdict::Allow,
            Admission::Denied { retry_after_ms, notify } => {
                let limited = Verdict::Limited { retry_after: Duration::from_millis(retry_after_ms), notify };
                self.strike(user, limited, now, now_unix)
            }
        }
    }

    /// A denial of `user` counts as a strike; returns the mute it earned (its one notice
    /// consumed now, audited) or else `limited`.
    fn strike(&self, user: i64, limited: Verdict, now: u64, now_unix: u64) -> Verdict {
        match self.penalties.strike(user, now, now_unix) {
            Ok(Some(mute)) => {
                tracing::warn!(target: "arcana::audit", event = Event::Penalty.name(), user, level = mute.level,
                    mute_secs = mute.duration.as_secs(), "user muted for repeatedly hitting limits");
                // Consume the mute's one notice now.
                let _ = self.penalties.muted(user, now_unix);
                Verdict::Penalised { retry_after: mute.duration, notify: true }
            }
            Ok(None) => limited,
            Err(e) => {
                tracing::error!(error = %e, "cannot persist a penalty");
                limited
            }
        }
    }

    /// Whether `user` is a configured admin.
    #[must_use]
    pub fn is_admin(&self, user: i64) -> bool {
        self.admins.contains(&user)
    }

    /// The blocklist.
    #[must_use]
    pub fn blocklist(&self) -> &Blocklist {
        &self.blocklist
    }

    /// The clock the sentinel decides by.
    #[must_use]
    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// Counts of every decision so far.
    #[must_use]
    pub fn stats(&self) -> Stats {
        self.counters.snapshot()
    }

    /// Keys held in memory: rate windows, debounce fingerprints and penalty states.
    #[must_use]
    pub fn tracked_keys(&self) -> usize {
        self.windows.len() + self.debouncer.tracked() + self.penalties.tracked()
    }

    /// Lifts `user`'s mute and escalation (in memory and in the store) at once; returns whether
    /// a mute was in force.
    pub fn unmute(&self, user: i64) -> Result<bool, StoreError> {
        self.penalties.lift(user, self.clock.unix_ms())
    }

    /// Lifts the penalties and empties the rate windows of `user` (`None`: of everyone); returns
    /// how many mutes were in force and how many windows were emptied. Debounce fingerprints
    /// (keyed hashes, seconds long) are left to age out.
    pub fn reset_limits(&self, user: Option<i64>) -> Result<(usize, usize), StoreError> {
        let now_unix = self.clock.unix_ms();
        let Some(user) = user else {
            let windows = self.windows.retain(|_, _| false);
            return Ok((self.penalties.lift_all(now_unix)?, windows));
        };
        let windows = self.windows.retain(|(who, _), _| match *who {
            Who::User(u) | Who::UserInChat(u, _) | Who::ApiUser(u) => u != user,
            // A private chat's id is its user's id.
            Who::Chat(chat) => chat != user,
            Who::Global | Who::ApiAddress(_) => true,
        });
        Ok((usize::from(self.penalties.lift(user, now_unix)?), windows))
    }

    /// Forgets state that no longer matters (idle windows, old fingerprints, decayed penalties,
    /// ended blocks); returns how many entries were dropped. The bot runs this periodically.
    pub fn sweep(&self) -> usize {
        let (now, now_unix) = (self.clock.mono_ms(), self.clock.unix_ms());
        let windows = self.windows.retain(|_, w| !w.is_idle(now));
        let fingerprints = self.debouncer.sweep(now, self.debounce_ms);
        let penalties = self.penalties.sweep(now, now_unix);
        let blocks = self.blocklist.sweep(now_unix).unwrap_or_else(|e| {
            tracing::error!(error = %e, "cannot sweep ended blocks");
            0
        });
        windows + fingerprints + penalties + blocks
    }
}

/// The key one client of the web side counts under: an IPv4 address (mapped into IPv6), or an
/// IPv6 address's /64 — one machine usually holds a whole /64. Shared by the per-address
/// bucket and the web listener's per-address connection cap.
#[must_use]
pub fn client_key(address: std::net::IpAddr) -> [u8; 16] {
    match address {
        std::net::IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        std::net::IpAddr::V6(v6) => {
            let mut octets = v6.octets();
            octets[8..].fill(0);
            octets
        }
    }
}

/// The owner of the bucket an event counts in. Updates without a user count per chat, never in
/// a shared bucket.
fn bucket_owner(scope: LimitScope, inbound: &Inbound) -> Who {
    match (scope, inbound.user, inbound.chat) {
        (LimitScope::Global, _, _) => Who::Global,
        (_, None, Some(chat)) | (LimitScope::Chat, _, Some(chat)) => Who::Chat(chat),
        (LimitScope::UserInChat, Some(user), Some(chat)) => Who::UserInChat(user, chat),
        (_, Some(user), _) => Who::User(user),
        (_, None, None) => Who::Chat(0),
    }
}
